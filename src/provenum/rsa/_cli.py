"""Shared pieces of the RSA sub-commands (keygen, sign, verify-signature), as careful as openssl's.

- Input and output paths take '-' for stdin / stdout (at most one input may be stdin).
- Files are written to a new temporary file in the target directory, flushed
  and renamed over the target, so nothing is ever half-written; an existing
  file is replaced only with --force. Private keys are created 0600 from the
  start (the temporary file is made so; an existing file is never chmod-ed).
- Passwords in openssl's forms: pass:TEXT, env:VAR, file:PATH, fd:N, stdin.
- Every user error is a CLIError: one line on stderr, exit status 2.
"""
from __future__ import annotations

import os
import sys
import tempfile

HASHES = ("sha1", "sha224", "sha256", "sha384", "sha512", "sha512-224", "sha512-256",
          "sha3-224", "sha3-256", "sha3-384", "sha3-512")


from provenum.commands._common import CLIError  # noqa: F401  (raised here, reported by cli.main)


def hash_algorithm(name: str):
    from cryptography.hazmat.primitives import hashes

    classes = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
               "sha512": hashes.SHA512, "sha512-224": hashes.SHA512_224, "sha512-256": hashes.SHA512_256,
               "sha3-224": hashes.SHA3_224, "sha3-256": hashes.SHA3_256, "sha3-384": hashes.SHA3_384,
               "sha3-512": hashes.SHA3_512}
    return classes[name]()


def add_signature_options(parser, salt_default: str) -> None:
    parser.add_argument("--pss", action="store_true", help="RSASSA-PSS with MGF1 (default: PKCS#1 v1.5; "
                                                           "an RSA-PSS key always uses PSS)")
    parser.add_argument("--hash", choices=HASHES, help="message hash (default sha256, or an RSA-PSS key's)")
    parser.add_argument("--mgf1-hash", choices=HASHES, help="PSS: MGF1's hash (default: the message hash)")
    parser.add_argument("--salt-length", metavar="N|max|digest" + ("|auto" if salt_default == "auto" else ""),
                        help=f"PSS salt length (default {salt_default}, or an RSA-PSS key's minimum)")
    parser.add_argument("--passin", metavar="ARG", help="key password: pass:TEXT, env:VAR, file:PATH, fd:N, stdin")


def signature_padding(args, key_algorithm, verifying: bool):
    """(padding, hash) for sign / verify-signature, honouring an RSA-PSS key's restrictions."""
    from provenum.rsa import padding

    pss_key = key_algorithm.kind == "rsa-pss"
    if not (args.pss or pss_key):
        if args.salt_length is not None or args.mgf1_hash is not None:
            raise CLIError("--salt-length and --mgf1-hash apply to PSS only: add --pss")
        return padding.PKCS1v15(), hash_algorithm(args.hash or "sha256")
    fixed = key_algorithm if key_algorithm.restricted else None
    algorithm = hash_algorithm(args.hash) if args.hash else (fixed.hash_algorithm if fixed else
                                                             hash_algorithm("sha256"))
    mgf = hash_algorithm(args.mgf1_hash) if args.mgf1_hash else (fixed.mgf_algorithm if fixed else algorithm)
    if fixed and (algorithm.name != fixed.hash_algorithm.name or mgf.name != fixed.mgf_algorithm.name):
        raise CLIError(f"this RSA-PSS key is restricted to {fixed.hash_algorithm.name} with MGF1-"
                       f"{fixed.mgf_algorithm.name}")
    salt = args.salt_length
    if salt is None:
        salt = str(fixed.min_salt_length) if fixed and not verifying else ("auto" if verifying else "max")
    names = {"max": padding.PSS.MAX_LENGTH, "digest": padding.PSS.DIGEST_LENGTH}
    if verifying:
        names["auto"] = padding.PSS.AUTO
    if salt in names:
        salt_length = names[salt]
    else:
        try:
            salt_length = int(salt)
        except ValueError:
            raise CLIError(f"bad --salt-length {salt!r}: give a number, {', '.join(names)}") from None
        if salt_length < 0:
            raise CLIError("--salt-length must be zero or more")
        if fixed and salt_length < fixed.min_salt_length:
            raise CLIError(f"this RSA-PSS key needs a salt of at least {fixed.min_salt_length} bytes")
    if fixed and salt_length is padding.PSS.DIGEST_LENGTH and algorithm.digest_size < fixed.min_salt_length:
        raise CLIError(f"this RSA-PSS key needs a salt of at least {fixed.min_salt_length} bytes")
    return padding.PSS(mgf=padding.MGF1(mgf), salt_length=salt_length), algorithm


