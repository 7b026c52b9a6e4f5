"""Project Wycheproof's RSA vectors, run through provenum's public API (pyca's interface).

Where the files are: $PROVENUM_WYCHEPROOF, else ../shared/wycheproof from the
repository root (for a git worktree, from the main checkout's root as well).
Each schema has a runner that returns, per vector, whether provenum met the
expectation:
    valid       must pass (verify, decrypt to msg, sign to sig byte for byte);
    invalid     must fail (InvalidSignature, ValueError; for PKCS#1 v1.5
                decryption, which never fails on a padding, the implicit-
                rejection output: not msg, and byte for byte pyca's);
    acceptable  must do what pyca/cryptography does with the same vector.

    python tests/rsa/wycheproof.py       # counts per file and in total
"""
from __future__ import annotations

import collections
import json
import os
import pathlib

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import padding as pyca_padding

ROOT = pathlib.Path(__file__).resolve().parents[2]
ENV = "PROVENUM_WYCHEPROOF"


def locate() -> tuple[pathlib.Path | None, str]:
    """(folder, how it was looked for)."""
    if os.environ.get(ENV):
        path = pathlib.Path(os.environ[ENV])
        return (path if path.is_dir() else None), f"${ENV}={path}"
    roots = [ROOT]
    git = ROOT / ".git"
    if git.is_file():  # a worktree: the main checkout is where ../shared sits beside
        gitdir = pathlib.Path(git.read_text().split(":", 1)[1].strip())
        common = gitdir / "commondir"
        if common.is_file():
            roots.append((gitdir / common.read_text().strip()).resolve().parent)
    for root in roots:
        path = root.parent / "shared" / "wycheproof"
        if path.is_dir():
            return path, str(path)
    return None, " or ".join(str(r.parent / "shared" / "wycheproof") for r in roots) + f" (or set ${ENV})"


