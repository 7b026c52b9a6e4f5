"""Signature paddings, shaped like pyca/cryptography's `padding` module.

    from provenum.rsa import padding
    padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
    padding.PKCS1v15()

pyca's own padding objects are accepted too (see `as_provenum`).
"""
from __future__ import annotations

from cryptography.hazmat.primitives import hashes


class AsymmetricPadding:
    name: str


class _MaxLength:
    def __repr__(self):
        return "PSS.MAX_LENGTH"


class _DigestLength:
    def __repr__(self):
        return "PSS.DIGEST_LENGTH"


class _Auto:
    def __repr__(self):
        return "PSS.AUTO"


class MGF1:
    """Mask generation function 1 (RFC 8017 B.2.1) over `algorithm`."""

    def __init__(self, algorithm: hashes.HashAlgorithm):
        if not isinstance(algorithm, hashes.HashAlgorithm):
            raise TypeError("MGF1 needs a hash algorithm object such as hashes.SHA256()")
        self._algorithm = algorithm


class PKCS1v15(AsymmetricPadding):
    """RSASSA-PKCS1-v1_5 (RFC 8017 section 8.2)."""

    name = "EMSA-PKCS1-v1_5"


class PSS(AsymmetricPadding):
    """RSASSA-PSS (RFC 8017 section 8.1).

    salt_length: an int, MAX_LENGTH (as long as the key allows), DIGEST_LENGTH
    (the hash's size), or AUTO (verification only: accept any salt length).
    """

    name = "EMSA-PSS"
    MAX_LENGTH = _MaxLength()
    DIGEST_LENGTH = _DigestLength()
    AUTO = _Auto()

    def __init__(self, mgf: MGF1, salt_length):
        if not isinstance(mgf, MGF1):
            raise TypeError("mgf must be an MGF1 instance")
        if not isinstance(salt_length, (int, _MaxLength, _DigestLength, _Auto)) or isinstance(salt_length, bool):
            raise TypeError("salt_length must be an int, MAX_LENGTH, DIGEST_LENGTH or AUTO")
        if isinstance(salt_length, int) and salt_length < 0:
            raise ValueError("salt_length must be zero or greater")
        self._mgf = mgf
        self._salt_length = salt_length

    @property
    def mgf(self) -> MGF1:
        return self._mgf


def calculate_max_pss_salt_length(key, hash_algorithm: hashes.HashAlgorithm) -> int:
    """The longest PSS salt `key` can carry with `hash_algorithm` (as pyca computes it)."""
    em_len = (key.key_size - 1 + 7) // 8
    salt = em_len - hash_algorithm.digest_size - 2
    if salt < 0:
        raise ValueError("key too small for this hash with PSS")
    return salt


def as_provenum(pad) -> AsymmetricPadding:
    """Accept provenum's padding objects and pyca's (so keys of either library take either)."""
    if isinstance(pad, AsymmetricPadding):
        return pad
    from cryptography.hazmat.primitives.asymmetric import padding as pyca

    if isinstance(pad, pyca.PKCS1v15):
        return PKCS1v15()
    if isinstance(pad, pyca.PSS):
        mgf = pad._mgf
        if not isinstance(mgf, pyca.MGF1):
            raise TypeError("only MGF1 is supported")
        salt = pad._salt_length
        if isinstance(salt, pyca._MaxLength):
            salt = PSS.MAX_LENGTH
        elif isinstance(salt, pyca._DigestLength):
            salt = PSS.DIGEST_LENGTH
        elif isinstance(salt, pyca._Auto):
            salt = PSS.AUTO
        return PSS(MGF1(mgf._algorithm), salt)
    raise TypeError(f"unsupported padding for RSA signatures: {pad!r}")
