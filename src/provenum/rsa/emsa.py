"""Message encodings for RSA signatures (RFC 8017 section 9): EMSA-PKCS1-v1_5, EMSA-PSS, MGF1.

These work on public data only (digests, salts, encoded messages); the
secret-key arithmetic happens in native code.
"""
from __future__ import annotations

import hmac

from cryptography.hazmat.primitives import hashes

from . import _digest


def mgf1(seed: bytes, length: int, algorithm: hashes.HashAlgorithm) -> bytes:
    """MGF1 mask of `length` bytes from `seed` (RFC 8017 B.2.1); for SHAKE128/256,
    the SHAKE output itself (RFC 8702, the only mask SHAKE is used with)."""
    if isinstance(algorithm, hashes.ExtendableOutputFunction):
        return _digest.xof_bytes(seed, algorithm, length)
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += _digest.hash_bytes(seed + counter.to_bytes(4, "big"), algorithm)
        counter += 1
    return bytes(out[:length])


TOO_LONG = ("Digest or salt length too long for key size. Use a larger key or shorter salt length "
            "if you are specifying a PSS salt")  # pyca's words


def pkcs1v15_encode(mhash: bytes, algorithm: hashes.HashAlgorithm | None, em_len: int) -> bytes:
    """EM = 00 01 FF..FF 00 || DigestInfo(mhash), `em_len` bytes (RFC 8017 9.2);
    algorithm None: mhash is T itself (pyca's NoDigestInfo)."""
    t = mhash if algorithm is None else _digest.digest_info_prefix(algorithm) + mhash
    if em_len < len(t) + 11:
        raise ValueError(TOO_LONG)
    return b"\x00\x01" + b"\xff" * (em_len - len(t) - 3) + b"\x00" + t


def pkcs1v15_recover(em: bytes) -> bytes | None:
    """T of EM = 00 01 FF..FF 00 || T (at least 8 FF bytes), or None (public data: verification)."""
    if len(em) < 11 or em[:2] != b"\x00\x01":
        return None
    end = em.find(b"\x00", 2)
    if end < 10 or em[2:end].strip(b"\xff"):
        return None
    return em[end + 1:]


def pss_encode(mhash: bytes, em_bits: int, algorithm: hashes.HashAlgorithm,
               mgf_algorithm: hashes.HashAlgorithm, salt: bytes) -> bytes:
    """EMSA-PSS-ENCODE (RFC 8017 9.1.1) with a given salt; em_bits = modulus bits - 1."""
    h_len = algorithm.digest_size
    em_len = (em_bits + 7) // 8
    if em_len < h_len + len(salt) + 2:
        raise ValueError(TOO_LONG)
    h = _digest.hash_bytes(b"\x00" * 8 + mhash + salt, algorithm)
    db = b"\x00" * (em_len - len(salt) - h_len - 2) + b"\x01" + salt
    masked = bytearray(x ^ y for x, y in zip(db, mgf1(h, em_len - h_len - 1, mgf_algorithm)))
    masked[0] &= 0xFF >> (8 * em_len - em_bits)
    return bytes(masked) + h + b"\xbc"


def pss_verify(mhash: bytes, em: bytes, em_bits: int, algorithm: hashes.HashAlgorithm,
               mgf_algorithm: hashes.HashAlgorithm, salt_length: int | None) -> bool:
    """EMSA-PSS-VERIFY (RFC 8017 9.1.2). salt_length None: recover it from the encoding."""
    found = pss_salt_length(mhash, em, em_bits, algorithm, mgf_algorithm)
    return found is not None and (salt_length is None or found == salt_length)


def pss_salt_length(mhash: bytes, em: bytes, em_bits: int, algorithm: hashes.HashAlgorithm,
                    mgf_algorithm: hashes.HashAlgorithm) -> int | None:
    """The salt length of a valid EMSA-PSS encoding of mhash, or None (public data: verification)."""
    h_len = algorithm.digest_size
    em_len = (em_bits + 7) // 8
    if len(em) != em_len or em_len < h_len + 2 or em[-1] != 0xBC:
        return None
    masked, h = em[: em_len - h_len - 1], em[em_len - h_len - 1: -1]
    top_mask = (0xFF << (8 - (8 * em_len - em_bits))) & 0xFF
    if masked[0] & top_mask:
        return None
    db = bytearray(x ^ y for x, y in zip(masked, mgf1(h, em_len - h_len - 1, mgf_algorithm)))
    db[0] &= 0xFF >> (8 * em_len - em_bits)
    one = db.find(b"\x01")
    if one < 0 or any(db[:one]):
        return None
    salt = bytes(db[one + 1:])
    if not hmac.compare_digest(_digest.hash_bytes(b"\x00" * 8 + mhash + salt, algorithm), h):
        return None
    return len(salt)
