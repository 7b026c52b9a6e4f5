"""RSA signing on the AArch64 kernels: the native private-key code (rsa_private.c, cross-built
with the Arm kernels behind the same dispatch table) run under qemu-aarch64, reproducing the NIST
CAVP PKCS#1 v1.5 and PSS signatures byte for byte at 2048, 3072 and 4096 bits, at both levels.

Every vector runs at the neon level (the N1's default), every fifth at the scalar level (the two
levels share the C code; this keeps the qemu time near a minute).

Python does what it does on x86-64 (the encoding, the key's CRT values, the blinding pair r and
r^-1 mod n, as the bindings would get them); the private-key operation itself -- blinding, the two
half exponentiations on bignum_modexp_{16,24,32}, Garner, the public-key check -- runs in the
Arm library."""
import random

import pytest
from cryptography.hazmat.primitives import hashes

from provenum import rsa
from provenum.isa.aarch64.features import LEVEL_NAMES
from provenum.rsa import emsa
from aarch64util import arm_session, needs_runner, number, words
from rsa_cavp import hex_int, records

pytestmark = needs_runner
HASH = {"SHA1": hashes.SHA1, "SHA224": hashes.SHA224, "SHA256": hashes.SHA256,
        "SHA384": hashes.SHA384, "SHA512": hashes.SHA512}
SIZES = (2048, 3072, 4096)


def wc(bits: int) -> int:
    return (bits + 63) // 64


class ArmKey:
    """A private key loaded into the Arm library's key buffer (held here as bytes between calls)."""

    def __init__(self, arm, n: int, e: int, d: int):
        p, q = rsa.rsa_recover_prime_factors(n, e, d)
        self.arm, self.n = arm, n
        self.words = wc(n.bit_length())
        h = wc(max(p.bit_length(), q.bit_length()))
        ew = wc(e.bit_length())
        key = bytes(8 * arm.call("provenum_rsa_key_words")[0])
        status, bufs = arm.call("provenum_rsa_private_load", key, words(n, self.words), self.words, words(e, ew), ew,
                                words(p, h), words(q, h), words(rsa.rsa_crt_dmp1(d, p), h),
                                words(rsa.rsa_crt_dmq1(d, q), h), words(rsa.rsa_crt_iqmp(p, q), h),
                                words(d, self.words), h)
        assert status == 0
        self.key = bufs[0]
        self.rng = random.Random(n)

    def sign_encoded(self, em: bytes, fault: int = 0) -> tuple[int, bytes]:
        """(status, signature bytes) of the encoded message em."""
        n, k = self.n, self.words
        while True:
            r = self.rng.randrange(2, n)
            try:
                rinv = pow(r, -1, n)
                break
            except ValueError:
                continue
        status, bufs = self.arm.call("provenum_rsa_private_op", self.key, bytes(8 * k),
                                     words(int.from_bytes(em, "big"), k), words(r, k), words(rinv, k), fault)
        return status, number(bufs[1]).to_bytes((n.bit_length() + 7) // 8, "big")


@pytest.fixture(scope="module", params=LEVEL_NAMES)
def arm(request):
    with arm_session() as s:
        assert s.call("provenum_dispatch_set_level", LEVEL_NAMES.index(request.param))[0] == 0
        s.stride = 1 if request.param == "neon" else 5
        yield s


def _keys(arm, vectors):
    keys = {}
    for v in vectors:
        if (v["n"], v["e"]) not in keys:
            keys[(v["n"], v["e"])] = ArmKey(arm, hex_int(v["n"]), hex_int(v["e"]), hex_int(v["d"]))
    return keys


def test_siggen15_byte_for_byte(arm):
    vectors = [v for v in records("SigGen15_186-2.txt", emit_on="S") if v["mod"] in SIZES]
    assert {v["mod"] for v in vectors} == set(SIZES) and len(vectors) == 150
    vectors = vectors[::arm.stride]
    keys = _keys(arm, vectors)
    for v in vectors:
        key = keys[(v["n"], v["e"])]
        h = hashes.Hash(HASH[v["SHAAlg"]]())
        h.update(bytes.fromhex(v["Msg"]))
        em = emsa.pkcs1v15_encode(h.finalize(), HASH[v["SHAAlg"]](), (key.n.bit_length() + 7) // 8)
        status, sig = key.sign_encoded(em)
        assert status == 0 and sig.hex() == v["S"].lower(), (v["mod"], v["SHAAlg"])


def test_siggenpss_byte_for_byte_with_the_given_salt(arm):
    vectors = [v for v in records("SigGenPSS_186-2.txt", emit_on="S") if v["mod"] in SIZES]
    assert {v["mod"] for v in vectors} == set(SIZES) and len(vectors) == 150
    vectors = vectors[::arm.stride]
    keys = _keys(arm, vectors)
    for v in vectors:
        key = keys[(v["n"], v["e"])]
        alg = HASH[v["SHAAlg"]]()
        h = hashes.Hash(alg)
        h.update(bytes.fromhex(v["Msg"]))
        em = emsa.pss_encode(h.finalize(), key.n.bit_length() - 1, alg, alg, bytes.fromhex(v["SaltVal"]))
        status, sig = key.sign_encoded(em)
        assert status == 0 and sig.hex() == v["S"].lower(), (v["mod"], v["SHAAlg"])


def test_a_fault_is_caught_and_nothing_released(arm):
    """The public-key check before release runs on the Arm code too: a corrupted half gives -1
    and an all-zero output."""
    vectors = [v for v in records("SigGen15_186-2.txt", emit_on="S") if v["mod"] == 2048][:1]
    key = next(iter(_keys(arm, vectors).values()))
    status, sig = key.sign_encoded(b"\x00\x01" + b"\xff" * 200 + b"\x00" + b"\x42" * 53, fault=1)
    assert status != 0 and sig == bytes(len(sig))
