"""`provenum bench keygen`: RSA key generation time, provenum against OpenSSL.

Peers: provenum.rsa.generate_private_key (native, in process), pyca's
generate_private_key (OpenSSL in process, what a pyca user gets), and the
`openssl genpkey` command (a process per key: its start-up time, measured
separately with `openssl version`, is part of its figure). Runs are
interleaved round by round, the order rotating each round, so that a busy
moment of the machine hits every peer alike; figures are medians.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time

IMPLS = ("provenum", "pyca", "openssl")


def _provenum(bits: int) -> None:
    from provenum.rsa import generate_private_key

    generate_private_key(65537, bits)


def _pyca(bits: int) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    rsa.generate_private_key(65537, bits)


def _openssl(bits: int) -> None:
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{bits}",
                    "-out", os.devnull], check=True, capture_output=True)


RUNNERS = {"provenum": _provenum, "pyca": _pyca, "openssl": _openssl}


def environment() -> dict:
    """CPU, OpenSSL versions and the openssl command's start-up time."""
    from cryptography.hazmat.backends.openssl import backend

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    info = {"cpu": cpu, "cpu_count": os.cpu_count(), "pyca_openssl": backend.openssl_version_text()}
    if shutil.which("openssl"):
        info["openssl_command"] = subprocess.run(["openssl", "version"], capture_output=True,
                                                 text=True).stdout.strip()
        starts = []
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run(["openssl", "version"], capture_output=True, check=True)
            starts.append(time.perf_counter() - t)
        info["openssl_startup_s"] = statistics.median(starts)
    return info


def run(bits_list=(2048, 3072, 4096, 8192), impls=IMPLS, runs: int = 20, progress=None) -> dict:
    """Time `runs` key generations per (impl, bits); {"results": [...], "environment": {...}}."""
    times: dict[tuple, list[float]] = {(i, b): [] for i in impls for b in bits_list}
    for r in range(runs):
        order = list(impls[r % len(impls):]) + list(impls[: r % len(impls)])
        for bits in bits_list:
            for impl in order:
                t = time.perf_counter()
                RUNNERS[impl](bits)
                times[(impl, bits)].append(time.perf_counter() - t)
        if progress:
            progress(r + 1, runs)
    results = [{"impl": impl, "bits": bits, "median_s": statistics.median(times[(impl, bits)]),
                "min_s": min(times[(impl, bits)]), "max_s": max(times[(impl, bits)]),
                "samples_s": times[(impl, bits)]} for bits in bits_list for impl in impls]
    return {"results": results, "runs": runs, "environment": environment()}


def ratio_rows(report: dict) -> list[tuple]:
    """(bits, impl, median s, min s, max s, impl median / provenum median) for printing."""
    ours = {r["bits"]: r["median_s"] for r in report["results"] if r["impl"] == "provenum"}
    return [(r["bits"], r["impl"], r["median_s"], r["min_s"], r["max_s"],
             r["median_s"] / ours[r["bits"]] if r["bits"] in ours else None) for r in report["results"]]
