"""Message encodings for RSA encryption (RFC 8017 section 7): EME-OAEP and EME-PKCS1-v1_5.

Only the encoding side lives here: it works on the caller's plaintext and
fresh randomness, before the public operation. Decoding happens in native
code next to the private operation (native/csrc/rsa_decrypt.c), so the
decrypted encoded message never reaches Python.
"""
from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes

from . import _digest
from .emsa import mgf1


def oaep_max_message(k: int, algorithm: hashes.HashAlgorithm) -> int:
    return k - 2 * algorithm.digest_size - 2


def oaep_encode(message: bytes, k: int, algorithm: hashes.HashAlgorithm, mgf_algorithm: hashes.HashAlgorithm,
                label: bytes, seed: bytes | None = None) -> bytes:
    """EM = 00 || maskedSeed || maskedDB, k bytes (RFC 8017 7.1.1 step 2);
    None when the message is too long for the key."""
    h_len = algorithm.digest_size
    if len(message) > oaep_max_message(k, algorithm):
        return None
    seed = os.urandom(h_len) if seed is None else seed
    db = (_digest.hash_bytes(label, algorithm) + bytes(k - len(message) - 2 * h_len - 2)
          + b"\x01" + message)
    masked_db = bytes(x ^ y for x, y in zip(db, mgf1(seed, k - h_len - 1, mgf_algorithm)))
    masked_seed = bytes(x ^ y for x, y in zip(seed, mgf1(masked_db, h_len, mgf_algorithm)))
    return b"\x00" + masked_seed + masked_db


def pkcs1v15_encode(message: bytes, k: int) -> bytes:
    """EM = 00 02 PS 00 M with PS at least 8 random non-zero bytes (RFC 8017 7.2.1);
    None when the message is too long for the key."""
    if len(message) > k - 11:
        return None
    ps = bytearray()
    while len(ps) < k - len(message) - 3:
        ps += os.urandom(k).replace(b"\x00", b"")
    return b"\x00\x02" + bytes(ps[: k - len(message) - 3]) + b"\x00" + message
