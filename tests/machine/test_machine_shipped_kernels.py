"""The interpreter runs the shipped kernels (the built native library) exactly like the CPU."""
import ctypes
import importlib.util
import random

import pytest

from cpu_levels import skip_unless_cpu_runs
from provenum.machine import Program, new_state, run_function

spec = importlib.util.find_spec("provenum.native._kernels")
if spec is None or spec.origin is None:
    pytest.skip("the native kernel library is not built", allow_module_level=True)
LIB = spec.origin
M64 = 2**64 - 1

# name -> (words of each buffer argument, the output buffer first; scalar arguments)
CASES = {f"{op}_{level}": shape for op, shape in {
    "bignum_mul_4_8": ([8, 4, 4], None),
    "bignum_sqr_6_12": ([12, 6], None),
    "bignum_montmul_4": ([4, 4, 4, 4], "w"),
    "bignum_amontsqr_8": ([8, 8, 8], "w"),
    "bignum_montredc_4": ([4, 8, 4], "w"),
}.items() for level in ("baseline", "bmi2")}
CASES.update({f"bignum_copy_row_from_table_6_{level}": ([6, 6 * 5], "row") for level in ("baseline", "avx2", "avx512")})


@pytest.fixture(scope="module")
def program():
    return Program.from_elf(LIB)


def _word(rng):
    return rng.choice((0, M64, 1 << rng.randrange(64), rng.getrandbits(64), rng.getrandbits(64)))


@pytest.mark.parametrize("name", sorted(CASES))
def test_kernel_in_the_model_matches_the_cpu(program, name):
    if name not in program.symbols:
        pytest.skip(f"{name} is not in this build")
    skip_unless_cpu_runs(name.rsplit("_", 1)[1])  # the comparison runs it natively
    sizes, scalars = CASES[name]
    rng = random.Random(name)
    native_fn = getattr(ctypes.CDLL(LIB), name)
    native_fn.restype = None
    for _ in range(4):
        bufs = [[0] * sizes[0]] + [[_word(rng) for _ in range(n)] for n in sizes[1:]]
        extra = []
        if scalars == "w":
            bufs[-1][0] |= 1                                    # odd modulus
            extra = [(-pow(bufs[-1][0], -1, 2**64)) % 2**64]   # Montgomery w
        elif scalars == "row":
            extra = [5, rng.randrange(7)]                        # height, index (maybe out of range)
        st = new_state()
        addrs, a = [], 0x100000
        for b in bufs:
            st.map(a, 8 * len(b))
            for i, x in enumerate(b):
                st.write_u64(a + 8 * i, x)
            addrs.append(a)
            a += 8 * len(b) + 4096
        run_function(program, name, st, args=tuple(addrs) + tuple(extra), step_limit=10**6)
        model = [st.read_u64(addrs[0] + 8 * i) for i in range(sizes[0])]
        arrays = [(ctypes.c_uint64 * len(b))(*b) for b in bufs]
        native_fn(*[ctypes.cast(x, ctypes.c_void_p) for x in arrays], *[ctypes.c_uint64(x) for x in extra])
        assert model == list(arrays[0])
