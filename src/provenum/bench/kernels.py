"""Cycle benchmark of the kernels (and GMP beside them) with a native harness.

The harness (kernels_harness.c) is compiled with gcc together with the
committed .S files and a case table generated from the catalog, so no
Python runs inside the timed loops. GMP is linked when its development
files are present. Results are TSC ticks per call (median and minimum of
repeated runs) and nanoseconds (of the median).

Scheduled against unscheduled, in the same run: a kernel whose committed
file ships a schedule (`provenum schedule --isa x86_64`) is timed a
second time in the generator's order, as NAME__unscheduled (the same
function text, renamed), interleaved with it; its JSON result then has
`ticks_unscheduled` and `ticks_unscheduled_min`. Kernels without a shipped
schedule are in the generator's order already and have neither.
"""
from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from provenum.kernels import CATALOG, split_symbol

HARNESS = Path(__file__).with_name("kernels_harness.c")

KIND = {
    "mul": "MUL", "kmul": "MUL", "sqr": "SQR", "ksqr": "SQR",
    "montredc": "REDC", "amontredc": "REDC", "montmul": "MONTMUL", "amontmul": "MONTMUL",
    "montsqr": "MONTSQR", "amontsqr": "MONTSQR", "copy_row_from_table": "TABLE", "modexp": "MODEXP",
    # radix 2^52 (avx512ifma): the single product has montmul's arguments, the conversions sqr's
    "amm52": "MONTMUL", "amm52x2": "AMMX2", "to_radix52": "SQR", "from_radix52": "SQR", "select52x2": "SELECT2",
}

# The targets, in TSC ticks of a 2.1 GHz TSC (s2n-bignum measured on
# this machine type, or the goals). This machine's TSC may run at another
# rate, so targets are also compared as times (ns = ticks / 2.1).
TARGET_TSC_GHZ = 2.1
GMP_SPEEDUP_GOAL = {"bignum_modexp_16": 1.4, "bignum_modexp_32": 1.4}
TARGETS = {
    "bignum_mul_8_16": 58, "bignum_sqr_8_16": 33,
    "bignum_kmul_16_32": 253, "bignum_ksqr_16_32": 147,
    "bignum_kmul_32_64": 904, "bignum_ksqr_32_64": 529,
    "bignum_montredc_16": 284, "bignum_montredc_32": 1143,
    "bignum_copy_row_from_table_16": 250,
    "bignum_modexp_16": 600_000, "bignum_modexp_32": 4_500_000,
}


@dataclass
class Result:
    name: str
    words: int
    ticks: float          # median
    ns: float
    ticks_min: float

    def as_dict(self) -> dict:
        return {"name": self.name, "words": self.words, "ticks": self.ticks, "ns": self.ns,
                "ticks_min": self.ticks_min}


class BenchError(RuntimeError):
    pass


UNSCHEDULED = "__unscheduled"


def _cases_header(catalog) -> str:
    return "".join(case_line(k) for k in catalog)


def case_line(k, name: str | None = None) -> str:
    return f"CASE({KIND[k.family]}, {name or k.name}, {k.n})\n"


def renamed(text: str, name: str, new: str) -> str:
    """A kernel's .S text with its symbol `name` renamed (its .L labels are local to the file)."""
    return re.sub(rf"\b{re.escape(name)}\b", new, text)


def ships_schedule(k) -> bool:
    """Whether the committed file of x86-64 kernel `k` ships a schedule still valid."""
    return k.function.committed_schedule() is not None


def unscheduled_text(k) -> str:
    """Kernel k's .S text in the generator's order, its symbol NAME__unscheduled."""
    return renamed(dataclasses.replace(k.function, order="none").text(), k.name, k.name + UNSCHEDULED)


def build(workdir: Path, gmp: bool = True, catalog=None, asm_dir: Path | None = None) -> tuple[Path, bool]:
    """Compile the harness; returns (executable, GMP linked).

    By default the committed .S files of the catalog; with asm_dir, the
    catalog's kernels are generated there first (used to compare variants).
    Each kernel that ships a schedule is also built in the generator's order
    (NAME__unscheduled), timed beside it.
    """
    catalog = runnable(CATALOG if catalog is None else catalog)
    cases, asm = _cases_header(catalog), kernel_sources(catalog, asm_dir)
    for k in catalog:
        if asm_dir is None and ships_schedule(k):
            path = workdir / f"{k.name}{UNSCHEDULED}.S"
            path.write_text(unscheduled_text(k))
            asm.append(str(path))
            cases += case_line(k, k.name + UNSCHEDULED)
    return compile_harness(workdir, cases, asm, gmp)


def kernel_sources(catalog, asm_dir: Path | None = None) -> list[str]:
    """The .S files of `catalog`: committed, or (asm_dir) generated there afresh."""
    if asm_dir is None:
        return [str(k.path) for k in catalog]
    asm = []
    for k in catalog:
        path = asm_dir / f"{k.name}.S"
        path.write_text(k.function.text())
        asm.append(str(path))
    return asm


