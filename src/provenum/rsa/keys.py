"""RSA keys with pyca/cryptography's interface, computing on provenum's native code.

    key = provenum.rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sig = key.sign(data, padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.MAX_LENGTH), hashes.SHA256())
    key.public_key().verify(sig, data, padding.PSS(...), hashes.SHA256())   # raises InvalidSignature
    ct = key.public_key().encrypt(b"secret", padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None))
    key.decrypt(ct, padding.OAEP(...))

The key classes subclass pyca's abstract RSAPublicKey / RSAPrivateKey (the
interfaces pyca documents for keys it does not implement itself), so
isinstance checks in pyca and in third-party code accept them; equality
holds between a provenum key and a pyca key with the same numbers.
to_cryptography() / from_cryptography() convert for the pyca features that
need pyca's own key objects (see docs/rsa.md).
"""
from __future__ import annotations

import hmac
import math
import os

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa as _pyca
from cryptography.hazmat.primitives.asymmetric.padding import (
    MGF1, OAEP, PSS, AsymmetricPadding, PKCS1v15, _Auto, _DigestLength, _MaxLength)
from cryptography.hazmat.primitives.asymmetric.utils import NoDigestInfo, Prehashed

from . import _digest, _native, eme, emsa
from .numbers import RSAPrivateNumbers, RSAPublicNumbers, rsa_crt_dmp1, rsa_crt_dmq1, rsa_crt_iqmp
from .padding import MGFSHAKE

MIN_KEY_BITS = 512       # smaller keys are refused (pyca would load them)
MAX_KEY_BITS = 16384     # OpenSSL's limit for RSA operations, and so pyca's


def _check_public(n: int, e: int) -> None:
    if not isinstance(n, int) or not isinstance(e, int) or isinstance(n, bool) or isinstance(e, bool):
        raise TypeError("RSA numbers must be integers")
    if e < 3 or e >= n:
        raise ValueError("e must be >= 3 and < n.")
    if e % 2 == 0:
        raise ValueError("e must be odd.")
    if not MIN_KEY_BITS <= n.bit_length() <= MAX_KEY_BITS:
        raise ValueError(f"unsupported RSA key size {n.bit_length()} bits "
                         f"(supported: {MIN_KEY_BITS}..{MAX_KEY_BITS})")
    if n % 2 == 0:
        raise ValueError("RSA modulus must be odd")


def _check_padding(padding) -> AsymmetricPadding:
    if not isinstance(padding, AsymmetricPadding):
        raise TypeError("Padding must be an instance of AsymmetricPadding.")
    return padding


def _bytes_only(data, what: str = "bytes") -> bytes:
    if not isinstance(data, bytes):
        raise TypeError(f"'{type(data).__name__}' object is not an instance of '{what}'")
    return data


def _pss_hashes(pad: PSS, algorithm):
    """(message hash, mask hash) of a PSS padding, validated."""
    mgf = pad._mgf
    if isinstance(mgf, MGFSHAKE):
        hash_alg = _digest.check_algorithm(algorithm, xof=True)
        want = {"shake128": 32, "shake256": 64}.get(hash_alg.name)
        if mgf._algorithm.name != hash_alg.name or hash_alg.digest_size != want:
            raise UnsupportedAlgorithm("MGFSHAKE needs the same SHAKE as the message hash, with RFC 8702's "
                                       "output length (SHAKE128: 32 bytes, SHAKE256: 64)")
        return hash_alg, mgf._algorithm
    if not isinstance(mgf, MGF1):
        raise UnsupportedAlgorithm("Only MGF1 is supported.")
    return _digest.check_algorithm(algorithm), _digest.check_algorithm(mgf._algorithm)


