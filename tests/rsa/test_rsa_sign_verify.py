"""Signing and verifying through the pyca-style API, and interop with pyca both ways."""
import copy

import pytest
from cryptography.hazmat.primitives import hashes
from hypothesis import given, settings
from hypothesis import strategies as st
from cryptography.hazmat.primitives.asymmetric import padding as pyca_padding
from cryptography.hazmat.primitives.asymmetric import utils as pyca_utils

from provenum import rsa
from provenum.rsa import Prehashed, padding
from provenum.rsa.serialization import to_pyca_private

SIZES = [2048, 3072, 4096]
HASHES = [hashes.SHA256, hashes.SHA384, hashes.SHA512]


def both_paddings(alg, salt):
    """The same padding as (provenum object, pyca object)."""
    if salt is None:
        return padding.PKCS1v15(), pyca_padding.PKCS1v15()
    ours = {"max": padding.PSS.MAX_LENGTH, "digest": padding.PSS.DIGEST_LENGTH}.get(salt, salt)
    theirs = {"max": pyca_padding.PSS.MAX_LENGTH, "digest": pyca_padding.PSS.DIGEST_LENGTH}.get(salt, salt)
    return padding.PSS(padding.MGF1(alg), ours), pyca_padding.PSS(pyca_padding.MGF1(alg), theirs)


@pytest.mark.parametrize("bits", SIZES)
@pytest.mark.parametrize("alg", HASHES)
@pytest.mark.parametrize("salt", [None, "max", "digest", 0, 17])
def test_interop_with_pyca_both_directions(test_keys, bits, alg, salt):
    key = test_keys[bits]
    theirs = to_pyca_private(key)
    ours_pad, their_pad = both_paddings(alg(), salt)
    msg = b"interop " + str((bits, alg.name, salt)).encode()
    sig = key.sign(msg, ours_pad, alg())
    theirs.public_key().verify(sig, msg, their_pad, alg())
    key.public_key().verify(sig, msg, ours_pad, alg())
    key.public_key().verify(sig, msg, their_pad, alg())  # pyca padding objects work on our keys
    their_sig = theirs.sign(msg, their_pad, alg())
    key.public_key().verify(their_sig, msg, ours_pad, alg())
    if salt is None:
        assert sig == their_sig  # PKCS#1 v1.5 is deterministic
    else:
        auto = padding.PSS(padding.MGF1(alg()), padding.PSS.AUTO)
        key.public_key().verify(their_sig, msg, auto, alg())
    for bad in (msg + b"!", msg[1:]):
        with pytest.raises(rsa.InvalidSignature):
            key.public_key().verify(sig, bad, ours_pad, alg())
    tampered = bytearray(sig)
    tampered[-1] ^= 1
    with pytest.raises(rsa.InvalidSignature):
        key.public_key().verify(bytes(tampered), msg, ours_pad, alg())


@pytest.mark.parametrize("salt", [None, "max"])
def test_prehashed(test_keys, salt):
    key = test_keys[2048]
    alg = hashes.SHA256()
    h = hashes.Hash(alg)
    h.update(b"prehashed message")
    digest = h.finalize()
    ours_pad, their_pad = both_paddings(alg, salt)
    sig = key.sign(digest, ours_pad, Prehashed(alg))
    key.public_key().verify(sig, b"prehashed message", ours_pad, alg)
    to_pyca_private(key).public_key().verify(sig, digest, their_pad, pyca_utils.Prehashed(alg))
    with pytest.raises(ValueError, match="same length as the hash"):
        key.sign(digest[:-1], ours_pad, Prehashed(alg))


def test_pss_salt_length_rules(test_keys):
    key = test_keys[2048]
    alg = hashes.SHA256()
    sig = key.sign(b"m", padding.PSS(padding.MGF1(alg), 20), alg)
    pub = key.public_key()
    pub.verify(sig, b"m", padding.PSS(padding.MGF1(alg), 20), alg)
    pub.verify(sig, b"m", padding.PSS(padding.MGF1(alg), padding.PSS.AUTO), alg)
    # as in OpenSSL (and so pyca), MAX_LENGTH on verification accepts any salt length
    pub.verify(sig, b"m", padding.PSS(padding.MGF1(alg), padding.PSS.MAX_LENGTH), alg)
    to_pyca_private(key).public_key().verify(
        sig, b"m", pyca_padding.PSS(pyca_padding.MGF1(alg), pyca_padding.PSS.MAX_LENGTH), alg)
    for wrong in (padding.PSS.DIGEST_LENGTH, 21):
        with pytest.raises(rsa.InvalidSignature):
            pub.verify(sig, b"m", padding.PSS(padding.MGF1(alg), wrong), alg)
    with pytest.raises(ValueError, match="Auto when verifying"):
        key.sign(b"m", padding.PSS(padding.MGF1(alg), padding.PSS.AUTO), alg)
    max_len = padding.calculate_max_pss_salt_length(key, alg)
    assert max_len == 256 - 32 - 2
    key.sign(b"m", padding.PSS(padding.MGF1(alg), max_len), alg)
    with pytest.raises(ValueError, match="salt"):
        key.sign(b"m", padding.PSS(padding.MGF1(alg), max_len + 1), alg)


def test_pss_with_different_mgf_hash(test_keys):
    key = test_keys[3072]
    pad = padding.PSS(padding.MGF1(hashes.SHA1()), 32)
    sig = key.sign(b"x", pad, hashes.SHA512())
    to_pyca_private(key).public_key().verify(
        sig, b"x", pyca_padding.PSS(pyca_padding.MGF1(hashes.SHA1()), 32), hashes.SHA512())
    with pytest.raises(rsa.InvalidSignature):
        key.public_key().verify(sig, b"x", padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA512())


