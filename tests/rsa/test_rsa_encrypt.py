"""Encryption and decryption: OAEP (SHA-1/SHA-2, any MGF1 hash, labels) and PKCS#1 v1.5,
against pyca/cryptography both ways; implicit rejection byte for byte as OpenSSL's."""
import os
import statistics
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import padding as pyca_padding

from provenum import rsa
from provenum.rsa import hashes, padding

SHA2 = [hashes.SHA1, hashes.SHA224, hashes.SHA256, hashes.SHA384, hashes.SHA512]
NATIVE_ONLY = [hashes.SHA512_224, hashes.SHA512_256]  # SHA-2 too; pyca refuses them for OAEP


def oaep(alg, mgf_alg, label=None):
    return padding.OAEP(mgf=padding.MGF1(mgf_alg()), algorithm=alg(), label=label)


@pytest.mark.parametrize("alg", SHA2, ids=lambda a: a.name)
@pytest.mark.parametrize("mgf_alg", SHA2, ids=lambda a: a.name)
def test_oaep_both_ways_with_pyca(test_keys, alg, mgf_alg, dispatch_level):
    key = test_keys[2048]
    theirs = key.to_cryptography()
    for label in (None, b"", b"a label", bytes(range(256))):
        pad = oaep(alg, mgf_alg, label)
        for message in (b"", b"x", os.urandom(256 - 2 * alg.digest_size - 2)):
            assert theirs.decrypt(key.public_key().encrypt(message, pad), pad) == message
            assert key.decrypt(theirs.public_key().encrypt(message, pad), pad) == message


@pytest.mark.parametrize("alg", NATIVE_ONLY, ids=lambda a: a.name)
def test_oaep_with_the_other_sha2_hashes(test_keys, alg, dispatch_level):
    key = test_keys[3072]
    for mgf_alg in [alg, hashes.SHA1, hashes.SHA512]:
        pad = oaep(alg, mgf_alg, b"label")
        assert key.decrypt(key.public_key().encrypt(b"message", pad), pad) == b"message"
    with pytest.raises(rsa.UnsupportedAlgorithm):  # and pyca indeed refuses them
        key.to_cryptography().public_key().encrypt(b"m", pad)


def test_oaep_encryption_is_randomised_and_labels_bind(test_keys):
    key = test_keys[2048]
    pad = oaep(hashes.SHA256, hashes.SHA256, b"one")
    a, b = key.public_key().encrypt(b"m", pad), key.public_key().encrypt(b"m", pad)
    assert a != b and len(a) == len(b) == 256
    with pytest.raises(ValueError, match="^Decryption failed$"):
        key.decrypt(a, oaep(hashes.SHA256, hashes.SHA256, b"two"))
    with pytest.raises(ValueError, match="^Decryption failed$"):
        key.decrypt(a, oaep(hashes.SHA256, hashes.SHA1, b"one"))      # other MGF hash
    assert key.decrypt(a, pyca_padding.OAEP(pyca_padding.MGF1(hashes.SHA256()), hashes.SHA256(), b"one")) == b"m"


def test_oaep_invalid_ciphertexts_fail_alike(test_keys):
    """Every corruption gives the same exception with the same message (no Manger oracle)."""
    key = test_keys[2048]
    pad = oaep(hashes.SHA256, hashes.SHA256)
    good = bytearray(key.public_key().encrypt(b"secret", pad))
    messages = set()
    for i in (0, 1, 100, 200, 255):
        bad = bytearray(good)
        bad[i] ^= 1
        with pytest.raises(ValueError) as info:
            key.decrypt(bytes(bad), pad)
        messages.add(str(info.value))
    n = key.public_key().public_numbers().n
    for c in (0, 1, n - 1):
        with pytest.raises(ValueError) as info:
            key.decrypt(c.to_bytes(256, "big"), pad)
        messages.add(str(info.value))
    assert messages == {"Decryption failed"}


@pytest.mark.parametrize("bits", [1024, 2047, 2048, 3072])
def test_pkcs1v15_both_ways(test_keys, bits, dispatch_level):
    key = test_keys[bits]
    theirs = key.to_cryptography()
    k = (bits + 7) // 8
    for message in (b"", b"m", os.urandom(k - 11)):
        assert theirs.decrypt(key.public_key().encrypt(message, padding.PKCS1v15()), padding.PKCS1v15()) == message
        assert key.decrypt(theirs.public_key().encrypt(message, padding.PKCS1v15()), padding.PKCS1v15()) == message


@pytest.mark.parametrize("bits", [1024, 1536, 2048, 4096])
def test_pkcs1v15_implicit_rejection_matches_openssl(test_keys, bits, dispatch_level):
    """An invalid padding yields OpenSSL's synthetic message for the same key and ciphertext."""
    key = test_keys[bits]
    theirs = key.to_cryptography()
    n = key.public_key().public_numbers().n
    k = (bits + 7) // 8
    pub = key.public_key()
    corrupt = []
    for trial in range(12):
        c = int.from_bytes(os.urandom(k), "big") % n          # almost surely a bad padding
        corrupt.append(c.to_bytes(k, "big"))
    valid = bytearray(pub.encrypt(b"valid", padding.PKCS1v15()))
    valid[-1] ^= 0x40                                          # a valid ciphertext, one bit changed
    corrupt.append(bytes(valid))
    # encodings with a recognisable flaw, encrypted with the raw public operation
    for em in (b"\x00\x02" + b"\x01" * 7 + b"\x00" + b"x" * (k - 10),         # padding 7 bytes: too short
               b"\x00\x01" + b"\xff" * (k - 12) + b"\x00" + b"x" * 9,          # a signature block
               b"\x00\x02" + b"\x01" * (k - 2)):                               # no separator
        corrupt.append(pow(int.from_bytes(em, "big"), 65537, n).to_bytes(k, "big"))
    for c in corrupt:
        ours = key.decrypt(c, padding.PKCS1v15())
        assert ours == theirs.decrypt(c, padding.PKCS1v15())
        assert ours == key.decrypt(c, padding.PKCS1v15())   # deterministic
    # a padding of 8 bytes is the shortest valid one
    message = b"m" * (k - 11)
    em = b"\x00\x02" + b"\x01" * 8 + b"\x00" + message
    c = pow(int.from_bytes(em, "big"), 65537, n).to_bytes(k, "big")
    assert key.decrypt(c, padding.PKCS1v15()) == message == theirs.decrypt(c, padding.PKCS1v15())