def _salt_length(salt, key, hash_alg, signing: bool):
    """The salt length to sign with, or to require when verifying (None: any).
    As in OpenSSL (and so pyca), MAX_LENGTH accepts any salt length on verification."""
    if isinstance(salt, _Auto):
        if signing:
            raise ValueError("PSS salt length can only be set to Auto when verifying")
        return None
    if isinstance(salt, _MaxLength) and not signing:
        return None
    if isinstance(salt, _MaxLength):
        return max((key.key_size + 6) // 8 - hash_alg.digest_size - 2, 0)
    if isinstance(salt, _DigestLength):
        return hash_alg.digest_size
    return salt


def _oaep_hashes(pad: OAEP):
    """(hash, MGF1 hash, label) of an OAEP padding: SHA-1 and the SHA-2 family."""
    mgf = pad._mgf
    if not isinstance(mgf, MGF1):
        raise UnsupportedAlgorithm("Only MGF1 is supported.")
    for alg in (pad._algorithm, mgf._algorithm):
        _digest.expect_hash(alg)
        if alg.name not in _digest.NATIVE_HASH_IDS:
            raise UnsupportedAlgorithm("This combination of padding and hash algorithm is not supported")
    label = b"" if pad._label is None else pad._label
    if not isinstance(label, (bytes, bytearray)):
        raise TypeError(f"'{type(label).__name__}' object is not an instance of 'bytes | bytearray'")
    return pad._algorithm, mgf._algorithm, bytes(label)


class RSAPublicKey(_pyca.RSAPublicKey):
    """An RSA public key: verification and encryption run on the native public operation."""

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

    def to_cryptography(self) -> _pyca.RSAPublicKey:
        """pyca's own key object with the same numbers."""
        return _pyca.RSAPublicNumbers(self._e, self._n).public_key()

    def __eq__(self, other):
        if isinstance(other, RSAPublicKey):
            return (self._n, self._e) == (other._n, other._e)
        if isinstance(other, _pyca.RSAPublicKey):
            theirs = other.public_numbers()
            return (self._n, self._e) == (theirs.n, theirs.e)
        return NotImplemented

    __hash__ = None  # like pyca's public keys: comparable, not hashable

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):  # immutable, and the native buffer cannot be copied
        return self

    def _encoded_message(self, signature) -> bytes:
        """s^e mod n as k bytes, after the checks every signature gets."""
        signature = _digest.as_bytes(signature)
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
        self._verify(signature, data, padding, algorithm)

    def _verify(self, signature, data, padding, algorithm) -> int | None:
        """verify(); a valid PSS signature's salt length is returned (the command
        line checks it against an RSA-PSS key's minimum)."""
        signature, data = _digest.as_bytes(signature), _digest.as_bytes(data)
        pad = _check_padding(padding)
        if isinstance(pad, PKCS1v15):
            hash_alg = None if isinstance(algorithm, NoDigestInfo) else _digest.check_algorithm(algorithm)
            mhash = _digest.digest(data, algorithm)
            em = self._encoded_message(signature)
            try:
                expected = emsa.pkcs1v15_encode(mhash, hash_alg, len(em))
            except ValueError:
                raise InvalidSignature("digest too big for this key") from None
            if not hmac.compare_digest(em, expected):
                raise InvalidSignature("PKCS#1 v1.5 signature does not match")
            return
        if not isinstance(pad, PSS):
            raise UnsupportedAlgorithm(f"{pad.name} is not supported by this backend.")
        hash_alg, mgf_alg = _pss_hashes(pad, algorithm)
        mhash = _digest.digest(data, algorithm)
        salt = _salt_length(pad._salt_length, self, hash_alg, signing=False)
        em = self._encoded_message(signature)
        em_bits = self.key_size - 1
        if (em_bits + 7) // 8 < len(em):  # modulus bits = 1 mod 8: the top byte must be zero
            if em[0]:
                raise InvalidSignature("PSS encoded message too long")
            em = em[1:]
        found = emsa.pss_salt_length(mhash, em, em_bits, hash_alg, mgf_alg)
        if found is None or (salt is not None and found != salt):
            raise InvalidSignature("PSS signature does not match")
        return found

    def recover_data_from_signature(self, signature: bytes, padding, algorithm) -> bytes:
        """The signed data of a PKCS#1 v1.5 signature: the digest (algorithm
        given), or the whole DigestInfo-or-data T (algorithm None or NoDigestInfo)."""
        if isinstance(algorithm, Prehashed):
            raise TypeError("Prehashed is only supported in the sign and verify methods. "
                            "It cannot be used with recover_data_from_signature.")
        pad = _check_padding(padding)
        raw = isinstance(pad, PKCS1v15) and (algorithm is None or isinstance(algorithm, NoDigestInfo))
        if not raw:
            _digest.expect_hash(algorithm)
            if not isinstance(pad, PKCS1v15):
                raise UnsupportedAlgorithm(f"{pad.name} is not supported for the RSA signature operation")
            algorithm = _digest.check_algorithm(algorithm)
        t = emsa.pkcs1v15_recover(self._encoded_message(signature))
        if t is None:
            raise InvalidSignature("not a PKCS#1 v1.5 signature block")
        if raw:
            return t
        prefix = _digest.digest_info_prefix(algorithm)
        if len(t) != len(prefix) + algorithm.digest_size or not t.startswith(prefix):
            raise InvalidSignature(f"the signed DigestInfo is not {algorithm.name}'s")
        return t[len(prefix):]

    def encrypt(self, plaintext: bytes, padding) -> bytes:
        """RSAES-OAEP or RSAES-PKCS1-v1_5 encryption of `plaintext`."""
        plaintext = _bytes_only(plaintext)
        pad = _check_padding(padding)
        k = len(self._n_bytes)
        if isinstance(pad, OAEP):
            hash_alg, mgf_alg, label = _oaep_hashes(pad)
            em = eme.oaep_encode(plaintext, k, hash_alg, mgf_alg, label)
        elif isinstance(pad, PKCS1v15):
            em = eme.pkcs1v15_encode(plaintext, k)
        else:
            raise UnsupportedAlgorithm(f"{pad.name} is not supported by this backend.")
        if em is None:
            raise ValueError("Encryption failed")
        return self._native.public_op_bytes(em)


