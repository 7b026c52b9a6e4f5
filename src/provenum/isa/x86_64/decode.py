"""Decoding machine code (capstone) into the model's instructions.

Every instruction must be of a form listed in `forms.FORMS`; anything else
-- an unknown mnemonic, operand form, prefix (lock, rep, segment), EVEX
embedded broadcast/rounding -- is a DecodeError naming the mnemonic, the
address and the bytes. Nothing is skipped.
"""
from __future__ import annotations

from functools import lru_cache

from .forms import FORMS
from .instruction import DecodeError, Function, Imm, Instruction, Mem, Reg, Rel
from .registers import GPR_VIEWS, mask_index, vec_view

_LEGACY_PREFIXES = {0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65}
_BRANCHES = {"jmp", "call"} | {f"j{cc}" for cc in (
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g")}
_COUNT_SHIFTS = {"shl", "sal", "shr", "sar", "rol", "ror", "shld", "shrd"}


@lru_cache(maxsize=None)
def _capstone():
    import capstone
    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    md.detail = True
    return md


def _error(what: str, mnemonic, address, code) -> DecodeError:
    name = f"{mnemonic} " if mnemonic else ""
    return DecodeError(f"{what}: {name}at {address:#x} (bytes {bytes(code).hex()})",
                       mnemonic=mnemonic, address=address, code=code)


def _encoding(code: bytes) -> tuple[str, int, bool, bool]:
    """(encoding, opmask, zeroing, evex.b) from the raw bytes."""
    i = 0
    while i < len(code) and code[i] in _LEGACY_PREFIXES:
        i += 1
    if i < len(code) and code[i] in (0xC4, 0xC5):
        return "vex", 0, False, False
    if i + 3 < len(code) and code[i] == 0x62:
        p2 = code[i + 3]
        return "evex", p2 & 7, bool(p2 & 0x80), bool(p2 & 0x10)
    return "legacy", 0, False, False


def _convert(ci) -> Instruction:
    from capstone import x86

    address, code, mnemonic = ci.address, bytes(ci.bytes), ci.mnemonic
    encoding, mask, zeroing, evex_b = _encoding(code)
    if ci.prefix[0] in (0xF0,):
        raise _error("lock prefix is not supported", mnemonic, address, code)
    # nops (the assembler's alignment padding uses cs: and 0x66 prefixes) access nothing
    is_nop = mnemonic == "nop"
    if not is_nop and (ci.prefix[1] in (0x64, 0x65) or code[:1] in (b"\x64", b"\x65")):
        raise _error("segment override is not supported", mnemonic, address, code)
    if evex_b:
        raise _error("EVEX embedded broadcast/rounding is not supported", mnemonic, address, code)
    if mnemonic.startswith(("rep", "lock")) or " " in mnemonic:
        raise _error("prefixed instruction is not supported", mnemonic, address, code)
    imm_size = ci.encoding.imm_size
    ops = []
    raw_ops = list(ci.operands)
    for n, o in enumerate(raw_ops):
        if o.type == x86.X86_OP_REG:
            name = ci.reg_name(o.reg)
            if name in GPR_VIEWS:
                w = GPR_VIEWS[name][2]
                ops.append(Reg(name, "gpr", w))
            elif vec_view(name):
                ops.append(Reg(name, "vec", vec_view(name)[1]))
            elif mask_index(name) is not None:
                if mask and n == 1 and mask_index(name) == mask:
                    continue          # the {k} decoration of operand 0, kept in `mask`
                ops.append(Reg(name, "mask", 64))
            else:
                raise _error(f"register {name} is not modelled", mnemonic, address, code)
        elif o.type == x86.X86_OP_IMM:
            if mnemonic in _BRANCHES:
                ops.append(Rel(o.imm & (2**64 - 1), imm_size))
            else:
                width = 8 * o.size
                ops.append(Imm(o.imm & ((1 << width) - 1), width, imm_size))
        elif o.type == x86.X86_OP_MEM:
            m = o.mem
            if m.segment and not is_nop:
                raise _error("segment override is not supported", mnemonic, address, code)
            base = ci.reg_name(m.base) if m.base else None
            index = ci.reg_name(m.index) if m.index else None
            for r in (base, index):
                if r is not None and r != "rip" and GPR_VIEWS.get(r, (None, 0, 0))[2] != 64:
                    raise _error(f"address register {r} is not supported", mnemonic, address, code)
            if index == "rip":
                raise _error("rip as index", mnemonic, address, code)
            if base is None and index is None:
                raise _error("absolute memory addresses are not supported", mnemonic, address, code)
            ops.append(Mem(8 * o.size, base, index, m.scale if index else 1, m.disp))
        else:
            raise _error("unsupported operand type", mnemonic, address, code)
    insn = Instruction(address, code, mnemonic, tuple(ops), ci.op_str, encoding, mask, zeroing)
    # the count register of shifts is always cl; name it in the form
    if mnemonic in _COUNT_SHIFTS and isinstance(ops[-1], Reg):
        insn = Instruction(address, code, mnemonic, tuple(ops[:-1]) + (_CountCL(ops[-1].name, "gpr", 8),),
                           ci.op_str, encoding, mask, zeroing)
    if insn.form not in FORMS:
        raise _error(f"unsupported instruction form '{insn.form}'", mnemonic, address, code)
    return insn


class _CountCL(Reg):
    """The cl count operand of a shift (its form kind is "cl")."""

    def kind_name(self) -> str:
        return "cl"


def decode_one(code: bytes, address: int) -> Instruction:
    """Decode the single instruction at the start of `code`."""
    if not code:
        raise DecodeError(f"no bytes to decode at {address:#x}", address=address)
    for ci in _capstone().disasm(bytes(code[:15]), address, 1):
        return _convert(ci)
    raise _error("cannot decode (invalid or truncated instruction)", None, address, code[:15])


def decode_bytes(code: bytes, address: int = 0) -> list[Instruction]:
    """Decode all of `code`, placed at `address`, into instructions.

    Raises DecodeError for truncated or invalid bytes and unsupported forms.
    """
    code = bytes(code)
    out: list[Instruction] = []
    offset = 0
    md = _capstone()
    while offset < len(code):
        progressed = False
        for ci in md.disasm(code[offset:], address + offset):
            out.append(_convert(ci))
            offset += ci.size
            progressed = True
        if offset < len(code):
            rest = code[offset:offset + 15]
            what = "truncated instruction" if not progressed or len(code) - offset < 15 else "cannot decode"
            raise _error(f"{what} ({len(code) - offset} bytes left)", None, address + offset, rest)
    return out


def decode_function(name: str, code: bytes, address: int = 0) -> Function:
    return Function(name, address, bytes(code), tuple(decode_bytes(code, address)))


# --- ELF -------------------------------------------------------------------------

def _open_elf(path):
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        f = open(path, "rb")
    except OSError as e:
        raise ValueError(f"cannot open {path}: {e.strerror}") from None
    try:
        return f, ELFFile(f)
    except ELFError as e:
        f.close()
        raise ValueError(f"{path} is not an ELF file: {e}") from None


def _find_symbol(elf, name: str):
    for table in (".symtab", ".dynsym"):
        sec = elf.get_section_by_name(table)
        if sec is None:
            continue
        for sym in sec.get_symbol_by_name(name) or []:
            if sym["st_shndx"] != "SHN_UNDEF" and sym["st_info"]["type"] in ("STT_FUNC", "STT_NOTYPE"):
                return sym
    return None


def function_addresses(path) -> dict[str, int]:
    """name -> address of each defined function symbol of an ELF file (.symtab and .dynsym)."""
    f, elf = _open_elf(path)
    with f:
        out: dict[str, int] = {}
        for table in (".dynsym", ".symtab"):
            sec = elf.get_section_by_name(table)
            if sec is not None:
                for sym in sec.iter_symbols():
                    if sym["st_info"]["type"] == "STT_FUNC" and sym["st_shndx"] != "SHN_UNDEF":
                        out[sym.name] = sym["st_value"]
        return out


def function_symbols(path) -> list[str]:
    """Names of the defined functions in an ELF file."""
    return sorted(function_addresses(path))


def symbol_bytes(path, name: str) -> tuple[int, bytes]:
    """(virtual address, bytes) of the function symbol `name` in an ELF file."""
    f, elf = _open_elf(path)
    with f:
        sym = _find_symbol(elf, name)
        if sym is None:
            raise KeyError(f"symbol {name!r} is not defined in {path}")
        addr, size = sym["st_value"], sym["st_size"]
        if size == 0:
            raise ValueError(f"symbol {name!r} in {path} has size 0 (missing .size directive?)")
        sec = elf.get_section(sym["st_shndx"])
        start = addr - sec["sh_addr"]
        data = sec.data()
        if start < 0 or start + size > len(data):
            raise ValueError(f"symbol {name!r} lies outside its section {sec.name}")
        return addr, data[start:start + size]


def decode_symbol(path, name: str) -> Function:
    """The function `name` of an ELF shared object or executable, decoded.

    KeyError if the symbol is not defined; DecodeError if its bytes contain an
    unsupported instruction.
    """
    addr, code = symbol_bytes(path, name)
    return decode_function(name, code, addr)


def executable_sections(path) -> list[tuple[int, bytes]]:
    """(address, bytes) of each executable section with contents (for the interpreter)."""
    f, elf = _open_elf(path)
    with f:
        out = []
        for sec in elf.iter_sections():
            if sec["sh_flags"] & 0x4 and sec["sh_type"] == "SHT_PROGBITS":
                out.append((sec["sh_addr"], sec.data()))
        return out
