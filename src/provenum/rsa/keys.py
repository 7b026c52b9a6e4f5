"""RSA keys with pyca/cryptography's interface, computing on provenum's native code.

    key = provenum.rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sig = key.sign(data, padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.MAX_LENGTH), hashes.SHA256())
    key.public_key().verify(sig, data, padding.PSS(...), hashes.SHA256())   # raises InvalidSignature
"""
from __future__ import annotations

import hmac
import math
import os

from cryptography.exceptions import InvalidSignature

from . import _digest, _native, emsa
from . import padding as _padding

MIN_KEY_BITS = 1024
MAX_KEY_BITS = 8192


def _check_public(n: int, e: int) -> None:
    if not isinstance(n, int) or not isinstance(e, int) or isinstance(n, bool) or isinstance(e, bool):
        raise TypeError("RSA numbers must be integers")
    if not MIN_KEY_BITS <= n.bit_length() <= MAX_KEY_BITS:
        raise ValueError(f"unsupported RSA key size {n.bit_length()} bits (supported: {MIN_KEY_BITS}..{MAX_KEY_BITS})")
    if n % 2 == 0:
        raise ValueError("RSA modulus must be odd")
    if e < 3 or e % 2 == 0:
        raise ValueError("RSA public exponent must be odd and >= 3")
    if e >= n:
        raise ValueError("RSA public exponent must be less than the modulus")


class RSAPublicNumbers:
    def __init__(self, e: int, n: int):
        if not isinstance(e, int) or not isinstance(n, int):
            raise TypeError("RSAPublicNumbers arguments must be integers")
        self._e, self._n = e, n

    e = property(lambda self: self._e)
    n = property(lambda self: self._n)

    def public_key(self, backend=None) -> "RSAPublicKey":
        return RSAPublicKey(self._n, self._e)

    def __eq__(self, other):
        return isinstance(other, RSAPublicNumbers) and (self.e, self.n) == (other.e, other.n)

    def __hash__(self):
        return hash((self.e, self.n))

    def __repr__(self):
        return f"<RSAPublicNumbers(e={self.e}, n={self.n})>"


class RSAPrivateNumbers:
    def __init__(self, p: int, q: int, d: int, dmp1: int, dmq1: int, iqmp: int, public_numbers: RSAPublicNumbers):
        if not all(isinstance(v, int) for v in (p, q, d, dmp1, dmq1, iqmp)):
            raise TypeError("RSAPrivateNumbers arguments must be integers")
        if not isinstance(public_numbers, RSAPublicNumbers):
            raise TypeError("public_numbers must be an RSAPublicNumbers instance")
        self.p, self.q, self.d, self.dmp1, self.dmq1, self.iqmp = p, q, d, dmp1, dmq1, iqmp
        self.public_numbers = public_numbers

    def private_key(self, backend=None, *, unsafe_skip_rsa_key_validation: bool = False) -> "RSAPrivateKey":
        return RSAPrivateKey._from_numbers(self, check=not unsafe_skip_rsa_key_validation)

    def __eq__(self, other):
        return isinstance(other, RSAPrivateNumbers) and (
            self.p, self.q, self.d, self.dmp1, self.dmq1, self.iqmp, self.public_numbers
        ) == (other.p, other.q, other.d, other.dmp1, other.dmq1, other.iqmp, other.public_numbers)

    def __hash__(self):
        return hash((self.p, self.q, self.d, self.public_numbers))


def rsa_crt_iqmp(p: int, q: int) -> int:
    return pow(q, -1, p)


def rsa_crt_dmp1(private_exponent: int, p: int) -> int:
    return private_exponent % (p - 1)


def rsa_crt_dmq1(private_exponent: int, q: int) -> int:
    return private_exponent % (q - 1)


def rsa_recover_prime_factors(n: int, e: int, d: int) -> tuple[int, int]:
    """(p, q) from (n, e, d) (RFC 8017 / NIST SP 800-56B appendix C), p > q."""
    k = d * e - 1
    if k <= 0 or k % 2:
        raise ValueError("d and e are inconsistent")
    t = (k & -k).bit_length() - 1
    odd = k >> t
    for g in range(2, 1000):
        x = pow(g, odd, n)
        for _ in range(t):
            y = x * x % n
            if y == 1 and x not in (1, n - 1):
                p = math.gcd(x - 1, n)
                q = n // p
                return max(p, q), min(p, q)
            x = y
    raise ValueError("could not factor the modulus from d")


