"""The radix-2^52 kernels of the avx512ifma level against Python integers.

Almost-Montgomery multiplication (single and dual), the conversions, and the
dual exponentiation of rsa_ifma.c against pow(); random and edge inputs
(0, 1, m-1, values just below 2m, moduli with every bit set that 4m < R
allows, digits 2^52-1). On a CPU without IFMA these skip, saying why (the
kernels are still proved by `provenum verify`).
"""
import random

import pytest

from cpu_levels import skip_unless_cpu_runs

SIZES = ((20, 16), (30, 24), (40, 32))      # (digits, CRT half words)
MASK52 = (1 << 52) - 1


@pytest.fixture(autouse=True)
def _ifma():
    skip_unless_cpu_runs("avx512ifma")


def _moduli(n: int, h: int, rng):
    top = 1 << (64 * h)
    yield top - 1                                   # every bit of the half set
    yield (1 << (64 * h - 1)) + 1                    # smallest full-size
    yield top - (1 << 64) + 1 + 2 * rng.getrandbits(63)   # low word random, high words all ones
    for _ in range(6):
        yield rng.getrandbits(64 * h) | 1 | (1 << (64 * h - 1))


def _operands(m: int, rng):
    yield from (0, 1, m - 1, m, m + 1, 2 * m - 1, 2 * m - 2)
    for _ in range(4):
        yield rng.randrange(2 * m)


def _amm_ok(z: int, x: int, y: int, m: int, n: int) -> bool:
    return 0 <= z < 2 * m and (z << (52 * n)) % m == x * y % m


@pytest.mark.parametrize("n,h", SIZES)
def test_amm52_against_python(n, h):
    import provenum.native as N

    rng = random.Random(n)
    single, dual = getattr(N, f"bignum_amm52_{n}"), getattr(N, f"bignum_amm52x2_{n}")
    for m in _moduli(n, h, rng):
        xs = list(_operands(m, rng))
        for x in xs:
            y = rng.choice(xs)
            z = single(x, y, m)
            assert _amm_ok(z, x, y, m, n), (hex(m), hex(x), hex(y))
            m2 = rng.getrandbits(64 * h) | 1
            x2, y2 = rng.randrange(2 * m2), rng.randrange(2 * m2)
            z0, z1 = dual((x, x2), (y, y2), (m, m2))
            assert z0 == z and _amm_ok(z1, x2, y2, m2, n)


@pytest.mark.parametrize("n,h", SIZES)
def test_amm52_largest_digits(n, h):
    """Operands whose digits are all 2^52-1 (the largest the kernels' multiplier takes) below 2m."""
    import provenum.native as N

    m = (1 << (52 * n - 2)) - 1                      # the largest modulus 4m < R allows
    x = 2 * m - 1                                    # digits 1 .. n-2 are 2^52-1, digit 0 is 2^52-3
    assert all(d == MASK52 for d in N.digits52(x, n - 1)[1:])
    assert _amm_ok(getattr(N, f"bignum_amm52_{n}")(x, x, m), x, x, m, n)


@pytest.mark.parametrize("n,h", SIZES)
def test_amm52_wrapper_refuses_bad_input(n, h):
    import provenum.native as N

    fn = getattr(N, f"bignum_amm52_{n}")
    with pytest.raises(ValueError, match="odd"):
        fn(1, 1, 1 << 100)
    with pytest.raises(ValueError, match="4m"):
        fn(1, 1, (1 << (52 * n - 1)) + 1)
    with pytest.raises(ValueError, match="2m"):
        fn(2 * 1001, 1, 1001)
    with pytest.raises(ValueError, match="pairs"):
        getattr(N, f"bignum_amm52x2_{n}")((1,), (1, 1), (3, 3))


