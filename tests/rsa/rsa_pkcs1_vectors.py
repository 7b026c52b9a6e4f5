"""Reader for RSA Laboratories' PKCS#1 v2.1 signature vectors (in `cryptography_vectors`)."""
from __future__ import annotations

import os

import cryptography_vectors

RSA_DIR = os.path.join(os.path.dirname(cryptography_vectors.__file__), "asymmetric", "RSA")


def examples(relpath: str) -> list[dict]:
    """[{"key": {label: int}, "signatures": [{label: bytes}]}] for each "# Example" key.

    Fields are "# Label:" lines followed by hex lines; the private key's
    fields follow "# Private key" (the public key section repeats the modulus).
    """
    out, field, section = [], None, None
    with open(os.path.join(RSA_DIR, relpath)) as f:
        for raw in f:
            line = raw.strip()
            if line.startswith("# Example") and "key" in line.lower():
                out.append({"key": {}, "signatures": []})
                section = None
            elif line.startswith("# Private key"):
                section = "private"
            elif line.startswith(("# PKCS#1 v1.5 Signature Example", "# PSS Example")):
                out[-1]["signatures"].append({})
                section = "signature"
            elif line.startswith("# ") and line.endswith(":"):
                field = line[2:-1].strip()
            elif line and not line.startswith("#") and field and out:
                value = bytes.fromhex(line)
                if section == "signature":
                    sig = out[-1]["signatures"][-1]
                    sig[field] = sig.get(field, b"") + value
                elif section == "private":
                    key = out[-1]["key"]
                    key[field] = (key.get(field, 0) << (8 * len(value))) | int.from_bytes(value, "big")
            elif not line:
                field = None
    return out
