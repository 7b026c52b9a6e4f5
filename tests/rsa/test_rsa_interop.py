"""provenum keys inside pyca/cryptography: its interfaces, builders and serialisers;
conversions; three-prime keys; RSA-PSS key parameters; the size limits."""
import datetime
import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import padding as pyca_padding
from cryptography.hazmat.primitives.asymmetric import rsa as pyca_rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12, ssh
from cryptography.x509.oid import NameOID

from provenum import rsa
from provenum.rsa import hashes, keygen, keyinfo, padding

from conftest import data_path

NAME = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "provenum")])
NOW = datetime.datetime.now(datetime.timezone.utc)


def read(name):
    with open(data_path(name), "rb") as f:
        return f.read()


@pytest.fixture(scope="module")
def key():
    return rsa.load_pem_private_key(read("rsa2048.pem"))


def test_keys_are_pyca_keys(key):
    assert isinstance(key, pyca_rsa.RSAPrivateKey) and isinstance(key.public_key(), pyca_rsa.RSAPublicKey)
    assert issubclass(rsa.RSAPrivateKey, pyca_rsa.RSAPrivateKey)
    assert rsa.RSAPrivateKeyWithSerialization is rsa.RSAPrivateKey
    assert padding.PSS is pyca_padding.PSS and padding.OAEP is pyca_padding.OAEP


