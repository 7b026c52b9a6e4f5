"""python -m provenum.kernels: rewrite the generated .S files and native headers."""
from . import ASM_DIR, CDEF_PATH, DISPATCH_TABLE_PATH, write_all

if __name__ == "__main__":
    stale = {p.name for p in ASM_DIR.glob("*.S")}
    paths = write_all(ASM_DIR, CDEF_PATH, DISPATCH_TABLE_PATH)
    for old in stale - {p.name for p in paths}:
        (ASM_DIR / old).unlink()          # a variant the catalog no longer lists
    print(f"wrote {len(paths)} files under {ASM_DIR}, {CDEF_PATH} and {DISPATCH_TABLE_PATH}")
