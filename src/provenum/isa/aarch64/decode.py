"""Decoding A64 machine code (capstone, ARM64) into the model's instructions.

capstone names each instruction by its preferred disassembly (aliases such
as cmp, cset, lsl, mul, mov are their own mnemonics, defined by the Arm ARM
in terms of the base instruction) and prints its operands in Arm syntax;
that text is parsed here by a strict grammar into the model's operands.
Every instruction must then be of a form listed in `forms.FORMS`; anything
else -- an unknown mnemonic or operand form, a floating-point immediate, an
encoding the architecture calls unpredictable -- is a DecodeError naming
the mnemonic, the address and the bytes. Nothing is skipped.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .. import elf as _elf
from .forms import BRANCHES, FORMS, LOADS, STORES
from .instruction import (
    Cond, DecodeError, Extended, Function, Imm, Instruction, Label, Mem, Reg, Shifted, VElem, VList, VReg, VScalar,
)
from .registers import ARRANGEMENTS, CONDITION_ALIASES, CONDITION_CODES, gpr, vec_scalar

ISA = "aarch64"
_SHIFTS = ("lsl", "lsr", "asr", "ror")
_EXTENDS = ("uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx")
_VREG = re.compile(r"v(\d+)\.(\d*[bhsdq])$")
_VELEM = re.compile(r"v(\d+)\.([bhsd])\[(0x[0-9a-f]+|\d+)\]$")
_NUMBER = re.compile(r"#?(-?)(0x[0-9a-f]+|\d+)$")


@lru_cache(maxsize=None)
def _capstone():
    import capstone
    md = capstone.Cs(capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM)
    md.detail = False            # the operand text is parsed below
    return md


def _error(what: str, mnemonic, address, code) -> DecodeError:
    name = f"{mnemonic} " if mnemonic else ""
    return DecodeError(f"{what}: {name}at {address:#x} (bytes {bytes(code).hex()})",
                       mnemonic=mnemonic, address=address, code=code)


class _Unparsable(Exception):
    pass


def _split(text: str) -> list[str]:
    """Top-level comma-separated pieces of an operand string ([...] and {...} kept whole)."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def _number(token: str) -> int:
    m = _NUMBER.match(token.strip())
    if not m:
        raise _Unparsable(token)
    digits = m.group(2)
    # capstone prints some 64-bit immediates as %#016llx, which is 16 zeros (no 0x) for 0
    value = int(digits, 16) if digits.startswith("0x") else int(digits, 10)
    return -value if m.group(1) else value


def _signed64(v: int) -> int:
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >> 63 else v


def _register(token: str):
    g = gpr(token)
    if g is not None:
        return Reg(token, g[0], g[1])
    v = vec_scalar(token)
    if v is not None:
        return VScalar(v[0], v[1], token)
    m = _VREG.match(token)
    if m and m.group(2) in ARRANGEMENTS and int(m.group(1)) < 32:
        return VReg(int(m.group(1)), m.group(2))
    m = _VELEM.match(token)
    if m and int(m.group(1)) < 32:
        return VElem(int(m.group(1)), m.group(2), int(m.group(3), 0))
    raise _Unparsable(token)


def _gpr(token: str) -> Reg:
    r = _register(token)
    if not isinstance(r, Reg):
        raise _Unparsable(token)
    return r


def _memory(token: str) -> Mem:
    """"[x1]", "[x1, #8]", "[x1, #8]!", "[x1, x2, lsl #3]", "[x1, w2, sxtw]"."""
    pre = token.endswith("!")
    inner = token[1:-2] if pre else token[1:-1]
    parts = [p.strip() for p in inner.split(",")]
    base = _gpr(parts[0])
    if base.width != 64 or base.is_zero:
        raise _Unparsable(token)
    if len(parts) == 1:
        return Mem(base, mode="pre" if pre else "offset")
    if parts[1].startswith("#"):
        if len(parts) != 2:
            raise _Unparsable(token)
        return Mem(base, offset=_signed64(_number(parts[1])), mode="pre" if pre else "offset")
    if pre:
        raise _Unparsable(token)
    index = _gpr(parts[1])
    extend, amount = None, 0
    if len(parts) == 3:
        words = parts[2].split()
        extend = words[0]
        if extend not in ("lsl", "uxtw", "sxtw", "sxtx") or len(words) > 2:
            raise _Unparsable(token)
        amount = _number(words[1]) if len(words) == 2 else 0
    elif len(parts) > 3:
        raise _Unparsable(token)
    return Mem(base, index=index, extend=extend, amount=amount)


