"""Generators of constant-time big-number kernels, per ISA and CPU level.

`provenum.kernels.catalog` lists every variant the library ships (ISA,
operation, size, level); the generators live in `x86_64/` (one module per
family, one arithmetic module per level: arith_baseline, arith_bmi2) and
`aarch64/` (one module per family, the integer engine arith.py, the vector
products neon.py, the N1 scheduler), and write one .S file per variant into
`<isa>/generated/`. `python -m provenum.kernels` rewrites those files and
the generated native headers of both ISAs; tests/kernels checks they are up
to date byte for byte.
"""
from __future__ import annotations

from pathlib import Path

from .catalog import (ASM_DIR, ASM_DIRS, BY_NAME, CATALOG, ISAS, OPERATIONS, TUNING, Kernel,  # noqa: F401
                      Operation, Param, by_name_of, c_args, catalog_of, host_by_name, host_catalog, host_isa,
                      host_operations, isa_levels, operations_of, split_symbol)

NATIVE = Path(__file__).resolve().parent.parent / "native"
CDEF_PATH = NATIVE / "cdef" / "kernels.h"
DISPATCH_TABLE_PATH = NATIVE / "csrc" / "dispatch_table.h"
# the native headers of each ISA (x86-64's keep their names)
CDEF_PATHS = {"x86_64": CDEF_PATH, "aarch64": NATIVE / "cdef" / "kernels_aarch64.h"}
DISPATCH_TABLE_PATHS = {"x86_64": DISPATCH_TABLE_PATH, "aarch64": NATIVE / "csrc" / "dispatch_table_aarch64.h"}


def cdef_header(catalog_=None, operations_=None, isa: str | None = None) -> str:
    """cffi declarations: every operation's dispatched entry, then every variant."""
    if isa is not None:
        catalog_, operations_ = catalog_of(isa), operations_of(isa)
    catalog_ = CATALOG if catalog_ is None else catalog_
    operations_ = OPERATIONS if operations_ is None else operations_
    lines = ["/* provenum kernels (generated from provenum.kernels.catalog; do not edit) */",
             "/* dispatched entries: the best variant this CPU runs (native/csrc/dispatch.c) */"]
    lines += [op.cdef for op in operations_.values()]
    lines.append("/* every variant, by level (calling one the CPU lacks faults: the bindings check first) */")
    lines += [k.cdef for k in catalog_]
    return "\n".join(lines) + "\n"


def dispatch_table_header(operations_=None, isa: str | None = None) -> str:
    """The X-macro list native/csrc/dispatch.c builds its table and entries from."""
    if isa is not None:
        operations_ = operations_of(isa)
    operations_ = OPERATIONS if operations_ is None else operations_
    lines = ["/* The dispatch table's operations and variants (generated from provenum.kernels.catalog;",
             "   do not edit).  OPERATION(name, parameters, arguments); VARIANT(operation, symbol, level). */"]
    for op in operations_.values():
        level_index = isa_levels(op.isa).level_index
        params = c_args(op.params)
        args = ", ".join(p.name for p in op.params)
        lines.append(f"OPERATION({op.name}, ({params}), ({args}))")
        for k in op.variants:
            lines.append(f"VARIANT({op.name}, {k.name}, {level_index(k.level)})")
    return "\n".join(lines) + "\n"


def write_all(asm_dir: Path = ASM_DIR, cdef_path: Path | None = None,
              dispatch_path: Path | None = None, isa: str = "x86_64") -> list[Path]:
    """Regenerate one ISA's .S files (and its native headers); returns the paths written."""
    asm_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for k in catalog_of(isa):
        path = asm_dir / f"{k.name}.S"
        path.write_text(k.function.text())
        written.append(path)
    if cdef_path is not None:
        cdef_path.write_text(cdef_header(isa=isa))
        written.append(cdef_path)
    if dispatch_path is not None:
        dispatch_path.write_text(dispatch_table_header(isa=isa))
        written.append(dispatch_path)
    return written
