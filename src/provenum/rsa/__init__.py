"""RSA signatures on provenum's kernels, with pyca/cryptography's interface.

Switch from pyca by changing imports:

    from provenum.rsa import generate_private_key, padding, hashes
    key = generate_private_key(public_exponent=65537, key_size=2048)
    sig = key.sign(b"msg", padding.PKCS1v15(), hashes.SHA256())
    key.public_key().verify(sig, b"msg", padding.PKCS1v15(), hashes.SHA256())

Hash objects, Prehashed and InvalidSignature are pyca's own, so mixed code
keeps working.
"""
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from . import padding
from ._native import FaultDetected
from .keys import (
    RSAPrivateKey,
    RSAPrivateNumbers,
    RSAPublicKey,
    RSAPublicNumbers,
    generate_private_key,
    rsa_crt_dmp1,
    rsa_crt_dmq1,
    rsa_crt_iqmp,
    rsa_recover_prime_factors,
)
from .serialization import (
    load_der_private_key,
    load_der_public_key,
    load_pem_private_key,
    load_pem_public_key,
    load_private_key,
    load_public_key,
)

__all__ = [
    "FaultDetected", "InvalidSignature", "Prehashed", "RSAPrivateKey", "RSAPrivateNumbers",
    "RSAPublicKey", "RSAPublicNumbers", "generate_private_key", "hashes", "load_der_private_key",
    "load_der_public_key", "load_pem_private_key", "load_pem_public_key", "load_private_key",
    "load_public_key", "padding", "rsa_crt_dmp1", "rsa_crt_dmq1", "rsa_crt_iqmp",
    "rsa_recover_prime_factors",
]
