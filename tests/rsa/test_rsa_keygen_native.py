"""Native key generation (native/csrc/rsa_keygen.c): every FIPS 186-5 A.1.3 property of the
keys, any size, both exponents, the pieces (trial division, probable-prime tests), threads."""
import math
import secrets
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa as pyca_rsa

from provenum import rsa
from provenum.rsa import _native, hashes, keygen, padding


def check_key(key, bits, e):
    nums = key.private_numbers()
    p, q, d, n = nums.p, nums.q, nums.d, nums.public_numbers.n
    assert n == p * q and n.bit_length() == bits == key.key_size and nums.public_numbers.e == e
    assert p > q and p.bit_length() == (bits + 1) // 2 and q.bit_length() == bits // 2
    for prime in (p, q):
        assert prime >= keygen.sqrt2_floor(prime.bit_length())            # so that n has all its bits
        assert _native.probable_prime(prime, 20) and math.gcd(prime - 1, e) == 1
    assert abs(p - q) > 2 ** (bits // 2 - 100)
    lam = math.lcm(p - 1, q - 1)
    assert d == pow(e, -1, lam) and d > 2 ** (bits // 2)                  # d mod lambda, as FIPS asks
    # the CRT values in native memory: a signature is checked by pyca and by the fault check
    sig = key.sign(b"keygen", padding.PKCS1v15(), hashes.SHA256())
    key.to_cryptography().public_key().verify(sig, b"keygen", padding.PKCS1v15(), hashes.SHA256())
    return nums


@pytest.mark.parametrize("bits", [512, 513, 576, 600, 640, 767, 1024])
@pytest.mark.parametrize("e", [3, 65537])
def test_small_keys_of_every_shape(bits, e, dispatch_level):
    """Small sizes (allowed only through the test hook) cover the word layouts: p and q
    of different lengths, words not full, several Montgomery sizes."""
    for _ in range(3):
        check_key(keygen.generate(e, bits, _unchecked=bits < 1024), bits, e)


@pytest.mark.parametrize("bits", [1025, 1536, 2048, 2049, 2560])
def test_public_sizes(bits, dispatch_level):
    nums = check_key(rsa.generate_private_key(65537, bits), bits, 65537)
    # OpenSSL's own key check (pyca's default load) accepts it
    pyca_rsa.RSAPrivateNumbers(nums.p, nums.q, nums.d, nums.dmp1, nums.dmq1, nums.iqmp,
                               pyca_rsa.RSAPublicNumbers(nums.public_numbers.e, nums.public_numbers.n)).private_key()


def test_stats_show_the_search():
    stats = {}
    keygen.generate(65537, 2048, _stats=stats)
    assert stats["mr_rounds"] == 2 * keygen.miller_rabin_rounds(1024) == 10      # Table B.1: 5 per prime
    assert stats["candidates"] > stats["sieved"] == stats["base2_tests"] >= 2
    stats = {}
    keygen.generate(65537, 3072, _stats=stats)
    assert stats["mr_rounds"] == 2 * 4


def test_table_b1_rounds():
    assert [keygen.miller_rabin_rounds(b) for b in (512, 1023, 1024, 1535, 1536, 2048, 4096)] == [8, 8, 5, 5, 4, 4, 4]


def test_keys_differ_and_threads_generate_at_once():
    keys = []

    def work():
        keys.append(rsa.generate_private_key(65537, 1024))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    moduli = {k.public_key().public_numbers().n for k in keys}
    assert len(moduli) == 4
    for k in keys:
        check_key(k, 1024, 65537)


def test_trial_division_residues():
    ffi, lib = _native.bindings()
    for words in (1, 9, 16, 64):
        x = secrets.randbits(64 * words)
        buf = _native._to_words(ffi, x, words)
        for s in (3, 5, 65521, 65537, 3 * 5 * 7 * 11 * 13 * 17 * 19, 2 ** 31 - 1, 4294967291):
            assert lib.provenum_small_residue(buf, words, s) == x % s


def test_probable_prime_test_on_known_numbers(dispatch_level):
    assert _native.probable_prime(2 ** 1279 - 1, 4)
    assert not _native.probable_prime((2 ** 521 - 1) * (2 ** 61 - 1), 4)
    carmichael = 41041                                 # 7 * 11 * 13 * 41, a Carmichael number
    assert not _native.probable_prime(carmichael, 5)
    # strong pseudoprimes to base 2 pass the base-2 test only; the random bases reject them
    for spsp in (2047, 3277, 4033, 4681, 8321, 3215031751):
        assert _native.probable_prime(spsp, 0) and not _native.probable_prime(spsp, 10)


def test_keygen_refuses_bad_input_before_native_code():
    with pytest.raises(ValueError, match="at most 16384"):
        rsa.generate_private_key(65537, 16385)
    ffi, lib = _native.bindings()
    key = ffi.new("uint64_t[]", lib.provenum_rsa_key_words())
    n, lower = ffi.new("uint64_t[]", 256), ffi.new("uint64_t[]", 128)
    assert lib.provenum_rsa_keygen(key, n, 2048, 5, lower, lower, 5, 5, ffi.NULL) == -1      # e
    assert lib.provenum_rsa_keygen(key, n, 511, 65537, lower, lower, 5, 5, ffi.NULL) == -1   # size
    assert lib.provenum_rsa_keygen(key, n, 2048, 65537, lower, lower, 0, 5, ffi.NULL) == -1  # rounds
    # bounds no candidate (or too few) could meet would make the search endless: refused
    assert lib.provenum_rsa_keygen(key, n, 2048, 65537, lower, lower, 5, 5, ffi.NULL) == -1  # 0
    lower[15] = 2 ** 64 - 1                                                               # 2^1024 - 2^960
    assert lib.provenum_rsa_keygen(key, n, 2048, 65537, lower, lower, 5, 5, ffi.NULL) == -1
    lower[15] = 2 ** 62                                                                   # 1023 bits
    assert lib.provenum_rsa_keygen(key, n, 2048, 65537, lower, lower, 5, 5, ffi.NULL) == -1
    lower[15] = 2 ** 63                                                                   # 2^1023: fine
    assert lib.provenum_rsa_keygen(key, n, 2048, 65537, lower, lower, 5, 5, ffi.NULL) == 0