@pytest.mark.parametrize("bits", [1024, 1536, 2047])
def test_other_sizes_use_the_generic_path(test_keys, bits):
    key = test_keys[bits]
    theirs = to_pyca_private(key)
    for ours_pad, their_pad in (both_paddings(hashes.SHA256(), None), both_paddings(hashes.SHA256(), "max")):
        sig = key.sign(b"generic", ours_pad, hashes.SHA256())
        theirs.public_key().verify(sig, b"generic", their_pad, hashes.SHA256())
        key.public_key().verify(theirs.sign(b"generic", their_pad, hashes.SHA256()), b"generic", ours_pad,
                                hashes.SHA256())


@pytest.mark.parametrize("bits", [1024, 2048, 3072, 4096, 8192])
def test_every_size_at_every_level_interoperates(bits, dispatch_level):
    """1024 to 8192 bits, on every dispatch level this CPU runs: signatures verify under pyca and
    PKCS#1 v1.5 gives the same bytes as pyca (deterministic), and pyca's verify under provenum."""
    from conftest import data_path

    with open(data_path(f"rsa{bits}.pem"), "rb") as f:
        key = rsa.load_pem_private_key(f.read())
    theirs = to_pyca_private(key)
    ours_pad, their_pad = both_paddings(hashes.SHA256(), None)
    sig = key.sign(b"every level", ours_pad, hashes.SHA256())
    assert sig == theirs.sign(b"every level", their_pad, hashes.SHA256())
    key.public_key().verify(sig, b"every level", ours_pad, hashes.SHA256())
    pss, pyca_pss = both_paddings(hashes.SHA256(), "max")
    theirs.public_key().verify(key.sign(b"every level", pss, hashes.SHA256()), b"every level", pyca_pss,
                               hashes.SHA256())


def test_generic_sizes_from_keygen():
    for bits in (1088, 1600):  # halves of 9 and 13 words: no specialised kernel
        key = rsa.generate_private_key(65537, bits)
        sig = key.sign(b"g", padding.PKCS1v15(), hashes.SHA256())
        to_pyca_private(key).public_key().verify(sig, b"g", pyca_padding.PKCS1v15(), hashes.SHA256())


def test_pss_when_modulus_bits_are_one_mod_eight():
    """A 1033-bit modulus: the PSS encoding is one byte shorter than the
    signature (emBits = 1032), the case RFC 8017 handles with a leading zero."""
    from conftest import data_path

    with open(data_path("rsa1033.pem"), "rb") as f:
        key = rsa.load_pem_private_key(f.read())
    assert key.key_size == 1033
    theirs = to_pyca_private(key)
    for salt in ("max", 0, "digest"):
        ours_pad, their_pad = both_paddings(hashes.SHA256(), salt)
        sig = key.sign(b"odd size", ours_pad, hashes.SHA256())
        assert len(sig) == 130
        theirs.public_key().verify(sig, b"odd size", their_pad, hashes.SHA256())
        key.public_key().verify(theirs.sign(b"odd size", their_pad, hashes.SHA256()), b"odd size", ours_pad,
                                hashes.SHA256())
        with pytest.raises(rsa.InvalidSignature):
            key.public_key().verify(sig, b"odd sizE", ours_pad, hashes.SHA256())


@settings(max_examples=40, deadline=None)
@given(msg=st.binary(max_size=300), bits=st.sampled_from([1024, 2048]), pss=st.booleans(),
       salt=st.integers(min_value=0, max_value=60), alg=st.sampled_from([hashes.SHA1, hashes.SHA256, hashes.SHA512]))
def test_random_messages_verify_under_pyca(test_keys, msg, bits, pss, salt, alg):
    key = test_keys[bits]
    ours_pad, their_pad = both_paddings(alg(), salt if pss else None)
    sig = key.sign(msg, ours_pad, alg())
    to_pyca_private(key).public_key().verify(sig, msg, their_pad, alg())
    key.public_key().verify(sig, msg, ours_pad, alg())


def test_keys_copy_as_themselves(test_keys):
    key = test_keys[1024]
    assert copy.copy(key) is key and copy.deepcopy(key) is key
    assert copy.deepcopy(key.public_key()) is key.public_key()


def _ceil_cube_root(x: int) -> int:
    lo, hi = 0, 1 << (x.bit_length() // 3 + 2)
    while lo < hi:
        mid = (lo + hi) // 2
        if mid ** 3 < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@pytest.mark.parametrize("bits", [2048, 3072])
@pytest.mark.parametrize("ff_bytes", [1, 8])
def test_bleichenbacher06_forgery_rejected_for_e3(test_keys, bits, ff_bytes):
    """Bleichenbacher '06: with e = 3, a cube root of 00 01 FF.. 00 DigestInfo(H)
    followed by garbage passes any verifier that parses the encoding and stops
    after the hash. Verification must compare the whole encoding."""
    import hashlib

    from cryptography.exceptions import InvalidSignature

    from provenum.rsa import _digest

    n = test_keys[bits].public_key().public_numbers().n
    pub = rsa.RSAPublicNumbers(3, n).public_key()  # only the public operation is needed
    k = (bits + 7) // 8
    msg = b"pay the forger"
    prefix = (b"\x00\x01" + b"\xff" * ff_bytes + b"\x00"
              + _digest.digest_info_prefix(hashes.SHA256()) + hashlib.sha256(msg).digest())
    s = _ceil_cube_root(int.from_bytes(prefix, "big") << (8 * (k - len(prefix))))
    forged = s.to_bytes(k, "big")
    assert pow(s, 3) < n and pow(s, 3).to_bytes(k, "big").startswith(prefix)  # the forgery is well formed
    with pytest.raises(InvalidSignature):
        pub.verify(forged, msg, padding.PKCS1v15(), hashes.SHA256())
