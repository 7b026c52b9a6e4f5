"""provenum verify-signature: check an RSA signature on a file."""
from __future__ import annotations

NAME = "verify-signature"
HELP = "verify an RSA signature on a file (exit 0 when valid)"


def add_arguments(parser) -> None:
    parser.epilog = "exit status: 0 valid, 1 invalid signature, 2 bad input (unreadable key or file, bad option)"
    parser.add_argument("--key", required=True, help="public key (SubjectPublicKeyInfo or PKCS#1) or private key")
    parser.add_argument("--in", dest="infile", required=True, help="signed file ('-' for stdin)")
    parser.add_argument("--sig", required=True, help="signature file")
    parser.add_argument("--pss", action="store_true", help="RSASSA-PSS with MGF1 (default: PKCS#1 v1.5)")
    parser.add_argument("--hash", default="sha256", choices=("sha1", "sha224", "sha256", "sha384", "sha512"),
                        help="message hash (default sha256)")
    parser.add_argument("--salt-length", default="auto", metavar="N|max|digest|auto",
                        help="PSS salt length (default auto)")


def run(args) -> int:
    from provenum import rsa

    from provenum.rsa._cli import fail, padding_for, read_file

    try:
        pad, algorithm = padding_for(args)
        key = rsa.load_public_key(read_file(args.key))
        data, signature = read_file(args.infile), read_file(args.sig)
    except (ValueError, TypeError, OSError) as exc:
        return fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 2)
    try:
        key.verify(signature, data, pad, algorithm)
    except rsa.InvalidSignature as exc:
        return fail(f"signature invalid: {exc}" if str(exc) else "signature invalid")
    except (ValueError, TypeError) as exc:
        return fail(str(exc), 2)
    print("Verified OK")
    return 0
