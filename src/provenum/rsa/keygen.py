"""RSA key generation in the manner of FIPS 186-5 (appendix A.1.3, probable primes).

Runs in Python before the key is loaded into native memory: primality tests
and the CRT values use Python's variable-time integers on the fresh secrets.
That is the accepted exception; signing never does.
"""
from __future__ import annotations

import math
import secrets

_SMALL_PRIMES = [p for p in range(3, 2000) if all(p % d for d in range(2, int(p**0.5) + 1))]


def miller_rabin_rounds(prime_bits: int) -> int:
    """Rounds for an error probability below 2^-112 for random candidates (FIPS 186-5 table B.1)."""
    if prime_bits >= 1536:
        return 4
    if prime_bits >= 1024:
        return 5
    return 8


def is_probable_prime(candidate: int, rounds: int) -> bool:
    if candidate < 3 or candidate % 2 == 0:
        return candidate == 2
    for small in _SMALL_PRIMES:
        if candidate % small == 0:
            return candidate == small
    d, s = candidate - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(rounds):
        a = 2 + secrets.randbelow(candidate - 3)
        x = pow(a, d, candidate)
        if x in (1, candidate - 1):
            continue
        for _ in range(s - 1):
            x = x * x % candidate
            if x == candidate - 1:
                break
        else:
            return False
    return True


def _random_prime(bits: int, e: int) -> int:
    """A probable prime of exactly `bits` bits, >= sqrt(2)*2^(bits-1), with gcd(p-1, e) = 1."""
    rounds = miller_rabin_rounds(bits)
    # FIPS 186-5 A.1.3 step 4.4: p >= sqrt(2) * 2^(bits-1), so p*q has the full size
    floor = math.isqrt(2 << (2 * bits - 2)) + 1
    while True:
        p = secrets.randbits(bits) | (1 << (bits - 1)) | 1
        if p < floor or math.gcd(p - 1, e) != 1:
            continue
        if is_probable_prime(p, rounds):
            return p


def generate_numbers(key_size: int, public_exponent: int = 65537) -> tuple[int, int, int, int]:
    """(n, e, p, q, d) for a fresh key; d = e^-1 mod lcm(p-1, q-1) as FIPS 186-5 asks."""
    if key_size % 64 or not 1024 <= key_size <= 8192:
        raise ValueError("key_size must be a multiple of 64 bits from 1024 to 8192")
    if public_exponent % 2 == 0 or public_exponent < 3 or public_exponent.bit_length() > 256:
        raise ValueError("public_exponent must be odd, >= 3 and below 2^256")
    half = key_size // 2
    while True:
        p = _random_prime(half, public_exponent)
        q = _random_prime(half, public_exponent)
        # FIPS 186-5 A.1.3 step 5.4: |p - q| > 2^(nlen/2 - 100)
        if abs(p - q) <= 1 << (half - 100):
            continue
        lam = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
        d = pow(public_exponent, -1, lam)
        if d <= 1 << half:  # FIPS 186-5: d > 2^(nlen/2)
            continue
        n = p * q
        if n.bit_length() != key_size:
            continue
        return n, public_exponent, max(p, q), min(p, q), d
