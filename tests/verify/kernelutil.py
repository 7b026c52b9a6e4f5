"""Build a small library from the kernel generators (for tests that must not wait on the full build)."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def build(functions, directory: str | None = None) -> Path:
    """Assemble provenum.kernels Function objects into one shared object."""
    d = Path(directory or tempfile.mkdtemp(prefix="pv-kern-"))
    objs = []
    for f in functions:
        s = d / f"{f.name}.S"
        s.write_text(f.text())
        o = d / f"{f.name}.o"
        subprocess.run(["gcc", "-c", "-o", str(o), str(s)], check=True, capture_output=True)
        objs.append(str(o))
    so = d / "kernels.so"
    subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(so), *objs], check=True, capture_output=True)
    return so
