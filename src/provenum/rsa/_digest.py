"""Hash algorithms for RSA signatures: hashing, sizes, and PKCS#1 DigestInfo prefixes.

Algorithms are pyca/cryptography hash objects (hashes.SHA256() ...), so code
written against pyca passes the same objects here.
"""
from __future__ import annotations

import functools
import hashlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

# pyca name -> (hashlib name, DigestInfo algorithm OID)
_KNOWN = {
    "sha1": ("sha1", "1.3.14.3.2.26"),
    "sha224": ("sha224", "2.16.840.1.101.3.4.2.4"),
    "sha256": ("sha256", "2.16.840.1.101.3.4.2.1"),
    "sha384": ("sha384", "2.16.840.1.101.3.4.2.2"),
    "sha512": ("sha512", "2.16.840.1.101.3.4.2.3"),
    "sha512-224": ("sha512_224", "2.16.840.1.101.3.4.2.5"),
    "sha512-256": ("sha512_256", "2.16.840.1.101.3.4.2.6"),
    "sha3-224": ("sha3_224", "2.16.840.1.101.3.4.2.7"),
    "sha3-256": ("sha3_256", "2.16.840.1.101.3.4.2.8"),
    "sha3-384": ("sha3_384", "2.16.840.1.101.3.4.2.9"),
    "sha3-512": ("sha3_512", "2.16.840.1.101.3.4.2.10"),
}


def check_algorithm(algorithm) -> hashes.HashAlgorithm:
    """The hash algorithm behind `algorithm` (a hash object or Prehashed), validated."""
    inner = algorithm._algorithm if isinstance(algorithm, Prehashed) else algorithm
    if not isinstance(inner, hashes.HashAlgorithm):
        raise TypeError(f"expected a hash algorithm object such as hashes.SHA256(), got {algorithm!r}")
    if inner.name not in _KNOWN:
        raise ValueError(f"unsupported hash algorithm for RSA signatures: {inner.name}")
    return inner


def digest(data: bytes, algorithm) -> bytes:
    """Hash `data`, or check and pass it through when `algorithm` is Prehashed."""
    inner = check_algorithm(algorithm)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("data must be bytes-like")
    data = bytes(data)
    if isinstance(algorithm, Prehashed):
        if len(data) != inner.digest_size:
            raise ValueError(
                f"prehashed data must be {inner.digest_size} bytes for {inner.name}, got {len(data)}"
            )
        return data
    return hashlib.new(_KNOWN[inner.name][0], data).digest()


def hash_bytes(data: bytes, algorithm: hashes.HashAlgorithm) -> bytes:
    return hashlib.new(_KNOWN[algorithm.name][0], data).digest()


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _der(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _der_length(len(body)) + body


def _der_oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return _der(0x06, bytes(body))


def digest_info_prefix(algorithm: hashes.HashAlgorithm) -> bytes:
    """DER of DigestInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING digest } up to the digest."""
    return _prefix(algorithm.name, algorithm.digest_size)


@functools.lru_cache(maxsize=None)
def _prefix(name: str, digest_size: int) -> bytes:
    oid = _der_oid(_KNOWN[name][1])
    alg_id = _der(0x30, oid + b"\x05\x00")  # parameters: NULL
    octets_header = bytes([0x04]) + _der_length(digest_size)
    total = len(alg_id) + len(octets_header) + digest_size
    return bytes([0x30]) + _der_length(total) + alg_id + octets_header
