"""pyca/cryptography's RSA API, entry point by entry point, run against pyca and against provenum.

Each case is a function of a `Lib` (pyca's modules or provenum's, plus keys of
that library loaded from the same PEM) whose outcome -- the value returned
(normalised: keys and numbers by their numbers, randomised outputs by whether
the other library accepts them) or the exception raised (type and message) --
must be the same for both. DIFFERENCES lists the deliberate exceptions to
that, with the reason; test_rsa_pyca_parity.py checks both.

    python tests/rsa/pyca_surface.py      # prints the table (Markdown)
"""
from __future__ import annotations

import copy
import functools
import os
import pathlib
import sys
from dataclasses import dataclass
from types import SimpleNamespace

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import padding as pyca_padding
from cryptography.hazmat.primitives.asymmetric import rsa as pyca_rsa
from cryptography.hazmat.primitives.asymmetric import utils as pyca_utils

DATA = pathlib.Path(__file__).resolve().parent / "data"
MSG = b"the same message for both libraries"


@dataclass
class Lib:
    name: str
    rsa: object          # generate_private_key, numbers classes, rsa_* helpers, key interfaces
    padding: object
    load_pem_private_key: object
    load_der_private_key: object
    load_pem_public_key: object
    load_der_public_key: object
    load_ssh_public_key: object
    load_ssh_private_key: object
    key: object          # 2048-bit private key
    key1024: object
    pub: object


def _pem(name: str) -> bytes:
    return (DATA / name).read_bytes()


def libraries() -> tuple[Lib, Lib]:
    from provenum import rsa as prv

    def lib(name, rsa_mod, pad, loaders):
        key = loaders[0](_pem("rsa2048.pem"), None)
        return Lib(name, rsa_mod, pad, *loaders, key=key, key1024=loaders[0](_pem("rsa1024.pem"), None),
                   pub=key.public_key())

    pyca = lib("pyca", pyca_rsa, pyca_padding,
               (ser.load_pem_private_key, ser.load_der_private_key, ser.load_pem_public_key,
                ser.load_der_public_key, ser.load_ssh_public_key, ser.load_ssh_private_key))
    ours = lib("provenum", prv, prv.padding,
               (prv.load_pem_private_key, prv.load_der_private_key, prv.load_pem_public_key,
                prv.load_der_public_key, prv.load_ssh_public_key, prv.load_ssh_private_key))
    return pyca, ours


def _pyca_pub():
    return ser.load_pem_private_key(_pem("rsa2048.pem"), None).public_key()


def _pyca_key():
    return ser.load_pem_private_key(_pem("rsa2048.pem"), None)


def _numbers(value):
    """Keys and numbers by their numbers, so the two libraries' objects compare."""
    if isinstance(value, (pyca_rsa.RSAPrivateKey,)):
        return ("private key", _numbers(value.private_numbers()))
    if isinstance(value, (pyca_rsa.RSAPublicKey,)):
        return ("public key", _numbers(value.public_numbers()))
    if hasattr(value, "dmp1"):
        return ("private numbers", value.p, value.q, value.d, value.dmp1, value.dmq1, value.iqmp,
                _numbers(value.public_numbers))
    if hasattr(value, "e") and hasattr(value, "n"):
        return ("public numbers", value.e, value.n)
    if isinstance(value, tuple):
        return tuple(_numbers(v) for v in value)
    return value


def outcome(case, lib: Lib):
    try:
        value = case(lib)
    except Exception as exc:  # noqa: BLE001 - the outcome is what we compare
        return ("raises", type(exc).__name__, str(exc))
    return ("returns", _numbers(value))


def _verifies_with_pyca(sig, pad, alg=hashes.SHA256(), data=MSG):
    try:
        _pyca_pub().verify(sig, data, pad, alg)
        return True
    except Exception:  # noqa: BLE001
        return False


def _pss(P, alg=hashes.SHA256, salt=None, mgf=None):
    return P.PSS(mgf=P.MGF1((mgf or alg)()), salt_length=P.PSS.MAX_LENGTH if salt is None else salt)


