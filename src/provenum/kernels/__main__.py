"""python -m provenum.kernels: rewrite the committed .S files and cdef/kernels.h."""
from pathlib import Path

from . import ASM_DIR, write_all

CDEF = Path(__file__).resolve().parent.parent / "native" / "cdef" / "kernels.h"

if __name__ == "__main__":
    paths = write_all(ASM_DIR, CDEF)
    print(f"wrote {len(paths)} files under {ASM_DIR} and {CDEF}")
