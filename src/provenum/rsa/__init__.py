"""RSA on provenum's kernels, with pyca/cryptography's interface.

Switch from pyca by changing imports:

    from provenum.rsa import generate_private_key, padding, hashes
    key = generate_private_key(public_exponent=65537, key_size=2048)
    sig = key.sign(b"msg", padding.PKCS1v15(), hashes.SHA256())
    key.public_key().verify(sig, b"msg", padding.PKCS1v15(), hashes.SHA256())
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    key.decrypt(key.public_key().encrypt(b"secret", oaep), oaep)

Hash objects, padding classes, Prehashed, NoDigestInfo and the exceptions
are pyca's own, so mixed code keeps working; provenum's key classes
subclass pyca's RSA key interfaces (see docs/rsa.md for what then runs where).
"""
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.utils import NoDigestInfo, Prehashed

from . import padding
from ._native import FaultDetected
from .keys import RSAPrivateKey, RSAPublicKey, generate_private_key
from .numbers import (
    RSAPrivateNumbers,
    RSAPublicNumbers,
    rsa_crt_dmp1,
    rsa_crt_dmq1,
    rsa_crt_iqmp,
    rsa_recover_prime_factors,
    rsa_recover_private_exponent,
)
from .serialization import (
    from_cryptography,
    load_der_private_key,
    load_der_public_key,
    load_pem_private_key,
    load_pem_public_key,
    load_private_key,
    load_public_key,
    load_ssh_private_key,
    load_ssh_public_key,
)

RSAPrivateKeyWithSerialization = RSAPrivateKey  # pyca's aliases
RSAPublicKeyWithSerialization = RSAPublicKey

__all__ = [
    "FaultDetected", "InvalidSignature", "NoDigestInfo", "Prehashed", "RSAPrivateKey",
    "RSAPrivateKeyWithSerialization", "RSAPrivateNumbers", "RSAPublicKey", "RSAPublicKeyWithSerialization",
    "RSAPublicNumbers", "UnsupportedAlgorithm", "from_cryptography", "generate_private_key", "hashes",
    "load_der_private_key", "load_der_public_key", "load_pem_private_key", "load_pem_public_key",
    "load_private_key", "load_public_key", "load_ssh_private_key", "load_ssh_public_key", "padding",
    "rsa_crt_dmp1", "rsa_crt_dmq1", "rsa_crt_iqmp", "rsa_recover_prime_factors", "rsa_recover_private_exponent",
]
