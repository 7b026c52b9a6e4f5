"""Message encodings: DigestInfo prefixes, EMSA-PKCS1-v1_5 layout, EMSA-PSS round trips."""
import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from hypothesis import given, settings
from hypothesis import strategies as st

from provenum.rsa import _digest, emsa

# RFC 8017 section 9.2, note 1: the DER prefixes of DigestInfo
RFC8017_PREFIXES = {
    hashes.SHA1: "3021300906052b0e03021a05000414",
    hashes.SHA224: "302d300d06096086480165030402040500041c",
    hashes.SHA256: "3031300d060960864801650304020105000420",
    hashes.SHA384: "3041300d060960864801650304020205000430",
    hashes.SHA512: "3051300d060960864801650304020305000440",
    hashes.SHA512_224: "302d300d06096086480165030402050500041c",
    hashes.SHA512_256: "3031300d060960864801650304020605000420",
}


@pytest.mark.parametrize("alg", RFC8017_PREFIXES)
def test_digest_info_prefix_matches_rfc8017(alg):
    assert _digest.digest_info_prefix(alg()).hex() == RFC8017_PREFIXES[alg]


def test_pkcs1v15_layout():
    mhash = hashlib.sha256(b"abc").digest()
    em = emsa.pkcs1v15_encode(mhash, hashes.SHA256(), 256)
    t = bytes.fromhex(RFC8017_PREFIXES[hashes.SHA256]) + mhash
    assert em == b"\x00\x01" + b"\xff" * (256 - len(t) - 3) + b"\x00" + t


def test_pkcs1v15_too_short_key():
    with pytest.raises(ValueError, match="too long for key size"):
        emsa.pkcs1v15_encode(bytes(64), hashes.SHA512(), 64 + 19 + 10)


def test_mgf1_matches_definition():
    seed = b"seed"
    expected = hashlib.sha1(seed + bytes(4)).digest() + hashlib.sha1(seed + b"\0\0\0\1").digest()
    assert emsa.mgf1(seed, 30, hashes.SHA1()) == expected[:30]


@settings(max_examples=60, deadline=None)
@given(msg=st.binary(max_size=64), em_bits=st.integers(min_value=1023, max_value=1100),
       salt=st.binary(max_size=40), alg=st.sampled_from([hashes.SHA1(), hashes.SHA256(), hashes.SHA512()]))
def test_pss_round_trip_and_tamper(msg, em_bits, salt, alg):
    mhash = hashlib.new(alg.name, msg).digest()
    em = emsa.pss_encode(mhash, em_bits, alg, hashes.SHA1(), salt)
    assert len(em) == (em_bits + 7) // 8
    assert em[0] >> (em_bits % 8 or 8) == 0  # bits above em_bits are clear
    assert emsa.pss_verify(mhash, em, em_bits, alg, hashes.SHA1(), len(salt))
    assert emsa.pss_verify(mhash, em, em_bits, alg, hashes.SHA1(), None)
    assert not emsa.pss_verify(mhash, em, em_bits, alg, hashes.SHA1(), len(salt) + 1)
    assert not emsa.pss_verify(mhash, em, em_bits, alg, hashes.SHA256(), len(salt))  # other MGF hash
    flipped = bytearray(em)
    flipped[len(em) // 2] ^= 4
    assert not emsa.pss_verify(mhash, bytes(flipped), em_bits, alg, hashes.SHA1(), None)
    assert not emsa.pss_verify(bytes(len(mhash)), em, em_bits, alg, hashes.SHA1(), None)


def test_pss_salt_too_long():
    with pytest.raises(ValueError, match="salt"):
        emsa.pss_encode(bytes(32), 1023, hashes.SHA256(), hashes.SHA256(), bytes(128 - 32 - 1))


def _pss_encoding(mhash, em_bits, alg, ps: bytes, separator: int, salt: bytes) -> bytes:
    """EMSA-PSS by hand, with the padding string and separator byte chosen:
    ps = zeros and separator = 1 is the valid encoding."""
    em_len = (em_bits + 7) // 8
    h = hashlib.new(alg.name, bytes(8) + mhash + salt).digest()
    db = ps + bytes([separator]) + salt
    assert len(db) == em_len - len(h) - 1
    masked = bytearray(x ^ y for x, y in zip(db, emsa.mgf1(h, len(db), alg)))
    masked[0] &= 0xFF >> (8 * em_len - em_bits)
    return bytes(masked) + h + b"\xbc"


@pytest.mark.parametrize("salt_length", [20, None])
def test_pss_verify_checks_every_field(salt_length):
    """RFC 8017 9.1.2: trailer 0xbc, leftmost bits zero, zero padding, 0x01
    separator, salt length; each defect alone must be rejected."""
    alg, em_bits, salt = hashes.SHA256(), 1023, bytes(range(20))
    mhash = hashlib.sha256(b"msg").digest()
    ps_len = (em_bits + 7) // 8 - 32 - 2 - len(salt)
    good = _pss_encoding(mhash, em_bits, alg, bytes(ps_len), 1, salt)
    assert good == emsa.pss_encode(mhash, em_bits, alg, alg, salt)
    assert emsa.pss_verify(mhash, good, em_bits, alg, alg, salt_length)

    bad_trailer = good[:-1] + b"\xbb"
    top_bit_set = bytes([good[0] | 0x80]) + good[1:]  # em_bits = 1023: the top bit must be clear
    nonzero_ps = _pss_encoding(mhash, em_bits, alg, bytes(ps_len - 1) + b"\x05", 1, salt)
    bad_separator = _pss_encoding(mhash, em_bits, alg, bytes(ps_len), 2, salt)
    for em in (bad_trailer, top_bit_set, nonzero_ps, bad_separator):
        assert not emsa.pss_verify(mhash, em, em_bits, alg, alg, salt_length)
    # the valid encoding read with another salt length
    assert not emsa.pss_verify(mhash, good, em_bits, alg, alg, 19)
    assert not emsa.pss_verify(mhash, good, em_bits, alg, alg, 21)
    assert not emsa.pss_verify(mhash, good[1:], em_bits, alg, alg, salt_length)  # wrong length
