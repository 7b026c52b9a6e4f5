"""Every kernel variant at every size against Python integers: edges plus random values.

Each variant is called directly (skipped, saying why, when this CPU cannot
run its level); the property tests call the dispatched entries at every
level this CPU runs.
"""
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import provenum.native as N
from provenum.kernels import host_catalog

CATALOG = host_catalog()          # the native library holds the host ISA's variants
from cpu_levels import variant_function
from kernel_edges import edges, moduli, values

# the sizes of the 64-bit-word families (the radix-2^52 kernels are tested in tests/ifma)
SIZES = sorted({k.n for k in CATALOG if k.family in ("mul", "sqr", "montmul", "montsqr")})


def kernels(family):
    return [k for k in CATALOG if k.family == family]


def rinv(n, m):
    return pow(1 << (64 * n), -1, m)


@pytest.mark.parametrize("k", kernels("mul") + kernels("kmul"), ids=lambda k: k.name)
def test_mul(k):
    rng = random.Random(k.name)
    fn = variant_function(k)
    xs = values(k.n, rng, 20)
    for x in xs:
        for y in edges(k.n, rng)[:8] + [rng.choice(xs)]:
            assert fn(x, y) == x * y, (hex(x), hex(y))


@pytest.mark.parametrize("k", kernels("sqr") + kernels("ksqr"), ids=lambda k: k.name)
def test_sqr(k):
    rng = random.Random(k.name)
    fn = variant_function(k)
    for x in values(k.n, rng, 60):
        assert fn(x) == x * x, hex(x)


@pytest.mark.parametrize("k", kernels("montredc") + kernels("amontredc"), ids=lambda k: k.name)
def test_montredc(k):
    rng = random.Random(k.name)
    fn, n, R = variant_function(k), k.n, 1 << (64 * k.n)
    almost = k.family == "amontredc"
    for m in moduli(n, rng):
        xs = [0, 1, R * m - 1, m - 1, (m - 1) * R, rng.randrange(R * m)]
        xs += [rng.randrange(R * m) for _ in range(6)]
        if almost:
            xs += [R * R - 1, rng.randrange(R * R), R * m]
        for x in xs:
            z = fn(x, m)
            want = x * rinv(n, m) % m
            if almost:
                assert z % m == want and z < R
                if x < R * m:
                    assert z < 2 * m
            else:
                assert z == want, (hex(x), hex(m))


@pytest.mark.parametrize("k", kernels("montmul") + kernels("montsqr") + kernels("amontmul")
                         + kernels("amontsqr"), ids=lambda k: k.name)
def test_montmul(k):
    rng = random.Random(k.name)
    fn, n, R = variant_function(k), k.n, 1 << (64 * k.n)
    almost = k.family.startswith("a")
    square = k.family.endswith("sqr")
    for m in moduli(n, rng):
        pool = [0, m - 1, 1, rng.randrange(m), rng.randrange(m), m >> 1]
        if almost:
            pool += [R - 1, rng.randrange(R), 2 * m - 1 if 2 * m <= R else R - 2]
        else:
            pool = [v for v in pool if v < m]
        for x in pool:
            y = x if square else rng.choice(pool)
            z = fn(x, m) if square else fn(x, y, m)
            want = x * y * rinv(n, m) % m
            if almost:
                assert z % m == want and z < R
                if x * y < R * m:
                    assert z < 2 * m
            else:
                assert z == want


@pytest.mark.parametrize("k", kernels("copy_row_from_table"), ids=lambda k: k.name)
def test_table(k):
    rng = random.Random(k.name)
    fn = variant_function(k)
    for height in (1, 2, 3, 16, 32):
        rows = [rng.choice(edges(k.n, rng)) for _ in range(height)]
        for idx in range(height):
            assert fn(rows, idx) == rows[idx]


@pytest.mark.parametrize("k", kernels("copy_row_from_table"), ids=lambda k: k.name)
def test_table_out_of_range_index_gives_zero_natively(k):
    # the C contract (idx >= height -> 0), which the wrapper never lets through
    variant_function(k)
    ffi, lib = N.ffi, N.lib
    rows = ffi.new("uint64_t[]", [7] * (2 * k.n))
    z = ffi.new("uint64_t[]", [9] * k.n)
    getattr(lib, k.name)(z, rows, 2, 2)
    assert list(z) == [0] * k.n


@pytest.mark.parametrize("k", kernels("modexp"), ids=lambda k: k.name)
def test_modexp(k):
    rng = random.Random(k.name)
    fn, n, R = variant_function(k), k.n, 1 << (64 * k.n)
    exps = [0, 1, 2, R - 1, 1 << (64 * n - 1), 1 << rng.randrange(64 * n), rng.getrandbits(64 * n),
            int.from_bytes(b"\xaa" * 8 * n, "little")]
    for m in moduli(n, rng):
        for a in {0, 1, m - 1, rng.randrange(m)}:
            if a >= m:
                continue
            for e in rng.sample(exps, 3) + [0, R - 1]:
                assert fn(a, e, m) == pow(a, e, m), (n, hex(m), hex(a), hex(e))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(SIZES), st.data())
def test_products_property(dispatch_level, n, data):
    x = data.draw(st.integers(0, (1 << (64 * n)) - 1))
    y = data.draw(st.integers(0, (1 << (64 * n)) - 1))
    assert getattr(N, f"bignum_mul_{n}_{2 * n}")(x, y) == x * y
    assert getattr(N, f"bignum_sqr_{n}_{2 * n}")(x) == x * x
    if n in (16, 24, 32):
        assert getattr(N, f"bignum_kmul_{n}_{2 * n}")(x, y) == x * y
        assert getattr(N, f"bignum_ksqr_{n}_{2 * n}")(y) == y * y


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from((16, 24, 32)), st.data())
def test_modexp_property(dispatch_level, n, data):
    R = 1 << (64 * n)
    m = data.draw(st.integers(1, R - 1)) | 1
    a = data.draw(st.integers(0, m - 1))
    e = data.draw(st.integers(0, R - 1))
    assert getattr(N, f"bignum_modexp_{n}")(a, e, m) == pow(a, e, m)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from((4, 8, 16, 24, 32)), st.data())
def test_montgomery_property(dispatch_level, n, data):
    R = 1 << (64 * n)
    m = data.draw(st.integers(1, R - 1)) | 1
    x = data.draw(st.integers(0, m - 1))
    y = data.draw(st.integers(0, m - 1))
    assert getattr(N, f"bignum_montmul_{n}")(x, y, m) == x * y * rinv(n, m) % m
    t = data.draw(st.integers(0, R * m - 1))
    assert getattr(N, f"bignum_montredc_{n}")(t, m) == t * rinv(n, m) % m


@pytest.mark.parametrize("n", (16, 24, 32))
def test_modexp_every_modulus_length(dispatch_level, n):
    # the exponentiation normalises m by its leading zeros (word and bit shifts
    # chosen with cmov): exercise bit lengths across words and bit positions
    rng = random.Random(n)
    lengths = sorted({1, 2, 3, 5, 63, 64, 65, 127, 128, 129, 64 * n - 65, 64 * n - 64,
                      64 * n - 63, 64 * n - 1, 64 * n} | {rng.randrange(2, 64 * n) for _ in range(6)})
    fn = getattr(N, f"bignum_modexp_{n}")
    for bits in lengths:
        m = (rng.getrandbits(bits) | 1 | (1 << (bits - 1))) if bits > 1 else 1
        a = rng.randrange(m)
        e = rng.getrandbits(64 * n)
        assert fn(a, e, m) == pow(a, e, m), bits
