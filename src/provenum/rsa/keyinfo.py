"""What kind of RSA key a PEM/DER blob holds: rsaEncryption, or id-RSASSA-PSS with its restrictions.

pyca/cryptography loads an RSA-PSS key (RFC 4055: SubjectPublicKeyInfo or
PKCS#8 with algorithm id-RSASSA-PSS) as a plain RSA key and drops what its
algorithm identifier says; provenum's loaders do the same, for
compatibility. key_algorithm() reads that identifier, so that callers who
must honour it can: the command line uses a PSS key only for PSS, with the
key's hash and MGF1 hash and at least its salt length, as openssl does.

Encrypted PKCS#8 (PBES2 with PBKDF2 or scrypt, AES-CBC or 3DES-CBC: what
openssl and pyca write) is opened with pyca's primitives to read the inner
algorithm; for other encryption schemes the algorithm is reported unknown.
"""
from __future__ import annotations

import dataclasses

from cryptography.hazmat.primitives import hashes

from . import _asn1
from ._digest import DIGEST_INFO_OIDS

RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
RSASSA_PSS = "1.2.840.113549.1.1.10"
MGF1 = "1.2.840.113549.1.1.8"
_HASHES = {oid: name for name, oid in DIGEST_INFO_OIDS.items()}
_HASH_CLASSES = {"md5": hashes.MD5, "sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
                 "sha384": hashes.SHA384, "sha512": hashes.SHA512, "sha512-224": hashes.SHA512_224,
                 "sha512-256": hashes.SHA512_256, "sha3-224": hashes.SHA3_224, "sha3-256": hashes.SHA3_256,
                 "sha3-384": hashes.SHA3_384, "sha3-512": hashes.SHA3_512, "sm3": hashes.SM3}


@dataclasses.dataclass(frozen=True)
class KeyAlgorithm:
    """The algorithm a key's encoding names.

    kind: "rsa" (rsaEncryption, or PKCS#1 structures, which name none),
    "rsa-pss" (id-RSASSA-PSS), or "unknown" (not readable here: an encryption
    scheme provenum does not open, or not a key). For "rsa-pss", `restricted`
    says whether parameters were present; then hash_algorithm, mgf_algorithm
    and min_salt_length are what they fix (RFC 4055 section 3.1: the salt
    length of a key is a minimum).
    """

    kind: str
    restricted: bool = False
    hash_algorithm: hashes.HashAlgorithm | None = None
    mgf_algorithm: hashes.HashAlgorithm | None = None
    min_salt_length: int | None = None


def _hash_from(reader: _asn1.Reader) -> hashes.HashAlgorithm:
    alg = reader.sequence()
    name = _HASHES.get(alg.oid())
    if name is None:
        raise ValueError("unsupported hash in RSASSA-PSS parameters")
    if not alg.done():
        alg.read(_asn1.NULL)
    return _HASH_CLASSES[name]()


def pss_parameters(body: bytes | None) -> KeyAlgorithm:
    """RSASSA-PSS-params (RFC 8017 A.2.3) with its defaults: SHA-1, MGF1-SHA-1, 20."""
    if body is None:
        return KeyAlgorithm("rsa-pss")
    r = _asn1.Reader(body)
    hash_alg, mgf_alg, salt = hashes.SHA1(), hashes.SHA1(), 20
    if r.peek_tag() == 0xA0:
        hash_alg = _hash_from(_asn1.Reader(r.read()[1]))
    if r.peek_tag() == 0xA1:
        mgf = _asn1.Reader(r.read()[1]).sequence()
        if mgf.oid() != MGF1:
            raise ValueError("unsupported mask generation function in RSASSA-PSS parameters")
        mgf_alg = _hash_from(mgf)
    if r.peek_tag() == 0xA2:
        salt = _asn1.Reader(r.read()[1]).integer()
    if r.peek_tag() == 0xA3 and _asn1.Reader(r.read()[1]).integer() != 1:
        raise ValueError("unsupported RSASSA-PSS trailer field")
    if not r.done():
        raise ValueError("bad RSASSA-PSS parameters")
    return KeyAlgorithm("rsa-pss", True, hash_alg, mgf_alg, salt)


def _algorithm_identifier(reader: _asn1.Reader) -> KeyAlgorithm:
    alg = reader.sequence()
    oid = alg.oid()
    if oid == RSA_ENCRYPTION:
        return KeyAlgorithm("rsa")
    if oid == RSASSA_PSS:
        if alg.done():
            return pss_parameters(None)
        tag, body = alg.read()
        return pss_parameters(body if tag == _asn1.SEQUENCE else None)
    return KeyAlgorithm("unknown")


def _from_der(der: bytes, password: bytes | None) -> KeyAlgorithm:
    seq = _asn1.read_single(der)
    first = seq.peek_tag()
    if first == _asn1.SEQUENCE:                 # SubjectPublicKeyInfo, or EncryptedPrivateKeyInfo
        probe = _asn1.Reader(seq.data)
        alg = probe.sequence()
        oid = alg.oid()
        if oid == PBES2:
            tag, params = alg.read(_asn1.SEQUENCE)
            data = probe.read(_asn1.OCTET_STRING)[1]
            inner = _pbes2_decrypt(params, data, password)
            return KeyAlgorithm("unknown") if inner is None else _from_der(inner, None)
        return _algorithm_identifier(seq)
    if first == _asn1.INTEGER:                  # PKCS#8 PrivateKeyInfo, or PKCS#1 RSAPrivateKey
        seq.integer()
        if seq.peek_tag() == _asn1.SEQUENCE:
            return _algorithm_identifier(seq)
        return KeyAlgorithm("rsa")
    return KeyAlgorithm("unknown")