def compile_harness(workdir: Path, cases: str, asm: list[str], gmp: bool = True) -> tuple[Path, bool]:
    """The harness timing `cases` (CASE lines), linked with the .S files `asm`."""
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        raise BenchError("gcc is needed to build the benchmark harness")
    (workdir / "kernels_cases.h").write_text(cases)
    exe = workdir / "kernels_bench"
    base = [gcc, "-O2", "-march=native", "-I", str(workdir), "-o", str(exe), str(HARNESS), *asm]
    if gmp:
        r = subprocess.run(base + ["-DHAVE_GMP", "-lgmp"], capture_output=True, text=True)
        if r.returncode == 0:
            return exe, True
    r = subprocess.run(base, capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError(f"building the harness failed:\n{r.stderr[-4000:]}")
    return exe, False


def runnable(catalog) -> list:
    """The variants this CPU can execute (the others are only proved here, never timed)."""
    from provenum.native import dispatch

    return [k for k in catalog if dispatch.can_run(k.level)]


def target_of(name: str):
    """The issue's target for a variant: its operation's."""
    return TARGETS.get(split_symbol(name)[0])


def run(repeats: int = 101, budget_ms: float = 40.0, only: str = "", gmp: bool = True,
        on_result=None, catalog=None, generate: bool = False, peer: str | None = None) -> tuple[list[Result], dict]:
    """Build and run the harness; returns the results and run information.

    catalog/generate: time another catalog's kernels, generated afresh
    (tuning); by default the committed kernels of provenum.kernels.CATALOG.
    peer: a shared library whose functions of the same operation names and C
    prototypes are timed beside them ("peer:NAME" results).
    """
    if peer is not None and not Path(peer).is_file():
        raise BenchError(f"no peer library at {peer}")
    with tempfile.TemporaryDirectory(prefix="provenum-bench-") as tmp:
        exe, have_gmp = build(Path(tmp), gmp, catalog, Path(tmp) if generate else None)
        cat = runnable(CATALOG if catalog is None else catalog)
        peers = {gmp_counterpart(k.name, k.n) for k in cat if only in k.name} - {None}
        gfilter = "*" if not only else "".join(f"{p}," for p in sorted(peers))
        results, info = run_harness(exe, repeats, budget_ms, only, gfilter, peer, on_result)
    info["gmp_linked"] = have_gmp
    return results, info


def run_harness(exe: Path, repeats: int, budget_ms: float, only: str = "", gfilter: str = "",
                peer: str | None = None, on_result=None) -> tuple[list[Result], dict]:
    """Run a built harness; returns its results and the run information it printed."""
    proc = subprocess.Popen([str(exe), str(repeats), str(budget_ms), only, gfilter,
                             str(Path(peer).resolve()) if peer else ""],
                            stdout=subprocess.PIPE, text=True)
    results, info = [], {"gmp": None}
    assert proc.stdout is not None
    for line in proc.stdout:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "#":
            info[parts[1]] = float(parts[2]) if parts[1] == "tsc_ghz" else parts[2]
            continue
        res = Result(parts[0], int(parts[1]), float(parts[2]), float(parts[3]), float(parts[4]))
        results.append(res)
        if on_result:
            on_result(res)
    if proc.wait() != 0:
        raise BenchError(f"the benchmark harness failed (exit {proc.returncode})")
    return results, info


def gmp_counterpart(name: str, words: int) -> str | None:
    """The GMP function timed beside a kernel, if any."""
    if name.startswith(("bignum_mul_", "bignum_kmul_")):
        return f"mpn_mul_n/{words}"
    if name.startswith(("bignum_sqr_", "bignum_ksqr_")):
        return f"mpn_sqr/{words}"
    if name.startswith("bignum_modexp_"):
        return f"mpn_sec_powm/{words}"
    if name.startswith(("bignum_montredc_", "bignum_amontredc_")):
        return f"mpn_redc_1/{words}"
    if name.startswith(("bignum_montmul_", "bignum_amontmul_")):
        return f"mpn_mul_n+redc_1/{words}"
    if name.startswith(("bignum_montsqr_", "bignum_amontsqr_")):
        return f"mpn_sqr+redc_1/{words}"
    return None


def peer_counterpart(name: str) -> str:
    return f"peer:{split_symbol(name)[0]}"


def report(results: list[Result]) -> list[dict]:
    """The JSON results: every provenum kernel with its GMP and peer counterparts (or null)."""
    by_key = {f"{r.name}/{r.words}": r for r in results}
    out = []
    for r in results:
        if not r.name.startswith("bignum_") or r.name.endswith(UNSCHEDULED):
            continue
        entry = r.as_dict()
        plain = by_key.get(f"{r.name}{UNSCHEDULED}/{r.words}")
        if plain is not None:
            entry["ticks_unscheduled"], entry["ticks_unscheduled_min"] = plain.ticks, plain.ticks_min
        for field, key in (("gmp", gmp_counterpart(r.name, r.words)), ("peer", f"{peer_counterpart(r.name)}/{r.words}")):
            other = by_key.get(key) if key else None
            entry[field] = ({"name": other.name, "ticks": other.ticks, "ticks_min": other.ticks_min}
                            if other else None)
        out.append(entry)
    return out
