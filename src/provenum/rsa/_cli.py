"""Shared pieces of the RSA sub-commands in provenum.commands (keygen, sign, verify-signature)."""
from __future__ import annotations


def hash_algorithm(name: str):
    from cryptography.hazmat.primitives import hashes

    return {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
            "sha384": hashes.SHA384, "sha512": hashes.SHA512}[name]()


def padding_for(args):
    from provenum.rsa import padding

    algorithm = hash_algorithm(args.hash)
    if not args.pss:
        return padding.PKCS1v15(), algorithm
    salt = args.salt_length
    lengths = {"max": padding.PSS.MAX_LENGTH, "digest": padding.PSS.DIGEST_LENGTH, "auto": padding.PSS.AUTO}
    if salt in lengths:
        salt_length = lengths[salt]
    else:
        try:
            salt_length = int(salt)
        except ValueError:
            raise ValueError(f"bad --salt-length {salt!r}: give a number, max, digest or auto") from None
    return padding.PSS(padding.MGF1(algorithm), salt_length), algorithm


def read_file(path: str) -> bytes:
    if path == "-":
        import sys

        return sys.stdin.buffer.read()
    with open(path, "rb") as f:
        return f.read()


def fail(message: str, status: int = 1) -> int:
    import sys

    print(f"provenum: {message}", file=sys.stderr)
    return status