def key_algorithm(data: bytes, password: bytes | None = None) -> KeyAlgorithm:
    """The algorithm the key in `data` (PEM or DER, public or private) is for."""
    data = bytes(data)
    try:
        if data.lstrip().startswith(b"-----"):
            blocks = _asn1.pem_blocks(data)
            if not blocks:
                return KeyAlgorithm("unknown")
            label, headers, der = blocks[0]
            if label.startswith("RSA ") or "DEK-Info" in headers:   # PKCS#1: names no algorithm
                return KeyAlgorithm("rsa")
            return _from_der(der, password)
        return _from_der(data, password)
    except ValueError:
        return KeyAlgorithm("unknown")


# ---- PBES2 (RFC 8018 6.2), read with pyca's symmetric primitives ----------

PBES2 = "1.2.840.113549.1.5.13"
_PBKDF2 = "1.2.840.113549.1.5.12"
_SCRYPT = "1.3.6.1.4.1.11591.4.11"
_PRFS = {"1.2.840.113549.2.7": hashes.SHA1, "1.2.840.113549.2.8": hashes.SHA224,
         "1.2.840.113549.2.9": hashes.SHA256, "1.2.840.113549.2.10": hashes.SHA384,
         "1.2.840.113549.2.11": hashes.SHA512}
_CIPHERS = {"2.16.840.1.101.3.4.1.2": ("aes", 16), "2.16.840.1.101.3.4.1.22": ("aes", 24),
            "2.16.840.1.101.3.4.1.42": ("aes", 32), "1.2.840.113549.3.7": ("3des", 24)}


def _pbes2_decrypt(params: bytes, data: bytes, password: bytes | None) -> bytes | None:
    """The DER inside an EncryptedPrivateKeyInfo, or None when it cannot be opened here."""
    from cryptography.hazmat.primitives import padding as sym_padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if password is None:
        return None
    r = _asn1.Reader(params)
    kdf, scheme = r.sequence(), r.sequence()
    kdf_oid, kdf_params = kdf.oid(), kdf.sequence()
    cipher = _CIPHERS.get(scheme.oid())
    if cipher is None:
        return None
    iv = scheme.read(_asn1.OCTET_STRING)[1]
    name, key_len = cipher
    salt = kdf_params.read(_asn1.OCTET_STRING)[1]
    if kdf_oid == _PBKDF2:
        from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

        iterations = kdf_params.integer()
        if kdf_params.peek_tag() == _asn1.INTEGER:
            key_len = kdf_params.integer()
        prf = hashes.SHA1
        if kdf_params.peek_tag() == _asn1.SEQUENCE:
            prf = _PRFS.get(kdf_params.sequence().oid())
            if prf is None:
                return None
        key = PBKDF2HMAC(prf(), key_len, salt, iterations).derive(password)
    elif kdf_oid == _SCRYPT:
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        n, block, par = kdf_params.integer(), kdf_params.integer(), kdf_params.integer()
        key = Scrypt(salt, key_len, n, block, par).derive(password)
    else:
        return None
    if name == "aes":
        algorithm, block_bits = algorithms.AES(key), 128
    else:
        try:
            from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
        except ImportError:  # pragma: no cover - older pyca
            TripleDES = algorithms.TripleDES
        algorithm, block_bits = TripleDES(key), 64
    decryptor = Cipher(algorithm, modes.CBC(iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = sym_padding.PKCS7(block_bits).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        return None  # wrong password: the loader itself reports that


CIPHERS = {"aes-128-cbc": "2.16.840.1.101.3.4.1.2", "aes-192-cbc": "2.16.840.1.101.3.4.1.22",
           "aes-256-cbc": "2.16.840.1.101.3.4.1.42"}
PBKDF2_ITERATIONS = 100_000


def encrypt_pkcs8(private_key_info: bytes, password: bytes, cipher: str = "aes-256-cbc") -> bytes:
    """EncryptedPrivateKeyInfo (PBES2: PBKDF2-HMAC-SHA-256, AES-CBC) around a PKCS#8 DER,
    as `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256` writes it."""
    import os

    from cryptography.hazmat.primitives import padding as sym_padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    oid = CIPHERS[cipher]
    key_len = _CIPHERS[oid][1]
    salt, iv = os.urandom(16), os.urandom(16)
    key = PBKDF2HMAC(hashes.SHA256(), key_len, salt, PBKDF2_ITERATIONS).derive(password)
    padder = sym_padding.PKCS7(128).padder()
    padded = padder.update(private_key_info) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    data = encryptor.update(padded) + encryptor.finalize()
    kdf = _asn1.sequence(_asn1.oid(_PBKDF2), _asn1.sequence(
        _asn1.tlv(_asn1.OCTET_STRING, salt), _asn1.integer(PBKDF2_ITERATIONS), _asn1.integer(key_len),
        _asn1.sequence(_asn1.oid("1.2.840.113549.2.9"), b"\x05\x00")))
    scheme = _asn1.sequence(_asn1.oid(oid), _asn1.tlv(_asn1.OCTET_STRING, iv))
    return _asn1.sequence(_asn1.sequence(_asn1.oid(PBES2), _asn1.sequence(kdf, scheme)),
                          _asn1.tlv(_asn1.OCTET_STRING, data))
