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

    from provenum.isa import aarch64, x86_64
    from provenum.isa.code import DecodeError
    from provenum.isa.elf import elf_machine

    try:
        machine = elf_machine(args.library)          # the ELF machine picks the model
        if machine not in ("x86_64", "aarch64"):
            raise ValueError(f"{args.library} is an ELF file for {machine}; the models are x86_64 and aarch64")
        fn = (aarch64 if machine == "aarch64" else x86_64).decode_symbol(args.library, args.symbol)
    except DecodeError as e:
        if e.address is None:                        # about the file, not an instruction
            print(f"error: {e}", file=sys.stderr)
            return 1
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
