"""Timing across input classes, dudect's method ("dude, is my code constant time?", Reparaz, Balasch
and Verbauwhede, 2017): a benchmark of every kernel family, the exponentiation and signing.

For a target and a pair of input classes (fixed vs random; low vs high bit
density), the native harness (ct_harness.c, built from the library's own
sources) interleaves the two classes at random, times each call with the
TSC, and reports Welch's t statistic on the raw timings and on timings
cropped at ten percentiles of the pooled timings (dudect's formula). |t| above 4.5 is dudect's threshold for
"the two classes' timing distributions differ". A benchmark, not a test:
on a shared machine other load makes noise, and a run names its sample counts.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..kernels import BY_NAME, OPERATIONS, TUNING
from ..kernels.catalog import isa_levels
from ..native.executable import BuildError, build_executable
from .kernels import KIND

level_index = isa_levels("x86_64").level_index   # the harness is x86-64 only
HARNESS = Path(__file__).with_name("ct_harness.c")

CLASSES = ("fixed", "random", "zeros", "ones", "single", "sparse", "dense")
PAIRS = (("fixed", "random"), ("zeros", "ones"), ("single", "dense"), ("sparse", "dense"))
SIGN_PAIRS = PAIRS + (("key-a", "key-b"),)          # two keys of the same size, random messages
THRESHOLD = 4.5
DEFAULT_SIZE = 16                                    # words: the halves of an RSA-2048 key


class BenchError(RuntimeError):
    pass


# the radix-2^52 kernels take their own arguments here (digits below 2^52, k0 mod 2^52, both halves)
CT_KIND = {**KIND, "amm52": "AMM52", "amm52x2": "AMMX2", "select52x2": "SELECT2"}


def default_targets(level: str | None = None) -> list[str]:
    """One operation per kernel family, the one nearest 16 words (radix 2^52: 20 digits, the same key size),
    and signing; with `level`, only the families with a variant at or below it (avx512ifma's need IFMA)."""
    nearest: dict[str, tuple] = {}
    for op in OPERATIONS.values():
        if level is not None and not any(level_index(k.level) <= level_index(level) for k in op.variants):
            continue
        key = (abs(op.n - DEFAULT_SIZE), op.n)
        if op.family not in nearest or key < nearest[op.family][0]:
            nearest[op.family] = (key, op.name)
    return [name for _, name in nearest.values()] + ["sign"]


@dataclass
class Result:
    target: str
    level: str
    classes: tuple[str, str]
    samples: tuple[int, int]
    median_ticks: tuple[int, int]
    t_raw: float
    crops: list = field(default_factory=list)   # (percentile, threshold ticks, t, samples a, samples b)
    tsc_ghz: float = 0.0

    @property
    def max_t(self) -> float:
        return max([abs(self.t_raw)] + [abs(c[2]) for c in self.crops])

    @property
    def below_threshold(self) -> bool:
        return self.max_t < THRESHOLD

    def as_dict(self) -> dict:
        return {**asdict(self), "max_abs_t": self.max_t, "below_threshold": self.below_threshold}


def resolve(target: str, level: str | None = None) -> tuple[str, str, int, int]:
    """(harness kind, symbol, words, table height) of a target name: an operation, a variant or 'sign';
    an operation must have a variant the CPU (at `level`, else the dispatch level) runs."""
    if target == "sign":
        return "SIGN", "-", 0, 0
    kernel = BY_NAME.get(target)
    op = OPERATIONS.get(target) or (OPERATIONS[kernel.operation] if kernel else None)
    if op is None:
        raise BenchError(f"unknown target {target!r}: an operation (bignum_montmul_16), a variant "
                         "(bignum_montmul_16_baseline) or 'sign'")
    from ..native import dispatch

    if kernel is not None:
        dispatch.require(kernel.level, kernel.name)
    else:
        lowest = op.variants[0].level
        dispatch.require(lowest, target)
        at = level or dispatch.level()
        if level_index(lowest) > level_index(at):
            raise BenchError(f"{target} has no variant at or below the {at} level (its lowest is {lowest})")
    height = 2 ** TUNING["bmi2"].modexp_window.get(op.n, 5) if op.family == "copy_row_from_table" else 0
    return CT_KIND[op.family], target, op.n, height


def pairs_for(target: str, pairs=None) -> list[tuple[str, str]]:
    if pairs:
        return list(pairs)
    return list(SIGN_PAIRS if target == "sign" else PAIRS)


def build(directory, extra_sources=()) -> Path:
    """The harness from the library's sources (`extra_sources`: more targets, for the tests)."""
    try:
        return build_executable(Path(directory) / "ct_harness", [HARNESS, *extra_sources],
                                libs=["-rdynamic", "-lgmp", "-lm", "-ldl"])
    except BuildError as e:
        raise BenchError(str(e)) from None


def parse_output(text: str) -> dict:
    out = {"crops": []}
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "samples":
            out["samples"] = (int(parts[1]), int(parts[2]))
        elif parts[0] == "median":
            out["median"] = (int(parts[1]), int(parts[2]))
        elif parts[:2] == ["t", "raw"]:
            out["t_raw"] = float(parts[2])
        elif parts[:2] == ["t", "crop"]:
            out["crops"].append((float(parts[2]), int(parts[3]), float(parts[4]), int(parts[5]), int(parts[6])))
        elif parts[0] == "tsc_ghz":
            out["tsc_ghz"] = float(parts[1])
    return out


def run(targets=None, pairs=None, seconds: float = 2.0, samples: int = 1_000_000, bits: int = 2048,
        level: str | None = None, on_result=None) -> list[Result]:
    """Time every target and class pair; `seconds` and `samples` bound each (target, pair)."""
    from ..native import dispatch
    from ..ct.memcheck import make_job

    targets = list(targets or default_targets(level or dispatch.level()))
    resolved = {t: resolve(t, level) for t in targets}
    for t in targets:
        for a, b in pairs_for(t, pairs):
            if a not in CLASSES + ("key-a", "key-b") or b not in CLASSES + ("key-a", "key-b"):
                raise BenchError(f"unknown class in {a}/{b}: classes are {', '.join(CLASSES)} (and key-a, key-b)")
            if "key-a" in (a, b) and t != "sign":
                raise BenchError("the key-a/key-b classes are for the sign target only")
    if level is not None:
        dispatch.require(level, f"the {level} level")
    env = dict(os.environ, **({"PROVENUM_CPU": level} if level else {}))
    shown = level or dispatch.level()
    results = []
    with tempfile.TemporaryDirectory(prefix="provenum-bench-ct-") as tmp:
        exe = build(tmp)
        jobfile = Path(tmp) / "keys.txt"
        if "sign" in targets:
            fd = os.open(jobfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)   # private keys
            with os.fdopen(fd, "w") as f:
                f.write(make_job([bits, bits]).text)
        for target in targets:
            kind, symbol, n, height = resolved[target]
            for a, b in pairs_for(target, pairs):
                cmd = [str(exe), kind, symbol, str(n), str(height), a, b, str(seconds), str(samples), str(jobfile)]
                proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
                if proc.returncode != 0:
                    raise BenchError(f"the timing harness failed on {target} {a}/{b}: {proc.stderr.strip()}")
                out = parse_output(proc.stdout)
                name = f"sign RSA-{bits}" if target == "sign" else target
                variant = BY_NAME.get(target)
                res = Result(name, variant.level if variant else shown, (a, b), out["samples"], out["median"], out["t_raw"], out["crops"],
                             out.get("tsc_ghz", 0.0))
                results.append(res)
                if on_result:
                    on_result(res)
    return results