def _vlist(token: str) -> VList:
    """"{v0.2d, v1.2d}" or "{v0.d}[1]"."""
    lane = None
    body = token
    m = re.match(r"(\{.*\})\[(\d+)\]$", token)
    if m:
        body, lane = m.group(1), int(m.group(2))
    regs = []
    for part in body[1:-1].split(","):
        part = part.strip()
        if lane is not None:
            mm = re.match(r"v(\d+)\.([bhsd])$", part)
            if not mm:
                raise _Unparsable(token)
            regs.append(VReg(int(mm.group(1)), {"b": "16b", "h": "8h", "s": "4s", "d": "2d"}[mm.group(2)]))
        else:
            r = _register(part)
            if not isinstance(r, VReg):
                raise _Unparsable(token)
            regs.append(r)
    return VList(tuple(regs), lane)


def parse_operands(mnemonic: str, text: str, address: int) -> tuple:
    """The model's operands from capstone's operand text (strict: anything unknown raises _Unparsable)."""
    ops: list = []
    tokens = _split(text)
    branch = mnemonic in BRANCHES or mnemonic.startswith("b.")
    for i, tok in enumerate(tokens):
        words = tok.split()
        if tok.startswith("["):
            ops.append(_memory(tok))
        elif tok.startswith("{"):
            ops.append(_vlist(tok))
        elif tok.startswith("#"):
            if branch and i == len(tokens) - 1:
                ops.append(Label(_number(tok) & ((1 << 64) - 1)))
            elif ops and isinstance(ops[-1], Mem) and ops[-1].mode == "offset" and not ops[-1].offset \
                    and ops[-1].index is None and (mnemonic in LOADS or mnemonic in STORES):
                ops[-1] = Mem(ops[-1].base, offset=_signed64(_number(tok)), mode="post")
            else:
                ops.append(Imm(_number(tok)))
        elif words[0] in _SHIFTS and len(words) == 2 and ops:
            amount = _number(words[1])
            prev = ops[-1]
            if isinstance(prev, Reg):
                ops[-1] = Shifted(prev, words[0], amount)
            elif isinstance(prev, Imm) and words[0] == "lsl" and not prev.lsl:
                ops[-1] = Imm(prev.value << amount, amount)
            else:
                raise _Unparsable(tok)
        elif words[0] in _EXTENDS and len(words) <= 2 and ops and isinstance(ops[-1], Reg):
            ops[-1] = Extended(ops[-1], words[0], _number(words[1]) if len(words) == 2 else 0)
        elif len(words) == 1 and (tok in CONDITION_CODES or tok in CONDITION_ALIASES):
            ops.append(Cond(CONDITION_ALIASES.get(tok, tok)))
        elif len(words) == 1:
            r = _register(tok)
            prev = ops[-1] if ops else None
            if isinstance(r, Reg) and isinstance(prev, Mem) and prev.mode == "offset" and not prev.offset \
                    and prev.index is None and mnemonic in ("ld1", "st1"):
                ops[-1] = Mem(prev.base, mode="post", post_index=r)
            else:
                ops.append(r)
        else:
            raise _Unparsable(tok)
    return tuple(ops)


