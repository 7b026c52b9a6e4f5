"""`provenum bench rsa`: RSA sign/verify throughput, provenum against its peers.

Peers: pyca/cryptography with its bundled OpenSSL (default settings), the same
with OpenSSL's AVX-512 IFMA code masked off, and with OpenSSL limited to the
CPU features of each lower provenum level (OPENSSL_ia32cap in a subprocess:
`openssl@avx2` is OpenSSL as on a CPU without AVX-512, `openssl@baseline`
without BMI2/ADX/AVX), gmpy2 with CRT, and Python's pow with CRT. provenum
runs at the CPU's own level (`provenum`) and forced to each lower level this
CPU runs (`provenum@avx2`, ...), so each level can be compared with OpenSSL
on the same features in the same run. All measurements are interleaved
round by round (the order rotates each round) on one core; each figure is
the median over rounds. Two-thread signing throughput of provenum is measured
in the same rounds.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from .rsa_peers import make_pair
from .rsa_worker import timed

IMPLS = ("provenum", "provenum@avx512", "provenum@avx2", "provenum@bmi2", "provenum@baseline",
         "openssl", "openssl-noifma", "openssl@avx2", "openssl@bmi2", "openssl@baseline", "gmpy2", "python")
OPS = ("sign", "verify")
NOIFMA_CAP = "~0x0:~0x200000"  # clear the AVX-512 IFMA bit OpenSSL tests for its RSA path
# OPENSSL_ia32cap masks (~: clear): word 1 is CPUID.1 EDX | ECX << 32, word 2 CPUID.7 EBX | ECX << 32.
_NO_AVX512 = (1 << 16) | (1 << 17) | (1 << 21) | (1 << 28) | (1 << 30) | (1 << 31)  # F DQ IFMA CD BW VL
_NO_AVX2 = _NO_AVX512 | (1 << 5)
_NO_BMI_ADX = _NO_AVX2 | (1 << 3) | (1 << 8) | (1 << 19)                           # BMI1 BMI2 ADX
_NO_AVX = 1 << (32 + 28)                                                          # CPUID.1 ECX.AVX
OPENSSL_CAPS = {
    "openssl-noifma": NOIFMA_CAP,
    "openssl@avx2": f"~0x0:~{_NO_AVX512:#x}",
    "openssl@bmi2": f"~{_NO_AVX:#x}:~{_NO_AVX2:#x}",
    "openssl@baseline": f"~{_NO_AVX:#x}:~{_NO_BMI_ADX:#x}",
}
# which OpenSSL configuration matches each provenum level's CPU features
# (OpenSSL's IFMA path is its full build; at provenum's avx512 level the peer is OpenSSL without IFMA)
LEVEL_PEER = {"avx512ifma": "openssl", "avx512": "openssl-noifma", "avx2": "openssl@avx2", "bmi2": "openssl@bmi2",
              "baseline": "openssl@baseline"}


def level_of(impl: str) -> str | None:
    """The forced dispatch level of a provenum@LEVEL implementation (None otherwise)."""
    return impl.split("@", 1)[1] if impl.startswith("provenum@") else None


def available(impls) -> tuple:
    """The implementations this CPU can run (provenum@LEVEL only for levels it has)."""
    from provenum.native import dispatch

    return tuple(i for i in impls if level_of(i) is None or dispatch.can_run(level_of(i)))


class _Worker:
    """A subprocess running rsa_worker with its own environment."""

    def __init__(self, env_extra: dict[str, str]):
        env = dict(os.environ, **env_extra)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "provenum.bench.rsa_worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )

    def timed(self, impl: str, op: str, keyfile: str, seconds: float) -> tuple[int, float]:
        self.proc.stdin.write(f"{impl} {op} {keyfile} {seconds}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker for {impl} died")
        count, elapsed = line.split()
        return int(count), float(elapsed)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _threaded(fn, threads: int, seconds: float) -> float:
    """Total ops/s of `threads` threads each running fn for `seconds`."""
    results = []

    def body():
        results.append(timed(fn, seconds))

    workers = [threading.Thread(target=body) for _ in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    return sum(count for count, _ in results) / elapsed


def run(bits_list=(2048, 3072, 4096), impls=IMPLS, rounds: int = 5, seconds: float = 0.25,
        threads: bool = True, progress=None) -> dict:
    """Measure; returns {"results": [...], "threads": [...], "config": {...}}."""
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import rsa as pyca_rsa

    tmp = tempfile.TemporaryDirectory(prefix="provenum-bench-rsa-")
    keyfiles, pairs = {}, {}
    for bits in bits_list:
        pem = pyca_rsa.generate_private_key(65537, bits).private_bytes(
            ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())
        keyfiles[bits] = os.path.join(tmp.name, f"rsa{bits}.pem")
        with open(keyfiles[bits], "wb") as f:
            f.write(pem)
        for impl in impls:
            if impl not in OPENSSL_CAPS:
                pairs[(impl, bits)] = make_pair(impl, pem)
    workers = {impl: _Worker({"OPENSSL_ia32cap": cap}) for impl, cap in OPENSSL_CAPS.items() if impl in impls}
    samples: dict[tuple, list[float]] = {}
    thread_samples: dict[tuple, list[float]] = {}
    try:
        for r in range(rounds):
            order = list(impls[r % len(impls):]) + list(impls[: r % len(impls)])
            for bits in bits_list:
                for op in OPS:
                    for impl in order:
                        if impl in workers:
                            count, elapsed = workers[impl].timed(impl, op, keyfiles[bits], seconds)
                        else:
                            sign, verify = pairs[(impl, bits)]
                            with _level(impl):
                                count, elapsed = timed(sign if op == "sign" else verify, seconds)
                        samples.setdefault((impl, bits, op), []).append(count / elapsed)
                if threads and "provenum" in impls:
                    sign = pairs[("provenum", bits)][0]
                    for n in (1, 2):
                        thread_samples.setdefault((bits, n), []).append(_threaded(sign, n, seconds))
            if progress:
                progress(r + 1, rounds)
    finally:
        for w in workers.values():
            w.close()
        tmp.cleanup()
    results = [
        {"impl": impl, "bits": bits, "op": op, "ops_per_s": statistics.median(samples[(impl, bits, op)]),
         "best_ops_per_s": max(samples[(impl, bits, op)]), "samples": samples[(impl, bits, op)]}
        for bits in bits_list for op in OPS for impl in impls
    ]
    thread_results = []
    for bits in bits_list:
        if (bits, 1) in thread_samples:
            one, two = (statistics.median(thread_samples[(bits, n)]) for n in (1, 2))
            per_round = [b / a for a, b in zip(thread_samples[(bits, 1)], thread_samples[(bits, 2)])]
            thread_results.append({"impl": "provenum", "bits": bits, "op": "sign", "threads_1": one,
                                   "threads_2": two, "scaling": two / one, "scaling_best": max(per_round),
                                   "scaling_samples": per_round})
    return {"results": results, "threads": thread_results,
            "config": {"rounds": rounds, "seconds_per_sample": seconds, "noifma_ia32cap": NOIFMA_CAP,
                       "openssl_ia32cap": {i: c for i, c in OPENSSL_CAPS.items() if i in impls},
                       "cpu": _cpu(), "cpu_count": os.cpu_count()}}


def _level(impl: str):
    """The dispatch level an implementation runs at, for the duration of a sample."""
    import contextlib

    from provenum.native import dispatch

    level = level_of(impl)
    return dispatch.forced_level(level) if level else contextlib.nullcontext()


def _cpu() -> dict:
    from provenum.native import dispatch

    c = dispatch.cpu()
    return {"brand": c.brand, "vendor": c.vendor, "family": c.family, "model": c.model, "level": c.level}


def level_rows(report: dict, key: str = "ops_per_s") -> list[tuple]:
    """(bits, op, provenum impl, OpenSSL peer on the same CPU features, ratio) per provenum level."""
    from provenum.native import dispatch

    by = {(r["impl"], r["bits"], r["op"]): r[key] for r in report["results"]}
    rows = []
    for r in report["results"]:
        if not r["impl"].startswith("provenum"):
            continue
        level = level_of(r["impl"]) or report["config"].get("cpu", {}).get("level") or dispatch.best_level()
        peer = LEVEL_PEER[level]
        theirs = by.get((peer, r["bits"], r["op"]))
        if theirs:
            rows.append((r["bits"], r["op"], r["impl"], peer, r[key] / theirs))
    return rows


def ratio_rows(report: dict, key: str = "ops_per_s") -> list[tuple]:
    """(bits, op, impl, ops/s, provenum / impl) rows for printing, on medians
    (or on another figure of the results, e.g. key="best_ops_per_s")."""
    by = {(r["impl"], r["bits"], r["op"]): r[key] for r in report["results"]}
    rows = []
    for r in report["results"]:
        ours = by.get(("provenum", r["bits"], r["op"]))
        rows.append((r["bits"], r["op"], r["impl"], r[key], ours / r[key] if ours else None))
    return rows


def save_png(report: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    impls = list(dict.fromkeys(r["impl"] for r in report["results"]))
    bits_list = list(dict.fromkeys(r["bits"] for r in report["results"]))
    by = {(r["impl"], r["bits"], r["op"]): r["ops_per_s"] for r in report["results"]}
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.8 / len(impls)
    for ax, op in zip(axes, OPS):
        for i, impl in enumerate(impls):
            xs = [b + (i - (len(impls) - 1) / 2) * width for b in range(len(bits_list))]
            ax.bar(xs, [by[(impl, bits, op)] for bits in bits_list], width, label=impl)
        ax.set_xticks(range(len(bits_list)), [f"RSA-{b}" for b in bits_list])
        ax.set_yscale("log")
        ax.set_ylabel(f"{op} operations per second (log)")
        ax.set_title(f"{op} (single core, median of {report['config']['rounds']} interleaved rounds)")
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
