"""Wrappers check every precondition before native code runs; the library
exposes what the verifier and the RSA code need."""
import array

import pytest
from elftools.elf.elffile import ELFFile

import provenum.native as N
from provenum.kernels import host_catalog

CATALOG = host_catalog()          # the native library holds the host ISA's variants

M16 = (1 << 1023) | 12345


def test_wrong_sizes_rejected():
    with pytest.raises(ValueError, match="2\\^1024"):
        N.bignum_mul_16_32(1 << 1024, 1)
    with pytest.raises(ValueError):
        N.bignum_sqr_8_16(-1)
    with pytest.raises(ValueError):
        N.bignum_modexp_16(1, 1 << 1024, M16)
    with pytest.raises(ValueError):
        N.bignum_montmul_16(1, 2, 1 << 1024 | 1)


def test_even_modulus_rejected():
    for call in (lambda: N.bignum_montmul_16(1, 2, 1 << 1000),
                 lambda: N.bignum_montredc_8(5, 10),
                 lambda: N.bignum_modexp_32(1, 1, 2),
                 lambda: N.bignum_amontsqr_4(3, 8)):
        with pytest.raises(ValueError, match="odd"):
            call()


def test_inputs_not_below_modulus_rejected():
    with pytest.raises(ValueError, match="< m"):
        N.bignum_modexp_16(M16, 3, M16)
    with pytest.raises(ValueError, match="< m"):
        N.bignum_montmul_16(M16 + 2, 1, M16)
    with pytest.raises(ValueError, match="< m"):
        N.bignum_montsqr_16(M16, M16)
    with pytest.raises(ValueError, match="m"):
        N.bignum_montredc_16(M16 << 1024, M16)
    # the almost variants accept anything below 2^(64n)
    assert N.bignum_amontmul_16(M16 + 2, 1, M16) % M16 == (M16 + 2) * pow(1 << 1024, -1, M16) % M16


def test_table_arguments_rejected():
    with pytest.raises(ValueError, match="idx"):
        N.bignum_copy_row_from_table_16([1, 2], 2)
    with pytest.raises(ValueError, match="at least one"):
        N.bignum_copy_row_from_table_16([], 0)
    with pytest.raises(ValueError):
        N.bignum_copy_row_from_table_4([1 << 256], 0)


def test_non_int_rejected():
    with pytest.raises(TypeError):
        N.bignum_mul_4_8(1.0, 2)
    with pytest.raises(TypeError):
        N.bignum_modexp_16(True, 1, M16)


def words(value, n):
    return array.array("Q", value.to_bytes(8 * n, "little"))


def test_buffer_calls_and_overlap():
    x, y = words(3 << 200, 16), words(5, 16)
    z = array.array("Q", bytes(8 * 32))
    N.call_buffers("bignum_mul_16_32", z, x, y)
    assert int.from_bytes(z.tobytes(), "little") == 15 << 200
    both = array.array("Q", bytes(8 * 32))
    with pytest.raises(ValueError, match="overlaps"):
        N.call_buffers("bignum_mul_16_32", both, memoryview(both)[:16], y)
    with pytest.raises(ValueError, match="bytes"):
        N.call_buffers("bignum_mul_16_32", z, words(1, 8), y)
    with pytest.raises(TypeError, match="writable"):
        N.call_buffers("bignum_mul_16_32", bytes(256), x, y)
    m = words(M16, 16)
    out = array.array("Q", bytes(8 * 16))
    with pytest.raises(ValueError, match="w must be"):
        N.call_buffers("bignum_montmul_16", out, words(1, 16), words(2, 16), m, 5)
    N.call_buffers("bignum_montmul_16", out, words(1, 16), words(2, 16), m, N.montgomery_w(M16))
    assert int.from_bytes(out.tobytes(), "little") == 2 * pow(1 << 1024, -1, M16) % M16
    with pytest.raises(ValueError, match="odd"):
        N.call_buffers("bignum_modexp_16", out, words(1, 16), words(1, 16), words(4, 16))
    with pytest.raises(ValueError, match="no kernel"):
        N.call_buffers("bignum_nothing", out)


def test_library_symbols_have_sizes():
    with open(N.library_path(), "rb") as fh:
        elf = ELFFile(fh)
        for table in (".symtab", ".dynsym"):
            syms = {s.name: s for s in elf.get_section_by_name(table).iter_symbols()}
            for k in CATALOG:
                assert k.name in syms, f"{k.name} missing from {table}"
                assert syms[k.name]["st_size"] > 0
                assert syms[k.name]["st_info"]["type"] == "STT_FUNC"


def test_cffi_exposes_every_kernel_and_operation():
    from provenum.kernels import host_operations

    OPERATIONS = host_operations()

    for k in list(CATALOG) + list(OPERATIONS.values()):
        assert callable(getattr(N.lib, k.name))
        assert getattr(N, k.name).__name__ == k.name


def test_importing_loads_nothing_that_needs_a_cpu_feature():
    """`import provenum` and the verifier's library lookup do not load the kernels."""
    import subprocess
    import sys

    code = ("import sys, provenum, provenum.native, provenum.verify, provenum.rsa\n"
            "from provenum.native import library_path\nlibrary_path()\n"
            "print('provenum.native._kernels' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "False", r.stderr
