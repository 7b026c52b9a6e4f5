"""Known-answer tests: every NIST CAVP vector (SigGen15, SigGenPSS, SigVer15, SigVerPSS)
and RSA Laboratories' PKCS#1 v2.1 signature vectors; signatures are reproduced byte for
byte at every dispatch level this CPU runs (the `dispatch_level` fixture)."""
import pytest
from cryptography.hazmat.primitives import hashes

from provenum import rsa
from provenum.rsa import emsa, padding

from rsa_cavp import hex_int, records
from rsa_pkcs1_vectors import examples

HASH = {"SHA1": hashes.SHA1, "SHA224": hashes.SHA224, "SHA256": hashes.SHA256,
        "SHA384": hashes.SHA384, "SHA512": hashes.SHA512}

_keys = {}


def private_key_from(n: int, e: int, d: int):
    """The CAVP SigGen .txt files give n, e, d: recover p, q, then load the key."""
    if (n, e) not in _keys:
        p, q = rsa.rsa_recover_prime_factors(n, e, d)
        numbers = rsa.RSAPrivateNumbers(p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q),
                                        rsa.rsa_crt_iqmp(p, q), rsa.RSAPublicNumbers(e, n))
        _keys[(n, e)] = numbers.private_key()
    return _keys[(n, e)]


def test_siggen15_reproduced_byte_for_byte(dispatch_level):
    vectors = records("SigGen15_186-2.txt", emit_on="S")
    assert len(vectors) == 250 and {v["mod"] for v in vectors} == {1024, 1536, 2048, 3072, 4096}
    for v in vectors:
        key = private_key_from(hex_int(v["n"]), hex_int(v["e"]), hex_int(v["d"]))
        sig = key.sign(bytes.fromhex(v["Msg"]), padding.PKCS1v15(), HASH[v["SHAAlg"]]())
        assert sig.hex() == v["S"].lower(), (v["mod"], v["SHAAlg"], v["Msg"][:16])


@pytest.mark.parametrize("name", ["SigGen15_186-2.rsp", "SigGen15_186-3.rsp"])
def test_siggen15_signatures_verify(name, dispatch_level):
    """Files without d: the expected signatures verify, which compares the whole
    encoded message byte for byte."""
    vectors = records(name, emit_on="S")
    assert len(vectors) == 250
    for v in vectors:
        key = rsa.RSAPublicNumbers(hex_int(v["e"]), hex_int(v["n"])).public_key()
        msg, sig, alg = bytes.fromhex(v["Msg"]), bytes.fromhex(v["S"]), HASH[v["SHAAlg"]]()
        key.verify(sig, msg, padding.PKCS1v15(), alg)
        with pytest.raises(rsa.InvalidSignature):
            key.verify(sig, msg + b"\x00", padding.PKCS1v15(), alg)


def test_siggenpss_reproduced_with_the_given_salt(dispatch_level):
    """SigGenPSS .txt gives d and the salt: our encoding plus private operation
    must reproduce S exactly, and S must verify through the public API."""
    vectors = records("SigGenPSS_186-2.txt", emit_on="S")
    assert len(vectors) == 250
    for v in vectors:
        n, e = hex_int(v["n"]), hex_int(v["e"])
        key = private_key_from(n, e, hex_int(v["d"]))
        alg = HASH[v["SHAAlg"]]()
        msg, salt = bytes.fromhex(v["Msg"]), bytes.fromhex(v["SaltVal"])
        mhash = hashes.Hash(alg)
        mhash.update(msg)
        em = emsa.pss_encode(mhash.finalize(), key.key_size - 1, alg, alg, salt)
        assert key._sign_encoded(em).hex() == v["S"].lower()
        key.public_key().verify(bytes.fromhex(v["S"]), msg, padding.PSS(padding.MGF1(alg), len(salt)), alg)
        # and a fresh randomized signature from the public API verifies
        fresh = key.sign(msg, padding.PSS(padding.MGF1(alg), len(salt)), alg)
        key.public_key().verify(fresh, msg, padding.PSS(padding.MGF1(alg), padding.PSS.AUTO), alg)


