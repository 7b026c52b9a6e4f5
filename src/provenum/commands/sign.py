"""provenum sign: sign a file with an RSA private key (PKCS#1 v1.5 or PSS)."""
from __future__ import annotations

NAME = "sign"
HELP = "sign a file with an RSA private key (PKCS#1 v1.5, or PSS with --pss)"


def add_arguments(parser) -> None:
    parser.add_argument("--key", required=True, help="private key, PEM or DER (PKCS#1 or PKCS#8)")
    parser.add_argument("--in", dest="infile", required=True, help="file to sign ('-' for stdin)")
    parser.add_argument("--out", required=True, help="signature file to write")
    parser.add_argument("--pss", action="store_true", help="RSASSA-PSS with MGF1 (default: PKCS#1 v1.5)")
    parser.add_argument("--hash", default="sha256", choices=("sha1", "sha224", "sha256", "sha384", "sha512"),
                        help="message hash (default sha256)")
    parser.add_argument("--salt-length", default="max", metavar="N|max|digest",
                        help="PSS salt length (default max)")


def run(args) -> int:
    from provenum import rsa

    from provenum.rsa._cli import fail, padding_for, read_file

    try:
        pad, algorithm = padding_for(args)
        key = rsa.load_private_key(read_file(args.key))
        signature = key.sign(read_file(args.infile), pad, algorithm)
    except (ValueError, TypeError, OSError) as exc:
        return fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 2)
    with open(args.out, "wb") as f:
        f.write(signature)
    return 0