def test_x509_builders_sign_with_provenum(key):
    cert = (x509.CertificateBuilder().subject_name(NAME).issuer_name(NAME).public_key(key.public_key())
            .serial_number(1).not_valid_before(NOW).not_valid_after(NOW + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    cert.verify_directly_issued_by(cert)
    assert cert.public_key() == key.public_key()
    pss = pyca_padding.PSS(pyca_padding.MGF1(hashes.SHA256()), pyca_padding.PSS.DIGEST_LENGTH)
    cert2 = (x509.CertificateBuilder().subject_name(NAME).issuer_name(NAME).public_key(key.public_key())
             .serial_number(2).not_valid_before(NOW).not_valid_after(NOW + datetime.timedelta(days=1))
             .sign(key, hashes.SHA256(), rsa_padding=pss))
    cert2.public_key().verify(cert2.signature, cert2.tbs_certificate_bytes, pss, hashes.SHA256())
    csr = x509.CertificateSigningRequestBuilder().subject_name(NAME).sign(key, hashes.SHA384())
    assert csr.is_signature_valid
    crl = x509.CertificateRevocationListBuilder().issuer_name(NAME).last_update(NOW).next_update(NOW) \
        .sign(key, hashes.SHA256())
    assert crl.is_signature_valid(key.public_key().to_cryptography())


def test_pkcs12_pkcs7_and_ssh_certificates(key):
    cert = (x509.CertificateBuilder().subject_name(NAME).issuer_name(NAME).public_key(key.public_key())
            .serial_number(3).not_valid_before(NOW).not_valid_after(NOW + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    blob = pkcs12.serialize_key_and_certificates(b"p", key, cert, None, ser.BestAvailableEncryption(b"pw"))
    back, back_cert, _ = pkcs12.load_key_and_certificates(blob, b"pw")
    assert back.private_numbers() == key.private_numbers() and back_cert == cert
    signed = pkcs7.PKCS7SignatureBuilder().set_data(b"data").add_signer(cert, key, hashes.SHA256()) \
        .sign(ser.Encoding.DER, [])
    assert len(signed) > 256
    ssh_cert = (ssh.SSHCertificateBuilder().public_key(key.public_key()).serial(1)
                .type(ssh.SSHCertificateType.USER).key_id(b"k").valid_principals([b"u"])
                .valid_after(0).valid_before(2 ** 40).sign(key))
    ssh_cert.verify_cert_signature()


def test_conversions_and_equality(key):
    theirs = key.to_cryptography()
    assert type(theirs).__module__.startswith("cryptography.hazmat.bindings")
    assert theirs.private_numbers() == key.private_numbers()
    assert key.public_key() == theirs.public_key() and theirs.public_key() == key.public_key()
    assert rsa.from_cryptography(theirs).private_numbers() == key.private_numbers()
    assert rsa.from_cryptography(theirs.public_key()) == key.public_key()
    assert rsa.from_cryptography(key) is key
    with pytest.raises(TypeError, match="not an RSA key"):
        rsa.from_cryptography(object())
    with pytest.raises(TypeError, match="unhashable"):       # like pyca's public keys
        hash(key.public_key())


def test_numbers_mix_with_pycas(key):
    ours, theirs = key.private_numbers(), key.to_cryptography().private_numbers()
    assert ours == theirs and theirs == ours and hash(ours) == hash(theirs)
    assert ours.public_numbers == theirs.public_numbers and hash(ours.public_numbers) == hash(theirs.public_numbers)
    mixed = rsa.RSAPrivateNumbers(theirs.p, theirs.q, theirs.d, theirs.dmp1, theirs.dmq1, theirs.iqmp,
                                  theirs.public_numbers)                          # pyca's public numbers inside
    assert mixed.private_key().public_key() == key.public_key()
    assert {ours.public_numbers: 1}[theirs.public_numbers] == 1


def test_ssh_keys(key):
    line = key.public_key().public_bytes(ser.Encoding.OpenSSH, ser.PublicFormat.OpenSSH)
    assert rsa.load_ssh_public_key(line) == key.public_key() == rsa.load_public_key(line)
    blob = key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.OpenSSH, ser.NoEncryption())
    assert rsa.load_ssh_private_key(blob, None).private_numbers() == key.private_numbers()
    assert rsa.load_private_key(blob).private_numbers() == key.private_numbers()
    from cryptography.hazmat.primitives.asymmetric import ed25519
    other = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(ser.Encoding.OpenSSH,
                                                                          ser.PublicFormat.OpenSSH)
    with pytest.raises(TypeError, match="not an RSA public key"):
        rsa.load_ssh_public_key(other)


@pytest.mark.parametrize("name", ["rsa2048-3prime.pem"])
def test_three_prime_keys_load_work_and_write_back(name, tmp_path):
    blob = read(name)
    with pytest.raises(ValueError):
        ser.load_pem_private_key(blob, None)                  # pyca refuses them
    key = rsa.load_pem_private_key(blob)
    pub = key.public_key()
    oaep = padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)
    assert key.decrypt(pub.to_cryptography().encrypt(b"three", oaep), oaep) == b"three"
    assert key.decrypt(pub.encrypt(b"v15", padding.PKCS1v15()), padding.PKCS1v15()) == b"v15"
    sig = key.sign(b"m", padding.PKCS1v15(), hashes.SHA256())
    pub.to_cryptography().verify(sig, b"m", padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(ValueError, match="three-prime"):
        key.private_numbers()
    for fmt, label in ((ser.PrivateFormat.TraditionalOpenSSL, b"RSA PRIVATE KEY"),
                       (ser.PrivateFormat.PKCS8, b"PRIVATE KEY")):
        out = key.private_bytes(ser.Encoding.PEM, fmt, ser.NoEncryption())
        assert out.startswith(b"-----BEGIN " + label)
        again = rsa.load_pem_private_key(out)
        assert again.sign(b"m", padding.PKCS1v15(), hashes.SHA256()) == sig
        der = key.private_bytes(ser.Encoding.DER, fmt, ser.NoEncryption())
        assert rsa.load_der_private_key(der).public_key() == pub
        if shutil.which("openssl"):                           # openssl reads it back, all three primes
            path = tmp_path / "k.pem"
            path.write_bytes(out)
            r = subprocess.run(["openssl", "pkey", "-in", str(path), "-check", "-noout"], capture_output=True,
                               text=True)
            assert r.returncode == 0 and "valid" in (r.stdout + r.stderr).lower(), r.stderr
    if shutil.which("openssl"):                               # and openssl's own three-prime output is ours too
        assert read(name).startswith(b"-----BEGIN PRIVATE KEY-----")
    with pytest.raises(ValueError, match="unencrypted"):
        key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.BestAvailableEncryption(b"pw"))


def test_three_prime_keys_are_checked(tmp_path):
    from provenum.rsa import _asn1, multiprime

    values = multiprime.parse_private_key(_asn1.pem_blocks(read("rsa2048-3prime.pem"))[0][2])
    assert values is not None and len(values["primes"]) == 3
    bad = dict(values, d=values["d"] + 2)
    with pytest.raises(ValueError, match="d does not match"):
        multiprime.load(bad, check=True)
    four = dict(values, primes=values["primes"] + [3])
    with pytest.raises(ValueError, match="4 primes"):
        multiprime.load(four, check=True)


def test_rsa_pss_key_parameters_are_read():
    info = keyinfo.key_algorithm(read("rsa2048-pss.pem"))
    assert (info.kind, info.restricted, info.hash_algorithm.name, info.mgf_algorithm.name,
            info.min_salt_length) == ("rsa-pss", True, "sha256", "sha256", 32)
    assert keyinfo.key_algorithm(read("rsa2048-pss.pub.pem")) == info
    assert keyinfo.key_algorithm(read("rsa2048-pss-any.pem")) == keyinfo.KeyAlgorithm("rsa-pss")
    assert keyinfo.key_algorithm(read("rsa2048.pem")).kind == "rsa"
    assert keyinfo.key_algorithm(read("rsa2048.pub.pem")).kind == "rsa"
    assert keyinfo.key_algorithm(b"garbage").kind == "unknown"
    # inside encrypted PKCS#8, as openssl and pyca write it
    plain = ser.load_pem_private_key(read("rsa2048-pss.pem"), None)
    for pem in (keyinfo.encrypt_pkcs8(plain.private_bytes(ser.Encoding.DER, ser.PrivateFormat.PKCS8,
                                                          ser.NoEncryption()), b"pw"),):
        assert keyinfo.key_algorithm(pem, b"pw").kind == "rsa"          # pyca's DER says rsaEncryption
    if shutil.which("openssl"):
        r = subprocess.run(["openssl", "pkcs8", "-topk8", "-passout", "pass:pw", "-in", data_path("rsa2048-pss.pem")],
                           capture_output=True)
        assert keyinfo.key_algorithm(r.stdout, b"pw") == info
        assert keyinfo.key_algorithm(r.stdout, b"wrong").kind == "unknown"
        assert rsa.load_pem_private_key(r.stdout, b"pw").key_size == 2048   # loads as an RSA key, as in pyca


def test_smallest_and_largest_keys():
    small = keygen.generate(65537, 512, _unchecked=True)     # 512 bits: verified like pyca does
    sig = small.sign(b"m", padding.PKCS1v15(), hashes.SHA256())
    small.to_cryptography().public_key().verify(sig, b"m", padding.PKCS1v15(), hashes.SHA256())
    small.public_key().verify(small.to_cryptography().sign(b"m", padding.PKCS1v15(), hashes.SHA1()), b"m",
                              padding.PKCS1v15(), hashes.SHA1())
    with pytest.raises(ValueError, match="key size"):
        rsa.RSAPublicNumbers(65537, 2 ** 510 + 1).public_key()
    big = rsa.RSAPublicNumbers(65537, 2 ** 16383 + 2 ** 1000 + 1).public_key()   # the generic path at 256 words
    x = 3 ** 10000
    assert big._native.public_op(x) == pow(x, 65537, big.public_numbers().n)


def test_16384_bit_key_with_pyca():
    """OpenSSL's largest size: made once by provenum's keygen (tests/rsa/data), used both ways."""
    key = rsa.load_pem_private_key(read("rsa16384.pem"))
    theirs = key.to_cryptography()
    assert key.key_size == 16384
    sig = key.sign(b"big", padding.PSS(padding.MGF1(hashes.SHA512()), padding.PSS.MAX_LENGTH), hashes.SHA512())
    theirs.public_key().verify(sig, b"big", padding.PSS(padding.MGF1(hashes.SHA512()), padding.PSS.AUTO),
                               hashes.SHA512())
    key.public_key().verify(theirs.sign(b"big", padding.PKCS1v15(), hashes.SHA256()), b"big", padding.PKCS1v15(),
                            hashes.SHA256())
    oaep = padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), b"L")
    assert key.decrypt(theirs.public_key().encrypt(b"m", oaep), oaep) == b"m"
