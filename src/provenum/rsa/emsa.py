"""Message encodings for RSA signatures (RFC 8017 section 9): EMSA-PKCS1-v1_5, EMSA-PSS, MGF1.

These work on public data only (digests, salts, encoded messages); the
secret-key arithmetic happens in native code.
"""
from __future__ import annotations

import hmac

from cryptography.hazmat.primitives import hashes

from . import _digest


def mgf1(seed: bytes, length: int, algorithm: hashes.HashAlgorithm) -> bytes:
    """MGF1 mask of `length` bytes from `seed` (RFC 8017 B.2.1)."""
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += _digest.hash_bytes(seed + counter.to_bytes(4, "big"), algorithm)
        counter += 1
    return bytes(out[:length])


def pkcs1v15_encode(mhash: bytes, algorithm: hashes.HashAlgorithm, em_len: int) -> bytes:
    """EM = 00 01 FF..FF 00 || DigestInfo(mhash), `em_len` bytes (RFC 8017 9.2)."""
    t = _digest.digest_info_prefix(algorithm) + mhash
    if em_len < len(t) + 11:
        raise ValueError(f"digest too big for RSA key: {len(t)} + 11 bytes needed, key has {em_len}")
    return b"\x00\x01" + b"\xff" * (em_len - len(t) - 3) + b"\x00" + t


def pss_encode(mhash: bytes, em_bits: int, algorithm: hashes.HashAlgorithm,
               mgf_algorithm: hashes.HashAlgorithm, salt: bytes) -> bytes:
    """EMSA-PSS-ENCODE (RFC 8017 9.1.1) with a given salt; em_bits = modulus bits - 1."""
    h_len = algorithm.digest_size
    em_len = (em_bits + 7) // 8
    if em_len < h_len + len(salt) + 2:
        raise ValueError(
            f"salt of {len(salt)} bytes is too long for this key and {algorithm.name} "
            f"(at most {max(em_len - h_len - 2, 0)})"
        )
    h = _digest.hash_bytes(b"\x00" * 8 + mhash + salt, algorithm)
    db = b"\x00" * (em_len - len(salt) - h_len - 2) + b"\x01" + salt
    masked = bytearray(x ^ y for x, y in zip(db, mgf1(h, em_len - h_len - 1, mgf_algorithm)))
    masked[0] &= 0xFF >> (8 * em_len - em_bits)
    return bytes(masked) + h + b"\xbc"


def pss_verify(mhash: bytes, em: bytes, em_bits: int, algorithm: hashes.HashAlgorithm,
               mgf_algorithm: hashes.HashAlgorithm, salt_length: int | None) -> bool:
    """EMSA-PSS-VERIFY (RFC 8017 9.1.2). salt_length None: recover it from the encoding."""
    h_len = algorithm.digest_size
    em_len = (em_bits + 7) // 8
    if len(em) != em_len or em_len < h_len + 2 or em[-1] != 0xBC:
        return False
    if salt_length is not None and em_len < h_len + salt_length + 2:
        return False
    masked, h = em[: em_len - h_len - 1], em[em_len - h_len - 1: -1]
    top_mask = (0xFF << (8 - (8 * em_len - em_bits))) & 0xFF
    if masked[0] & top_mask:
        return False
    db = bytearray(x ^ y for x, y in zip(masked, mgf1(h, em_len - h_len - 1, mgf_algorithm)))
    db[0] &= 0xFF >> (8 * em_len - em_bits)
    one = db.find(b"\x01")
    if one < 0 or any(db[:one]):
        return False
    salt = bytes(db[one + 1:])
    if salt_length is not None and len(salt) != salt_length:
        return False
    return hmac.compare_digest(_digest.hash_bytes(b"\x00" * 8 + mhash + salt, algorithm), h)
