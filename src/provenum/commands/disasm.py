"""provenum disasm LIBRARY SYMBOL: a function's instructions as the model decodes them."""
from __future__ import annotations

NAME = "disasm"
HELP = "show the model's decoding of a function symbol in an ELF shared object"


def add_arguments(parser) -> None:
    parser.add_argument("library", help="ELF shared object or executable")
    parser.add_argument("symbol", help="function symbol (.symtab or .dynsym)")
    parser.add_argument("--forms", action="store_true", help="also show each instruction's form")


def run(args) -> int:
    import sys

    from provenum.isa.x86_64 import DecodeError, decode_symbol

    try:
        fn = decode_symbol(args.library, args.symbol)
    except DecodeError as e:
        print(f"error: {args.symbol}: {e}", file=sys.stderr)
        return 1
    except (KeyError, ValueError) as e:
        msg = e.args[0] if e.args else str(e)
        print(f"error: {msg}", file=sys.stderr)
        return 1
    print(f"{fn.name} @ {fn.address:#x}, {len(fn.code)} bytes, {len(fn.instructions)} instructions")
    print(f"sha256 {fn.sha256}")
    for insn in fn.instructions:
        line = f"  {insn.address:#010x}  {insn.code.hex():<22} {insn.mnemonic:<12} {insn.text}"
        if args.forms:
            line = f"{line:<80} ; {insn.form}"
        print(line.rstrip())
    return 0
