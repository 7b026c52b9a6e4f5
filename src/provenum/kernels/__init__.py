"""Generators of constant-time big-number kernels, per ISA and CPU level.

`provenum.kernels.catalog` lists every variant the library ships (operation,
size, level); the generators live in `x86_64/` (one module per family, one
arithmetic module per level: arith_baseline, arith_bmi2) and write one .S
file per variant into `x86_64/generated/`. `python -m provenum.kernels`
rewrites those files and the generated native headers; tests/kernels checks
they are up to date byte for byte.
"""
from __future__ import annotations

from pathlib import Path

from .catalog import (ASM_DIR, BY_NAME, CATALOG, OPERATIONS, TUNING, Kernel, Operation, Param,  # noqa: F401
                      c_args, split_symbol)

NATIVE = Path(__file__).resolve().parent.parent / "native"
CDEF_PATH = NATIVE / "cdef" / "kernels.h"
DISPATCH_TABLE_PATH = NATIVE / "csrc" / "dispatch_table.h"


def cdef_header(catalog=None, operations=None) -> str:
    """cffi declarations: every operation's dispatched entry, then every variant."""
    catalog = CATALOG if catalog is None else catalog
    operations = OPERATIONS if operations is None else operations
    lines = ["/* provenum kernels (generated from provenum.kernels.catalog; do not edit) */",
             "/* dispatched entries: the best variant this CPU runs (native/csrc/dispatch.c) */"]
    lines += [op.cdef for op in operations.values()]
    lines.append("/* every variant, by level (calling one the CPU lacks faults: the bindings check first) */")
    lines += [k.cdef for k in catalog]
    return "\n".join(lines) + "\n"


def dispatch_table_header(operations=None) -> str:
    """The X-macro list native/csrc/dispatch.c builds its table and entries from."""
    from provenum.isa.x86_64.features import level_index

    operations = OPERATIONS if operations is None else operations
    lines = ["/* The dispatch table's operations and variants (generated from provenum.kernels.catalog;",
             "   do not edit).  OPERATION(name, parameters, arguments); VARIANT(operation, symbol, level). */"]
    for op in operations.values():
        params = c_args(op.params)
        args = ", ".join(p.name for p in op.params)
        lines.append(f"OPERATION({op.name}, ({params}), ({args}))")
        for k in op.variants:
            lines.append(f"VARIANT({op.name}, {k.name}, {level_index(k.level)})")
    return "\n".join(lines) + "\n"


def write_all(asm_dir: Path = ASM_DIR, cdef_path: Path | None = None,
              dispatch_path: Path | None = None) -> list[Path]:
    """Regenerate every .S file (and the native headers); returns the paths written."""
    asm_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for k in CATALOG:
        path = asm_dir / f"{k.name}.S"
        path.write_text(k.function.text())
        written.append(path)
    if cdef_path is not None:
        cdef_path.write_text(cdef_header())
        written.append(cdef_path)
    if dispatch_path is not None:
        dispatch_path.write_text(dispatch_table_header())
        written.append(dispatch_path)
    return written
