"""python -m provenum.kernels [ISA ...]: rewrite the generated .S files and native headers (both ISAs by default)."""
import sys

from . import ASM_DIRS, CDEF_PATHS, DISPATCH_TABLE_PATHS, ISAS, write_all

if __name__ == "__main__":
    isas = sys.argv[1:] or list(ISAS)
    for isa in isas:
        if isa not in ISAS:
            sys.exit(f"python -m provenum.kernels: unknown ISA {isa!r} (the ISAs are {', '.join(ISAS)})")
    for isa in isas:
        asm_dir = ASM_DIRS[isa]
        stale = {p.name for p in asm_dir.glob("*.S")}
        paths = write_all(asm_dir, CDEF_PATHS[isa], DISPATCH_TABLE_PATHS[isa], isa)
        for old in stale - {p.name for p in paths}:
            (asm_dir / old).unlink()          # a variant the catalog no longer lists
        print(f"{isa}: wrote {len(paths)} files under {asm_dir}, {CDEF_PATHS[isa]} and {DISPATCH_TABLE_PATHS[isa]}")
