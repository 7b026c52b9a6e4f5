"""provenum demo: the whole pipeline once, on built-in defaults.

1. the native library: where it is, how many kernels it holds, this CPU and
   the level its dispatch table runs at;
2. the x86-64 model: decode the kernel variant this CPU runs, and validate a
   sample of instruction forms against this CPU (forms it cannot run are
   listed as not run);
3. a proof: verify that variant from the bytes of the built library;
4. RSA: generate a key, sign with PKCS#1 v1.5 and PSS on the kernels, verify
   with provenum and with pyca/cryptography.
Exits non-zero if any step fails.
"""
from __future__ import annotations

NAME = "demo"
HELP = "build, validate the model, prove a kernel, sign and verify: the pipeline once"

DEFAULT_KERNEL = "bignum_mul_8_16"


def add_arguments(parser) -> None:
    parser.add_argument("--kernel", default=DEFAULT_KERNEL,
                        help=f"operation (its variant for this CPU) or variant to decode and prove "
                             f"(default {DEFAULT_KERNEL})")
    parser.add_argument("--bits", type=int, default=2048, help="RSA key size (default 2048)")
    parser.add_argument("--cases", type=int, default=5, help="validation cases per instruction form (default 5)")


def run(args) -> int:
    import time

    from rich.console import Console

    console = Console()
    try:
        kernel = _variant(args.kernel)
    except (KeyError, ValueError, ImportError) as exc:
        console.print(f"[red]error:[/] {exc}", highlight=False)
        return 2
    args.kernel = kernel
    steps = [
        ("native library", lambda: _library(console)),
        ("x86-64 model", lambda: _model(console, args.kernel, args.cases)),
        ("proof", lambda: _proof(console, args.kernel)),
        ("RSA", lambda: _rsa(console, args.bits)),
    ]
    ok = True
    for title, step in steps:
        console.rule(f"[bold]{title}")
        start = time.monotonic()
        try:
            passed = step()
        except Exception as exc:  # a step that cannot run fails the demo with its reason, not a traceback
            console.print(f"[red]error:[/] {exc}", markup=True, highlight=False)
            passed = False
        mark = "[green]ok[/]" if passed else "[red]FAILED[/]"
        console.print(f"{mark}  ({time.monotonic() - start:.1f} s)")
        ok &= passed
    return 0 if ok else 1


def _variant(name: str) -> str:
    """The variant to show: `name` itself, or the one the dispatcher runs for an operation."""
    from provenum.kernels import BY_NAME, OPERATIONS
    from provenum.native import dispatch

    if name in BY_NAME:
        return name
    if name in OPERATIONS:
        target = dispatch.target(name)
        if target is None:
            raise KeyError(f"{name} has no variant at the dispatch level {dispatch.level()}")
        return target
    raise KeyError(f"no kernel operation or variant named {name!r}")


def _library(console) -> bool:
    import hashlib

    from provenum.isa.x86_64 import function_symbols
    from provenum.kernels import CATALOG, OPERATIONS
    from provenum.native import dispatch, library_path

    path = library_path()
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    symbols = set(function_symbols(path))
    shipped = [k.name for k in CATALOG] + list(OPERATIONS)
    missing = [name for name in shipped if name not in symbols]
    console.print(f"{path}\n  sha256 {digest[:16]}…, {len(CATALOG)} kernel variants of {len(OPERATIONS)} "
                  f"operations in the catalog")
    cpu = dispatch.cpu()
    console.print(f"CPU {cpu.brand} ({cpu.vendor}, family {cpu.family:#x}, model {cpu.model:#x}): "
                  f"runs up to level {cpu.level}; dispatch at {dispatch.level()} "
                  f"(`provenum info` lists every choice)")
    error = dispatch.load_error()
    if error:
        console.print(f"[red]{error}[/]")
    if missing:
        console.print(f"[red]missing from the library:[/] {', '.join(missing)}")
    return not missing and not error


def _model(console, kernel: str, cases: int) -> bool:
    from provenum.isa.x86_64 import decode_symbol
    from provenum.machine import validate
    from provenum.native import library_path

    fn = decode_symbol(library_path(), kernel)
    # Show the carry chains at work: a few instructions from the first multiply on.
    first = next((i for i, insn in enumerate(fn.instructions) if insn.mnemonic in ("mulx", "mul")), 0)
    console.print(f"{kernel}: {len(fn.instructions)} instructions, {len(fn.code)} bytes, from its first "
                  f"{fn.instructions[first].mnemonic}:")
    for insn in fn.instructions[first:first + 6]:
        console.print(f"  {insn}", highlight=False, markup=False)
    results = validate(cases)
    bad = [r for r in results if r.mismatches]
    skipped = [r for r in results if r.skipped]
    console.print(f"validated {len(results) - len(skipped)} instruction forms against this CPU, {cases} random "
                  f"cases each: {sum(r.mismatches for r in results)} mismatches"
                  + (f"; {len(skipped)} forms need features this CPU lacks (not run)" if skipped else ""))
    for r in bad:
        console.print(r.first[0].report() if r.first else r.form)
    return not bad


def _proof(console, kernel: str) -> bool:
    from provenum.native import library_path
    from provenum.verify import verify_function

    result = verify_function(library_path(), kernel)
    console.print(f"{kernel} (sha256 {result.sha256[:16]}…): {result.instructions} instructions, "
                  f"{result.obligations} obligations, {result.seconds:.1f} s")
    console.print(f"  functional: {result.functional}   frame: {result.frame}   constant-time: {result.constant_time}")
    if result.failure:
        console.print(f"[red]{result.failure}[/]")
    return result.proved


def _rsa(console, bits: int) -> bool:
    import time

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding as pyca_padding

    from provenum.rsa import InvalidSignature, generate_private_key, hashes, padding

    start = time.monotonic()
    key = generate_private_key(public_exponent=65537, key_size=bits)
    console.print(f"generated a {bits}-bit key in {time.monotonic() - start:.2f} s")
    public = key.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    pyca_public = serialization.load_pem_public_key(pem)
    message = b"provenum demo: signed on proved kernels"
    schemes = [
        ("PKCS#1 v1.5", padding.PKCS1v15(), pyca_padding.PKCS1v15()),
        ("PSS", padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.MAX_LENGTH),
         pyca_padding.PSS(pyca_padding.MGF1(hashes.SHA256()), pyca_padding.PSS.AUTO)),
    ]
    for name, ours, theirs in schemes:
        signature = key.sign(message, ours, hashes.SHA256())
        public.verify(signature, message, ours, hashes.SHA256())
        pyca_public.verify(signature, message, theirs, hashes.SHA256())
        try:
            public.verify(signature, message + b"!", ours, hashes.SHA256())
        except InvalidSignature:
            pass
        else:
            console.print(f"[red]{name}: a signature verified for the wrong message[/]")
            return False
        console.print(f"{name}: signed, verified by provenum and by pyca/cryptography; "
                      f"a changed message is rejected")
    return True