@pytest.mark.parametrize("name", ["SigGenPSS_186-2.rsp", "SigGenPSS_186-3.rsp"])
def test_siggenpss_signatures_verify(name, dispatch_level):
    vectors = records(name, emit_on="S")
    assert len(vectors) == 250
    for v in vectors:
        key = rsa.RSAPublicNumbers(hex_int(v["e"]), hex_int(v["n"])).public_key()
        alg = HASH[v["SHAAlg"]]()
        msg, sig = bytes.fromhex(v["Msg"]), bytes.fromhex(v["S"])
        key.verify(sig, msg, padding.PSS(padding.MGF1(alg), padding.PSS.AUTO), alg)
        if "SaltVal" in v:
            salt_len = len(bytes.fromhex(v["SaltVal"])) if v["SaltVal"] != "00" else 0
            key.verify(sig, msg, padding.PSS(padding.MGF1(alg), salt_len), alg)
            with pytest.raises(rsa.InvalidSignature):
                key.verify(sig, msg, padding.PSS(padding.MGF1(alg), salt_len + 1), alg)


def _verdict(v, pad_for):
    alg = HASH[v["SHAAlg"]]()
    key = rsa.RSAPublicNumbers(hex_int(v["e"]), hex_int(v["n"])).public_key()
    try:
        key.verify(bytes.fromhex(v["S"]), bytes.fromhex(v["Msg"]), pad_for(v, alg), alg)
        return "P"
    except rsa.InvalidSignature:
        return "F"


def test_sigver15_verdicts(dispatch_level):
    vectors = records("SigVer15_186-3.rsp", emit_on="Result")
    assert len(vectors) == 450
    verdicts = [(_verdict(v, lambda v, a: padding.PKCS1v15()), v["Result"][0]) for v in vectors]
    assert [got for got, _ in verdicts] == [want for _, want in verdicts]
    assert {want for _, want in verdicts} == {"P", "F"}


def test_sigverpss_verdicts(dispatch_level):
    vectors = records("SigVerPSS_186-3.rsp", emit_on="Result")
    assert len(vectors) == 450

    def exact(v, alg):
        return padding.PSS(padding.MGF1(alg), len(bytes.fromhex(v["SaltVal"])))

    def auto(v, alg):
        return padding.PSS(padding.MGF1(alg), padding.PSS.AUTO)

    for pad_for in (exact, auto):
        got = [_verdict(v, pad_for) for v in vectors]
        assert got == [v["Result"][0] for v in vectors]


# RSA Laboratories' PKCS#1 v2.1 vectors (not CAVP, also shipped in cryptography_vectors):
# keys of 1024..1031, 1536 and 2048 bits, so the odd sizes where PSS drops a byte are covered


def _pkcs1_key(fields):
    p, q, d, n, e = fields["Prime 1"], fields["Prime 2"], fields["Exponent"], fields["Modulus"], fields["Public exponent"]
    numbers = rsa.RSAPrivateNumbers(p, q, d, fields["Prime exponent 1"], fields["Prime exponent 2"],
                                    fields["Coefficient"], rsa.RSAPublicNumbers(e, n))
    return numbers.private_key()


def test_pkcs1v15_sign_vectors_byte_for_byte(dispatch_level):
    keys = examples("pkcs1v15sign-vectors.txt")
    assert len(keys) == 15 and sum(len(k["signatures"]) for k in keys) == 300
    sizes = set()
    for example in keys:
        key = _pkcs1_key(example["key"])
        sizes.add(key.key_size)
        for v in example["signatures"]:
            sig = key.sign(v["Message to be signed"], padding.PKCS1v15(), hashes.SHA1())
            assert sig == v["Signature"]
            key.public_key().verify(sig, v["Message to be signed"], padding.PKCS1v15(), hashes.SHA1())
    assert sizes == {1024, 1025, 1026, 1027, 1028, 1029, 1030, 1031, 1536, 2048}


def test_pss_vectors_byte_for_byte_with_their_salt(dispatch_level):
    keys = examples("pkcs-1v2-1d2-vec/pss-vect.txt")
    assert len(keys) == 10 and sum(len(k["signatures"]) for k in keys) == 60
    for example in keys:
        key = _pkcs1_key(example["key"])
        for v in example["signatures"]:
            msg, salt = v["Message to be signed"], v["Salt"]
            h = hashes.Hash(hashes.SHA1())
            h.update(msg)
            em = emsa.pss_encode(h.finalize(), key.key_size - 1, hashes.SHA1(), hashes.SHA1(), salt)
            assert key._sign_encoded(em) == v["Signature"]
            pad = padding.PSS(padding.MGF1(hashes.SHA1()), len(salt))
            key.public_key().verify(v["Signature"], msg, pad, hashes.SHA1())
            key.public_key().verify(v["Signature"], msg, padding.PSS(padding.MGF1(hashes.SHA1()), padding.PSS.AUTO),
                                    hashes.SHA1())
