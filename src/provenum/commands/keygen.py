"""provenum keygen: generate an RSA private key (PEM or DER, PKCS#8 or PKCS#1), optionally encrypted."""
from __future__ import annotations

NAME = "keygen"
HELP = "generate an RSA key pair (PKCS#8 PEM by default)"


def add_arguments(parser) -> None:
    from provenum.rsa.keyinfo import CIPHERS

    parser.add_argument("--bits", type=int, default=2048, help="modulus size, 1024 to 16384 (default 2048)")
    parser.add_argument("-e", "--exponent", type=int, default=65537, choices=(3, 65537),
                        help="public exponent (default 65537)")
    parser.add_argument("-o", "--out", required=True, help="private key file to write ('-' for stdout)")
    parser.add_argument("--pubout", help="also write the public key (SubjectPublicKeyInfo) here ('-' for stdout)")
    parser.add_argument("--format", choices=("pkcs8", "pkcs1"), default="pkcs8", help="private key format")
    parser.add_argument("--der", action="store_true", help="write DER instead of PEM")
    parser.add_argument("--passout", metavar="ARG",
                        help="encrypt the private key with this password: pass:TEXT, env:VAR, file:PATH, fd:N, stdin")
    parser.add_argument("--cipher", choices=sorted(CIPHERS),
                        help="cipher for --passout (default aes-256-cbc; PKCS#1 PEM: aes-256-cbc only)")
    parser.add_argument("--force", action="store_true", help="replace existing output files")


def _private_bytes(key, args, secret: bytes | None) -> bytes:
    from cryptography.hazmat.primitives import serialization as ser

    from provenum.rsa import _asn1
    from provenum.rsa._cli import CLIError
    from provenum.rsa.keyinfo import encrypt_pkcs8

    encoding = ser.Encoding.DER if args.der else ser.Encoding.PEM
    if args.format == "pkcs1":
        if secret is None:
            return key.private_bytes(encoding, ser.PrivateFormat.TraditionalOpenSSL, ser.NoEncryption())
        if args.der or (args.cipher or "aes-256-cbc") != "aes-256-cbc":
            raise CLIError("an encrypted PKCS#1 key is PEM with aes-256-cbc only; use --format pkcs8")
        return key.private_bytes(encoding, ser.PrivateFormat.TraditionalOpenSSL, ser.BestAvailableEncryption(secret))
    der = key.private_bytes(ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.NoEncryption())
    label = "PRIVATE KEY"
    if secret is not None:
        der, label = encrypt_pkcs8(der, secret, args.cipher or "aes-256-cbc"), "ENCRYPTED PRIVATE KEY"
    return der if args.der else _asn1.pem(label, der)


def run(args) -> int:
    from cryptography.hazmat.primitives import serialization as ser

    from provenum import rsa
    from provenum.rsa._cli import CLIError, Output, password, write_all
    from provenum.rsa.keygen import check_parameters

    if args.cipher and not args.passout:
        raise CLIError("--cipher needs --passout")
    if args.out == "-" and args.pubout == "-":
        raise CLIError("only one output can be stdout ('-')")
    try:
        check_parameters(args.exponent, args.bits)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    outputs = [Output(args.out, "private key", private=True, force=args.force)]
    if args.pubout:
        outputs.append(Output(args.pubout, "public key", force=args.force))
    secret = password(args.passout, "--passout")
    key = rsa.generate_private_key(public_exponent=args.exponent, key_size=args.bits)
    data = [_private_bytes(key, args, secret)]
    if args.pubout:
        encoding = ser.Encoding.DER if args.der else ser.Encoding.PEM
        data.append(key.public_key().public_bytes(encoding, ser.PublicFormat.SubjectPublicKeyInfo))
    write_all(list(zip(outputs, data)))
    return 0
