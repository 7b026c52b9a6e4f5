"""provenum sign: sign a file with an RSA private key (PKCS#1 v1.5 or PSS)."""
from __future__ import annotations

NAME = "sign"
HELP = "sign a file with an RSA private key (PKCS#1 v1.5, or PSS with --pss or an RSA-PSS key)"


def add_arguments(parser) -> None:
    from provenum.rsa._cli import add_signature_options

    parser.add_argument("--key", required=True, help="private key, PEM, DER or OpenSSH ('-' for stdin)")
    parser.add_argument("--in", dest="infile", default="-", help="file to sign (default '-': stdin)")
    parser.add_argument("--out", default="-", help="signature file to write (default '-': stdout)")
    parser.add_argument("--force", action="store_true", help="replace an existing signature file")
    add_signature_options(parser, salt_default="max")


def run(args) -> int:
    from provenum.rsa._cli import (CLIError, Output, check_stdin_once, first_line, load_private, read_input,
                                   signature_padding, write_all)

    check_stdin_once(key=args.key, **{"in": args.infile, "passin": "-" if args.passin == "stdin" else None})
    out = Output(args.out, "signature", force=args.force)
    key, algorithm = load_private(read_input(args.key, "key"), args.passin)
    pad, hash_alg = signature_padding(args, algorithm, verifying=False)
    data = read_input(args.infile, "input")
    try:
        signature = key.sign(data, pad, hash_alg)
    except (ValueError, TypeError) as exc:
        raise CLIError(first_line(exc)) from None
    write_all([(out, signature)])
    return 0
