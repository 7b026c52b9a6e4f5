"""RSA paddings: pyca/cryptography's own classes, plus RFC 8702's SHAKE mask function.

    from provenum.rsa import padding
    padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
    padding.PKCS1v15()
    padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)

The classes are pyca's (provenum.rsa.padding.PSS is
cryptography.hazmat.primitives.asymmetric.padding.PSS), so padding objects
made with either import work with keys of either library and compare equal.
MGFSHAKE is provenum's: RSASSA-PSS with SHAKE128/SHAKE256 as in RFC 8702,
which pyca's API cannot express (pyca has MGF1 only).
"""
from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.padding import (
    MGF,
    MGF1,
    OAEP,
    PSS,
    AsymmetricPadding,
    PKCS1v15,
    calculate_max_pss_salt_length,
)

__all__ = ["MGF", "MGF1", "MGFSHAKE", "OAEP", "PSS", "AsymmetricPadding", "PKCS1v15",
           "calculate_max_pss_salt_length"]


class MGFSHAKE(MGF):
    """The mask generation function of RFC 8702: the SHAKE output itself.

    Use it with the same SHAKE as the message hash and a 32-byte (SHAKE128)
    or 64-byte (SHAKE256) salt, as RFC 8702 asks:
        padding.PSS(mgf=padding.MGFSHAKE(hashes.SHAKE128(32)), salt_length=32), hashes.SHAKE128(32)
    """

    def __init__(self, algorithm: hashes.HashAlgorithm):
        if not isinstance(algorithm, (hashes.SHAKE128, hashes.SHAKE256)):
            raise TypeError("MGFSHAKE needs hashes.SHAKE128 or hashes.SHAKE256")
        self._algorithm = algorithm

    def __eq__(self, other):
        if not isinstance(other, MGFSHAKE):
            return NotImplemented
        return self._algorithm.name == other._algorithm.name

    def __hash__(self):
        return hash(("MGFSHAKE", self._algorithm.name))

