"""Bindings to the native RSA operations (native/csrc/rsa_private.c).

Keys are loaded once into native buffers (ffi.new, freed and wiped with the
key object); from then on the private exponentiation, blinding, CRT
recombination and the fault check all run in C, with the GIL released.
Python converts only public values (messages, signatures, and the blinded
product handed out for inversion, which is independent of the key and of
the blinding values).
"""
from __future__ import annotations

import collections
import os

try:  # GMP inverts the (public, random) blinding product ~30x faster than pow()
    import gmpy2 as _gmpy2
except ImportError:  # pragma: no cover - gmpy2 is an optional speed-up
    _gmpy2 = None

# blinding values (r, r^-1) made per batch: one inversion per batch, one r per signature
BLINDING_BATCH = 16

# Bumped in every forked child, so a child never reuses blinding values it
# inherited (a pid check alone misses a grandchild that gets a recycled pid).
_fork_generation = 0


def _after_fork_in_child() -> None:
    global _fork_generation
    _fork_generation += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

_ffi = _lib = None


def bindings():
    """(ffi, lib) of the native extension, with a clear error if it is missing."""
    global _ffi, _lib
    if _lib is None:
        try:
            from provenum.native import ffi, lib
        except ImportError as exc:  # pragma: no cover - broken install
            raise RuntimeError(
                "provenum's native library is not built; run `pip install -e .` in the repository"
            ) from exc
        _ffi, _lib = ffi, lib
    return _ffi, _lib


def words_of(bits: int) -> int:
    return (bits + 63) // 64


def _to_words(ffi, value: int, words: int):
    buf = ffi.new("uint64_t[]", words)
    ffi.memmove(buf, value.to_bytes(8 * words, "little"), 8 * words)
    return buf


def _from_words(ffi, buf, words: int) -> int:
    return int.from_bytes(ffi.buffer(buf, 8 * words), "little")


def _wipe(ffi, buf, words: int) -> None:
    ffi.memmove(buf, bytes(8 * words), 8 * words)


class _KeyBuffer:
    """A native key buffer that is wiped when the Python object goes away."""

    def __init__(self):
        ffi, lib = bindings()
        self.buf = ffi.new("uint64_t[]", lib.provenum_rsa_key_words())

    def __del__(self):
        if _lib is not None and getattr(self, "buf", None) is not None:
            _lib.provenum_rsa_key_wipe(self.buf)


class NativePublicKey:
    def __init__(self, n: int, e: int):
        ffi, lib = bindings()
        self.words = words_of(n.bit_length())
        self.n = n
        self._key = _KeyBuffer()
        nb, eb = _to_words(ffi, n, self.words), _to_words(ffi, e, words_of(e.bit_length()))
        if lib.provenum_rsa_public_load(self._key.buf, nb, self.words, eb, words_of(e.bit_length())) != 0:
            raise ValueError("modulus rejected by the native loader")

    def public_op(self, x: int) -> int:
        """x^e mod n for 0 <= x < n."""
        _check_below(x, self.n)
        ffi, lib = bindings()
        xb = _to_words(ffi, x, self.words)
        out = ffi.new("uint64_t[]", self.words)
        lib.provenum_rsa_public_op(self._key.buf, out, xb)
        return _from_words(ffi, out, self.words)

    def public_op_bytes(self, signature: bytes) -> bytes | None:
        """signature^e mod n as big-endian bytes of the modulus' length, or None
        when the input has the wrong length or is not below n."""
        ffi, lib = bindings()
        out = ffi.new("unsigned char[]", len(signature) or 1)
        if lib.provenum_rsa_public_op_be(self._key.buf, out, ffi.from_buffer(signature), len(signature)) != 0:
            return None
        return ffi.buffer(out, len(signature))[:]


class FaultDetected(RuntimeError):
    """The private-key result failed the public-key check and was withheld."""