class RSAPrivateKey(_pyca.RSAPrivateKey):
    """An RSA private key whose secrets live in native memory."""

    def __init__(self):  # use generate_private_key / load_* / RSAPrivateNumbers.private_key
        raise TypeError("create keys with generate_private_key(), a loader, or RSAPrivateNumbers.private_key()")

    @classmethod
    def _from_native(cls, public: RSAPublicKey, native_key, other_primes=None) -> "RSAPrivateKey":
        self = object.__new__(cls)
        self._public, self._native = public, native_key
        # three-prime keys: (p, q*r) in native memory; other_primes says how to
        # split q*r again for serialisation (see multiprime.py)
        self._other_primes = other_primes
        return self

    @classmethod
    def _from_numbers(cls, numbers: RSAPrivateNumbers, check: bool = True) -> "RSAPrivateKey":
        pub = numbers.public_numbers
        n, e = pub.n, pub.e
        p, q, d = numbers.p, numbers.q, numbers.d
        _check_components(n, e, p, q, d, numbers.dmp1, numbers.dmq1, numbers.iqmp)
        public = RSAPublicKey(n, e)
        if check:
            _check_consistent(n, e, p, q, d, numbers.dmp1, numbers.dmq1, numbers.iqmp)
        # Garner's recombination wants p and q^-1 mod p; derive the CRT values
        # from p, q, d ourselves (this is the last Python arithmetic on them).
        return cls._from_native(public, _native.NativePrivateKey(
            n, e, p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p)))

    @property
    def key_size(self) -> int:
        return self._public.key_size

    def public_key(self) -> RSAPublicKey:
        return self._public

    def private_numbers(self) -> RSAPrivateNumbers:
        """The secret numbers, read back from native memory (for export; the
        CRT values are recomputed here with Python integers, as pyca exposes them)."""
        if self._other_primes is not None:
            raise ValueError("a three-prime key has no RSAPrivateNumbers (pyca's numbers hold two primes); "
                             "serialise it with private_bytes()")
        p, q, d = self._native.export()
        return RSAPrivateNumbers(
            p, q, d, rsa_crt_dmp1(d, p), rsa_crt_dmq1(d, q), rsa_crt_iqmp(p, q), self._public.public_numbers()
        )

    def private_bytes(self, encoding, format, encryption_algorithm) -> bytes:
        from . import serialization

        return serialization.private_bytes(self, encoding, format, encryption_algorithm)

    def to_cryptography(self) -> _pyca.RSAPrivateKey:
        """pyca's own key object with the same numbers (the secrets pass through
        Python integers on the way, as with private_numbers())."""
        n = self.private_numbers()
        pub = _pyca.RSAPublicNumbers(n.public_numbers.e, n.public_numbers.n)
        return _pyca.RSAPrivateNumbers(n.p, n.q, n.d, n.dmp1, n.dmq1, n.iqmp, pub).private_key(
            unsafe_skip_rsa_key_validation=True)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):  # immutable, and the native buffer cannot be copied
        return self

    def sign(self, data: bytes, padding, algorithm) -> bytes:
        """Sign `data` (or a Prehashed digest, or with NoDigestInfo the data as
        it is) with PKCS#1 v1.5 or PSS padding."""
        data = _digest.as_bytes(data)
        pad = _check_padding(padding)
        k = (self.key_size + 7) // 8
        if isinstance(pad, PKCS1v15):
            hash_alg = None if isinstance(algorithm, NoDigestInfo) else _digest.check_algorithm(algorithm)
            em = emsa.pkcs1v15_encode(_digest.digest(data, algorithm), hash_alg, k)
        elif isinstance(pad, PSS):
            hash_alg, mgf_alg = _pss_hashes(pad, algorithm)
            mhash = _digest.digest(data, algorithm)
            salt_len = _salt_length(pad._salt_length, self, hash_alg, signing=True)
            em = emsa.pss_encode(mhash, self.key_size - 1, hash_alg, mgf_alg, os.urandom(salt_len))
        else:
            raise UnsupportedAlgorithm(f"{pad.name} is not supported by this backend.")
        return self._sign_encoded(em)

    def _sign_encoded(self, em: bytes, _fault: bool = False) -> bytes:
        """The RSA signature primitive on an encoded message (RSASP1)."""
        k = len(self._public._n_bytes)
        em = em.rjust(k, b"\x00")  # PSS encodings may be one byte shorter than n
        if len(em) != k or em >= self._public._n_bytes:
            raise ValueError("encoded message representative out of range")
        return self._native.private_op_bytes(em, _fault=_fault)

    def decrypt(self, ciphertext: bytes, padding) -> bytes:
        """RSAES-OAEP or RSAES-PKCS1-v1_5 decryption, on the native private path.

        OAEP raises ValueError("Decryption failed") for any invalid ciphertext.
        PKCS#1 v1.5 never reports a bad padding: it returns a synthetic message
        derived from the ciphertext and the key instead (implicit rejection, as
        OpenSSL since 3.2 and pyca with it); see docs/rsa.md.
        """
        ciphertext = _bytes_only(ciphertext)
        pad = _check_padding(padding)
        if not isinstance(pad, (OAEP, PKCS1v15)):
            raise UnsupportedAlgorithm(f"{pad.name} is not supported by this backend.")
        if isinstance(pad, OAEP):
            hash_alg, mgf_alg, label = _oaep_hashes(pad)
        k = len(self._public._n_bytes)
        if len(ciphertext) != k:
            raise ValueError("Ciphertext length must be equal to key size.")
        if ciphertext >= self._public._n_bytes:  # public: c is not a ciphertext of this key
            raise ValueError("Decryption failed")
        if isinstance(pad, PKCS1v15):
            if k < 11:
                raise ValueError("Decryption failed")
            return self._native.decrypt_pkcs1(ciphertext)
        if k < 2 * hash_alg.digest_size + 2:
            raise ValueError("Decryption failed")
        message = self._native.decrypt_oaep(
            ciphertext, _digest.NATIVE_HASH_IDS[hash_alg.name], _digest.NATIVE_HASH_IDS[mgf_alg.name],
            _digest.hash_bytes(label, hash_alg))
        if message is None:
            raise ValueError("Decryption failed")
        return message


