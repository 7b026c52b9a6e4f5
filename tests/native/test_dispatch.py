"""The dispatch table: chosen once at load from CPUID/XGETBV, lowered by
PROVENUM_CPU or a test, never raised above what the CPU runs."""
import os
import subprocess
import sys

import pytest

from provenum.isa.x86_64.features import LEVEL_NAMES, LEVELS, best_level, level_features, level_index
from provenum.kernels import CATALOG, OPERATIONS
from provenum.native import dispatch
from provenum.toolchain import host_isa


def test_c_levels_agree_with_the_python_levels():
    assert dispatch.native_level_masks() == [level_features(lv.name) for lv in LEVELS]


def test_native_table_is_the_catalog():
    table = dispatch.table()
    assert sorted(table) == sorted((k.operation, k.name, k.level) for k in CATALOG)


def test_best_level_follows_the_features():
    cpu = dispatch.cpu()
    assert cpu.level == best_level(cpu.features) == dispatch.best_level()
    assert dispatch.levels() == list(LEVEL_NAMES[: LEVEL_NAMES.index(cpu.level) + 1])
    assert cpu.vendor and cpu.family > 0


def test_every_operation_points_at_its_best_variant_and_forcing_lowers_it():
    assert not os.environ.get("PROVENUM_CPU"), "the suite runs at the CPU's own level"
    top = dispatch.level()

    def check(level):
        for op in OPERATIONS.values():
            if any(level_index(v.level) <= level_index(level) for v in op.variants):
                assert dispatch.target(op.name) == op.variant(level).name
            else:   # only above this level (the radix-2^52 kernels): the slot is empty
                assert dispatch.target(op.name) is None, op.name
    check(top)
    for level in dispatch.levels():
        with dispatch.forced_level(level):
            assert dispatch.level() == level
            check(level)
    assert dispatch.level() == top


def test_native_refuses_a_level_above_the_cpu_or_unknown():
    from provenum.native import lib

    assert lib.provenum_dispatch_set_level(dispatch.cpu_level_index() + 1) == -1
    assert lib.provenum_dispatch_set_level(-1) == -1
    assert dispatch.level() == dispatch.best_level()


def test_python_refuses_a_level_above_the_cpu(monkeypatch):
    monkeypatch.setattr(dispatch, "best_level", lambda: "baseline")
    with pytest.raises(dispatch.UnsupportedCPU, match="lacks"):
        dispatch.set_level("bmi2")
    with pytest.raises(ValueError, match="unknown x86-64 level"):
        dispatch.set_level("sse9")


def test_a_variant_the_cpu_lacks_raises_instead_of_running(monkeypatch):
    from provenum.native import wrappers

    monkeypatch.setattr(dispatch, "can_run", lambda level: level == "baseline")
    monkeypatch.setattr(dispatch, "best_level", lambda: "baseline")
    k = next(k for k in CATALOG if k.name == "bignum_mul_4_8_bmi2")
    fn = wrappers._product(k, False)
    with pytest.raises(dispatch.UnsupportedCPU, match="bignum_mul_4_8_bmi2 needs the bmi2 level"):
        fn(1, 2)


def _run(code: str, level: str | None):
    env = dict(os.environ)
    env.pop("PROVENUM_CPU", None)
    if level is not None:
        env["PROVENUM_CPU"] = level
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


SIGN = """
from provenum import rsa, native
from provenum.native import dispatch
from provenum.toolchain import host_isa
from provenum.rsa import hashes, padding
key = rsa.load_pem_private_key(open({path!r}, 'rb').read())
print(dispatch.level(), dispatch.target('bignum_modexp_16'))
print(key.sign(b'level', padding.PKCS1v15(), hashes.SHA256()).hex())
"""


def test_environment_variable_lowers_the_level_and_signatures_agree():
    path = os.path.join(os.path.dirname(__file__), "..", "rsa", "data", "rsa2048.pem")
    code = SIGN.format(path=os.path.abspath(path))
    outputs = {}
    for level in dispatch.levels():
        r = _run(code, level)
        assert r.returncode == 0, r.stderr
        head, sig = r.stdout.split("\n")[:2]
        modexp_level = "avx512" if level == "avx512ifma" else level   # (avx512ifma signs on amm52x2)
        assert head == f"{level} bignum_modexp_16_{modexp_level}"
        outputs[level] = sig
    assert len(set(outputs.values())) == 1  # PKCS#1 v1.5 is deterministic: every level signs the same


@pytest.mark.parametrize("request_, message", [("sse9", "is not a level"), ("avx1024", "is not a level")])
def test_a_bad_request_is_a_clear_error_before_any_kernel_runs(request_, message):
    r = _run("import provenum.native as N\nN.bignum_mul_4_8(1, 2)", request_)
    assert r.returncode != 0
    assert "DispatchError" in r.stderr and message in r.stderr
    # what needs no kernel still works
    r = _run("from provenum.native import library_path, dispatch\nprint(library_path(), dispatch.cpu().level)", request_)
    assert r.returncode == 0, r.stderr


def test_a_level_above_the_cpu_is_refused(monkeypatch):
    if dispatch.best_level() == LEVEL_NAMES[-1]:
        pytest.skip("this CPU runs every level: no level above it to ask for")
    above = LEVEL_NAMES[LEVEL_NAMES.index(dispatch.best_level()) + 1]
    r = _run("import provenum.native as N\nN.bignum_mul_4_8(1, 2)", above)
    assert r.returncode != 0 and "asks for more than this CPU runs" in r.stderr


IFMA_ONLY = """
from provenum.native import dispatch, lib, ffi
print(dispatch.level(), dispatch.target('bignum_amm52x2_20'), dispatch.target('bignum_to_radix52_16'))
z = ffi.new('uint64_t[48]')
lib.bignum_amm52x2_20(z, z, z, z, ffi.new('uint64_t[2]'))   # the raw entry, past the wrapper's check
print('returned')
"""


@pytest.mark.skipif(host_isa() != "x86_64", reason="the radix-2^52 kernels are x86-64 only")
def test_below_avx512ifma_the_ifma_operations_have_no_target_and_their_entry_aborts():
    # at avx512 (or the CPU's best level when lower) no slot may keep an IFMA variant
    below = "avx512" if dispatch.can_run("avx512") else dispatch.best_level()
    r = _run(IFMA_ONLY, below)
    assert r.stdout.split("\n")[0] == f"{below} None None"
    assert r.returncode != 0 and "returned" not in r.stdout
    assert "bignum_amm52x2_20 has no variant at dispatch level " + below in r.stderr
    # and a level change at run time empties the slot too, and fills it again
    if dispatch.can_run("avx512ifma"):
        with dispatch.forced_level("avx512"):
            assert dispatch.target("bignum_amm52x2_20") is None
        assert dispatch.target("bignum_amm52x2_20") == "bignum_amm52x2_20_avx512ifma"
