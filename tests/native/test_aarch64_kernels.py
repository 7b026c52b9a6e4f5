"""The AArch64 native library, cross-built and run under qemu-aarch64 (natively on an Arm host):
every kernel variant at every size against Python integers on the edge inputs that break carry
code, the dispatched entries at both levels, and the dispatcher's choice of level by MIDR.

One driver process runs all the calls of this module (provenum.native.cross.Session); qemu
emulates a Neoverse N1, so MIDR reads as N1's."""
import random

import pytest

from provenum import kernels
from provenum.isa.aarch64.features import LEVEL_NAMES, NEON_PARTS, WIDE_MULTIPLIER_PARTS, preferred_level
from aarch64util import arm_session, needs_runner, number, words
from kernel_edges import edges, moduli, values

pytestmark = needs_runner
CATALOG = kernels.catalog_of("aarch64")
OPERATIONS = kernels.operations_of("aarch64")


@pytest.fixture(scope="module")
def arm():
    with arm_session() as s:
        yield s


def of(family):
    return [k for k in CATALOG if k.family == family]


def w_of(m: int) -> int:
    return (-pow(m, -1, 1 << 64)) % (1 << 64)


def product(arm, name, n, x, y=None):
    args = [bytes(16 * n), words(x, n)] + ([] if y is None else [words(y, n)])
    return number(arm.call(name, *args)[1][0])


@pytest.mark.parametrize("k", of("mul") + of("kmul"), ids=lambda k: k.name)
def test_mul(arm, k):
    rng = random.Random(k.name)
    xs = values(k.n, rng, 6)
    for x in xs:
        for y in edges(k.n, rng)[:6] + [rng.choice(xs)]:
            assert product(arm, k.name, k.n, x, y) == x * y, (hex(x), hex(y))


@pytest.mark.parametrize("k", of("sqr") + of("ksqr"), ids=lambda k: k.name)
def test_sqr(arm, k):
    rng = random.Random(k.name)
    for x in values(k.n, rng, 12):
        assert product(arm, k.name, k.n, x) == x * x, hex(x)


@pytest.mark.parametrize("k", of("montredc") + of("amontredc"), ids=lambda k: k.name)
def test_montredc(arm, k):
    rng = random.Random(k.name)
    n, R = k.n, 1 << (64 * k.n)
    almost = k.family == "amontredc"
    for m in moduli(n, rng):
        xs = [0, 1, R * m - 1, m - 1, (m - 1) * R, rng.randrange(R * m), rng.randrange(R * m)]
        if almost:
            xs += [R * R - 1, rng.randrange(R * R), R * m]
        for x in xs:
            z = number(arm.call(k.name, bytes(8 * n), words(x, 2 * n), words(m, n), w_of(m))[1][0])
            want = x * pow(R, -1, m) % m
            if almost:
                assert z % m == want and z < R and (x >= R * m or z < 2 * m), (hex(x), hex(m))
            else:
                assert z == want, (hex(x), hex(m))


@pytest.mark.parametrize("k", of("montmul") + of("montsqr") + of("amontmul") + of("amontsqr"), ids=lambda k: k.name)
def test_montmul(arm, k):
    rng = random.Random(k.name)
    n, R = k.n, 1 << (64 * k.n)
    almost = k.family.startswith("a")
    square = k.family.endswith("sqr")
    for m in moduli(n, rng)[:6]:
        pool = [0, m - 1, 1, rng.randrange(m), m >> 1]
        if almost:
            pool += [R - 1, rng.randrange(R)]
        for x in pool:
            y = x if square else rng.choice(pool)
            args = [bytes(8 * n), words(x, n)] + ([] if square else [words(y, n)]) + [words(m, n), w_of(m)]
            z = number(arm.call(k.name, *args)[1][0])
            want = x * y * pow(R, -1, m) % m
            if almost:
                assert z % m == want and z < R and (x * y >= R * m or z < 2 * m)
            else:
                assert z == want


@pytest.mark.parametrize("k", of("copy_row_from_table"), ids=lambda k: k.name)
def test_table(arm, k):
    rng = random.Random(k.name)
    for height in (1, 2, 3, 32):
        rows = [rng.choice(edges(k.n, rng)) for _ in range(height)]
        table = b"".join(words(r, k.n) for r in rows)
        for idx in list(range(height)) + [height, height + 7]:     # idx >= height gives 0
            z = number(arm.call(k.name, bytes([0x5A]) * 8 * k.n, table, height, idx)[1][0])
            assert z == (rows[idx] if idx < height else 0)