def _check_components(n, e, p, q, d, dmp1, dmq1, iqmp) -> None:
    """The range checks pyca makes on private numbers, with its messages."""
    for name, value in (("p", p), ("q", q), ("dmp1", dmp1), ("dmq1", dmq1), ("iqmp", iqmp),
                        ("private_exponent", d)):
        if value >= n:
            raise ValueError(f"{name} must be < modulus.")
    if e < 3 or e >= n:
        raise ValueError("public_exponent must be >= 3 and < modulus.")
    if e % 2 == 0:
        raise ValueError("public_exponent must be odd.")
    if dmp1 % 2 == 0 or dmq1 % 2 == 0:
        raise ValueError(f"{'dmp1' if dmp1 % 2 == 0 else 'dmq1'} must be odd.")
    if n % 2 == 0:
        raise ValueError("modulus must be odd.")
    if p * q != n:
        raise ValueError("p*q must equal modulus.")
    if not 1 < d:
        raise ValueError("Invalid private key (private_exponent must be > 1)")
    if p < 3 or q < 3 or p % 2 == 0 or q % 2 == 0:
        raise ValueError("Invalid private key (p and q must be odd primes)")
    if max(p.bit_length(), q.bit_length()) > MAX_KEY_BITS // 2:
        raise ValueError(f"unsupported RSA key: p and q must each have at most {MAX_KEY_BITS // 2} bits")


def _check_consistent(n, e, p, q, d, dmp1, dmq1, iqmp) -> None:
    """The consistency checks OpenSSL's RSA_check_key makes, minus primality."""
    if p == q:
        raise ValueError("Invalid private key (p == q)")
    lam = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
    if e * d % lam != 1:
        raise ValueError("Invalid private key (d does not match e)")
    if dmp1 != d % (p - 1) or dmq1 != d % (q - 1):
        raise ValueError("Invalid private key (CRT exponents do not match d)")
    if iqmp * q % p != 1:
        raise ValueError("Invalid private key (iqmp is not q^-1 mod p)")


def generate_private_key(public_exponent: int, key_size: int, backend=None) -> RSAPrivateKey:
    """A fresh key of `key_size` bits (1024 to 16384), e = 65537 (or 3): generated
    in native code (csrc/rsa_keygen.c); its secrets never reach Python."""
    from . import keygen

    return keygen.generate(public_exponent, key_size)
