"""Subprocess worker for `provenum bench rsa`: runs timed loops on request.

The parent starts it (for OpenSSL with IFMA masked, with OPENSSL_ia32cap set
in its environment, which OpenSSL reads once at load) and sends lines
"IMPL OP KEYFILE SECONDS"; the worker answers with one line "OPS ELAPSED".
"""
from __future__ import annotations

import sys
import time

from provenum.bench.rsa_peers import make_pair


def timed(fn, seconds: float) -> tuple[int, float]:
    """Run fn for at least `seconds`; (operations, elapsed seconds)."""
    fn()  # warm
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        fn()
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count, now - start


def main() -> int:
    pairs = {}
    for line in sys.stdin:
        impl, op, keyfile, seconds = line.split()
        if (impl, keyfile) not in pairs:
            with open(keyfile, "rb") as f:
                pairs[(impl, keyfile)] = make_pair(impl, f.read())
        sign, verify = pairs[(impl, keyfile)]
        count, elapsed = timed(sign if op == "sign" else verify, float(seconds))
        print(count, elapsed, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
