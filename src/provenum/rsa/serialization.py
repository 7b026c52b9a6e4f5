"""Loading and saving RSA keys as PEM/DER (PKCS#1, PKCS#8, SubjectPublicKeyInfo).

The ASN.1 work is pyca/cryptography's (allowed: the arithmetic is ours); a
parsed key is converted to provenum's key, loaded into native memory, and
pyca's copy is dropped.
"""
from __future__ import annotations

from cryptography.hazmat.primitives import serialization as _ser
from cryptography.hazmat.primitives.asymmetric import rsa as _pyca_rsa

from .keys import RSAPrivateKey, RSAPrivateNumbers, RSAPublicKey, RSAPublicNumbers

Encoding = _ser.Encoding
PrivateFormat = _ser.PrivateFormat
PublicFormat = _ser.PublicFormat
NoEncryption = _ser.NoEncryption
BestAvailableEncryption = _ser.BestAvailableEncryption


def _bytes(data) -> bytes:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("key data must be bytes")
    return bytes(data)


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


def load_pem_private_key(data: bytes, password: bytes | None = None, backend=None, *,
                         unsafe_skip_rsa_key_validation: bool = False) -> RSAPrivateKey:
    key = _ser.load_pem_private_key(_bytes(data), password, unsafe_skip_rsa_key_validation=True)
    return _from_pyca_private(key, not unsafe_skip_rsa_key_validation)


def load_der_private_key(data: bytes, password: bytes | None = None, backend=None, *,
                         unsafe_skip_rsa_key_validation: bool = False) -> RSAPrivateKey:
    key = _ser.load_der_private_key(_bytes(data), password, unsafe_skip_rsa_key_validation=True)
    return _from_pyca_private(key, not unsafe_skip_rsa_key_validation)


def load_pem_public_key(data: bytes, backend=None) -> RSAPublicKey:
    return _from_pyca_public(_ser.load_pem_public_key(_bytes(data)))


def load_der_public_key(data: bytes, backend=None) -> RSAPublicKey:
    return _from_pyca_public(_ser.load_der_public_key(_bytes(data)))


def load_private_key(data: bytes, password: bytes | None = None) -> RSAPrivateKey:
    """PEM or DER, whichever `data` is."""
    data = _bytes(data)
    if data.lstrip().startswith(b"-----"):
        return load_pem_private_key(data, password)
    return load_der_private_key(data, password)


def load_public_key(data: bytes) -> RSAPublicKey:
    """A public key from PEM or DER; a private key's file also yields its public key."""
    data = _bytes(data)
    pem = data.lstrip().startswith(b"-----")
    try:
        return load_pem_public_key(data) if pem else load_der_public_key(data)
    except ValueError:
        try:
            return load_private_key(data).public_key()
        except (ValueError, TypeError):
            pass
        raise


def to_pyca_private(key: RSAPrivateKey):
    n = key.private_numbers()
    pub = _pyca_rsa.RSAPublicNumbers(n.public_numbers.e, n.public_numbers.n)
    return _pyca_rsa.RSAPrivateNumbers(n.p, n.q, n.d, n.dmp1, n.dmq1, n.iqmp, pub).private_key(
        unsafe_skip_rsa_key_validation=True
    )


def to_pyca_public(key: RSAPublicKey):
    n = key.public_numbers()
    return _pyca_rsa.RSAPublicNumbers(n.e, n.n).public_key()


def private_bytes(key: RSAPrivateKey, encoding, format, encryption_algorithm) -> bytes:
    return to_pyca_private(key).private_bytes(encoding, format, encryption_algorithm)


def public_bytes(key: RSAPublicKey, encoding, format) -> bytes:
    return to_pyca_public(key).public_bytes(encoding, format)