class NativePrivateKey:
    """The private key in native memory. Construction is the last time Python
    holds the secret values as integers (the caller drops them)."""

    def __init__(self, n: int, e: int, p: int, q: int, d: int, dp: int, dq: int, qinv: int):
        ffi, lib = bindings()
        self._setup(n, words_of(max(p.bit_length(), q.bit_length())))
        ew = words_of(e.bit_length())
        secrets_ = [_to_words(ffi, v, self.hwords) for v in (p, q, dp, dq, qinv)]
        db = _to_words(ffi, d, self.words)
        try:
            status = lib.provenum_rsa_private_load(
                self._key.buf, _to_words(ffi, n, self.words), self.words,
                _to_words(ffi, e, ew), ew, *secrets_, db, self.hwords,
            )
        finally:
            for buf in secrets_:
                _wipe(ffi, buf, self.hwords)
            _wipe(ffi, db, self.words)
        if status != 0:
            raise ValueError("key rejected by the native loader")

    def _setup(self, n: int, hwords: int) -> None:
        self.words = words_of(n.bit_length())
        self.hwords = hwords
        self.n = n
        self.nbytes = (n.bit_length() + 7) // 8
        self._modulus = _gmpy2.mpz(n) if _gmpy2 is not None else n
        self._pool: collections.deque = collections.deque()
        self._pool_pid, self._pool_fork = os.getpid(), _fork_generation
        self._key = _KeyBuffer()

    @classmethod
    def generate(cls, bits: int, e: int, lower_p: int, lower_q: int, rounds_p: int, rounds_q: int):
        """(native key, n, stats) of a fresh key made in native code
        (csrc/rsa_keygen.c); the secrets go from there into the key buffer."""
        ffi, lib = bindings()
        self = object.__new__(cls)
        key = _KeyBuffer()
        words, pwords, qwords = words_of(bits), words_of((bits + 1) // 2), words_of(bits // 2)
        n_out, stats = ffi.new("uint64_t[]", words), ffi.new("uint64_t[4]")
        status = lib.provenum_rsa_keygen(key.buf, n_out, bits, e, _to_words(ffi, lower_p, pwords),
                                         _to_words(ffi, lower_q, qwords), rounds_p, rounds_q, stats)
        if status == -2:
            raise RuntimeError("could not draw randomness for key generation")
        if status != 0:
            raise RuntimeError(f"native key generation failed (status {status})")
        self._setup(_from_words(ffi, n_out, words), pwords)
        self._key = key
        return self, self.n, {"candidates": stats[0], "sieved": stats[1], "base2_tests": stats[2],
                              "mr_rounds": stats[3]}

    def __del__(self):  # unused blinding values are secrets too
        self._drop_pool()

    def _drop_pool(self) -> None:
        """Wipe and forget every unused blinding entry."""
        pool = getattr(self, "_pool", None)
        while _ffi is not None and pool:
            try:
                batch, offset = pool.popleft()
            except IndexError:  # emptied by another thread meanwhile
                break
            _ffi.memmove(batch + offset, bytes(16 * self.words), 16 * self.words)

    def _blinding_entry(self):
        """(buffer, offset) of an unused (r, r^-1) pair; refills in batches."""
        if self._pool_pid != os.getpid() or self._pool_fork != _fork_generation:
            # a forked child must not reuse its parent's values
            self._drop_pool()
            self._pool_pid, self._pool_fork = os.getpid(), _fork_generation
        while True:
            try:
                return self._pool.popleft()
            except IndexError:
                self._refill()

    def _refill(self) -> None:
        ffi, lib = bindings()
        k, stride = self.nbytes, 2 * self.words
        batch = ffi.new("uint64_t[]", (BLINDING_BATCH + 1) * stride)
        u = ffi.new("unsigned char[]", k)
        for _ in range(8):
            if lib.provenum_rsa_blind_batch_start(self._key.buf, batch, BLINDING_BATCH, u, k) != 0:
                raise RuntimeError("could not draw blinding randomness")
            u_inv = _invert(int.from_bytes(ffi.buffer(u, k), "big"), self._modulus)
            if u_inv is not None and lib.provenum_rsa_blind_batch_finish(
                    self._key.buf, batch, BLINDING_BATCH, int(u_inv).to_bytes(k, "big"), k) == 0:
                break
        else:  # pragma: no cover - probability ~2^-1000 per draw
            raise RuntimeError("could not draw invertible blinding values")
        self._pool.extend((batch, i * stride) for i in range(BLINDING_BATCH))

    def private_op_bytes(self, em: bytes, _fault: bool = False) -> bytes:
        """em^d mod n for a big-endian em of the modulus' length with em < n:
        blinded with a fresh random r, checked with the public key before release."""
        ffi, lib = bindings()
        k = self.nbytes
        if not isinstance(em, bytes):
            raise TypeError("encoded message must be bytes")
        if len(em) != k:
            raise ValueError(f"encoded message must be {k} bytes")
        batch, offset = self._blinding_entry()
        sig = ffi.new("unsigned char[]", k)
        status = lib.provenum_rsa_sign_be(self._key.buf, sig, em, k, batch + offset, 1 if _fault else 0)
        if status != 0:
            raise FaultDetected("RSA private-key operation failed its public-key check; no output")
        return ffi.buffer(sig, k)[:]

    def _decrypt(self, call, ct: bytes, *extra):
        """Run a native decryption of ct (k bytes, below n: the caller checks)
        with a fresh blinding entry; (status, message)."""
        ffi, lib = bindings()
        k = self.nbytes
        if not isinstance(ct, bytes) or len(ct) != k:
            raise ValueError(f"ciphertext must be {k} bytes")
        batch, offset = self._blinding_entry()
        out, out_len = ffi.new("unsigned char[]", k), ffi.new("size_t *")
        status = call(self._key.buf, out, out_len, ct, k, batch + offset, *extra)
        if status == -1:
            raise FaultDetected("RSA private-key operation failed its public-key check; no output")
        if status == -2:  # the entry was not used: wipe it here
            ffi.memmove(batch + offset, bytes(16 * self.words), 16 * self.words)
            raise ValueError("decryption parameters rejected by the native code")
        message = ffi.buffer(out, out_len[0])[:] if status == 0 else None
        ffi.memmove(out, bytes(k), k)
        return message

    def decrypt_oaep(self, ct: bytes, hash_id: int, mgf_id: int, lhash: bytes) -> bytes | None:
        """The OAEP-decoded message of ct, or None ("decryption failed")."""
        return self._decrypt(bindings()[1].provenum_rsa_decrypt_oaep, ct, hash_id, mgf_id, lhash)

    def decrypt_pkcs1(self, ct: bytes) -> bytes:
        """The PKCS#1 v1.5-decoded message of ct, or the synthetic message of
        implicit rejection when its padding is invalid (indistinguishable)."""
        return self._decrypt(bindings()[1].provenum_rsa_decrypt_pkcs1, ct)

    def private_op(self, m: int, _fault: bool = False) -> int:
        """m^d mod n for 0 <= m < n (see private_op_bytes)."""
        _check_below(m, self.n)
        return int.from_bytes(self.private_op_bytes(m.to_bytes(self.nbytes, "big"), _fault), "big")

    def export(self) -> tuple[int, int, int]:
        """(p, q, d) read back from native memory, for serialising the key."""
        ffi, lib = bindings()
        p, q = ffi.new("uint64_t[]", self.hwords), ffi.new("uint64_t[]", self.hwords)
        d = ffi.new("uint64_t[]", self.words)
        lib.provenum_rsa_private_export(self._key.buf, p, q, d)
        return _from_words(ffi, p, self.hwords), _from_words(ffi, q, self.hwords), _from_words(ffi, d, self.words)


def _check_below(x, n: int) -> None:
    if not isinstance(x, int) or isinstance(x, bool):
        raise TypeError("expected an integer")
    if not 0 <= x < n:
        raise ValueError("value must satisfy 0 <= x < n")


def _invert(u: int, n):
    """u^-1 mod n (an int or gmpy2.mpz), or None when u is not invertible.
    u is public (see module doc), so a variable-time algorithm is fine."""
    if u == 0:
        return None
    if _gmpy2 is not None:
        try:
            return _gmpy2.invert(u, n)
        except ZeroDivisionError:
            return None
    try:
        return pow(u, -1, int(n))
    except ValueError:
        return None


def generic_modexp(a: int, e: int, m: int, words: int, ewords: int) -> int:
    """The generic constant-time exponentiation of the C file (for tests): a^e mod m."""
    if not (0 <= a < m < 2 ** (64 * words) and m % 2 and 0 <= e < 2 ** (64 * ewords)):
        raise ValueError("need 0 <= a < m, m odd and within `words` words, e within `ewords` words")
    ffi, lib = bindings()
    z = ffi.new("uint64_t[]", words)
    if lib.provenum_generic_modexp(z, _to_words(ffi, a, words), _to_words(ffi, e, ewords), ewords,
                                   _to_words(ffi, m, words), words) != 0:
        raise ValueError("bad modulus or sizes")
    return _from_words(ffi, z, words)


def probable_prime(x: int, rounds: int) -> bool:
    """The native probable-prime test of key generation (a base-2 strong test,
    then `rounds` Miller-Rabin rounds with random bases) on an odd x > 3 whose
    x - 1 has at most 63 factors 2 (tests and checks only)."""
    if not isinstance(x, int) or x <= 3 or x % 2 == 0 or (x - 1) & ((1 << 64) - 1) == 0:
        raise ValueError("need an odd x > 3 with v2(x - 1) < 64")
    ffi, lib = bindings()
    words = words_of(x.bit_length())
    if words > 128 or not 0 <= rounds <= 1000:
        raise ValueError("x is larger than the native buffers, or rounds out of range")
    status = lib.provenum_probable_prime(_to_words(ffi, x, words), words, rounds)
    if status < 0:
        raise RuntimeError("native probable-prime test failed")
    return status == 1
