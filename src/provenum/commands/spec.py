"""`provenum spec NAME`: print a kernel's specification as readable mathematics."""
from __future__ import annotations

NAME = "spec"
HELP = "print the specification of a kernel"


def add_arguments(parser) -> None:
    parser.add_argument("name", help="kernel symbol, e.g. bignum_mul_8_16")


def run(args) -> int:
    from provenum.verify.specs import specs_for

    specs = specs_for(args.name)
    if not specs:
        print(f"no specification for {args.name!r}")
        return 2
    print("\n\n".join(s.show() for s in specs))
    return 0
