"""Loading and saving RSA keys: PEM/DER (PKCS#1, PKCS#8, SubjectPublicKeyInfo) and OpenSSH.

The ASN.1 work is pyca/cryptography's (allowed: the arithmetic is ours); a
parsed key is converted to provenum's key, loaded into native memory, and
pyca's copy is dropped. Three-prime keys, which pyca refuses, are parsed
here (multiprime.py). Loaders raise pyca's exceptions for bad data and
passwords, and TypeError for keys that are not RSA.
"""
from __future__ import annotations

from cryptography.hazmat.primitives import serialization as _ser
from cryptography.hazmat.primitives.asymmetric import rsa as _pyca_rsa

from . import _asn1, _digest, multiprime
from .keyinfo import KeyAlgorithm, key_algorithm  # noqa: F401  (re-exported)
from .keys import RSAPrivateKey, RSAPublicKey
from .numbers import RSAPrivateNumbers, RSAPublicNumbers

Encoding = _ser.Encoding
PrivateFormat = _ser.PrivateFormat
PublicFormat = _ser.PublicFormat
NoEncryption = _ser.NoEncryption
BestAvailableEncryption = _ser.BestAvailableEncryption


def _bytes(data) -> bytes:
    return _digest.as_bytes(data)


def from_cryptography(key):
    """A provenum key with the numbers of a pyca RSA key (public or private);
    a provenum key is returned as it is."""
    if isinstance(key, (RSAPrivateKey, RSAPublicKey)):
        return key
    if isinstance(key, _pyca_rsa.RSAPrivateKey):
        return _from_pyca_private(key, check=False)
    if isinstance(key, _pyca_rsa.RSAPublicKey):
        return _from_pyca_public(key)
    raise TypeError(f"not an RSA key: {type(key).__name__}")


def _from_pyca_private(key, check: bool) -> RSAPrivateKey:
    if not isinstance(key, _pyca_rsa.RSAPrivateKey):
        raise TypeError(f"not an RSA private key: {type(key).__name__}")
    nums = key.private_numbers()
    pub = RSAPublicNumbers(nums.public_numbers.e, nums.public_numbers.n)
    return RSAPrivateNumbers(nums.p, nums.q, nums.d, nums.dmp1, nums.dmq1, nums.iqmp, pub).private_key(
        unsafe_skip_rsa_key_validation=not check
    )


def _from_pyca_public(key) -> RSAPublicKey:
    if not isinstance(key, _pyca_rsa.RSAPublicKey):
        raise TypeError(f"not an RSA public key: {type(key).__name__}")
    nums = key.public_numbers()
    return RSAPublicKey(nums.n, nums.e)


def _three_prime(data: bytes, pem: bool, password, check: bool) -> RSAPrivateKey | None:
    """The key if `data` is an unencrypted multi-prime RSA key, else None."""
    if password is not None:
        return None
    ders = [der for label, headers, der in _asn1.pem_blocks(data)
            if label in ("RSA PRIVATE KEY", "PRIVATE KEY") and not headers] if pem else [data]
    values = multiprime.parse_private_key(ders[0]) if ders else None
    return None if values is None else multiprime.load(values, check)


def _load_private(loader, data, password, pem: bool, check: bool) -> RSAPrivateKey:
    data = _bytes(data)
    try:
        key = loader(data, password, unsafe_skip_rsa_key_validation=True)
    except ValueError:
        key = _three_prime(data, pem, password, check)
        if key is None:
            raise
        return key
    return _from_pyca_private(key, check)


def load_pem_private_key(data: bytes, password: bytes | None = None, backend=None, *,
                         unsafe_skip_rsa_key_validation: bool = False) -> RSAPrivateKey:
    return _load_private(_ser.load_pem_private_key, data, password, True, not unsafe_skip_rsa_key_validation)


def load_der_private_key(data: bytes, password: bytes | None = None, backend=None, *,
                         unsafe_skip_rsa_key_validation: bool = False) -> RSAPrivateKey:
    return _load_private(_ser.load_der_private_key, data, password, False, not unsafe_skip_rsa_key_validation)


def load_pem_public_key(data: bytes, backend=None) -> RSAPublicKey:
    return _from_pyca_public(_ser.load_pem_public_key(_bytes(data)))


def load_der_public_key(data: bytes, backend=None) -> RSAPublicKey:
    return _from_pyca_public(_ser.load_der_public_key(_bytes(data)))


def load_ssh_public_key(data: bytes, backend=None) -> RSAPublicKey:
    """An "ssh-rsa AAAA..." line (RFC 4253), parsed by pyca."""
    return _from_pyca_public(_ser.load_ssh_public_key(_bytes(data)))


def load_ssh_private_key(data: bytes, password: bytes | None, backend=None, *,
                         unsafe_skip_rsa_key_validation: bool = False) -> RSAPrivateKey:
    """An "-----BEGIN OPENSSH PRIVATE KEY-----" file, parsed (and decrypted) by pyca."""
    return _from_pyca_private(_ser.load_ssh_private_key(_bytes(data), password),
                              not unsafe_skip_rsa_key_validation)


def load_private_key(data: bytes, password: bytes | None = None) -> RSAPrivateKey:
    """PEM, DER or OpenSSH, whichever `data` is."""
    data = _bytes(data)
    if data.lstrip().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----"):
        return load_ssh_private_key(data, password)
    if data.lstrip().startswith(b"-----"):
        return load_pem_private_key(data, password)
    return load_der_private_key(data, password)


def load_public_key(data: bytes) -> RSAPublicKey:
    """A public key from PEM, DER or an OpenSSH line; a private key's file also yields its public key."""
    data = _bytes(data)
    stripped = data.lstrip()
    if stripped.startswith(b"ssh-rsa "):
        return load_ssh_public_key(data)
    try:
        return load_pem_public_key(data) if stripped.startswith(b"-----") else load_der_public_key(data)
    except ValueError:
        try:
            return load_private_key(data).public_key()
        except (ValueError, TypeError):
            pass
        raise


def private_bytes(key: RSAPrivateKey, encoding, format, encryption_algorithm) -> bytes:
    if key._other_primes is None:
        return key.to_cryptography().private_bytes(encoding, format, encryption_algorithm)
    if not isinstance(encryption_algorithm, _ser.NoEncryption):
        raise ValueError("three-prime keys are written unencrypted only (pyca cannot hold them)")
    der = multiprime.private_key_der(key)
    if format == _ser.PrivateFormat.PKCS8:
        der, label = multiprime.pkcs8_der(der), "PRIVATE KEY"
    elif format == _ser.PrivateFormat.TraditionalOpenSSL:
        label = "RSA PRIVATE KEY"
    else:
        raise ValueError("format is invalid with this key")
    if encoding == _ser.Encoding.DER:
        return der
    if encoding == _ser.Encoding.PEM:
        return _asn1.pem(label, der)
    raise ValueError("encoding is invalid with this key")


def public_bytes(key: RSAPublicKey, encoding, format) -> bytes:
    return key.to_cryptography().public_bytes(encoding, format)


def to_pyca_private(key: RSAPrivateKey):
    return key.to_cryptography()


def to_pyca_public(key: RSAPublicKey):
    return key.to_cryptography()