class RSAPublicKey:
    """An RSA public key: verification runs on the native public operation."""

    def __init__(self, n: int, e: int):
        _check_public(n, e)
        self._n, self._e = n, e
        self._n_bytes = n.to_bytes((n.bit_length() + 7) // 8, "big")
        self._native = _native.NativePublicKey(n, e)

    @property
    def key_size(self) -> int:
        return self._n.bit_length()

    def public_numbers(self) -> RSAPublicNumbers:
        return RSAPublicNumbers(self._e, self._n)

    def public_bytes(self, encoding, format) -> bytes:
        from . import serialization

        return serialization.public_bytes(self, encoding, format)

    def __eq__(self, other):
        return isinstance(other, RSAPublicKey) and (self._n, self._e) == (other._n, other._e)

    def __hash__(self):
        return hash((self._n, self._e))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):  # immutable, and the native buffer cannot be copied
        return self

    def _encoded_message(self, signature: bytes) -> bytes:
        """s^e mod n as k bytes, after the checks every signature gets."""
        if not isinstance(signature, (bytes, bytearray, memoryview)):
            raise TypeError("signature must be bytes-like")
        signature = bytes(signature)
        k = len(self._n_bytes)
        if len(signature) != k:
            raise InvalidSignature(f"signature is {len(signature)} bytes, the key needs {k}")
        if signature >= self._n_bytes:  # equal lengths: byte order is numeric order
            raise InvalidSignature("signature representative is not less than the modulus")
        em = self._native.public_op_bytes(signature)
        if em is None:
            raise InvalidSignature("signature representative is not less than the modulus")
        return em

    def verify(self, signature: bytes, data: bytes, padding, algorithm) -> None:
        """Return None if `signature` is valid for `data`, else raise InvalidSignature."""
        pad = _padding.as_provenum(padding)
        mhash = _digest.digest(data, algorithm)
        hash_alg = _digest.check_algorithm(algorithm)
        em = self._encoded_message(signature)
        if isinstance(pad, _padding.PKCS1v15):
            try:
                expected = emsa.pkcs1v15_encode(mhash, hash_alg, len(em))
            except ValueError:
                raise InvalidSignature("digest too big for this key") from None
            if not hmac.compare_digest(em, expected):
                raise InvalidSignature("PKCS#1 v1.5 signature does not match")
            return
        mgf_alg = _digest.check_algorithm(pad.mgf._algorithm)
        salt = _verify_salt_length(pad._salt_length, self, hash_alg)
        em_bits = self.key_size - 1
        if (em_bits + 7) // 8 < len(em):  # modulus bits = 1 mod 8: the top byte must be zero
            if em[0]:
                raise InvalidSignature("PSS encoded message too long")
            em = em[1:]
        if not emsa.pss_verify(mhash, em, em_bits, hash_alg, mgf_alg, salt):
            raise InvalidSignature("PSS signature does not match")

    def recover_data_from_signature(self, signature, padding, algorithm):
        raise NotImplementedError("provenum does not implement signature data recovery")


def _verify_salt_length(salt, key, hash_alg):
    if isinstance(salt, _padding._Auto):
        return None
    if isinstance(salt, _padding._MaxLength):
        return _padding.calculate_max_pss_salt_length(key, hash_alg)
    if isinstance(salt, _padding._DigestLength):
        return hash_alg.digest_size
    return salt


def _sign_salt_length(salt, key, hash_alg) -> int:
    if isinstance(salt, _padding._Auto):
        raise ValueError("PSS salt length can only be set to AUTO when verifying")
    if isinstance(salt, _padding._MaxLength):
        return _padding.calculate_max_pss_salt_length(key, hash_alg)
    if isinstance(salt, _padding._DigestLength):
        return hash_alg.digest_size
    return salt


