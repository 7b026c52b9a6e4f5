"""The RSA implementations `provenum bench rsa` races, each as (sign, verify) callables.

Every peer signs PKCS#1 v1.5 / SHA-256 on the same message with the same key
and verifies the same signature, so the work per operation is the same: hash,
encode, private (or public) operation, convert.
"""
from __future__ import annotations

import hashlib

MESSAGE = b"provenum bench rsa: the same message for everyone\n" * 4


def _pyca_pair(pem: bytes):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    key = serialization.load_pem_private_key(pem, None)
    pub = key.public_key()
    sig = key.sign(MESSAGE, padding.PKCS1v15(), hashes.SHA256())

    def sign():
        key.sign(MESSAGE, padding.PKCS1v15(), hashes.SHA256())

    def verify():
        pub.verify(sig, MESSAGE, padding.PKCS1v15(), hashes.SHA256())

    return sign, verify


def _provenum_pair(pem: bytes):
    from provenum import rsa

    key = rsa.load_pem_private_key(pem)
    pub = key.public_key()
    alg, pad = rsa.hashes.SHA256(), rsa.padding.PKCS1v15()
    sig = key.sign(MESSAGE, pad, alg)

    def sign():
        key.sign(MESSAGE, pad, alg)

    def verify():
        pub.verify(sig, MESSAGE, pad, alg)

    return sign, verify


def _crt_pair(pem: bytes, powmod, to_int):
    """Textbook CRT signing with a given modular exponentiation (gmpy2 or pow)."""
    from cryptography.hazmat.primitives import hashes, serialization

    from provenum.rsa import emsa

    nums = serialization.load_pem_private_key(pem, None).private_numbers()
    n, e = nums.public_numbers.n, nums.public_numbers.e
    p, q, dp, dq, qinv = (to_int(v) for v in (nums.p, nums.q, nums.dmp1, nums.dmq1, nums.iqmp))
    k = (n.bit_length() + 7) // 8
    alg = hashes.SHA256()

    def encoded() -> int:
        return int.from_bytes(emsa.pkcs1v15_encode(hashlib.sha256(MESSAGE).digest(), alg, k), "big")

    def sign_int() -> int:
        m = to_int(encoded())
        s1, s2 = powmod(m % p, dp, p), powmod(m % q, dq, q)
        return int(s2 + (qinv * (s1 - s2) % p) * q)

    sig = sign_int().to_bytes(k, "big")
    assert pow(int.from_bytes(sig, "big"), e, n) == encoded(), "CRT peer computed a wrong signature"
    nn, ee = to_int(n), to_int(e)

    def sign():
        sign_int().to_bytes(k, "big")

    def verify():
        if int(powmod(to_int(int.from_bytes(sig, "big")), ee, nn)) != encoded():
            raise AssertionError("verification failed")

    return sign, verify


def make_pair(impl: str, pem: bytes):
    """(sign, verify) for an in-process implementation name."""
    if impl == "provenum" or impl.startswith("provenum@"):
        return _provenum_pair(pem)           # the level is forced around each sample
    if impl == "openssl" or impl.startswith(("openssl-", "openssl@")):
        return _pyca_pair(pem)               # masked ones run in a worker with OPENSSL_ia32cap
    if impl == "gmpy2":
        import gmpy2

        return _crt_pair(pem, gmpy2.powmod, gmpy2.mpz)
    if impl == "python":
        return _crt_pair(pem, pow, int)
    raise ValueError(f"unknown implementation {impl!r}")
