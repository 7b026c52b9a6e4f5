"""Random AArch64 machine states for validating one instruction form.

Values come from the same bit-density classes as on x86-64
(provenum.machine.cases.random_word: zero, all ones, single bits, sparse,
dense, small, boundary values, byte patterns, uniform); operand registers
are sometimes made equal or one apart, a 32-bit register's low half is
sometimes zero under a nonzero upper half (cbz w, the w forms' zero
extension), shift counts often sit at the edges, and the registers of a
memory operand are chosen so the access lands in the scratch buffer.
"""
from __future__ import annotations

import random

from provenum.isa.aarch64 import Instruction, Mem, Reg, VElem, VList, VReg, VScalar
from provenum.isa.aarch64.registers import GPR64

from ..cases import random_word
from . import harness as H

M64 = (1 << 64) - 1
_SHIFT_BY_REGISTER = ("lsl", "lsr", "asr", "ror")


def random_vector(rng: random.Random) -> int:
    kind = rng.randrange(6)
    if kind == 0:
        return 0
    if kind == 1:
        return (1 << 128) - 1
    return random_word(rng) | (random_word(rng) << 64)


def random_nzcv(rng: random.Random) -> int:
    kind = rng.randrange(4)
    if kind == 0:
        bits = 0
    elif kind == 1:
        bits = 0xF
    elif kind == 2:
        bits = 1 << rng.randrange(4)
    else:
        bits = rng.randrange(16)
    return bits << 28


def _registers(insn: Instruction):
    """The general registers and vector register numbers the instruction names."""
    gprs, vecs = [], []
    for op in insn.operands:
        reg = getattr(op, "reg", op)
        if isinstance(reg, Reg) and not reg.is_zero:
            gprs.append(reg)
        elif isinstance(op, (VReg, VElem, VScalar)):
            vecs.append(op.index)
        elif isinstance(op, VList):
            vecs.extend(r.index for r in op.regs)
        elif isinstance(op, Mem):
            gprs.extend(r for r in (op.index, op.post_index) if r is not None and not r.is_zero)
    return gprs, vecs


def access_size(insn: Instruction) -> int:
    """Bytes a load/store touches from its address."""
    ops = insn.operands
    if insn.mnemonic in ("ld1", "st1"):
        return 16 * len(ops[0].regs)
    regs = [op for op in ops if isinstance(op, (Reg, VScalar))]
    return sum(r.width // 8 for r in regs)


def _extended_index(value: int, extend: str | None, amount: int) -> int:
    if extend in ("uxtw",):
        value &= 0xFFFFFFFF
    elif extend == "sxtw":
        value &= 0xFFFFFFFF
        value -= (1 << 32) if value >> 31 else 0
    else:
        value -= (1 << 64) if value >> 63 else 0
    return value << amount


def place_address(rng, gpr: dict, m: Mem, size: int, scratch: int) -> None:
    """Set the registers of `m` so the access lies in the scratch buffer (sp stays where it is)."""
    lo, hi = scratch, scratch + H.SCRATCH - size
    base = m.base.full
    for _ in range(1000):
        t = rng.randrange(lo, hi + 1)
        if m.index is not None:
            idx = rng.choice((0, rng.randint(-16, 16), rng.randint(-4, 4)))
            raw = idx & M64
            if m.extend in ("uxtw", "sxtw"):
                if m.extend == "uxtw":
                    idx = abs(idx)
                raw = (rng.getrandbits(32) << 32) | (idx & 0xFFFFFFFF)   # the upper half must not matter
            if m.index.full == base:
                continue
            offset = _extended_index(raw, m.extend, m.amount)
            if base == "sp":
                if lo <= gpr["sp"] + offset <= hi:
                    gpr[m.index.full] = raw
                    return
                continue
            gpr[m.index.full] = raw
            gpr[base] = (t - offset) & M64
            return
        off = 0 if m.mode == "post" else m.offset
        if base == "sp":
            if lo <= gpr["sp"] + off <= hi:
                return
            break
        gpr[base] = (t - off) & M64
        return
    raise ValueError(f"cannot place memory operand {m} ({size} bytes) in the scratch buffer")


def make_record(rng: random.Random, stub: "H.Stub", scratch: int) -> bytearray:
    """One random input record for `stub`."""
    insn = stub.insn
    rec = bytearray(H.RECORD)
    gpr = {r: random_word(rng) for r in GPR64}
    gpr["sp"] = scratch + H.STACK_OFFSET
    vecs = [random_vector(rng) for _ in range(32)]
    regs, vregs = _registers(insn)
    names = [r.full for r in regs if r.full != "sp"]
    if len(names) >= 2 and rng.random() < 0.3:               # equal, or one apart: equality, borrows
        a, b = rng.sample(names, 2)
        gpr[b] = (gpr[a] + rng.choice((0, 0, 0, 1, -1))) & M64
    for name in names:                                       # a zero low half under a nonzero high half
        if rng.random() < 0.1:
            gpr[name] &= ~0xFFFFFFFF & M64
    if len(vregs) >= 2:
        a, b = rng.sample(vregs, 2)
        p = rng.choice((0.0, 0.3, 0.7, 1.0))
        for lane in range(4):
            if rng.random() < p:
                sh = 32 * lane
                vecs[b] = (vecs[b] & ~(0xFFFFFFFF << sh)) | (vecs[a] & (0xFFFFFFFF << sh))
    if insn.mnemonic in _SHIFT_BY_REGISTER and isinstance(insn.operands[-1], Reg) and rng.random() < 0.6:
        r = insn.operands[-1].full
        gpr[r] = (gpr[r] & ~0xFF) | rng.choice((0, 1, 2, 31, 32, 33, 63, 64, 65, rng.randrange(256)))
    if insn.mnemonic == "ushl" and rng.random() < 0.7:       # counts around +-esize in every lane
        dst = insn.operands[0]
        e = dst.esize if isinstance(dst, VReg) else 64
        idx = insn.operands[2].index
        for lane in range(128 // e):
            c = rng.randint(-e - 2, e + 2) & 0xFF
            sh = e * lane
            vecs[idx] = (vecs[idx] & ~(0xFF << sh)) | (c << sh)
    if insn.mnemonic == "ret":
        gpr["x30"] = rng.choice((insn.next_address, stub.near, stub.far))
    scratch_bytes = bytearray(rng.getrandbits(8 * H.SCRATCH).to_bytes(H.SCRATCH, "little"))
    m = next((op for op in insn.operands if isinstance(op, Mem)), None)
    if m is not None:
        place_address(rng, gpr, m, access_size(insn), scratch)
    for i in range(31):
        rec[H.OFF_GPR + 8 * i:H.OFF_GPR + 8 * i + 8] = gpr[f"x{i}"].to_bytes(8, "little")
    rec[H.OFF_SP:H.OFF_SP + 8] = gpr["sp"].to_bytes(8, "little")
    rec[H.OFF_NZCV:H.OFF_NZCV + 8] = random_nzcv(rng).to_bytes(8, "little")
    for i, v in enumerate(vecs):
        rec[H.OFF_VEC + 16 * i:H.OFF_VEC + 16 * i + 16] = v.to_bytes(16, "little")
    rec[H.OFF_SCRATCH:H.OFF_SCRATCH + H.SCRATCH] = scratch_bytes
    return rec
