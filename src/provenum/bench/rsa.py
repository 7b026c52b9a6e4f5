"""`provenum bench rsa`: RSA sign/verify throughput, provenum against its peers.

Peers: pyca/cryptography with its bundled OpenSSL (default settings), the same
with OpenSSL's AVX-512 IFMA code masked off (OPENSSL_ia32cap in a subprocess),
gmpy2 with CRT, and Python's pow with CRT. All measurements are interleaved
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

IMPLS = ("provenum", "openssl", "openssl-noifma", "gmpy2", "python")
OPS = ("sign", "verify")
NOIFMA_CAP = "~0x0:~0x200000"  # clear the AVX-512 IFMA bit OpenSSL tests for its RSA path


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
            if impl != "openssl-noifma":
                pairs[(impl, bits)] = make_pair(impl, pem)
    worker = _Worker({"OPENSSL_ia32cap": NOIFMA_CAP}) if "openssl-noifma" in impls else None
    samples: dict[tuple, list[float]] = {}
    thread_samples: dict[tuple, list[float]] = {}
    try:
        for r in range(rounds):
            order = list(impls[r % len(impls):]) + list(impls[: r % len(impls)])
            for bits in bits_list:
                for op in OPS:
                    for impl in order:
                        if impl == "openssl-noifma":
                            count, elapsed = worker.timed(impl, op, keyfiles[bits], seconds)
                        else:
                            sign, verify = pairs[(impl, bits)]
                            count, elapsed = timed(sign if op == "sign" else verify, seconds)
                        samples.setdefault((impl, bits, op), []).append(count / elapsed)
                if threads and "provenum" in impls:
                    sign = pairs[("provenum", bits)][0]
                    for n in (1, 2):
                        thread_samples.setdefault((bits, n), []).append(_threaded(sign, n, seconds))
            if progress:
                progress(r + 1, rounds)
    finally:
        if worker:
            worker.close()
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
                       "cpu_count": os.cpu_count()}}


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