@pytest.mark.parametrize("n,h", SIZES)
def test_radix52_round_trip(n, h):
    import provenum.native as N

    to, back = getattr(N, f"bignum_to_radix52_{h}"), getattr(N, f"bignum_from_radix52_{h}")
    rng = random.Random(h)
    for x in [0, 1, (1 << (64 * h)) - 1, 1 << (64 * h - 1), MASK52] + [rng.getrandbits(64 * h) for _ in range(50)]:
        words = to(x)
        assert len(words) == -(-n // 8) * 8
        assert words[:n] == N.digits52(x, n) and not any(words[n:])
        assert back(words) == x
    with pytest.raises(ValueError, match="2\\^52"):
        back([1 << 52])
    with pytest.raises(ValueError, match="value"):
        back([0] * (n - 1) + [MASK52])


def _modexp_x2(h, a, e, m):
    from provenum.native import ffi, lib

    def buf(v):
        return ffi.new("uint64_t[]", [(v >> (64 * i)) & ((1 << 64) - 1) for i in range(h)])
    z = [ffi.new("uint64_t[]", h) for _ in range(2)]
    rr = [pow(2, 128 * h, mi) for mi in m]
    status = lib.provenum_ifma_modexp_x2(z[0], z[1], buf(a[0]), buf(a[1]), buf(e[0]), buf(e[1]),
                                         buf(m[0]), buf(m[1]), buf(rr[0]), buf(rr[1]), h)
    assert status == 0
    return tuple(int.from_bytes(ffi.buffer(zi, 8 * h), "little") for zi in z)


@pytest.mark.parametrize("n,h", SIZES)
def test_dual_modexp_against_pow(n, h):
    rng = random.Random(h + 1)
    for t in range(6):
        m = [rng.getrandbits(64 * h) | 1 | (1 << (64 * h - 1)) for _ in range(2)]
        a = [rng.randrange(mi) for mi in m]
        e = [rng.getrandbits(64 * h) for _ in m]
        if t == 1:
            a, e = [0, m[1] - 1], [e[0], (1 << (64 * h)) - 1]
        if t == 2:
            e = [0, 1]
        if t == 3:
            a, m = [1, 2], [(1 << (64 * h)) - 1, m[1]]
        assert _modexp_x2(h, a, e, m) == (pow(a[0], e[0], m[0]), pow(a[1], e[1], m[1])), t


def test_dual_modexp_declines_other_sizes_and_lower_levels():
    """Sizes without radix-2^52 kernels, and levels below avx512ifma, return -1 (the caller's
    fallback then runs): the dual path never calls an empty dispatch slot."""
    from provenum.native import dispatch, lib

    assert lib.provenum_ifma_available(16) and not lib.provenum_ifma_available(8)
    with dispatch.forced_level("avx512"):
        assert not lib.provenum_ifma_available(16)
        import provenum.native as N
        with pytest.raises(N.UnsupportedCPU, match="avx512ifma"):
            N.bignum_amm52_20(1, 1, 3)


@pytest.mark.parametrize("n,h", SIZES)
def test_select52x2_against_python(n, h):
    """Both halves' rows at every index pair, from a table whose every word differs (so a wrong
    row, half, word or lane shows); the padding words come with their row."""
    import provenum.native as N

    w = -(-n // 8) * 8
    rng = random.Random(n)
    rows = [([rng.getrandbits(64) for _ in range(w)], [rng.getrandbits(64) for _ in range(w)]) for _ in range(32)]
    select = getattr(N, f"bignum_select52x2_{n}")
    for i0 in range(32):
        for i1 in (i0, 31 - i0, (7 * i0 + 3) % 32):
            assert select(rows, i0, i1) == (rows[i0][0], rows[i1][1]), (i0, i1)
    ones = [([(1 << 64) - 1] * w, [(1 << 64) - 1] * w)] + [([0] * w, [0] * w)] * 31
    assert select(ones, 0, 0) == ([(1 << 64) - 1] * w,) * 2 and select(ones, 1, 31) == ([0] * w,) * 2


@pytest.mark.parametrize("bad,message", [((32, 0), "idx0"), ((0, 32), "idx1"), ((-1, 0), "idx0")])
def test_select52x2_refuses_bad_input(bad, message):
    import provenum.native as N

    rows = [([0] * 24, [0] * 24)] * 32
    with pytest.raises(ValueError, match=message):
        N.bignum_select52x2_20(rows, *bad)
    with pytest.raises(ValueError, match="exactly 32 rows"):
        N.bignum_select52x2_20(rows[:31], 0, 0)
    with pytest.raises(ValueError, match="two buffers of 24 words"):
        N.bignum_select52x2_20([([0] * 23, [0] * 24)] * 32, 0, 0)