class RSAPrivateKey:
    """An RSA private key whose secrets live in native memory."""

    def __init__(self):  # use generate_private_key / load_* / RSAPrivateNumbers.private_key
        raise TypeError("create keys with generate_private_key(), a loader, or RSAPrivateNumbers.private_key()")

    @classmethod
    def _from_numbers(cls, numbers: RSAPrivateNumbers, check: bool = True) -> "RSAPrivateKey":
        pub = numbers.public_numbers
        n, e = pub.n, pub.e
        p, q, d = numbers.p, numbers.q, numbers.d
        _check_public(n, e)
        if check:
            _check_private(n, e, p, q, d, numbers.dmp1, numbers.dmq1, numbers.iqmp)
        elif p * q != n or p < 3 or q < 3 or p % 2 == 0 or q % 2 == 0:
            raise ValueError("p and q must be odd and multiply to the modulus")
        elif max(p.bit_length(), q.bit_length()) > MAX_KEY_BITS // 2:
            raise ValueError(f"p and q must each be at most {MAX_KEY_BITS // 2} bits")
        elif not 1 < d < n:  # unchecked keys still must fit the native buffers
            raise ValueError("private exponent out of range")
        self = object.__new__(cls)
        self._public = RSAPublicKey(n, e)
        # Garner's recombination wants p and q^-1 mod p; derive the CRT values
        # from p, q, d ourselves (this is the last Python arithmetic on them).
        self._native = _native.NativePrivateKey(
            n, e, p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p)
        )
        return self

    @property
    def key_size(self) -> int:
        return self._public.key_size

    def public_key(self) -> RSAPublicKey:
        return self._public

    def private_numbers(self) -> RSAPrivateNumbers:
        """The secret numbers, read back from native memory (for export; the
        CRT values are recomputed here with Python integers, as pyca exposes them)."""
        p, q, d = self._native.export()
        return RSAPrivateNumbers(
            p, q, d, rsa_crt_dmp1(d, p), rsa_crt_dmq1(d, q), rsa_crt_iqmp(p, q), self._public.public_numbers()
        )

    def private_bytes(self, encoding, format, encryption_algorithm) -> bytes:
        from . import serialization

        return serialization.private_bytes(self, encoding, format, encryption_algorithm)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):  # immutable, and the native buffer cannot be copied
        return self

    def sign(self, data: bytes, padding, algorithm) -> bytes:
        """Sign `data` (or a Prehashed digest) with PKCS#1 v1.5 or PSS padding."""
        pad = _padding.as_provenum(padding)
        mhash = _digest.digest(data, algorithm)
        hash_alg = _digest.check_algorithm(algorithm)
        k = (self.key_size + 7) // 8
        if isinstance(pad, _padding.PKCS1v15):
            em = emsa.pkcs1v15_encode(mhash, hash_alg, k)
        else:
            mgf_alg = _digest.check_algorithm(pad.mgf._algorithm)
            salt_len = _sign_salt_length(pad._salt_length, self, hash_alg)
            em = emsa.pss_encode(mhash, self.key_size - 1, hash_alg, mgf_alg, os.urandom(salt_len))
        return self._sign_encoded(em)

    def _sign_encoded(self, em: bytes, _fault: bool = False) -> bytes:
        """The RSA signature primitive on an encoded message (RSASP1)."""
        k = len(self._public._n_bytes)
        em = em.rjust(k, b"\x00")  # PSS encodings may be one byte shorter than n
        if len(em) != k or em >= self._public._n_bytes:
            raise ValueError("encoded message representative out of range")
        return self._native.private_op_bytes(em, _fault=_fault)


def _check_private(n, e, p, q, d, dmp1, dmq1, iqmp) -> None:
    """The consistency checks OpenSSL's RSA_check_key makes, minus primality."""
    if p < 3 or q < 3 or p % 2 == 0 or q % 2 == 0:
        raise ValueError("p and q must be odd primes")
    if p == q:
        raise ValueError("p and q must differ")
    if p * q != n:
        raise ValueError("p * q does not equal the modulus")
    if max(p.bit_length(), q.bit_length()) > MAX_KEY_BITS // 2:
        raise ValueError(f"p and q must each be at most {MAX_KEY_BITS // 2} bits")
    if not 1 < d < n:
        raise ValueError("private exponent out of range")
    lam = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
    if e * d % lam != 1:
        raise ValueError("private exponent does not match the public exponent")
    if dmp1 != d % (p - 1) or dmq1 != d % (q - 1):
        raise ValueError("CRT exponents do not match d")
    if iqmp * q % p != 1:
        raise ValueError("CRT coefficient is not q^-1 mod p")


def generate_private_key(public_exponent: int, key_size: int, backend=None) -> RSAPrivateKey:
    """A fresh key of `key_size` bits (a multiple of 64 from 1024 to 8192)."""
    from . import keygen

    n, e, p, q, d = keygen.generate_numbers(key_size, public_exponent)
    numbers = RSAPrivateNumbers(
        p, q, d, rsa_crt_dmp1(d, p), rsa_crt_dmq1(d, q), rsa_crt_iqmp(p, q), RSAPublicNumbers(e, n)
    )
    return numbers.private_key()
