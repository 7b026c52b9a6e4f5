"""provenum keygen: generate an RSA private key (PEM or DER, PKCS#8 or PKCS#1)."""
from __future__ import annotations

NAME = "keygen"
HELP = "generate an RSA key pair (PKCS#8 PEM by default)"


def add_arguments(parser) -> None:
    parser.add_argument("--bits", type=int, default=2048, help="modulus size, a multiple of 64 from 1024 to 8192")
    parser.add_argument("-e", "--exponent", type=int, default=65537, help="public exponent (default 65537)")
    parser.add_argument("-o", "--out", required=True, help="private key file to write")
    parser.add_argument("--pubout", help="also write the public key (SubjectPublicKeyInfo) here")
    parser.add_argument("--format", choices=("pkcs8", "pkcs1"), default="pkcs8", help="private key format")
    parser.add_argument("--der", action="store_true", help="write DER instead of PEM")


def run(args) -> int:
    import os

    from cryptography.hazmat.primitives import serialization as ser

    from provenum import rsa

    from provenum.rsa._cli import fail

    try:
        key = rsa.generate_private_key(public_exponent=args.exponent, key_size=args.bits)
    except ValueError as exc:
        return fail(str(exc), 2)
    encoding = ser.Encoding.DER if args.der else ser.Encoding.PEM
    fmt = ser.PrivateFormat.PKCS8 if args.format == "pkcs8" else ser.PrivateFormat.TraditionalOpenSSL
    data = key.private_bytes(encoding, fmt, ser.NoEncryption())
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # private: owner only
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    if args.pubout:
        with open(args.pubout, "wb") as f:
            f.write(key.public_key().public_bytes(encoding, ser.PublicFormat.SubjectPublicKeyInfo))
    return 0
