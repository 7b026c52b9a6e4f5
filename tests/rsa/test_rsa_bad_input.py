"""Bad input: a clear exception, no output, never a crash or a wrong signature."""
import pytest
from cryptography.hazmat.primitives import hashes, serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec

from provenum import rsa
from provenum.rsa import padding

from conftest import data_path

PKCS1 = padding.PKCS1v15()


def pem(name):
    with open(data_path(name), "rb") as f:
        return f.read()


@pytest.mark.parametrize("blob", [
    b"", b"garbage", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    b"\x30\x82\x01\x00" + bytes(10),
])
def test_malformed_keys(blob):
    with pytest.raises(ValueError):
        rsa.load_pem_private_key(blob)
    with pytest.raises(ValueError):
        rsa.load_der_private_key(blob)
    with pytest.raises(ValueError):
        rsa.load_public_key(blob)


def test_truncated_pem():
    blob = pem("rsa2048.pem")
    with pytest.raises(ValueError):
        rsa.load_pem_private_key(blob[: len(blob) // 2])


def test_wrong_key_type():
    ec_key = ec.generate_private_key(ec.SECP256R1())
    blob = ec_key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())
    with pytest.raises(TypeError, match="not an RSA"):
        rsa.load_pem_private_key(blob)
    pub = ec_key.public_key().public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(TypeError, match="not an RSA"):
        rsa.load_pem_public_key(pub)


def test_not_bytes():
    with pytest.raises(TypeError):
        rsa.load_pem_private_key("a string")


@pytest.mark.parametrize("n,e,msg", [        # pyca's messages where pyca refuses too
    (2 ** 1023 + 1, 4, "e must be odd"),       # e even
    (2 ** 1023 + 1, 2, r"e must be >= 3 and < n\."),
    (2 ** 1023 + 1, 1, r"e must be >= 3 and < n\."),
    (2 ** 1023, 65537, "modulus must be odd"),  # even modulus (pyca loads it; nothing can use it)
    (2 ** 510 + 1, 65537, "key size"),         # below 512 bits
    (2 ** 16384 + 1, 65537, "key size"),       # above 16384 bits, OpenSSL's limit
    (2 ** 1023 + 1, 2 ** 1024 + 1, r"e must be >= 3 and < n\."),
], ids=["e-even", "e-2", "e-1", "n-even", "n-small", "n-huge", "e-above-n"])
def test_bad_public_numbers(n, e, msg):
    with pytest.raises(ValueError, match=msg):
        rsa.RSAPublicNumbers(e, n).public_key()


def test_non_matching_private_numbers(test_keys):
    nums = test_keys[1024].private_numbers()
    other = test_keys[1536].private_numbers()
    pub = nums.public_numbers
    bad = [
        (nums.p, other.q, nums.d, nums.dmp1, nums.dmq1, nums.iqmp, pub),       # p*q != n
        (nums.p, nums.q, nums.d + 2, nums.dmp1, nums.dmq1, nums.iqmp, pub),    # d wrong
        (nums.p, nums.q, nums.d, nums.dmp1 + 1, nums.dmq1, nums.iqmp, pub),    # dmp1 wrong
        (nums.p, nums.q, nums.d, nums.dmp1, nums.dmq1, nums.iqmp + 1, pub),    # iqmp wrong
        (nums.p, nums.q, nums.d, nums.dmp1, nums.dmq1, nums.iqmp,
         rsa.RSAPublicNumbers(pub.e, pub.n + 2)),                              # modulus mismatch
        (nums.p, nums.q, nums.d, nums.dmp1, nums.dmq1, nums.iqmp,
         rsa.RSAPublicNumbers(3, pub.n)),                                      # exponent mismatch
    ]
    for args in bad:
        with pytest.raises(ValueError):
            rsa.RSAPrivateNumbers(*args).private_key()
    with pytest.raises(TypeError):
        rsa.RSAPrivateNumbers(1.5, nums.q, nums.d, nums.dmp1, nums.dmq1, nums.iqmp, pub)


def test_message_too_long_for_key(test_keys):
    key = test_keys[1024]
    # PKCS#1 v1.5 with SHA-512 needs 64 + 19 + 11 = 94 bytes: fits 128; PSS with max salt of SHA-512 fits too
    key.sign(b"x", PKCS1, hashes.SHA512())
    with pytest.raises(ValueError, match="salt"):
        key.sign(b"x", padding.PSS(padding.MGF1(hashes.SHA512()), 100), hashes.SHA512())


def test_digest_too_big_for_smallest_key():
    from provenum.rsa import emsa
    with pytest.raises(ValueError, match="too long for key size"):  # pyca's words
        emsa.pkcs1v15_encode(bytes(64), hashes.SHA512(), 90)


def test_bad_signatures(test_keys):
    key = test_keys[2048]
    pub = key.public_key()
    sig = key.sign(b"m", PKCS1, hashes.SHA256())
    n = pub.public_numbers().n
    for bad, why in [
        (sig[:-1], "bytes"), (sig + b"\x00", "bytes"), (b"", "bytes"),
        (n.to_bytes(256, "big"), "modulus"), ((n + 1).to_bytes(256, "big"), "modulus"),
        (b"\xff" * 256, "modulus"),
    ]:
        with pytest.raises(rsa.InvalidSignature, match=why):
            pub.verify(bad, b"m", PKCS1, hashes.SHA256())
    with pytest.raises(TypeError):
        pub.verify("text", b"m", PKCS1, hashes.SHA256())


def test_bad_padding_and_hash_objects(test_keys):
    key = test_keys[2048]
    with pytest.raises(TypeError):
        key.sign(b"m", "pkcs1", hashes.SHA256())
    with pytest.raises(TypeError):
        key.sign(b"m", PKCS1, "sha256")
    with pytest.raises(rsa.UnsupportedAlgorithm, match="blake2b is not supported"):
        key.sign(b"m", PKCS1, hashes.BLAKE2b(64))
    with pytest.raises(rsa.UnsupportedAlgorithm, match="shake128 is not supported"):
        key.sign(b"m", PKCS1, hashes.SHAKE128(32))
    with pytest.raises(TypeError):
        key.sign("text", PKCS1, hashes.SHA256())
    with pytest.raises(TypeError):
        padding.PSS(padding.MGF1(hashes.SHA256()), "max")
    with pytest.raises(ValueError):
        padding.PSS(padding.MGF1(hashes.SHA256()), -1)


def test_private_key_constructor_is_not_public():
    with pytest.raises(TypeError):
        rsa.RSAPrivateKey()


def test_unchecked_private_numbers_still_validate_d(test_keys):
    """unsafe_skip_rsa_key_validation skips the consistency checks, not the
    range checks that keep values within the native buffers."""
    nums = test_keys[1024].private_numbers()
    n = nums.public_numbers.n
    for d in (-nums.d, 0, n, 2 ** (64 * 16) + 1, 2 ** 9000):
        with pytest.raises(ValueError, match="private_exponent"):
            rsa.RSAPrivateNumbers(nums.p, nums.q, d, nums.dmp1, nums.dmq1, nums.iqmp,
                                  nums.public_numbers).private_key(unsafe_skip_rsa_key_validation=True)


def test_native_operations_validate_their_inputs(test_keys):
    """The raw operations check range and type before the native call."""
    key = test_keys[1024]
    n = key.public_key().public_numbers().n
    for op in (key.public_key()._native.public_op, key._native.private_op):
        for bad in (-1, n, n + 1, 2 ** (64 * 16), 2 ** 20000):
            with pytest.raises(ValueError):
                op(bad)
        for bad in (1.0, "1", True, None):
            with pytest.raises(TypeError):
                op(bad)
    with pytest.raises(TypeError):
        key._native.private_op_bytes(list(bytes(128)))
