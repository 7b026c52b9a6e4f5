"""The native operations: generic constant-time exponentiation, CRT private
operation against Python's pow, the fault check, and threads."""
import secrets
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenum import rsa
from provenum.rsa import _native, padding
from cryptography.hazmat.primitives import hashes


@settings(max_examples=80, deadline=None)
@given(data=st.data(), words=st.integers(min_value=1, max_value=40), ewords=st.integers(min_value=1, max_value=42))
def test_generic_modexp_matches_pow(data, words, ewords):
    m = data.draw(st.integers(min_value=3, max_value=2 ** (64 * words) - 1)) | 1
    a = data.draw(st.integers(min_value=0, max_value=m - 1))
    e = data.draw(st.integers(min_value=0, max_value=2 ** (64 * ewords) - 1))
    assert _native.generic_modexp(a, e, m, words, ewords) == pow(a, e, m)


def test_generic_modexp_edge_values():
    m = 2 ** 1024 - 105  # odd, top word all ones
    for a, e in [(0, 5), (1, 2 ** 64 - 1), (m - 1, 3), (m - 1, 0), (2, 0)]:
        assert _native.generic_modexp(a, e, m, 16, 1) == pow(a, e, m)


@pytest.mark.parametrize("bits", [1024, 1536, 2047, 2048, 3072, 4096])
def test_private_op_matches_pow(test_keys, bits, dispatch_level):
    key = test_keys[bits]
    nums = key.private_numbers()
    n = nums.public_numbers.n
    for m in (0, 1, 2, n - 1, secrets.randbelow(n), secrets.randbelow(n)):
        s = key._native.private_op(m)
        assert s == pow(m, nums.d, n)
        assert key.public_key()._native.public_op(s) == m


@pytest.mark.parametrize("bits", [1536, 2048, 3072, 4096])
def test_public_op_matches_pow(test_keys, bits, dispatch_level):
    pub = test_keys[bits].public_key()
    n, e = pub.public_numbers().n, pub.public_numbers().e
    for x in (0, 1, n - 1, secrets.randbelow(n)):
        assert pub._native.public_op(x) == pow(x, e, n)


