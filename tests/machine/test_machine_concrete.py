"""The concrete domain and state against plain integer arithmetic."""
import pytest
from hypothesis import given, strategies as st

from provenum.isa.domain import UNDEFINED, UndefinedFlagError
from provenum.machine import Bits, ConcreteDomain, ConcreteState, MemoryAccessError

d = ConcreteDomain()
widths = st.sampled_from([1, 8, 16, 32, 64, 128])


@st.composite
def pair(draw):
    w = draw(widths)
    return w, draw(st.integers(0, 2**w - 1)), draw(st.integers(0, 2**w - 1)), draw(st.integers(0, 1))


def signed(v, w):
    return v - (1 << w) if v >> (w - 1) else v


@given(pair())
def test_carry_equations(p):
    w, a, b, c = p
    A, B, C = d.const(a, w), d.const(b, w), d.const(c, 1)
    r, co = d.add(A, B, C)
    assert r.v + (co.v << w) == a + b + c and r.w == w and co.w == 1
    r, bo = d.sub(A, B, C)
    assert r.v - (bo.v << w) == a - b - c
    hi, lo = d.mul_wide(A, B)
    assert (hi.v << w) + lo.v == a * b
    hi, lo = d.smul_wide(A, B)
    assert signed((hi.v << w) | lo.v, 2 * w) == signed(a, w) * signed(b, w)


@given(pair(), st.integers(0, 200))
def test_shifts_and_widths(p, n):
    w, a, _, _ = p
    A, N = d.const(a, w), d.const(n, 8)
    mask = 2**w - 1
    assert d.shl(A, N).v == (a << n) & mask
    assert d.lshr(A, N).v == a >> n
    assert d.ashr(A, N).v == (signed(a, w) >> n) & mask
    assert d.sext(A, w + 8).v == signed(a, w) & (2 ** (w + 8) - 1)
    assert d.concat(A, d.const(1, 3)).v == (a << 3) | 1
    assert d.parity(d.const(a & 0xFF, 8)).v == 1 - bin(a & 0xFF).count("1") % 2


def test_width_mismatch_and_bad_extract_are_errors():
    with pytest.raises(ValueError, match="width"):
        d.add(d.const(1, 64), d.const(1, 32))
    with pytest.raises(ValueError):
        d.extract(d.const(1, 8), 8, 0)
    with pytest.raises(ValueError):
        d.zext(d.const(1, 64), 32)


def test_opaque_domain_hides_constants():
    assert ConcreteDomain(opaque=True).as_int(Bits(5, 8)) is None and d.as_int(Bits(5, 8)) == 5


def test_state_memory_and_flags():
    s = ConcreteState()
    s.map(0x1000, b"\x01\x02\x03\x04")
    assert s.load(d.const(0x1001, 64), 2) == Bits(0x0302, 16)
    s.store(d.const(0x1000, 64), d.const(0xAABB, 16), 2)
    assert s.read_bytes(0x1000, 4) == b"\xbb\xaa\x03\x04"
    with pytest.raises(MemoryAccessError, match="0x1003"):
        s.load(d.const(0x1003, 64), 2)                     # crosses the end of the region
    with pytest.raises(ValueError, match="overlaps"):
        s.map(0x1002, 8)
    s.write_flag("OF", UNDEFINED)
    assert s.flag("OF") is None
    with pytest.raises(UndefinedFlagError, match="OF"):
        s.read_flag("OF")
    with pytest.raises(ValueError):
        s.write_gpr("rax", d.const(1, 32))