def test_pkcs1v15_has_no_error_path_and_no_timing_gap(test_keys):
    """Valid and invalid paddings both return, in the same time (a coarse check: the
    decoding is constant time by construction in native/csrc/rsa_decrypt.c)."""
    key = test_keys[2048]
    n = key.public_key().public_numbers().n
    valid = [key.public_key().encrypt(os.urandom(16), padding.PKCS1v15()) for _ in range(40)]
    invalid = [(int.from_bytes(os.urandom(256), "big") % n).to_bytes(256, "big") for _ in range(40)]
    times = {"valid": [], "invalid": []}
    for _ in range(4):
        for pair in zip(valid, invalid):                # alternate, so drift hits both alike
            for name, c in zip(("valid", "invalid"), pair):
                t = time.perf_counter()
                key.decrypt(c, padding.PKCS1v15())
                times[name].append(time.perf_counter() - t)
    a, b = statistics.median(times["valid"]), statistics.median(times["invalid"])
    assert abs(a - b) / min(a, b) < 0.2, (a, b)


def test_decrypt_runs_on_the_checked_private_path(test_keys):
    """A key whose d does not match e (loaded unchecked) cannot decrypt: the
    result fails its public-key check and nothing is released."""
    nums = test_keys[1024].private_numbers()
    bad = rsa.RSAPrivateNumbers(nums.p, nums.q, nums.d + 2, nums.dmp1, nums.dmq1, nums.iqmp,
                                nums.public_numbers).private_key(unsafe_skip_rsa_key_validation=True)
    c = bad.public_key().encrypt(b"m", padding.PKCS1v15())
    with pytest.raises(rsa.FaultDetected):
        bad.decrypt(c, padding.PKCS1v15())
    with pytest.raises(rsa.FaultDetected):
        bad.decrypt(bad.public_key().encrypt(b"m", oaep(hashes.SHA1, hashes.SHA1)), oaep(hashes.SHA1, hashes.SHA1))


def test_decrypt_uses_fresh_blinding(test_keys):
    key = test_keys[1024]
    c = key.public_key().encrypt(b"m", padding.PKCS1v15())
    key.decrypt(c, padding.PKCS1v15())
    before = len(key._native._pool)
    key.decrypt(c, padding.PKCS1v15())
    assert len(key._native._pool) == before - 1 or before == 0


def test_encryption_and_decryption_errors(test_keys):
    """pyca's exceptions and messages."""
    key = test_keys[1024]
    pub = key.public_key()
    pad = oaep(hashes.SHA256, hashes.SHA256)
    with pytest.raises(ValueError, match="^Encryption failed$"):
        pub.encrypt(bytes(128 - 2 * 32 - 1), pad)
    assert len(pub.encrypt(bytes(128 - 2 * 32 - 2), pad)) == 128
    with pytest.raises(ValueError, match="^Encryption failed$"):
        pub.encrypt(bytes(128 - 10), padding.PKCS1v15())
    with pytest.raises(ValueError, match="^Encryption failed$"):    # SHA-512 OAEP does not fit 1024 bits
        pub.encrypt(b"x", oaep(hashes.SHA512, hashes.SHA512))
    with pytest.raises(TypeError, match="not an instance of 'bytes'"):
        pub.encrypt("text", pad)
    with pytest.raises(TypeError, match="not an instance of 'bytes'"):
        key.decrypt(bytearray(128), pad)
    with pytest.raises(TypeError, match="'str' object is not an instance of 'bytes | bytearray'"):
        pub.encrypt(b"x", padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), "label"))
    with pytest.raises(TypeError, match="AsymmetricPadding"):
        pub.encrypt(b"x", "oaep")
    with pytest.raises(rsa.UnsupportedAlgorithm, match="EMSA-PSS is not supported"):
        pub.encrypt(b"x", padding.PSS(padding.MGF1(hashes.SHA256()), 0))
    with pytest.raises(rsa.UnsupportedAlgorithm, match="EMSA-PSS is not supported"):
        key.decrypt(bytes(128), padding.PSS(padding.MGF1(hashes.SHA256()), 0))
    with pytest.raises(rsa.UnsupportedAlgorithm, match="combination of padding and hash"):
        pub.encrypt(b"x", oaep(hashes.SHA3_256, hashes.SHA256))
    with pytest.raises(rsa.UnsupportedAlgorithm, match="combination of padding and hash"):
        key.decrypt(bytes(128), oaep(hashes.SHA256, hashes.MD5))
    with pytest.raises(ValueError, match="^Ciphertext length must be equal to key size.$"):
        key.decrypt(bytes(127), padding.PKCS1v15())
    with pytest.raises(ValueError, match="^Decryption failed$"):    # c >= n
        key.decrypt(b"\xff" * 128, padding.PKCS1v15())
    with pytest.raises(ValueError, match="^Decryption failed$"):    # key too small for SHA-512 OAEP
        key.decrypt(bytes(128), oaep(hashes.SHA512, hashes.SHA512))
