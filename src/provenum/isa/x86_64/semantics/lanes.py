"""Per-lane shifts and lane moves of AVX2 / AVX-512 (the radix-2^52 kernels' normalisation and digit moves).

Every result is built element by element (64-bit lanes), so the verifier sees
each lane as a word of its own: `vpsrlq` by 52 is a 64-bit `lshr` of that lane,
`vpermq` picks lanes (valignq: vector.py). Masking and the upper-bit rule are
`write_vec_dest`'s.
"""
from __future__ import annotations

from .common import read, semantics
from .vector import _concat_elements, _elements, _load_vec, write_vec_dest


@semantics("vpsrlq", "vpsllq")
def shift_q_imm(s, insn):
    """dst[i] = src[i] >> imm (or <<); a count above 63 gives 0 (the CPU's rule for logical shifts)."""
    d = s.d
    dst, src, imm = insn.operands
    k = imm.value & 0xFF
    op = d.lshr if insn.mnemonic == "vpsrlq" else d.shl
    lanes = [op(x, d.const(k, 8)) if k < 64 else d.const(0, 64) for x in _elements(d, _load_vec(s, insn, src))]
    write_vec_dest(s, insn, dst, _concat_elements(d, lanes))


@semantics("vpermq")
def vpermq_imm(s, insn):
    """Within each 256-bit half: dst lane j = src lane (imm >> 2j) & 3 of that half."""
    d = s.d
    dst, src, imm = insn.operands
    e = _elements(d, _load_vec(s, insn, src))
    out = []
    for half in range(0, len(e), 4):
        out += [e[half + ((imm.value >> (2 * j)) & 3)] for j in range(4)]
    write_vec_dest(s, insn, dst, _concat_elements(d, out))