def _oaep(P, alg=hashes.SHA256, mgf=None, label=None):
    return P.OAEP(mgf=P.MGF1((mgf or alg)()), algorithm=alg(), label=label)


_PKCS1_CT = _pyca_pub().encrypt(b"pkcs1 plaintext", pyca_padding.PKCS1v15())
_OAEP_CT = _pyca_pub().encrypt(b"oaep plaintext", _oaep(pyca_padding, label=b"L"))
_BAD_CT = (int.from_bytes(os.urandom(256), "big") % _pyca_pub().public_numbers().n).to_bytes(256, "big")
_SIG = _pyca_key().sign(MSG, pyca_padding.PKCS1v15(), hashes.SHA256())
_PSS_SIG = _pyca_key().sign(MSG, _pss(pyca_padding, salt=20), hashes.SHA256())
_NDI_SIG = _pyca_key().sign(b"raw data", pyca_padding.PKCS1v15(), pyca_utils.NoDigestInfo())


def _cases():
    """(entry point, case) pairs; a case takes a Lib."""
    c = []
    add = c.append
    H = hashes
    # ---- key generation ----
    add(("generate_private_key(65537, 2048)", lambda L: (L.rsa.generate_private_key(65537, 2048).key_size,
                                                        L.rsa.generate_private_key(65537, 2048).public_key()
                                                        .public_numbers().e)))
    add(("generate_private_key(3, 1024)", lambda L: L.rsa.generate_private_key(3, 1024).public_key()
         .public_numbers().e))
    add(("generate_private_key(65537, 1025): size", lambda L: L.rsa.generate_private_key(65537, 1025).key_size))
    add(("generate_private_key(65537, 2049): size", lambda L: L.rsa.generate_private_key(65537, 2049).key_size))
    add(("generate_private_key(5, 2048)", lambda L: L.rsa.generate_private_key(5, 2048)))
    add(("generate_private_key(65537, 1023)", lambda L: L.rsa.generate_private_key(65537, 1023)))
    add(("generate_private_key(..., backend=None)", lambda L: L.rsa.generate_private_key(65537, 1024, None).key_size))
    # ---- numbers ----
    add(("RSAPublicNumbers(e, n).e / .n", lambda L: (L.rsa.RSAPublicNumbers(3, 35).e, L.rsa.RSAPublicNumbers(3, 35).n)))
    add(("RSAPublicNumbers('3', n)", lambda L: L.rsa.RSAPublicNumbers("3", 35)))
    add(("RSAPublicNumbers ==, hash", lambda L: (L.rsa.RSAPublicNumbers(3, 35) == L.rsa.RSAPublicNumbers(3, 35),
                                                 L.rsa.RSAPublicNumbers(3, 35) == L.rsa.RSAPublicNumbers(3, 37),
                                                 hash(L.rsa.RSAPublicNumbers(3, 35)))))
    add(("RSAPublicNumbers repr", lambda L: repr(L.rsa.RSAPublicNumbers(3, 35))))
    add(("RSAPublicNumbers.public_key()", lambda L: L.pub.public_numbers().public_key()))
    add(("RSAPublicNumbers.public_key(): e = 1", lambda L: L.rsa.RSAPublicNumbers(1, L.pub.public_numbers().n)
         .public_key()))
    add(("RSAPublicNumbers.public_key(): e even", lambda L: L.rsa.RSAPublicNumbers(4, L.pub.public_numbers().n)
         .public_key()))
    add(("RSAPublicNumbers.public_key(): e >= n", lambda L: L.rsa.RSAPublicNumbers(37, 35).public_key()))
    add(("RSAPublicNumbers.public_key(): n even", lambda L: L.rsa.RSAPublicNumbers(
        65537, L.pub.public_numbers().n + 1).public_key()))
    add(("RSAPublicNumbers.public_key(): 512-bit n", lambda L: L.rsa.RSAPublicNumbers(65537, 2 ** 511 + 3)
         .public_key().key_size))
    add(("RSAPublicNumbers.public_key(): 384-bit n", lambda L: L.rsa.RSAPublicNumbers(65537, 2 ** 383 + 3)
         .public_key().key_size))
    add(("RSAPublicNumbers.public_key(): 16385-bit n", lambda L: L.rsa.RSAPublicNumbers(65537, 2 ** 16384 + 3)
         .public_key().key_size))
    add(("RSAPrivateNumbers(...) properties", lambda L: L.key.private_numbers()))
    add(("RSAPrivateNumbers ==, hash", lambda L: (L.key.private_numbers() == L.key.private_numbers(),
                                                  hash(L.key.private_numbers()) == hash(L.key.private_numbers()))))
    add(("RSAPrivateNumbers(public_numbers=tuple)", lambda L: L.rsa.RSAPrivateNumbers(1, 2, 3, 4, 5, 6, (3, 35))))
    add(("RSAPrivateNumbers('1', ...)", lambda L: L.rsa.RSAPrivateNumbers("1", 2, 3, 4, 5, 6,
                                                                           L.rsa.RSAPublicNumbers(3, 35))))
    add(("RSAPrivateNumbers.private_key()", lambda L: L.key.private_numbers().private_key()))

    def _tweak(L, **kw):
        n = L.key.private_numbers()
        vals = dict(p=n.p, q=n.q, d=n.d, dmp1=n.dmp1, dmq1=n.dmq1, iqmp=n.iqmp, public_numbers=n.public_numbers)
        vals.update(kw)
        return L.rsa.RSAPrivateNumbers(**vals)
    add(("RSAPrivateNumbers.private_key(): p*q != n", lambda L: _tweak(L, p=L.key.private_numbers().p + 2)
         .private_key()))
    add(("RSAPrivateNumbers.private_key(): d wrong", lambda L: _tweak(L, d=L.key.private_numbers().d + 2)
         .private_key()))
    add(("RSAPrivateNumbers.private_key(unsafe_skip_rsa_key_validation=True)",
         lambda L: _tweak(L, iqmp=L.key.private_numbers().iqmp + 1).private_key(
             unsafe_skip_rsa_key_validation=True).key_size))
    add(("rsa_crt_iqmp / dmp1 / dmq1", lambda L: (L.rsa.rsa_crt_iqmp(61, 53), L.rsa.rsa_crt_dmp1(2753, 61),
                                                  L.rsa.rsa_crt_dmq1(2753, 53))))
    add(("rsa_crt_iqmp(1, q)", lambda L: L.rsa.rsa_crt_iqmp(1, 53)))
    add(("rsa_recover_private_exponent", lambda L: L.rsa.rsa_recover_private_exponent(17, 61, 53)))
    add(("rsa_recover_prime_factors", lambda L: L.rsa.rsa_recover_prime_factors(
        L.pub.public_numbers().n, 65537, L.key.private_numbers().d)))
    add(("rsa_recover_prime_factors: bad d", lambda L: L.rsa.rsa_recover_prime_factors(
        L.pub.public_numbers().n, 65537, L.key.private_numbers().d + 2)))
    # ---- key objects ----
    add(("isinstance(key, rsa.RSAPrivateKey)", lambda L: (isinstance(L.key, pyca_rsa.RSAPrivateKey),
                                                          isinstance(L.pub, pyca_rsa.RSAPublicKey))))
    add(("RSAPrivateKeyWithSerialization", lambda L: isinstance(L.key, L.rsa.RSAPrivateKeyWithSerialization)))
    add(("RSAPublicKeyWithSerialization", lambda L: isinstance(L.pub, L.rsa.RSAPublicKeyWithSerialization)))
    add(("key.key_size", lambda L: (L.key.key_size, L.pub.key_size)))
    add(("key.public_key()", lambda L: L.key.public_key()))
    add(("key.private_numbers()", lambda L: L.key.private_numbers()))
    add(("public key == same numbers (either library)", lambda L: (L.pub == _pyca_pub(), _pyca_pub() == L.pub,
                                                                  L.pub == L.key.public_key(), L.pub != _pyca_pub())))
    add(("public key == other key / None", lambda L: (L.pub == L.key1024.public_key(), L.pub == None)))  # noqa: E711
    add(("hash(public key)", lambda L: hash(L.pub)))
    add(("copy.copy / copy.deepcopy", lambda L: (copy.copy(L.key) is L.key, copy.deepcopy(L.pub) is L.pub)))
    add(("padding.calculate_max_pss_salt_length", lambda L: (
        L.padding.calculate_max_pss_salt_length(L.key, H.SHA256()),
        L.padding.calculate_max_pss_salt_length(L.pub, H.SHA512()))))
    # ---- signatures ----
    for alg in (H.MD5, H.SHA1, H.SHA224, H.SHA256, H.SHA384, H.SHA512, H.SHA512_224, H.SHA512_256,
                H.SHA3_224, H.SHA3_256, H.SHA3_384, H.SHA3_512, H.SM3):
        add((f"sign PKCS1v15 {alg.name}", lambda L, alg=alg: L.key.sign(MSG, L.padding.PKCS1v15(), alg())))
    for alg in (H.BLAKE2b, H.SHAKE128):
        add((f"sign PKCS1v15 {alg.name}", lambda L, alg=alg: L.key.sign(
            MSG, L.padding.PKCS1v15(), alg(64) if alg is H.BLAKE2b else alg(32))))
    add(("sign PKCS1v15 Prehashed", lambda L: L.key.sign(
        _digest(MSG), L.padding.PKCS1v15(),
        pyca_utils.Prehashed(H.SHA256()))))
    add(("sign Prehashed, wrong length", lambda L: L.key.sign(b"short", L.padding.PKCS1v15(),
                                                             pyca_utils.Prehashed(H.SHA256()))))
    add(("sign PKCS1v15 NoDigestInfo", lambda L: L.key.sign(b"raw data", L.padding.PKCS1v15(),
                                                          pyca_utils.NoDigestInfo())))
    add(("sign NoDigestInfo, too long", lambda L: L.key.sign(bytes(246), L.padding.PKCS1v15(),
                                                            pyca_utils.NoDigestInfo())))
    add(("sign PSS NoDigestInfo", lambda L: L.key.sign(bytes(32), _pss(L.padding), pyca_utils.NoDigestInfo())))
    for salt in ("MAX_LENGTH", "DIGEST_LENGTH", 0, 32, 222):
        add((f"sign PSS salt {salt} (pyca verifies)", lambda L, salt=salt: _verifies_with_pyca(
            L.key.sign(MSG, _pss(L.padding, salt=getattr(L.padding.PSS, salt) if isinstance(salt, str) else salt),
                       H.SHA256()),
            _pss(pyca_padding, salt=pyca_padding.PSS.AUTO))))
    add(("sign PSS salt AUTO", lambda L: L.key.sign(MSG, _pss(L.padding, salt=L.padding.PSS.AUTO), H.SHA256())))
    add(("sign PSS salt too long", lambda L: L.key.sign(MSG, _pss(L.padding, salt=223), H.SHA256())))
    add(("sign PSS MGF1-SHA1 with SHA-512", lambda L: _verifies_with_pyca(
        L.key.sign(MSG, _pss(L.padding, H.SHA512, 10, mgf=H.SHA1), H.SHA512()),
        _pss(pyca_padding, H.SHA512, 10, mgf=H.SHA1), H.SHA512())))
    add(("sign PSS MGF1-SHA3-256", lambda L: _verifies_with_pyca(
        L.key.sign(MSG, _pss(L.padding, salt=10, mgf=H.SHA3_256), H.SHA256()),
        _pss(pyca_padding, salt=10, mgf=H.SHA3_256))))
    add(("sign PSS with a non-MGF1 mgf", lambda L: L.key.sign(MSG, L.padding.PSS("mgf", 0), H.SHA256())))
    add(("sign OAEP padding", lambda L: L.key.sign(MSG, _oaep(L.padding), H.SHA256())))
    add(("sign padding 'pkcs1'", lambda L: L.key.sign(MSG, "pkcs1", H.SHA256())))
    add(("sign algorithm 'sha256'", lambda L: L.key.sign(MSG, L.padding.PKCS1v15(), "sha256")))
    add(("sign data str", lambda L: L.key.sign("text", L.padding.PKCS1v15(), H.SHA256())))
    add(("sign data memoryview", lambda L: L.key.sign(memoryview(MSG), L.padding.PKCS1v15(), H.SHA256())))
    add(("sign SHA-512 PKCS1v15 on 1024 bits", lambda L: len(L.key1024.sign(MSG, L.padding.PKCS1v15(), H.SHA512()))))
    add(("verify PKCS1v15", lambda L: L.pub.verify(_SIG, MSG, L.padding.PKCS1v15(), H.SHA256())))
    add(("verify PKCS1v15 wrong message", lambda L: L.pub.verify(_SIG, MSG + b"!", L.padding.PKCS1v15(),
                                                                H.SHA256())))
    add(("verify signature too short", lambda L: L.pub.verify(_SIG[1:], MSG, L.padding.PKCS1v15(), H.SHA256())))
    add(("verify signature >= n", lambda L: L.pub.verify(b"\xff" * 256, MSG, L.padding.PKCS1v15(), H.SHA256())))
    add(("verify Prehashed", lambda L: L.pub.verify(_SIG, _digest(MSG), L.padding.PKCS1v15(),
                                                   pyca_utils.Prehashed(H.SHA256()))))
    add(("verify NoDigestInfo", lambda L: L.pub.verify(_NDI_SIG, b"raw data", L.padding.PKCS1v15(),
                                                      pyca_utils.NoDigestInfo())))
    add(("verify PSS exact salt", lambda L: L.pub.verify(_PSS_SIG, MSG, _pss(L.padding, salt=20), H.SHA256())))
    add(("verify PSS other salt", lambda L: L.pub.verify(_PSS_SIG, MSG, _pss(L.padding, salt=21), H.SHA256())))
    add(("verify PSS AUTO", lambda L: L.pub.verify(_PSS_SIG, MSG, _pss(L.padding, salt=L.padding.PSS.AUTO),
                                                  H.SHA256())))
    add(("verify PSS MAX_LENGTH (any salt, as OpenSSL)", lambda L: L.pub.verify(_PSS_SIG, MSG, _pss(L.padding),
                                                                                 H.SHA256())))
    add(("verify PSS DIGEST_LENGTH", lambda L: L.pub.verify(_PSS_SIG, MSG,
                                                           _pss(L.padding, salt=L.padding.PSS.DIGEST_LENGTH),
                                                           H.SHA256())))
    add(("verify signature str", lambda L: L.pub.verify("sig", MSG, L.padding.PKCS1v15(), H.SHA256())))
    add(("verify memoryview", lambda L: L.pub.verify(memoryview(_SIG), memoryview(MSG), L.padding.PKCS1v15(),
                                                    H.SHA256())))
    add(("recover_data_from_signature(SHA256)", lambda L: L.pub.recover_data_from_signature(
        _SIG, L.padding.PKCS1v15(), H.SHA256())))
    add(("recover_data_from_signature(None)", lambda L: L.pub.recover_data_from_signature(
        _SIG, L.padding.PKCS1v15(), None)))
    add(("recover_data_from_signature(NoDigestInfo)", lambda L: L.pub.recover_data_from_signature(
        _NDI_SIG, L.padding.PKCS1v15(), pyca_utils.NoDigestInfo())))
    add(("recover_data_from_signature(wrong hash)", lambda L: L.pub.recover_data_from_signature(
        _SIG, L.padding.PKCS1v15(), H.SHA1())))
    add(("recover_data_from_signature(garbage)", lambda L: L.pub.recover_data_from_signature(
        b"\x01" * 256, L.padding.PKCS1v15(), None)))
    add(("recover_data_from_signature(PSS)", lambda L: L.pub.recover_data_from_signature(
        _PSS_SIG, _pss(L.padding), H.SHA256())))
    add(("recover_data_from_signature(PSS, None)", lambda L: L.pub.recover_data_from_signature(
        _PSS_SIG, _pss(L.padding), None)))
    add(("recover_data_from_signature(Prehashed)", lambda L: L.pub.recover_data_from_signature(
        _SIG, L.padding.PKCS1v15(), pyca_utils.Prehashed(H.SHA256()))))
    # ---- encryption ----
    add(("encrypt PKCS1v15 (pyca decrypts)", lambda L: _pyca_key().decrypt(
        L.pub.encrypt(b"m", L.padding.PKCS1v15()), pyca_padding.PKCS1v15())))
    for alg in (H.SHA1, H.SHA224, H.SHA256, H.SHA384, H.SHA512):
        add((f"encrypt OAEP {alg.name} (pyca decrypts)", lambda L, alg=alg: _pyca_key().decrypt(
            L.pub.encrypt(b"m", _oaep(L.padding, alg, label=b"L")), _oaep(pyca_padding, alg, label=b"L"))))
    add(("encrypt OAEP SHA-256, MGF1-SHA-1", lambda L: _pyca_key().decrypt(
        L.pub.encrypt(b"m", _oaep(L.padding, H.SHA256, H.SHA1)), _oaep(pyca_padding, H.SHA256, H.SHA1))))
    add(("encrypt OAEP SHA-512/256", lambda L: len(L.pub.encrypt(b"m", _oaep(L.padding, H.SHA512_256)))))
    add(("encrypt OAEP SHA3-256", lambda L: L.pub.encrypt(b"m", _oaep(L.padding, H.SHA3_256))))
    add(("encrypt OAEP label str", lambda L: L.pub.encrypt(b"m", _oaep(L.padding, label="L"))))
    add(("encrypt message too long (OAEP)", lambda L: L.pub.encrypt(bytes(191), _oaep(L.padding))))
    add(("encrypt message too long (PKCS1v15)", lambda L: L.pub.encrypt(bytes(246), L.padding.PKCS1v15())))
    add(("encrypt PSS padding", lambda L: L.pub.encrypt(b"m", _pss(L.padding))))
    add(("encrypt str", lambda L: L.pub.encrypt("m", L.padding.PKCS1v15())))
    add(("encrypt memoryview", lambda L: L.pub.encrypt(memoryview(b"m"), L.padding.PKCS1v15())))
    add(("decrypt PKCS1v15", lambda L: L.key.decrypt(_PKCS1_CT, L.padding.PKCS1v15())))
    add(("decrypt PKCS1v15, bad padding (implicit rejection)", lambda L: L.key.decrypt(_BAD_CT,
                                                                                       L.padding.PKCS1v15())))
    add(("decrypt OAEP with label", lambda L: L.key.decrypt(_OAEP_CT, _oaep(L.padding, label=b"L"))))
    add(("decrypt OAEP, wrong label", lambda L: L.key.decrypt(_OAEP_CT, _oaep(L.padding, label=b"M"))))
    add(("decrypt OAEP, bad ciphertext", lambda L: L.key.decrypt(_BAD_CT, _oaep(L.padding))))
    add(("decrypt ciphertext length != k", lambda L: L.key.decrypt(_PKCS1_CT[1:], L.padding.PKCS1v15())))
    add(("decrypt ciphertext >= n", lambda L: L.key.decrypt(b"\xff" * 256, L.padding.PKCS1v15())))
    add(("decrypt PSS padding", lambda L: L.key.decrypt(_PKCS1_CT, _pss(L.padding))))
    add(("decrypt bytearray", lambda L: L.key.decrypt(bytearray(_PKCS1_CT), L.padding.PKCS1v15())))
    add(("decrypt OAEP MGF1-MD5", lambda L: L.key.decrypt(_OAEP_CT, _oaep(L.padding, H.SHA256, H.MD5))))
    # ---- serialisation ----
    for enc, fmt in ((ser.Encoding.PEM, ser.PrivateFormat.PKCS8), (ser.Encoding.DER, ser.PrivateFormat.PKCS8),
                     (ser.Encoding.PEM, ser.PrivateFormat.TraditionalOpenSSL),
                     (ser.Encoding.DER, ser.PrivateFormat.TraditionalOpenSSL),
                     (ser.Encoding.PEM, ser.PrivateFormat.OpenSSH)):
        add((f"private_bytes {_short(enc)} {_short(fmt)}", lambda L, enc=enc, fmt=fmt: _reload_private(
            L.key.private_bytes(enc, fmt, ser.NoEncryption()))))
    add(("private_bytes PKCS8 BestAvailableEncryption", lambda L: _reload_private(
        L.key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.BestAvailableEncryption(b"pw")), b"pw")))
    add(("private_bytes Raw", lambda L: L.key.private_bytes(ser.Encoding.Raw, ser.PrivateFormat.Raw,
                                                            ser.NoEncryption())))
    for enc, fmt in ((ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo),
                     (ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo),
                     (ser.Encoding.PEM, ser.PublicFormat.PKCS1), (ser.Encoding.DER, ser.PublicFormat.PKCS1),
                     (ser.Encoding.OpenSSH, ser.PublicFormat.OpenSSH)):
        add((f"public_bytes {_short(enc)} {_short(fmt)}", lambda L, enc=enc, fmt=fmt: L.pub.public_bytes(enc, fmt)))
    add(("public_bytes PEM OpenSSH", lambda L: L.pub.public_bytes(ser.Encoding.PEM, ser.PublicFormat.OpenSSH)))
    add(("load_pem_private_key", lambda L: L.load_pem_private_key(_pem("rsa3072.pem"), None)))
    add(("load_der_private_key", lambda L: L.load_der_private_key(_der_private(), None)))
    add(("load_pem_private_key(backend=None, unsafe_skip_rsa_key_validation=True)",
         lambda L: L.load_pem_private_key(_pem("rsa1024.pem"), None, None, unsafe_skip_rsa_key_validation=True)))
    add(("load_pem_private_key encrypted", lambda L: L.load_pem_private_key(_encrypted(), b"pw")))
    add(("load_pem_private_key wrong password", lambda L: L.load_pem_private_key(_encrypted(), b"no")))
    add(("load_pem_private_key no password", lambda L: L.load_pem_private_key(_encrypted(), None)))
    add(("load_pem_private_key unneeded password", lambda L: L.load_pem_private_key(_pem("rsa1024.pem"), b"pw")))
    add(("load_pem_private_key garbage", lambda L: L.load_pem_private_key(b"garbage", None)))
    add(("load_pem_private_key str", lambda L: L.load_pem_private_key("text", None)))
    add(("load_pem_public_key", lambda L: L.load_pem_public_key(_pem("rsa2048.pub.pem"))))
    add(("load_der_public_key", lambda L: L.load_der_public_key(_pyca_pub().public_bytes(
        ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo))))
    add(("load_pem_public_key PKCS#1", lambda L: L.load_pem_public_key(_pyca_pub().public_bytes(
        ser.Encoding.PEM, ser.PublicFormat.PKCS1))))
    add(("load_ssh_public_key", lambda L: L.load_ssh_public_key(_pyca_pub().public_bytes(
        ser.Encoding.OpenSSH, ser.PublicFormat.OpenSSH))))
    add(("load_ssh_public_key garbage", lambda L: L.load_ssh_public_key(b"ssh-rsa AAAA")))
    add(("load_ssh_private_key", lambda L: L.load_ssh_private_key(_pyca_key().private_bytes(
        ser.Encoding.PEM, ser.PrivateFormat.OpenSSH, ser.NoEncryption()), None)))
    add(("load_pem_private_key three-prime key", lambda L: L.load_pem_private_key(_three_prime(), None).key_size))
    add(("load_pem_private_key RSA-PSS key", lambda L: L.load_pem_private_key(_pss_key(), None)))
    return c


