"""Reader for the NIST CAVP RSA response files shipped in `cryptography_vectors`."""
from __future__ import annotations

import os

import cryptography_vectors

RSA_DIR = os.path.join(os.path.dirname(cryptography_vectors.__file__), "asymmetric", "RSA", "FIPS_186-2")


def records(name: str, emit_on: str) -> list[dict]:
    """Every test record of file `name`, each a dict of the header values in
    force (mod, n, e, d, p, q) plus its own fields, emitted at the `emit_on` line."""
    out, current = [], {}
    with open(os.path.join(RSA_DIR, name)) as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[mod"):
                current = {"mod": int(line.strip("[]").split("=")[1])}
                continue
            key, _, value = (part.strip() for part in line.partition("="))
            current[key] = value
            if key == emit_on:
                out.append(dict(current))
    return out


def hex_int(value: str) -> int:
    return int(value, 16)