def _check_predictable(insn: Instruction) -> None:
    """Reject the encodings the Arm ARM calls CONSTRAINED UNPREDICTABLE that the model would
    otherwise give one arbitrary meaning: writeback onto a transferred register, ldp to one register."""
    m, ops = insn.mnemonic, insn.operands
    mem = next((o for o in ops if isinstance(o, Mem)), None)
    if mem is None:
        return
    transferred = [o for o in ops if isinstance(o, Reg)]
    if mem.mode in ("pre", "post") and mem.base.full != "sp":
        if any(r.full == mem.base.full for r in transferred if not r.is_zero):
            raise _error("unpredictable: writeback to a transferred register", m, insn.address, insn.code)
    if m == "ldp" and len(transferred) == 2 and transferred[0].full == transferred[1].full:
        raise _error("unpredictable: ldp loads one register twice", m, insn.address, insn.code)
    if m == "ldp":
        vs = [o for o in ops if isinstance(o, VScalar)]
        if len(vs) == 2 and vs[0].index == vs[1].index:
            raise _error("unpredictable: ldp loads one register twice", m, insn.address, insn.code)


def _convert(ci) -> Instruction:
    address, code, mnemonic = ci.address, bytes(ci.bytes), ci.mnemonic
    try:
        ops = parse_operands(mnemonic, ci.op_str, address)
    except (_Unparsable, ValueError) as e:
        raise _error(f"operand '{e}' is not supported", mnemonic, address, code) from None
    insn = Instruction(address, code, mnemonic, ops, ci.op_str)
    if insn.form not in FORMS:
        raise _error(f"unsupported instruction form '{insn.form}'", mnemonic, address, code)
    _check_predictable(insn)
    return insn


def decode_one(code: bytes, address: int) -> Instruction:
    """Decode the single instruction at the start of `code`."""
    if not code:
        raise DecodeError(f"no bytes to decode at {address:#x}", address=address)
    if len(code) < 4:
        raise _error(f"truncated instruction ({len(code)} bytes left)", None, address, code)
    if address % 4:
        raise _error("instruction address is not 4-byte aligned", None, address, code[:4])
    for ci in _capstone().disasm(bytes(code[:4]), address, 1):
        return _convert(ci)
    raise _error("cannot decode (not an A64 instruction capstone knows, or unpredictable)", None, address, code[:4])


def decode_bytes(code: bytes, address: int = 0) -> list[Instruction]:
    """Decode all of `code`, placed at `address`, into instructions.

    Raises DecodeError for truncated bytes (not a multiple of 4), undecodable
    words and unsupported forms.
    """
    code = bytes(code)
    if len(code) % 4:
        off = len(code) - len(code) % 4
        raise _error(f"truncated instruction ({len(code) - off} bytes left)", None, address + off, code[off:])
    return [decode_one(code[off:off + 4], address + off) for off in range(0, len(code), 4)]


def decode_function(name: str, code: bytes, address: int = 0) -> Function:
    return Function(name, address, bytes(code), tuple(decode_bytes(code, address)))


# --- ELF (the loader's view; see provenum.isa.elf) ------------------------------------

def symbol_bytes(path, name: str) -> tuple[int, bytes]:
    """(virtual address, bytes) of the dynamically bound function `name`, from its PT_LOAD segment."""
    return _elf.symbol_bytes(path, name, ISA)


def function_addresses(path) -> dict[str, int]:
    """name -> address of each function the dynamic loader binds in an AArch64 ELF file."""
    return _elf.function_addresses(path, ISA)


def function_symbols(path) -> list[str]:
    return sorted(function_addresses(path))


def code_segments(path) -> list[tuple[int, bytes]]:
    """(address, bytes) of each executable segment of an AArch64 ELF file (for the interpreter)."""
    return _elf.code_segments(path, ISA)


def decode_symbol(path, name: str) -> Function:
    """The function `name` of an AArch64 ELF shared object or executable, decoded.

    DecodeError (UnknownSymbolError, WrongMachineError, or an unsupported or
    truncated instruction) naming what and where.
    """
    addr, code = symbol_bytes(path, name)
    try:
        return decode_function(name, code, addr)
    except DecodeError as e:
        raise type(e)(f"{name} in {path}: {e}", mnemonic=e.mnemonic, address=e.address, code=e.code) from None
