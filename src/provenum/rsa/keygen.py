"""RSA key generation: the policy here, the work in native code (native/csrc/rsa_keygen.c).

FIPS 186-5 A.1.3 (random probable primes): p has ceil(nlen/2) bits and q
floor(nlen/2), each at least sqrt(2) * 2^(bits-1) so that p*q has exactly
nlen bits; Miller-Rabin rounds with random bases per Table B.1 (error at
most 2^-112 for 1024-bit primes, 2^-128 for 1536, 2^-144 for 2048), after
trial division and a base-2 test that only discard composites. The primes,
d and the CRT values never reach Python: they go from the native search
into the native key buffer, and only n comes back.
"""
from __future__ import annotations

import math

MIN_KEYGEN_BITS = 1024   # pyca's minimum
MAX_KEYGEN_BITS = 16384  # the native buffers' (and OpenSSL's operations') maximum


def miller_rabin_rounds(prime_bits: int) -> int:
    """Random-base rounds for a prime of `prime_bits` bits (FIPS 186-5 Table B.1,
    the error bound matched to the key's security strength). Table B.1 stops
    at 1024-bit primes from below; smaller primes (keys below 2048 bits) get 8."""
    if prime_bits >= 1536:
        return 4
    if prime_bits >= 1024:
        return 5
    return 8


def sqrt2_floor(bits: int) -> int:
    """The least integer >= sqrt(2) * 2^(bits-1): FIPS 186-5 A.1.3's lower bound."""
    return math.isqrt(2 << (2 * bits - 2)) + 1


def check_parameters(public_exponent, key_size) -> None:
    """pyca's checks and messages (and provenum's upper bound)."""
    if not isinstance(public_exponent, int) or not isinstance(key_size, int) \
            or isinstance(public_exponent, bool) or isinstance(key_size, bool):
        raise TypeError("public_exponent and key_size must be integers")
    if public_exponent not in (3, 65537):
        raise ValueError("public_exponent must be either 3 (for legacy compatibility) or 65537. "
                         "Almost everyone should choose 65537 here!")
    if key_size < MIN_KEYGEN_BITS:
        raise ValueError("key_size must be at least 1024-bits.")
    if key_size > MAX_KEYGEN_BITS:
        raise ValueError(f"key_size must be at most {MAX_KEYGEN_BITS} bits")


def generate(public_exponent: int, key_size: int, *, _stats: dict | None = None, _unchecked: bool = False):
    """A fresh provenum RSAPrivateKey (see the module doc). _unchecked: skip the
    1024-bit minimum (tests only: small keys make the native path quick to test)."""
    from . import _native
    from .keys import RSAPrivateKey, RSAPublicKey

    if not _unchecked:
        check_parameters(public_exponent, key_size)
    pbits, qbits = (key_size + 1) // 2, key_size // 2
    native_key, n, stats = _native.NativePrivateKey.generate(
        key_size, public_exponent, sqrt2_floor(pbits), sqrt2_floor(qbits),
        miller_rabin_rounds(pbits), miller_rabin_rounds(qbits))
    if _stats is not None:
        _stats.update(stats)
    return RSAPrivateKey._from_native(RSAPublicKey(n, public_exponent), native_key)
