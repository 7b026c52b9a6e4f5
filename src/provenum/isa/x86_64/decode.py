"""Decoding machine code (capstone) into the model's instructions.

Every instruction must be of a form listed in `forms.FORMS` *and* encoded the
way validation runs it on the CPU (`encodings.py`: the legacy prefixes, REX.W
and VEX/EVEX fields of the form's examples); anything else -- an unknown
mnemonic, operand form, a prefix the examples do not have (lock, rep,
segment, 66 on a branch or push, any prefix before VEX/EVEX), EVEX embedded
broadcast/rounding -- is a DecodeError naming the mnemonic, the address and
the bytes. Nothing is skipped.

Functions are read as the dynamic loader sees them (`provenum.isa.elf`): the
dynamically bound symbol, its bytes from the PT_LOAD segment that maps them.
"""
from __future__ import annotations

from functools import lru_cache

from .. import elf
from . import encodings
from .forms import FORMS
from .instruction import DecodeError, Function, Imm, Instruction, Mem, Reg, Rel
from .registers import GPR_VIEWS, mask_index, vec_view

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


def _convert(ci, check_encoding: bool = True) -> Instruction:
    from capstone import x86

    address, code, mnemonic = ci.address, bytes(ci.bytes), ci.mnemonic
    sig = encodings.signature(code, address)
    encoding = sig[0]
    mask = zeroing = evex_b = 0
    if encoding == "evex":
        p2 = code[len(sig[1]) + int(sig[2]) + 3]  # EVEX P2: z L'L b V' aaa
        mask, zeroing, evex_b = p2 & 7, bool(p2 & 0x80), bool(p2 & 0x10)
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
    if check_encoding:
        encodings.check(insn.form, sig, mnemonic, address, code)
    return insn


class _CountCL(Reg):
    """The cl count operand of a shift (its form kind is "cl")."""

    def kind_name(self) -> str:
        return "cl"


def decode_one(code: bytes, address: int, check_encoding: bool = True) -> Instruction:
    """Decode the single instruction at the start of `code` (`check_encoding=False` only to
    build the table of validated encodings itself)."""
    if not code:
        raise DecodeError(f"no bytes to decode at {address:#x}", address=address)
    for ci in _capstone().disasm(bytes(code[:15]), address, 1):
        return _convert(ci, check_encoding)
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


# --- ELF (the loader's view) ---------------------------------------------------------

def function_addresses(path) -> dict[str, int]:
    """name -> address of each function the dynamic loader binds in an ELF file."""
    return elf.function_addresses(path, "x86_64")


def function_symbols(path) -> list[str]:
    """Names of the functions the dynamic loader binds in an ELF file."""
    return sorted(function_addresses(path))


def symbol_bytes(path, name: str) -> tuple[int, bytes]:
    """(virtual address, bytes) of the dynamically bound function `name`, read from its PT_LOAD segment."""
    return elf.symbol_bytes(path, name, "x86_64")


def decode_symbol(path, name: str) -> Function:
    """The function `name` of an ELF shared object or executable, decoded from the bytes the loader maps.

    DecodeError naming why not: UnknownSymbolError (also a KeyError) if the
    dynamic loader binds no such symbol, WrongMachineError for an ELF file of
    another ISA; an ambiguous symbol, bytes that are not mapped, an
    unsupported instruction or encoding.
    """
    addr, code = symbol_bytes(path, name)
    return decode_function(name, code, addr)


def decode_at(path, address: int) -> Function:
    """The function starting at `address` (a call target), its extent from a symbol starting there."""
    sym = elf.code_symbols(path).get(address)
    if sym is None:
        raise KeyError(f"no function symbol starts at {address:#x} in {path}")
    return decode_function(sym.name, elf.code_bytes(path, address, sym.size, f"function {sym.name!r}"), address)


def executable_sections(path) -> list[tuple[int, bytes]]:
    """(address, bytes) of each executable PT_LOAD segment (what the interpreter runs)."""
    return elf.code_segments(path, "x86_64")
