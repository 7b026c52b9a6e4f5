"""RSA numbers with pyca/cryptography's interface; they build provenum keys.

RSAPublicNumbers and RSAPrivateNumbers take, compare equal to and hash
like pyca's classes of the same name for the same values, so the two mix:
RSAPrivateNumbers(..., public_numbers=<pyca RSAPublicNumbers>) works, and
`ours == theirs` holds when the numbers agree. The CRT and recovery helpers
are pyca's own functions (pure Python on public or already-exported values).
"""
from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa as _pyca
from cryptography.hazmat.primitives.asymmetric.rsa import (  # noqa: F401  (re-exported)
    rsa_crt_dmp1,
    rsa_crt_dmq1,
    rsa_crt_iqmp,
    rsa_recover_prime_factors,
    rsa_recover_private_exponent,
)


def _int(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"'{type(value).__name__}' object is not an instance of 'int'")
    return value


class RSAPublicNumbers:
    def __init__(self, e: int, n: int):
        self._e, self._n = _int(e), _int(n)

    e = property(lambda self: self._e)
    n = property(lambda self: self._n)

    def public_key(self, backend=None):
        from .keys import RSAPublicKey

        return RSAPublicKey(self._n, self._e)

    def __eq__(self, other):
        if isinstance(other, (RSAPublicNumbers, _pyca.RSAPublicNumbers)):
            return (self.e, self.n) == (other.e, other.n)
        return NotImplemented

    def __hash__(self):  # pyca's hash of the same numbers
        return hash(_pyca.RSAPublicNumbers(self._e, self._n))

    def __repr__(self):
        return f"<RSAPublicNumbers(e={self._e}, n={self._n})>"


class RSAPrivateNumbers:
    def __init__(self, p: int, q: int, d: int, dmp1: int, dmq1: int, iqmp: int, public_numbers):
        self._p, self._q, self._d = _int(p), _int(q), _int(d)
        self._dmp1, self._dmq1, self._iqmp = _int(dmp1), _int(dmq1), _int(iqmp)
        if isinstance(public_numbers, _pyca.RSAPublicNumbers):
            public_numbers = RSAPublicNumbers(public_numbers.e, public_numbers.n)
        if not isinstance(public_numbers, RSAPublicNumbers):
            raise TypeError(f"'{type(public_numbers).__name__}' object is not an instance of 'RSAPublicNumbers'")
        self._public_numbers = public_numbers

    p = property(lambda self: self._p)
    q = property(lambda self: self._q)
    d = property(lambda self: self._d)
    dmp1 = property(lambda self: self._dmp1)
    dmq1 = property(lambda self: self._dmq1)
    iqmp = property(lambda self: self._iqmp)
    public_numbers = property(lambda self: self._public_numbers)

    def private_key(self, backend=None, *, unsafe_skip_rsa_key_validation: bool = False):
        from .keys import RSAPrivateKey

        return RSAPrivateKey._from_numbers(self, check=not unsafe_skip_rsa_key_validation)

    def _values(self):
        return (self.p, self.q, self.d, self.dmp1, self.dmq1, self.iqmp, self.public_numbers.e,
                self.public_numbers.n)

    def __eq__(self, other):
        if isinstance(other, RSAPrivateNumbers):
            return self._values() == other._values()
        if isinstance(other, _pyca.RSAPrivateNumbers):
            return self._values() == RSAPrivateNumbers(
                other.p, other.q, other.d, other.dmp1, other.dmq1, other.iqmp, other.public_numbers)._values()
        return NotImplemented

    def __hash__(self):  # pyca's hash of the same numbers
        pub = _pyca.RSAPublicNumbers(self.public_numbers.e, self.public_numbers.n)
        return hash(_pyca.RSAPrivateNumbers(self.p, self.q, self.d, self.dmp1, self.dmq1, self.iqmp, pub))
