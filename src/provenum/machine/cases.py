"""Random machine states for validating one instruction form.

Values are drawn from classes of widely differing bit density (zero, all
ones, single bits, sparse, dense, small, boundary values, byte patterns,
uniform), operand registers are sometimes made equal or close (so compares,
subtractions and equal-element tests hit both outcomes), and the registers
of a memory operand are chosen so that the address lands in the scratch
buffer.
"""
from __future__ import annotations

import random

from provenum.isa.x86_64 import Instruction, Mem, Reg
from provenum.isa.x86_64.registers import FLAG_BITS, GPR64

from . import harness as H

M64 = (1 << 64) - 1
_BOUNDARY = (1 << 63, (1 << 63) - 1, (1 << 32) - 1, 1 << 32, 1 << 31, (1 << 31) - 1, 0x80, 0x7F, 0xFF,
             0xFFFF, 0x8000, 0x7FFF, 0x100, (1 << 64) - 2, 1, 2, 0xFFFFFFFF00000000, 0x00000000FFFFFFFF)


def random_word(rng: random.Random, bits: int = 64) -> int:
    """A value whose bit density varies widely from call to call."""
    mask = (1 << bits) - 1
    kind = rng.randrange(11)
    if kind == 0:
        return 0
    if kind == 1:
        return mask
    if kind == 2:
        return 1 << rng.randrange(bits)
    if kind == 3:                                   # sparse
        v = 0
        for _ in range(rng.randint(2, 5)):
            v |= 1 << rng.randrange(bits)
        return v
    if kind == 4:                                   # dense
        v = mask
        for _ in range(rng.randint(1, 5)):
            v &= ~(1 << rng.randrange(bits))
        return v
    if kind == 5:
        return rng.randrange(300) & mask
    if kind == 6:
        return -rng.randrange(1, 300) & mask
    if kind == 7:
        return rng.choice(_BOUNDARY) & mask
    if kind == 8:                                   # a repeated byte
        return int.from_bytes(bytes([rng.randrange(256)]) * (bits // 8), "little")
    return rng.getrandbits(bits)


def random_flags(rng: random.Random) -> int:
    kind = rng.randrange(4)
    names = list(FLAG_BITS)
    if kind == 0:
        chosen = []
    elif kind == 1:
        chosen = names
    elif kind == 2:
        chosen = [rng.choice(names)]
    else:
        chosen = [f for f in names if rng.getrandbits(1)]
    v = 0x2                                         # RFLAGS bit 1 is always set
    for f in chosen:
        v |= 1 << FLAG_BITS[f]
    return v


def random_vector(rng: random.Random) -> int:
    kind = rng.randrange(6)
    if kind == 0:
        return 0
    if kind == 1:
        return (1 << 512) - 1
    v = 0
    for i in range(8):
        v |= random_word(rng) << (64 * i)
    return v


def _put(rec: bytearray, off: int, value: int, n: int) -> None:
    rec[off:off + n] = value.to_bytes(n, "little")


def _get(rec, off: int, n: int) -> int:
    return int.from_bytes(rec[off:off + n], "little")


def _memory_operand(insn: Instruction) -> Mem | None:
    if insn.mnemonic in ("lea", "nop"):
        return None                                  # address computed, memory not accessed
    for op in insn.operands:
        if isinstance(op, Mem):
            return op
    return None


def _place_address(rng, gpr: dict, m: Mem, scratch: int, rip_next: int) -> None:
    """Set the address registers of `m` so the access lies in scratch[DATA_START:]."""
    lo, hi = scratch + H.DATA_START, scratch + H.SCRATCH - m.width // 8
    rsp = gpr["rsp"]
    for _ in range(1000):
        t = rng.randrange(lo, hi + 1)
        if m.base == "rip":
            if lo <= rip_next + m.disp <= hi:
                return
            break
        if m.index is None:
            if m.base == "rsp":
                if lo <= rsp + m.disp <= hi:
                    return
                break
            gpr[m.base] = (t - m.disp) & M64
            return
        if m.base == m.index:
            if (t - m.disp) % (m.scale + 1) == 0:
                gpr[m.base] = ((t - m.disp) // (m.scale + 1)) & M64
                return
            continue
        if m.base == "rsp" or m.base is None:
            start = rsp if m.base == "rsp" else 0
            if (t - start - m.disp) % m.scale == 0:
                gpr[m.index] = ((t - start - m.disp) // m.scale) & M64
                return
            continue
        idx = rng.choice((0, rng.randint(-16, 16), rng.randint(-4, 4)))
        gpr[m.index] = idx & M64
        gpr[m.base] = (t - idx * m.scale - m.disp) & M64
        return
    raise ValueError(f"cannot place memory operand {m} in the scratch buffer")


def make_record(rng: random.Random, stub: "H.Stub", scratch: int) -> bytearray:
    """One random input record for `stub`."""
    insn = stub.insn
    rec = bytearray(H.RECORD)
    gpr = {r: random_word(rng) for r in GPR64}
    gpr["rsp"] = scratch + H.STACK_OFFSET
    vecs = [random_vector(rng) for _ in range(32)]
    masks = [random_word(rng) for _ in range(8)]
    regs = [op for op in insn.operands if isinstance(op, Reg)]
    gprs = [op.full for op in regs if op.kind == "gpr" and op.full != "rsp"]
    vregs = [op.index for op in regs if op.kind == "vec"]
    # correlate operands: equal, or one apart, so equality/borrow cases occur
    if len(gprs) >= 2 and rng.random() < 0.3:
        a, b = rng.sample(gprs, 2)
        gpr[b] = (gpr[a] + rng.choice((0, 0, 0, 1, -1))) & M64
    if len(vregs) >= 2:
        a, b = rng.sample(vregs, 2)
        p = rng.choice((0.0, 0.3, 0.7, 1.0))
        for lane in range(8):
            if rng.random() < p:
                sh = 64 * lane
                vecs[b] = (vecs[b] & ~(M64 << sh)) | (vecs[a] & (M64 << sh))
    # shift counts by cl: often small, sometimes 0 or beyond the mask
    if any(op.name == "cl" for op in regs) and rng.random() < 0.5:
        gpr["rcx"] = (gpr["rcx"] & ~0xFF) | rng.choice((0, 1, 2, rng.randrange(70), 32, 64, 63, 31, 33, 65))
    scratch_bytes = bytearray(rng.getrandbits(8 * H.SCRATCH).to_bytes(H.SCRATCH, "little"))
    m = _memory_operand(insn)
    if m is not None:
        _place_address(rng, gpr, m, scratch, insn.next_address)
        if rng.random() < 0.3:                      # memory sometimes equal to a register operand
            if gprs:
                v = gpr[rng.choice(gprs)]
                addr = _effective(gpr, m, insn.next_address)
                n = min(8, m.width // 8)
                off = addr - scratch
                scratch_bytes[off:off + n] = (v & ((1 << (8 * n)) - 1)).to_bytes(n, "little")
    if insn.mnemonic == "ret":
        target = rng.choice((insn.next_address, stub.near, stub.far))
        scratch_bytes[H.STACK_OFFSET:H.STACK_OFFSET + 8] = target.to_bytes(8, "little")
    for i, r in enumerate(GPR64):
        _put(rec, H.OFF_GPR + 8 * i, gpr[r], 8)
    _put(rec, H.OFF_FLAGS, random_flags(rng), 8)
    for i, k in enumerate(masks):
        _put(rec, H.OFF_MASK + 8 * i, k, 8)
    for i, v in enumerate(vecs):
        _put(rec, H.OFF_VEC + 64 * i, v, 64)
    rec[H.OFF_SCRATCH:H.OFF_SCRATCH + H.SCRATCH] = scratch_bytes
    return rec


def _effective(gpr, m: Mem, rip_next: int) -> int:
    a = rip_next if m.base == "rip" else (gpr[m.base] if m.base else 0)
    if m.index:
        a += gpr[m.index] * m.scale
    return (a + m.disp) & M64
