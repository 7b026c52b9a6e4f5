"""Hash algorithms for RSA: hashing, checks with pyca's messages, PKCS#1 DigestInfo prefixes.

Algorithms are pyca/cryptography hash objects (hashes.SHA256() ...), so code
written against pyca passes the same objects here. Signatures take every
hash pyca signs with (MD5, SHA-1, SHA-2, SHA-3, SM3); SHAKE only in PSS with
its own mask function (RFC 8702); OAEP takes SHA-1 and the SHA-2 family.
"""
from __future__ import annotations

import functools
import hashlib

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.utils import NoDigestInfo, Prehashed

from . import _asn1

# pyca name -> DigestInfo algorithm OID (RFC 8017 A.2.4 and its successors). For SM3, OpenSSL
# (and so pyca) writes 1.2.156.10197.1.504 (sm3WithRSAEncryption), not SM3's own .401: we do the
# same, so that signatures interoperate byte for byte.
DIGEST_INFO_OIDS = {
    "md5": "1.2.840.113549.2.5",
    "sha1": "1.3.14.3.2.26",
    "sha224": "2.16.840.1.101.3.4.2.4",
    "sha256": "2.16.840.1.101.3.4.2.1",
    "sha384": "2.16.840.1.101.3.4.2.2",
    "sha512": "2.16.840.1.101.3.4.2.3",
    "sha512-224": "2.16.840.1.101.3.4.2.5",
    "sha512-256": "2.16.840.1.101.3.4.2.6",
    "sha3-224": "2.16.840.1.101.3.4.2.7",
    "sha3-256": "2.16.840.1.101.3.4.2.8",
    "sha3-384": "2.16.840.1.101.3.4.2.9",
    "sha3-512": "2.16.840.1.101.3.4.2.10",
    "sm3": "1.2.156.10197.1.504",
}
XOF_NAMES = ("shake128", "shake256")  # PSS with the SHAKE mask function only
# the hash ids of native/csrc/sha2.c: what OAEP and its MGF1 run on
NATIVE_HASH_IDS = {"sha1": 1, "sha224": 2, "sha256": 3, "sha384": 4, "sha512": 5,
                   "sha512-224": 6, "sha512-256": 7}
_HASHLIB = {"md5": "md5", "sha1": "sha1", "sha224": "sha224", "sha256": "sha256", "sha384": "sha384",
            "sha512": "sha512", "sha512-224": "sha512_224", "sha512-256": "sha512_256",
            "sha3-224": "sha3_224", "sha3-256": "sha3_256", "sha3-384": "sha3_384", "sha3-512": "sha3_512"}


def expect_hash(algorithm) -> hashes.HashAlgorithm:
    if not isinstance(algorithm, hashes.HashAlgorithm):
        raise TypeError("Expected instance of hashes.HashAlgorithm.")
    return algorithm


def check_algorithm(algorithm, *, xof: bool = False) -> hashes.HashAlgorithm:
    """The hash behind `algorithm` (a hash object or Prehashed), validated for signatures."""
    inner = algorithm._algorithm if isinstance(algorithm, Prehashed) else expect_hash(algorithm)
    if inner.name in DIGEST_INFO_OIDS and not isinstance(inner, hashes.ExtendableOutputFunction):
        return inner
    if xof and inner.name in XOF_NAMES:
        return inner
    raise UnsupportedAlgorithm(f"{inner.name} is not supported by this backend for RSA signing.")


def as_bytes(data) -> bytes:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f'Cannot convert "{type(data)}" instance to a buffer.\n'
                        "Did you mean to pass a bytestring instead?")
    return bytes(data)


def digest(data, algorithm) -> bytes:
    """Hash `data`, or check and pass it through when `algorithm` is Prehashed
    (or NoDigestInfo: the data is signed as it is)."""
    data = as_bytes(data)
    if isinstance(algorithm, NoDigestInfo):
        return data
    inner = algorithm._algorithm if isinstance(algorithm, Prehashed) else expect_hash(algorithm)
    if isinstance(algorithm, Prehashed):
        if len(data) != inner.digest_size:
            raise ValueError("The provided data must be the same length as the hash algorithm's digest size.")
        return data
    return hash_bytes(data, inner)


def hash_bytes(data: bytes, algorithm: hashes.HashAlgorithm) -> bytes:
    name = _HASHLIB.get(algorithm.name)
    if name is not None:
        return hashlib.new(name, data).digest()
    h = hashes.Hash(algorithm)  # SM3, SHAKE (with its digest_size)
    h.update(data)
    return h.finalize()


def xof_bytes(data: bytes, algorithm, length: int) -> bytes:
    """`length` bytes of SHAKE128/256 output (RFC 8702's mask function)."""
    return {"shake128": hashlib.shake_128, "shake256": hashlib.shake_256}[algorithm.name](data).digest(length)


def digest_info_prefix(algorithm: hashes.HashAlgorithm) -> bytes:
    """DER of DigestInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING digest } up to the digest."""
    return _prefix(algorithm.name, algorithm.digest_size)


@functools.lru_cache(maxsize=None)
def _prefix(name: str, digest_size: int) -> bytes:
    alg_id = _asn1.sequence(_asn1.oid(DIGEST_INFO_OIDS[name]), b"\x05\x00")  # parameters: NULL
    octets_header = bytes([_asn1.OCTET_STRING]) + _asn1.length(digest_size)
    total = len(alg_id) + len(octets_header) + digest_size
    return bytes([_asn1.SEQUENCE]) + _asn1.length(total) + alg_id + octets_header