@pytest.mark.parametrize("bits", [1024, 2048, 3072, 4096])
def test_injected_fault_raises_and_outputs_nothing(test_keys, bits, dispatch_level):
    key = test_keys[bits]
    em = b"\x00" + secrets.token_bytes((bits + 7) // 8 - 1)
    with pytest.raises(rsa.FaultDetected):
        key._sign_encoded(em, _fault=True)
    # the native buffer itself is zeroed: call the C function directly
    ffi, lib = _native.bindings()
    nk = key._native
    w, n = nk.words, nk.n
    d = key.private_numbers().d

    def words(value):
        buf = ffi.new("uint64_t[]", w)
        ffi.memmove(buf, value.to_bytes(8 * w, "little"), 8 * w)
        return buf

    r = secrets.randbelow(n - 2) + 2
    out = ffi.new("uint64_t[]", [0xA5A5A5A5A5A5A5A5] * w)
    m, rb, rinv = words(12345), words(r), words(pow(r, -1, n))
    assert lib.provenum_rsa_private_op(nk._key.buf, out, m, rb, rinv, 1) == -1
    assert all(out[i] == 0 for i in range(w))
    # same inputs without the fault: a correct result
    assert lib.provenum_rsa_private_op(nk._key.buf, out, m, rb, rinv, 0) == 0
    assert int.from_bytes(ffi.buffer(out), "little") == pow(12345, d, n)
    # a wrong blinding inverse is caught by the same check
    assert lib.provenum_rsa_private_op(nk._key.buf, out, m, rb, words(pow(r + 1, -1, n)), 0) == -1
    assert all(out[i] == 0 for i in range(w))
    # the byte-level entry point zeroes its output too, and consumes the blinding entry
    k = nk.nbytes
    entry = ffi.new("uint64_t[]", 2 * w)
    ffi.memmove(entry, r.to_bytes(8 * w, "little") + pow(r, -1, n).to_bytes(8 * w, "little"), 16 * w)
    sig = ffi.new("unsigned char[]", b"\xa5" * k)
    assert lib.provenum_rsa_sign_be(nk._key.buf, sig, em, k, entry, 1) == -1
    assert ffi.buffer(sig, k)[:] == bytes(k)
    assert all(entry[i] == 0 for i in range(2 * w))


def test_blinding_batches_give_each_signature_its_own_r(test_keys):
    key = test_keys[1024]
    nk = key._native
    ffi, _ = _native.bindings()
    nk._pool.clear()
    nk._refill()
    entries = list(nk._pool)
    assert len(entries) == _native.BLINDING_BATCH
    w, n = nk.words, nk.n
    pairs = []
    for batch, offset in entries:
        raw = ffi.buffer(batch + offset, 16 * w)[:]
        r, rinv = int.from_bytes(raw[: 8 * w], "little"), int.from_bytes(raw[8 * w:], "little")
        assert 0 < r < n and r * rinv % n == 1
        pairs.append(r)
    assert len(set(pairs)) == len(pairs)
    key.sign(b"uses one", padding.PKCS1v15(), hashes.SHA256())
    assert len(nk._pool) == _native.BLINDING_BATCH - 1
    batch, offset = entries[0]
    assert ffi.buffer(batch + offset, 16 * w)[:] == bytes(16 * w)  # used entry wiped


def test_blinding_is_fresh_but_result_deterministic(test_keys):
    key = test_keys[2048]
    sigs = {key.sign(b"same", padding.PKCS1v15(), hashes.SHA256()) for _ in range(5)}
    assert len(sigs) == 1


def test_threads_sign_correctly(test_keys):
    key = test_keys[2048]
    pub = key.public_key()
    errors = []

    def worker(tag):
        try:
            for i in range(10):
                msg = f"{tag}-{i}".encode()
                pub.verify(key.sign(msg, padding.PKCS1v15(), hashes.SHA256()), msg, padding.PKCS1v15(), hashes.SHA256())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_native_calls_release_the_gil():
    """While one thread is inside a long native exponentiation, another
    thread keeps running Python code: the call does not hold the GIL."""
    m = 2 ** 8192 - 1  # 128 words on the generic path: a call of ~0.1 s
    a, e = 3, 2 ** (64 * 48) - 1
    ticks = []
    inside = threading.Event()
    done = threading.Event()

    def native():
        inside.set()
        _native.generic_modexp(a, e, m, 128, 48)
        done.set()

    def counter():
        inside.wait()
        while not done.is_set():
            ticks.append(1)
            if len(ticks) % 100 == 0:
                time.sleep(0)  # hand the GIL back promptly once the native call returns

    threads = [threading.Thread(target=native), threading.Thread(target=counter)]
    import sys

    old = sys.getswitchinterval()
    sys.setswitchinterval(1.0)  # with the GIL held, the counter would not get a turn for 1 s
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert len(ticks) > 1000


def test_forked_child_draws_its_own_blinding_values(test_keys):
    import os

    key = test_keys[1024]
    key.sign(b"fill the pool", padding.PKCS1v15(), hashes.SHA256())
    assert len(key._native._pool) > 0
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report whether the pool was dropped before signing
        try:
            key.sign(b"child", padding.PKCS1v15(), hashes.SHA256())
            os.write(write, b"%d" % len(key._native._pool))
        finally:
            os._exit(0)
    os.close(write)
    child_pool = int(os.read(read, 16))
    os.waitpid(pid, 0)
    assert child_pool == _native.BLINDING_BATCH - 1  # a fresh batch, one entry used


def test_blinding_without_gmpy2(monkeypatch):
    """gmpy2 only speeds up the inversion of the blinding product; without it
    Python's pow does the same job."""
    from conftest import data_path

    monkeypatch.setattr(_native, "_gmpy2", None)
    with open(data_path("rsa1024.pem"), "rb") as f:
        key = rsa.load_pem_private_key(f.read())
    assert isinstance(key._native._modulus, int)
    sig = key.sign(b"no gmpy2", padding.PKCS1v15(), hashes.SHA256())
    key.public_key().verify(sig, b"no gmpy2", padding.PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize("bits", [1024, 1536, 2048, 4096])
def test_check_refuses_an_unreduced_result(test_keys, bits):
    """Fault 2 turns the recombined s into s + n: the same residues modulo p
    and q, so s^e == m passes modulo both halves, yet the value released
    would not be the signature. The check must cover exactly what is released."""
    ffi, lib = _native.bindings()
    nk = test_keys[bits]._native
    w, n = nk.words, nk.n

    def words(value):
        buf = ffi.new("uint64_t[]", w)
        ffi.memmove(buf, value.to_bytes(8 * w, "little"), 8 * w)
        return buf

    e = test_keys[bits].public_key().public_numbers().e
    r = secrets.randbelow(n - 2) + 2
    # m = 2^e: its signature is 2, so s + n stays within the words (no wrap-around)
    m = pow(2, e, n)
    out = ffi.new("uint64_t[]", [0xA5A5A5A5A5A5A5A5] * w)
    assert lib.provenum_rsa_private_op(nk._key.buf, out, words(m), words(r), words(pow(r, -1, n)), 0) == 0
    assert int.from_bytes(ffi.buffer(out), "little") == 2
    out = ffi.new("uint64_t[]", [0xA5A5A5A5A5A5A5A5] * w)
    assert lib.provenum_rsa_private_op(nk._key.buf, out, words(m), words(r), words(pow(r, -1, n)), 2) == -1
    assert all(out[i] == 0 for i in range(w))


def test_fork_hook_drops_inherited_blinding_values(test_keys):
    """A child must not reuse inherited (r, r^-1) pairs even when its pid is
    the one the pool was filled under (a grandchild with a recycled pid): the
    at-fork hook marks every pool stale. Simulated by running the hook here."""
    key = test_keys[1024]
    nk = key._native
    key.sign(b"fill the pool", padding.PKCS1v15(), hashes.SHA256())
    inherited = list(nk._pool)
    assert inherited
    _native._after_fork_in_child()
    key.sign(b"after fork", padding.PKCS1v15(), hashes.SHA256())
    assert len(nk._pool) == _native.BLINDING_BATCH - 1  # a fresh batch, one entry used
    old_batches = {id(batch) for batch, _ in inherited}
    assert not any(id(batch) in old_batches for batch, _ in nk._pool)
    ffi, _ = _native.bindings()
    for batch, offset in inherited:  # and the dropped values were wiped
        assert ffi.buffer(batch + offset, 16 * nk.words)[:] == bytes(16 * nk.words)


def test_four_threads_share_a_key_and_its_blinding_pool(test_keys, monkeypatch):
    """4 threads sign with one key starting from an empty pool (so refills
    race): every signature verifies and no (r, r^-1) entry is handed out twice."""
    key = test_keys[1024]
    nk, pub = key._native, key.public_key()
    nk._drop_pool()
    handed_out, lock = [], threading.Lock()
    original = nk._blinding_entry

    def recording_entry():
        batch, offset = original()
        with lock:
            handed_out.append((batch, offset))  # keeps batch alive, so ids stay unique
        return batch, offset

    monkeypatch.setattr(nk, "_blinding_entry", recording_entry)
    errors = []
    start = threading.Barrier(4)

    def worker(tag):
        try:
            start.wait()
            for i in range(12):
                msg = f"{tag}-{i}".encode()
                pss = padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.MAX_LENGTH)
                for pad in (padding.PKCS1v15(), pss):
                    pub.verify(key.sign(msg, pad, hashes.SHA256()), msg, pad, hashes.SHA256())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(handed_out) == 4 * 12 * 2
    assert len({(id(b), o) for b, o in handed_out}) == len(handed_out)
