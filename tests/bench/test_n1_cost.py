"""The Neoverse N1 cost model: llvm-mca over executed instructions, the scheduler's unit table
checked against llvm-mca's, the exponentiation's composition, and the plan tuner."""
import random
import re
import shutil
import subprocess

import pytest

from provenum import kernels
from provenum.bench import kernels_aarch64, n1
from provenum.kernels.aarch64 import modexp, mul
from provenum.kernels.aarch64.levels import MODEXP_WINDOW
from provenum.kernels.aarch64.n1 import cost
from aarch64util import needs_compiler

needs_mca = pytest.mark.skipif(shutil.which(n1.LLVM_MCA) is None, reason=f"{n1.LLVM_MCA} is not installed")
BY_NAME = kernels.by_name_of("aarch64")


@needs_mca
def test_mca_counts_the_multiplier_pipe():
    """Four independent 64x64 products: mul and umulh each hold N1's one multiplier pipe for 3
    cycles, so 24 cycles an iteration in the steady state."""
    block = []
    for i in range(4):
        block += [f"mul x{i}, x{10 + i}, x{20 + i}", f"umulh x{4 + i}, x{10 + i}, x{20 + i}"]
    assert n1.mca_cycles(block) == pytest.approx(24, abs=0.5)


@pytest.fixture(scope="module")
def program():
    from provenum.machine.aarch64 import Program
    from provenum.native import cross

    return Program.from_elf(cross.library())


@needs_mca
@needs_compiler
def test_a_straight_line_trace_is_the_generated_code(program):
    """The trace of bignum_mul_4_8_neon from the built library is the generator's instruction list, so
    the tuner (which measures generated code) and the benchmark (which measures built code) agree."""
    k = BY_NAME["bignum_mul_4_8_neon"]
    bufs, args = kernels_aarch64.inputs(k, random.Random(1))
    tr = n1.trace(program, k.name, args, bufs)
    assert tr.steps == len(tr.lines) == len(k.function.instructions())
    assert n1.mca_cycles(tr.lines) == n1.function_cycles(k.function)