@pytest.mark.parametrize("k", of("modexp"), ids=lambda k: k.name)
def test_modexp(arm, k):
    rng = random.Random(k.name)
    n, R = k.n, 1 << (64 * k.n)
    exps = [0, 1, R - 1, 1 << (64 * n - 1), rng.getrandbits(64 * n)]
    for m in moduli(n, rng)[:5]:
        for a, e in zip([0, 1, m - 1, rng.randrange(m), rng.randrange(m)], exps):
            z = number(arm.call(k.name, bytes(8 * n), words(a, n), words(e, n), words(m, n))[1][0])
            assert z == pow(a, e, m), (k.name, hex(m))


# -- dispatch ------------------------------------------------------------------------------

def test_entries_at_both_levels(arm):
    """Every operation's entry computes the same at either level (a sample of sizes each)."""
    rng = random.Random(7)
    try:
        for level in range(len(LEVEL_NAMES)):
            assert arm.call("provenum_dispatch_set_level", level)[0] == 0
            assert arm.call("provenum_dispatch_level")[0] == level
            for n in (4, 8, 16, 32):
                x, y = rng.getrandbits(64 * n), rng.getrandbits(64 * n)
                assert product(arm, f"bignum_mul_{n}_{2 * n}", n, x, y) == x * y
                assert product(arm, f"bignum_sqr_{n}_{2 * n}", n, x) == x * x
            m = rng.getrandbits(1024) | 1 | 1 << 1023
            a, e = rng.randrange(m), rng.getrandbits(1024)
            z = arm.call("bignum_modexp_16", bytes(128), words(a, 16), words(e, 16), words(m, 16))[1][0]
            assert number(z) == pow(a, e, m)
        assert arm.call("provenum_dispatch_set_level", len(LEVEL_NAMES))[0] != 0   # no such level
    finally:
        arm.call("provenum_dispatch_set_level", arm.call("provenum_dispatch_default_level")[0])


def test_dispatch_table_lists_every_variant(arm):
    assert arm.call("provenum_dispatch_count")[0] == len(CATALOG)
    assert arm.call("provenum_level_count")[0] == len(LEVEL_NAMES)


def test_the_n1_runs_neon_by_default(arm):
    assert arm.call("provenum_dispatch_best_level")[0] == LEVEL_NAMES.index("neon")
    assert arm.call("provenum_dispatch_default_level")[0] == LEVEL_NAMES.index("neon")
    assert arm.call("provenum_cpu_midr")[0] >> 4 & 0xFFF == 0xD0C or arm.executor == "native"


MIDRS = ([0x410F0000 | part << 4 for part in list(WIDE_MULTIPLIER_PARTS) + list(NEON_PARTS)]
         + [0x611F0220, 0x612F0390, 0x461F0010, 0x000F0510, 0, 0x410FD0F0])


def test_preferred_level_agrees_with_python():
    with arm_session() as arm:
        for midr in MIDRS:
            got = arm.call("provenum_cpu_preferred_level", midr)[0]
            assert LEVEL_NAMES[got] == preferred_level(midr), hex(midr)
    assert preferred_level(0x410FD400) == "scalar"      # Neoverse V1
    assert preferred_level(0x414FD0C1) == "neon"        # Neoverse N1
    assert preferred_level(0x611F0220) == "scalar"      # Apple


@pytest.mark.parametrize("cpu, level", [("cortex-a72", "neon"), ("a64fx", "neon")])
def test_default_level_on_other_cores(cpu, level):
    with arm_session(cpu=cpu) as arm:
        if arm.executor == "native":
            pytest.skip("the core is the host's own")
        assert LEVEL_NAMES[arm.call("provenum_dispatch_default_level")[0]] == level


def test_provenum_cpu_chooses_a_level():
    with arm_session(env={"PROVENUM_CPU": "scalar"}) as arm:
        assert arm.call("provenum_dispatch_level")[0] == LEVEL_NAMES.index("scalar")
        x, y = 3 << 100, 5 << 200
        assert product(arm, "bignum_mul_4_8", 4, x, y) == x * y
    with arm_session(env={"PROVENUM_CPU": "avx512"}) as arm:      # not an AArch64 level: the default stays
        assert arm.call("provenum_dispatch_level")[0] == arm.call("provenum_dispatch_default_level")[0]


def test_the_driver_times_calls(arm):
    """The timing request the benchmark uses on Arm hosts: the kernel run N times, the nanoseconds back."""
    x, y = (1 << 255) - 19, 3 ** 150
    ns, bufs = arm.call("!time:5:bignum_mul_4_8_neon", bytes(64), words(x, 4), words(y, 4))
    assert ns > 0 and number(bufs[0]) == x * y