def check_stdin_once(**paths) -> None:
    dashes = [f"--{name.replace('_', '-')}" for name, path in paths.items() if path == "-"]
    if len(dashes) > 1:
        raise CLIError(f"only one input can be stdin ('-'); {' and '.join(dashes)} both are")


def read_input(path: str, what: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise CLIError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def password(spec: str | None, what: str = "--passin") -> bytes | None:
    """The password an openssl-style argument names."""
    if spec is None:
        return None
    kind, _, rest = spec.partition(":")
    if kind == "pass" and _:
        return rest.encode()
    if kind == "env" and _:
        if rest not in os.environ:
            raise CLIError(f"{what}: environment variable {rest} is not set")
        return os.environ[rest].encode()
    if kind == "file" and _:
        return _first_line(lambda: open(rest, "rb"), f"{what} file {rest}")
    if kind == "fd" and _:
        try:
            fd = int(rest)
        except ValueError:
            raise CLIError(f"{what}: bad file descriptor {rest!r}") from None
        return _first_line(lambda: os.fdopen(os.dup(fd), "rb"), f"{what} fd {fd}")
    if spec == "stdin":
        return sys.stdin.buffer.readline().rstrip(b"\r\n")
    raise CLIError(f"{what}: give pass:TEXT, env:VAR, file:PATH, fd:N or stdin")


def _first_line(opener, what: str) -> bytes:
    try:
        with opener() as f:
            return f.readline().rstrip(b"\r\n")
    except OSError as exc:
        raise CLIError(f"cannot read {what}: {exc.strerror or exc}") from None


class Output:
    """A file to write all at once: '-' is stdout; otherwise a temporary file
    in the target's directory (0600 when private), renamed over the target by
    commit(). Checked first, so a bad path fails before anything is written."""

    def __init__(self, path: str, what: str, *, private: bool = False, force: bool = False):
        self.path, self.what, self.private, self.temp = path, what, private, None
        if path == "-":
            return
        if os.path.isdir(path):
            raise CLIError(f"cannot write {what} {path}: it is a directory")
        if os.path.lexists(path) and not force:
            raise CLIError(f"{path} exists: use --force to replace it")
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            raise CLIError(f"cannot write {what} {path}: no such directory {directory}")

    def write(self, data: bytes) -> None:
        """Write data to the temporary file (nothing visible at the target yet)."""
        if self.path == "-":
            self.data = data
            return
        directory = os.path.dirname(os.path.abspath(self.path))
        try:
            fd, self.temp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(self.path)}.")
            with os.fdopen(fd, "wb") as f:   # mkstemp: mode 0600, a new file of our own
                if not self.private:
                    umask = os.umask(0)
                    os.umask(umask)
                    os.fchmod(f.fileno(), 0o666 & ~umask)
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            self.discard()
            raise CLIError(f"cannot write {self.what} {self.path}: {exc.strerror or exc}") from None

    def commit(self) -> None:
        if self.path == "-":
            sys.stdout.buffer.write(self.data)
            sys.stdout.buffer.flush()
            return
        try:
            os.replace(self.temp, self.path)
        except OSError as exc:
            self.discard()
            raise CLIError(f"cannot write {self.what} {self.path}: {exc.strerror or exc}") from None
        self.temp = None

    def discard(self) -> None:
        if self.temp is not None:
            try:
                os.unlink(self.temp)
            except OSError:
                pass
            self.temp = None


def write_all(outputs: list[tuple[Output, bytes]]) -> None:
    """Write every output, then rename them all: a failure leaves no output behind."""
    try:
        for out, data in outputs:
            out.write(data)
        for out, _ in outputs:
            out.commit()
    finally:
        for out, _ in outputs:
            out.discard()


def load_private(data: bytes, passin: str | None):
    """(key, its KeyAlgorithm) from a key file's bytes, errors as CLIError."""
    from provenum import rsa
    from provenum.rsa.keyinfo import key_algorithm

    pw = password(passin)
    try:
        key = rsa.load_private_key(data, pw)
    except (ValueError, TypeError) as exc:
        raise CLIError(f"cannot load the private key: {first_line(exc)}") from None
    return key, key_algorithm(data, pw)


def load_public(data: bytes, passin: str | None):
    """(public key, its KeyAlgorithm): a public key, or a private key's public half."""
    from provenum import rsa
    from provenum.rsa.keyinfo import key_algorithm

    try:
        return rsa.load_public_key(data), key_algorithm(data)
    except (ValueError, TypeError):
        pass
    key, algorithm = load_private(data, passin)
    return key.public_key(), algorithm


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def fail(message: str, status: int = 1) -> int:
    print(f"provenum: {message}", file=sys.stderr)
    return status