def files(folder: pathlib.Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.json"))


_HASHES = {"SHA-1": hashes.SHA1, "SHA-224": hashes.SHA224, "SHA-256": hashes.SHA256, "SHA-384": hashes.SHA384,
           "SHA-512": hashes.SHA512, "SHA-512/224": hashes.SHA512_224, "SHA-512/256": hashes.SHA512_256,
           "SHA3-224": hashes.SHA3_224, "SHA3-256": hashes.SHA3_256, "SHA3-384": hashes.SHA3_384,
           "SHA3-512": hashes.SHA3_512}


def hash_of(name: str):
    if name == "SHAKE128":
        return hashes.SHAKE128(32)
    if name == "SHAKE256":
        return hashes.SHAKE256(64)
    return _HASHES[name]()


def _raises(fn):
    """The exception type name fn raises, or None; the outcome compared with pyca."""
    try:
        fn()
    except (InvalidSignature, ValueError, UnsupportedAlgorithm, TypeError) as exc:
        return type(exc).__name__
    return None


def _pss_padding(group, lib_padding):
    from provenum.rsa import padding as prv_padding

    if group["mgf"] in ("SHAKE128", "SHAKE256"):
        return prv_padding.PSS(mgf=prv_padding.MGFSHAKE(hash_of(group["mgf"])), salt_length=int(group["sLen"]))
    return lib_padding.PSS(mgf=lib_padding.MGF1(hash_of(group["mgfSha"])), salt_length=int(group["sLen"]))


def run_verify(data: dict, schema: str):
    """RSASSA-PKCS1-v1_5 and RSASSA-PSS verification (with parameters: from the key)."""
    from provenum import rsa
    from provenum.rsa import padding
    from provenum.rsa.keyinfo import key_algorithm

    for group in data["testGroups"]:
        der = bytes.fromhex(group["publicKeyDer"])
        key = rsa.load_der_public_key(der)
        theirs = ser.load_der_public_key(der)
        alg = hash_of(group["sha"])
        if schema.startswith("rsassa_pkcs1"):
            ours_pad, their_pad = padding.PKCS1v15(), pyca_padding.PKCS1v15()
        else:
            ours_pad, their_pad = _pss_padding(group, padding), None
            if group["mgf"] == "MGF1":
                their_pad = _pss_padding(group, pyca_padding)
        if schema == "rsassa_pss_with_parameters_verify_schema.json":
            # the parameters come from the key, as an RSA-PSS key demands
            info = key_algorithm(der)
            assert info.kind == "rsa-pss", group["publicKeyDer"][:80]
            if info.restricted:
                assert (info.hash_algorithm.name, info.mgf_algorithm.name, info.min_salt_length) == (
                    alg.name, hash_of(group["mgfSha"]).name, int(group["sLen"]))
                alg = info.hash_algorithm
                ours_pad = padding.PSS(mgf=padding.MGF1(info.mgf_algorithm), salt_length=info.min_salt_length)
        for t in group["tests"]:
            msg, sig = bytes.fromhex(t["msg"]), bytes.fromhex(t["sig"])
            got = _raises(lambda: key.verify(sig, msg, ours_pad, alg))
            if t["result"] == "valid":
                ok = got is None
            elif t["result"] == "invalid":
                ok = got == "InvalidSignature"
            else:
                ok = got == _raises(lambda: theirs.verify(sig, msg, their_pad, alg))
            yield t, ok, got


def run_sign(data: dict, schema: str):
    """RSASSA-PKCS1-v1_5 signature generation: byte for byte."""
    from provenum import rsa
    from provenum.rsa import padding

    for group in data["testGroups"]:
        key = rsa.load_der_private_key(bytes.fromhex(group["privateKeyPkcs8"]))
        alg = hash_of(group["sha"])
        for t in group["tests"]:
            msg, sig = bytes.fromhex(t["msg"]), bytes.fromhex(t["sig"])
            try:
                ours = key.sign(msg, padding.PKCS1v15(), alg)
            except (ValueError, UnsupportedAlgorithm) as exc:
                yield t, t["result"] == "invalid", type(exc).__name__
                continue
            same = ours == sig
            yield t, same if t["result"] != "invalid" else not same, "signed"


def run_decrypt(data: dict, schema: str):
    """RSAES-OAEP and RSAES-PKCS1-v1_5 decryption."""
    from provenum import rsa
    from provenum.rsa import padding

    oaep = schema.startswith("rsaes_oaep")
    for group in data["testGroups"]:
        der = bytes.fromhex(group["privateKeyPkcs8"])
        key = rsa.load_der_private_key(der)
        try:  # the reference for implicit rejection and 'acceptable' (its key check is slow: skipped)
            theirs = ser.load_der_private_key(der, None, unsafe_skip_rsa_key_validation=True)
        except ValueError:
            theirs = None  # three-prime keys: pyca refuses them
        for t in group["tests"]:
            ct, msg = bytes.fromhex(t["ct"]), bytes.fromhex(t["msg"])
            if oaep:
                label = bytes.fromhex(t.get("label", ""))
                ours_pad = padding.OAEP(mgf=padding.MGF1(hash_of(group["mgfSha"])),
                                        algorithm=hash_of(group["sha"]), label=label)
                their_pad = pyca_padding.OAEP(mgf=pyca_padding.MGF1(hash_of(group["mgfSha"])),
                                              algorithm=hash_of(group["sha"]), label=label)
            else:
                ours_pad = their_pad = padding.PKCS1v15()
            try:
                got = key.decrypt(ct, ours_pad)
            except ValueError as exc:
                got = exc
            if t["result"] == "valid":
                ok = got == msg
            elif t["result"] == "invalid":
                if isinstance(got, ValueError):
                    ok = True
                else:  # implicit rejection: a synthetic message, and OpenSSL's (pyca's) one
                    ok = not oaep and got != msg and theirs is not None and got == theirs.decrypt(ct, their_pad)
            else:
                try:
                    expected = theirs.decrypt(ct, their_pad)
                except ValueError as exc:
                    expected = exc
                ok = (type(got) is type(expected)) if isinstance(got, ValueError) else got == expected
            yield t, ok, "raised" if isinstance(got, ValueError) else "returned"


RUNNERS = {
    "rsassa_pkcs1_verify_schema_v1.json": run_verify,
    "rsassa_pss_verify_schema_v1.json": run_verify,
    "rsassa_pss_with_parameters_verify_schema.json": run_verify,
    "rsassa_pkcs1_generate_schema_v1.json": run_sign,
    "rsaes_pkcs1_decrypt_schema_v1.json": run_decrypt,
    "rsaes_oaep_decrypt_schema_v1.json": run_decrypt,
}


def run_file(path: pathlib.Path) -> dict:
    """{"counts": Counter((result, met)), "failures": [tcId ...], "tests": n, "declared": numberOfTests}."""
    data = json.loads(path.read_text())
    counts, failures = collections.Counter(), []
    for t, ok, _ in RUNNERS[data["schema"]](data, data["schema"]):
        counts[(t["result"], ok)] += 1
        if not ok:
            failures.append(t["tcId"])
    return {"counts": counts, "failures": failures, "tests": sum(counts.values()),
            "declared": data["numberOfTests"], "schema": data["schema"]}


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT / "src"))
    folder, where = locate()
    if folder is None:
        sys.exit(f"no Wycheproof folder at {where}")
    total = collections.Counter()
    for name in files(folder):
        res = run_file(folder / name)
        total.update(res["counts"])
        c = res["counts"]
        print(f"{name}: {res['tests']} vectors; valid {c[('valid', True)]}/{c[('valid', True)] + c[('valid', False)]}"
              f" passed, invalid {c[('invalid', True)]}/{c[('invalid', True)] + c[('invalid', False)]} rejected, "
              f"acceptable {c[('acceptable', True)]}/{c[('acceptable', True)] + c[('acceptable', False)]} as pyca"
              + (f"; FAILED {res['failures']}" if res["failures"] else ""))
    print(f"total: {sum(total.values())} vectors, {sum(v for (r, ok), v in total.items() if ok)} as expected; "
          + ", ".join(f"{r} {ok}: {v}" for (r, ok), v in sorted(total.items())))
