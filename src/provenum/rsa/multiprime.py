"""Three-prime RSA keys (RFC 8017 A.1.2, otherPrimeInfos): loaded, used, written back.

pyca refuses them ("Invalid key"); provenum loads them, because they are
valid PKCS#1 and some systems make them. The native key is two-part: the
CRT halves are r1 and r2*r3 (Garner's recombination needs only coprime
moduli; r2*r3 is squarefree, so x^(d mod lambda(r2 r3)) = x^d there for
every x). Blinding, constant time and the public-key check apply as for
two-prime keys. For serialisation r2 and r3 are split again from r2*r3 and d
(rsa_recover_prime_factors); which of them came first is the only thing
kept in Python. Keys with more than three primes are refused.
"""
from __future__ import annotations

import math

from . import _asn1

_ORDER_KEPT = "r2 first"


def parse_private_key(der: bytes) -> dict | None:
    """The numbers of a multi-prime RSAPrivateKey (PKCS#1) or of a PKCS#8
    PrivateKeyInfo wrapping one; None when `der` is neither."""
    try:
        seq = _asn1.read_single(der)
        version = seq.integer()
        if version == 0 and seq.peek_tag() == _asn1.SEQUENCE:        # PKCS#8
            alg = seq.sequence()
            if alg.oid() != "1.2.840.113549.1.1.1":
                return None
            return parse_private_key(seq.read(_asn1.OCTET_STRING)[1])
        if version != 1:
            return None
        n, e, d, p1, p2, dp1, dp2, coeff = (seq.integer() for _ in range(8))
        others = seq.sequence()
        primes, exponents, coefficients = [p1, p2], [dp1, dp2], [coeff]
        while not others.done():
            info = others.sequence()
            primes.append(info.integer())
            exponents.append(info.integer())
            coefficients.append(info.integer())
            if not info.done():
                return None
        if not seq.done() or len(primes) < 3:
            return None
        return {"n": n, "e": e, "d": d, "primes": primes, "exponents": exponents, "coefficients": coefficients}
    except ValueError:
        return None


def load(values: dict, check: bool):
    """A provenum RSAPrivateKey from parse_private_key's numbers."""
    from . import _native
    from .keys import RSAPrivateKey, RSAPublicKey

    n, e, d, primes = values["n"], values["e"], values["d"], values["primes"]
    if len(primes) != 3:
        raise ValueError(f"RSA keys with {len(primes)} primes are not supported (two or three)")
    public = RSAPublicKey(n, e)
    r1, r2, r3 = primes
    if r1 * r2 * r3 != n or min(primes) < 3 or any(p % 2 == 0 for p in primes) or len(set(primes)) != 3:
        raise ValueError("Invalid private key (the primes must be distinct, odd and multiply to the modulus)")
    if not 1 < d < n:
        raise ValueError("private_exponent must be < modulus.")
    if check:
        lam = math.lcm(r1 - 1, r2 - 1, r3 - 1)
        if e * d % lam != 1:
            raise ValueError("Invalid private key (d does not match e)")
        if any(x != d % (p - 1) for x, p in zip(values["exponents"], primes)):
            raise ValueError("Invalid private key (CRT exponents do not match d)")
        c2, c3 = values["coefficients"]
        if c2 * r2 % r1 != 1 or c3 * r1 * r2 % r3 != 1:
            raise ValueError("Invalid private key (CRT coefficients do not match the primes)")
    q = r2 * r3
    dq = d % math.lcm(r2 - 1, r3 - 1)
    native = _native.NativePrivateKey(n, e, r1, q, d, d % (r1 - 1), dq, pow(q, -1, r1))
    return RSAPrivateKey._from_native(public, native, other_primes=_ORDER_KEPT if r2 > r3 else "r3 first")


def private_key_der(key) -> bytes:
    """PKCS#1 RSAPrivateKey (version 1, otherPrimeInfos) of a three-prime key."""
    from .numbers import rsa_recover_prime_factors

    r1, q, d = key._native.export()
    e, n = key._public._e, key._public._n
    big, small = rsa_recover_prime_factors(q, e, d)
    r2, r3 = (big, small) if key._other_primes == _ORDER_KEPT else (small, big)
    body = b"".join(_asn1.integer(v) for v in (
        1, n, e, d, r1, r2, d % (r1 - 1), d % (r2 - 1), pow(r2, -1, r1)))
    other = _asn1.sequence(_asn1.integer(r3), _asn1.integer(d % (r3 - 1)), _asn1.integer(pow(r1 * r2, -1, r3)))
    return _asn1.sequence(body, _asn1.sequence(other))


def pkcs8_der(pkcs1: bytes) -> bytes:
    return _asn1.sequence(_asn1.integer(0), _asn1.sequence(_asn1.oid("1.2.840.113549.1.1.1"), b"\x05\x00"),
                          _asn1.tlv(_asn1.OCTET_STRING, pkcs1))