@needs_compiler
def test_the_exponentiation_calls_what_its_algorithm_says(program):
    """modexp_16 summarised: s doublings then j squarings, the table, and k squarings, a lookup and a
    multiply per window after the first; one final reduction."""
    k = BY_NAME["bignum_modexp_16_neon"]
    n, w = 16, MODEXP_WINDOW[16]
    bufs, args = kernels_aarch64.inputs(k, random.Random(2))
    callees = [f"bignum_amontsqr_{n}_neon", f"bignum_amontmul_{n}_neon", f"bignum_copy_row_from_table_{n}_neon",
               f"bignum_montredc_{n}_neon"]
    tr = n1.trace(program, k.name, args, bufs, summarised=callees)
    windows = -(-64 * n // w)
    rows = 1 << w
    squarings_for_rr = modexp.squaring_split(n)[1]
    assert tr.calls == {
        callees[0]: squarings_for_rr + (rows // 2 - 1) + w * (windows - 1),
        callees[1]: 1 + (rows // 2 - 1) + (windows - 1),
        callees[2]: windows,
        callees[3]: 1,
    }
    assert not [line for line in tr.lines if "umulh" in line], "the callees were left out"


def _probe(line: str) -> tuple[int, dict]:
    """llvm-mca's latency and per-pipe pressure for 12 independent copies of one instruction shape."""
    copies = [line.format(a=i, b=i + 12, c=(i + 6) % 12 + 12) for i in range(12)]
    out = subprocess.run([n1.LLVM_MCA, "-mtriple=aarch64", "-mcpu=neoverse-n1", "-iterations=50",
                          "-resource-pressure=1"], input="\n".join(copies) + "\n", capture_output=True,
                         text=True).stdout
    info = out.split("Instruction Info:")[1]
    latency = int(next(ln for ln in info.splitlines() if ln.strip()[:1].isdigit()).split()[1])
    pressure = out.split("Resource pressure per iteration:")[1].splitlines()
    names, values = pressure[1].split(), pressure[2].split()
    return latency, {n_: float(v) / 12 for n_, v in zip(names, values) if v != "-"}


# llvm-mca's resource columns for N1, in the order it prints them
_UNITS = {"[1.0]": "D0", "[1.1]": "D1", "[2.0]": "L0", "[2.1]": "L1", "[3]": "M", "[4.0]": "S0", "[4.1]": "S1",
          "[5]": "V0", "[6]": "V1"}
SHAPES = [
    "mul x{a}, x{b}, x{c}", "umulh x{a}, x{b}, x{c}", "adds x{a}, x{a}, x{b}", "adc x{a}, x{a}, xzr",
    "csel x{a}, x{b}, x{c}, eq", "ldr x{a}, [x29, #8]", "ldp x{a}, x{b}, [x29, #16]",
    "umull v{a}.2d, v{b}.2s, v{c}.s[1]", "umull2 v{a}.2d, v{b}.4s, v{c}.s[1]", "umlal v{a}.2d, v{b}.2s, v{c}.s[1]",
    "usra v{a}.2d, v{b}.2d, #32", "sli v{a}.2d, v{b}.2d, #32", "and v{a}.16b, v{b}.16b, v{c}.16b",
    "uzp1 v{a}.4s, v{b}.4s, v{c}.4s", "mov x{a}, v{b}.d[0]", "mov x{a}, v{b}.d[1]", "fmov d{a}, x{b}",
    "bit v{a}.16b, v{b}.16b, v{c}.16b", "cmeq v{a}.2d, v{b}.2d, v{c}.2d",
]


@needs_mca
@pytest.mark.parametrize("shape", SHAPES)
def test_scheduler_table_agrees_with_llvm_mca(shape):
    """The scheduler's unit table (kernels/aarch64/n1.py): the latency and, per instruction, the pipes
    llvm-mca's N1 model uses and how long (summed over pipes)."""
    latency, pressure = _probe(shape)
    mnemonic, _, rest = shape.format(a=1, b=2, c=3).partition(" ")
    operands = tuple(o.strip() for o in re.split(r",\s*(?![^\[]*\])", rest))
    lat, uops = cost(mnemonic, operands)
    assert lat == latency, (shape, lat, latency)
    mine = {p for pipes, _ in uops for p in pipes}
    theirs = {_UNITS[u] for u, v in pressure.items() if v > 0.05}
    assert theirs <= mine, (shape, theirs, mine)
    assert sum(c for _, c in uops) == pytest.approx(sum(pressure.values()), abs=0.1), shape


@needs_mca
def test_the_tuner_finds_a_plan_faster_than_the_scalar_code():
    from provenum.bench import neon_plans

    best, cycles, scalar = neon_plans.tune("mul", 4, quick=True, log=lambda *_: None)
    assert best is not None and cycles < scalar
    assert n1.function_cycles(mul.generate(4, "neon", plan=neon_plans.plans.expand("mul", 4, *best))) == cycles


@needs_compiler
def test_a_signature_counts_its_kernel_calls():
    """One 2048-bit signature in the counting library (the model of provenum bench rsa --model):
    two half exponentiations on bignum_modexp_16, the blinding and the checks on the 16-word
    Montgomery kernels, nothing at other sizes."""
    from aarch64util import NO_RUNNER
    if NO_RUNNER:
        pytest.skip(NO_RUNNER)
    from provenum.bench import rsa_aarch64
    from provenum.native import cross

    with cross.Session(cross.library(counting=True), cpu="neoverse-n1") as s:
        calls = rsa_aarch64.count_calls(s, 2048)
    assert calls["bignum_modexp_16"] == 2
    assert set(calls) <= {f"bignum_{op}_16" for op in ("modexp", "montmul", "montsqr", "montredc")}
    # e = 65537: 16 squarings and one multiply per r^e, plus the public-key checks
    assert calls["bignum_montsqr_16"] >= 32 and calls["bignum_montmul_16"] >= 4


@needs_mca
@needs_compiler
def test_bench_kernels_cli_writes_the_issue_json(tmp_path):
    import json

    from provenum.cli import main

    out = tmp_path / "b.json"
    assert main(["bench", "kernels", "--isa", "aarch64", "--only", "mul_4_8", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    rows = {r["name"]: r for r in data["results"]}
    assert set(rows) == {"bignum_mul_4_8_scalar", "bignum_mul_4_8_neon"}
    for r in rows.values():
        assert {"name", "words", "n1_cycles", "n1_cycles_unscheduled", "instructions"} <= set(r) and r["words"] == 4
        # unscheduled: the generator's order, from a library built of it
        plain = [f"{i[1]} {', '.join(i[2])}".strip() for i in BY_NAME[r["name"]].function.items if i[0] == "op"]
        assert r["n1_cycles_unscheduled"] == pytest.approx(n1.mca_cycles(plain), abs=0.01)
    assert rows["bignum_mul_4_8_neon"]["n1_cycles"] < rows["bignum_mul_4_8_scalar"]["n1_cycles"]


def test_a_signature_estimate_sets_scheduled_against_unscheduled():
    """The RSA model's sums: the same calls costed at the shipped and the generator's cycles; the
    gain is the fraction the schedules save, and the JSON carries both per kernel."""
    from provenum.bench.rsa_aarch64 import Estimate

    e = Estimate(2048, "neon", calls={"bignum_modexp_16": 2, "bignum_montsqr_16": 64},
                 cycles={"bignum_modexp_16": 900.0, "bignum_montsqr_16": 10.0},
                 unscheduled={"bignum_modexp_16": 1000.0, "bignum_montsqr_16": 15.0})
    assert e.total == 2 * 900 + 64 * 10
    assert e.total_unscheduled == 2 * 1000 + 64 * 15
    assert e.gain == pytest.approx(1 - 2440 / 2960)
    d = e.as_dict()
    assert d["n1_cycles_unscheduled"] == 2960 and d["gain"] == pytest.approx(e.gain)
    rows = {r["operation"]: r for r in d["kernels"]}
    assert rows["bignum_montsqr_16"]["n1_cycles_per_call_unscheduled"] == 15.0
    shipped_only = Estimate(2048, "neon", calls=e.calls, cycles=e.cycles)
    assert shipped_only.gain is None and "n1_cycles_unscheduled" not in shipped_only.as_dict()
