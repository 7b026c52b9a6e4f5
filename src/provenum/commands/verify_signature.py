"""provenum verify-signature: check an RSA signature on a file."""
from __future__ import annotations

NAME = "verify-signature"
HELP = "verify an RSA signature on a file (exit 0 when valid)"


def add_arguments(parser) -> None:
    from provenum.rsa._cli import add_signature_options

    parser.epilog = "exit status: 0 valid, 1 invalid signature, 2 bad input (unreadable key or file, bad option)"
    parser.add_argument("--key", required=True,
                        help="public key (SubjectPublicKeyInfo, PKCS#1, OpenSSH) or private key ('-' for stdin)")
    parser.add_argument("--in", dest="infile", default="-", help="signed file (default '-': stdin)")
    parser.add_argument("--sig", required=True, help="signature file ('-' for stdin)")
    add_signature_options(parser, salt_default="auto")


def run(args) -> int:
    from provenum import rsa
    from provenum.rsa._cli import (CLIError, check_stdin_once, fail, first_line, load_public, read_input,
                                   signature_padding)

    check_stdin_once(key=args.key, sig=args.sig,
                     **{"in": args.infile, "passin": "-" if args.passin == "stdin" else None})
    key, algorithm = load_public(read_input(args.key, "key"), args.passin)
    pad, hash_alg = signature_padding(args, algorithm, verifying=True)
    data, signature = read_input(args.infile, "input"), read_input(args.sig, "signature")
    try:
        salt = key._verify(signature, data, pad, hash_alg)
    except rsa.InvalidSignature as exc:
        return fail(f"signature invalid: {exc}" if str(exc) else "signature invalid")
    except (ValueError, TypeError) as exc:
        raise CLIError(first_line(exc)) from None
    if algorithm.restricted and salt is not None and salt < algorithm.min_salt_length:
        return fail(f"signature invalid: its salt ({salt} bytes) is below this RSA-PSS key's minimum "
                    f"({algorithm.min_salt_length})")
    print("Verified OK")
    return 0