def _short(member) -> str:
    return str(member).split(".")[-1]


def _digest(data: bytes) -> bytes:
    h = hashes.Hash(hashes.SHA256())
    h.update(data)
    return h.finalize()


def _reload_private(blob: bytes, password=None):
    if blob.startswith(b"-----BEGIN OPENSSH"):
        return ser.load_ssh_private_key(blob, password)
    loader = ser.load_pem_private_key if blob.startswith(b"-----") else ser.load_der_private_key
    return loader(blob, password)


def _der_private() -> bytes:
    return _pyca_key().private_bytes(ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.NoEncryption())


@functools.cache
def _encrypted() -> bytes:
    # One encryption for both libraries: a fresh salt and IV per call would make the
    # wrong-password case differ by chance (about 1 in 256 wrong keys leave valid
    # padding, and the error is then ASN.1's rather than "Incorrect password").
    return _pyca_key().private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.BestAvailableEncryption(b"pw"))


def _three_prime() -> bytes:
    return (DATA / "rsa2048-3prime.pem").read_bytes()


def _pss_key() -> bytes:
    return (DATA / "rsa2048-pss.pem").read_bytes()


CASES = _cases()

# entry point -> why provenum deliberately differs from pyca there
_REASON = "InvalidSignature, with a reason where pyca's message is empty"
DIFFERENCES = {
    "generate_private_key(65537, 2049): size":
        "exactly the size asked (pyca's OpenSSL makes a 2048-bit key for 2049)",
    "RSAPublicNumbers.public_key(): n even":
        "refused at construction (pyca builds the key; no operation can use it)",
    "RSAPublicNumbers.public_key(): 384-bit n": "keys below 512 bits are refused",
    "RSAPublicNumbers.public_key(): 16385-bit n":
        "refused at construction (pyca builds the key, then every operation fails)",
    "RSAPrivateNumbers.private_key(): d wrong":
        "same ValueError; the message adds the reason to pyca's 'Invalid private key'",
    "hash(public key)": "unhashable like pyca's; the TypeError names provenum's class",
    "verify PKCS1v15 wrong message": _REASON,
    "verify signature too short": _REASON,
    "verify signature >= n": _REASON,
    "verify PSS other salt": _REASON,
    "verify PSS DIGEST_LENGTH": _REASON,
    "recover_data_from_signature(wrong hash)": _REASON,
    "recover_data_from_signature(garbage)": _REASON,
    "encrypt OAEP SHA-512/256": "SHA-512/224 and SHA-512/256 accepted for OAEP (pyca: UnsupportedAlgorithm)",
    "load_pem_private_key three-prime key": "three-prime keys load (pyca: ValueError 'Invalid key')",
}


def compare():
    """[(entry point, pyca outcome, provenum outcome, verdict)] for every case."""
    pyca, ours = libraries()
    rows = []
    for name, case in CASES:
        a, b = outcome(case, pyca), outcome(case, ours)
        if a == b:
            verdict = "same"
        elif a[0] == b[0] == "raises" and a[1] == b[1]:
            verdict = "same exception, other message"
        else:
            verdict = "differs"
        rows.append((name, a, b, verdict))
    return rows


def markdown(rows) -> str:
    lines = ["| pyca RSA entry point | same as pyca | note |", "|---|---|---|"]
    for name, a, b, verdict in rows:
        note = DIFFERENCES.get(name, "")
        mark = {"same": "yes", "same exception, other message": "yes (message differs)"}.get(verdict, "no")
        lines.append(f"| `{name}` | {mark} | {note} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "src"))
    rows = compare()
    print(markdown(rows))
    same = sum(v == "same" for *_, v in rows)
    print(f"\n{len(rows)} entry points: {same} same, {len(rows) - same} different (see notes)", file=sys.stderr)
