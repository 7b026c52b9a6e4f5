"""`provenum schedule --isa x86_64`: solve an x86-64 kernel's order for a core, keep it only where it
measures faster on this CPU.

For one kernel, two candidate orders: every straight-line stretch of at
least MIN_STRETCH instructions solved by CP-SAT on the core's out-of-order
model (kernels/cpsat.py with the core's table, costs.py) from the
generator's order, within a time budget split over the stretches by size;
and the list schedule by critical path (depgraph.list_order). The model
only guides: x86 cores reorder within hundreds of instructions, so the
choice is by measurement. The generator's order, the committed order (if
it ships a schedule) and the candidates are each built under their own
symbol into one harness and timed interleaved (bench/kernels.py), median
and minimum of the repeated runs, in ROUNDS runs of the harness; the faster
candidate is written (with its schedule note, the banner line that makes
the file's order kept) only when its median is below the best other's in
every round, at least GAIN below it over the rounds, and its minimum is not
above it; else the best of the others stays. Orders are written only for
the core this CPU is (`host_core`): a Zen 3 order can be solved and
modelled here, not kept.
"""
from __future__ import annotations

import dataclasses
import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .. import cpsat, depgraph
from . import schedule
from .costs import core as core_table

MIN_STRETCH = 32
GAIN = 0.02          # the fraction of the median a new order must save to be kept
ROUNDS = 5

# dispatch.CPU.microarchitecture names of the cores the tables describe: Sapphire Rapids (0x8f),
# Emerald Rapids (0xcf), Alder Lake (0x97, 0x9a), and 0xa7 as the project's VM reports its Sapphire /
# Emerald Rapids host (AMX present; on bare metal 0xa7 is Rocket Lake, which the table does not describe)
HOST_CORES = {
    "golden-cove": ("GenuineIntel-0x06-0x8f", "GenuineIntel-0x06-0xcf", "GenuineIntel-0x06-0x97",
                    "GenuineIntel-0x06-0x9a", "GenuineIntel-0x06-0xa7"),
    "zen3": ("AuthenticAMD-0x19-0x01", "AuthenticAMD-0x19-0x21", "AuthenticAMD-0x19-0x50"),
}


def host_core() -> str | None:
    """The core table that describes this CPU, or None."""
    from provenum.native import dispatch

    here = dispatch.cpu().microarchitecture
    return next((name for name, ids in HOST_CORES.items() if here in ids), None)


@dataclass
class Outcome:
    name: str
    core: str
    generator_model: int          # model cycles (sum over the solved stretches)
    solved_model: int | None
    list_model: int | None
    ticks: dict                   # "generator" / "committed" / "solver" / "list" -> (median of round medians, minimum)
    rounds: dict                  # the same labels -> each round's median
    kept: str                     # "solver", "list", "committed", "generator", or "-" (not written)
    solve_seconds: float
    measure_seconds: float


def solve_function(f, core, budget: float | None, seed: int = 0) -> tuple[list, int, int]:
    """(the Function's items with each long stretch reordered, model cycles before, after): solved by
    CP-SAT from the generator's order within `budget` seconds, or (budget None) list-scheduled by
    critical path (depgraph.list_order). A stretch keeps the generator's order where the model does
    not find the new one faster."""
    parts = schedule.stretches(f.items())
    sizes = [sum(1 for it in block if it[0] == "op") for block, _ in parts]
    total = sum(s for s in sizes if s >= MIN_STRETCH) or 1
    deadline = time.monotonic() + (budget or 0)
    out, before, after = [], 0, 0
    for (block, barrier), size in zip(parts, sizes):
        nodes, pending = schedule.graph(block, core)
        order_ = nodes
        if size >= MIN_STRETCH:
            if budget is None:
                order_ = depgraph.list_order(nodes, core.machine.pipes, core.machine.dispatch_width)
            else:
                windows = max(1, (size - cpsat.WINDOW) // cpsat.STEP + 1)
                per_window = max(0.2, budget * size / total / windows)
                order_ = cpsat.solve(nodes, nodes, core.machine, per_window, deadline, seed=seed)
            if not depgraph.respects(order_, nodes):
                raise AssertionError(f"{f.name}: the new order breaks a dependence")
            mine, new = (cpsat.model_cycles(o, nodes, core.machine) for o in (nodes, order_))
            if new >= mine:
                order_, new = nodes, mine
            before, after = before + mine, after + new
        out.extend(depgraph.emit(order_, pending))
        if barrier is not None:
            out.append(barrier)
    return out, before, after


def _callees(text: str) -> set[str]:
    return set(re.findall(r"^\s+(?:call|jmp)\s+(bignum_\w+)", text, re.M))


def measure(kernel, texts: dict, repeats: int, budget_ms: float, rounds: int = ROUNDS) -> dict:
    """label -> ([each round's median], least minimum) TSC ticks of each text of `kernel` (one .S
    file each, renamed NAME__label), all in one harness, interleaved; `rounds` runs of it."""
    from provenum.bench import kernels as bench
    from provenum.kernels import by_name_of

    by_name = by_name_of("x86_64")
    with tempfile.TemporaryDirectory(prefix="provenum-schedule-") as tmp:
        work = Path(tmp)
        asm, cases, names = [], "", {}
        for label, text in texts.items():
            sym = f"{kernel.name}__{label}"
            path = work / f"{sym}.S"
            path.write_text(bench.renamed(text, kernel.name, sym))
            asm.append(str(path))
            cases += bench.case_line(kernel, sym)
            names[sym] = label
        seen, todo = set(), set().union(*(_callees(t) for t in texts.values()))
        while todo:                                 # the committed callees, transitively
            name = todo.pop()
            if name in seen or name not in by_name:
                continue
            seen.add(name)
            asm.append(str(by_name[name].path))
            todo |= _callees(by_name[name].path.read_text())
        exe, _ = bench.compile_harness(work, cases, asm, gmp=False)
        runs: dict = {label: [] for label in texts}
        for _ in range(rounds):
            results, _ = bench.run_harness(exe, repeats, budget_ms, kernel.name + "__")
            for r in results:
                if r.name in names:
                    runs[names[r.name]].append((r.ticks, r.ticks_min))
    return {label: ([m for m, _ in v], min(n for _, n in v)) for label, v in runs.items()}


def faster(mine: tuple, other: tuple) -> bool:
    """Whether measurements (round medians, minimum) `mine` beat `other`: every round's median lower,
    the median of them at least GAIN lower, the minimum not higher."""
    rounds = all(a < b for a, b in zip(mine[0], other[0]))
    return rounds and statistics.median(mine[0]) <= (1 - GAIN) * statistics.median(other[0]) and mine[1] <= other[1]


def reschedule(kernel, core_name: str, budget: float, seed: int = 0, repeats: int = 51,
               budget_ms: float = 60.0, write: bool = True) -> Outcome:
    """Solve one kernel's order for the core, measure it against the generator's and the committed
    order on this CPU, and write the fastest to its file (only for the core this CPU is)."""
    core = core_table(core_name)
    f = kernel.function
    t0 = time.monotonic()
    solved, before, after = solve_function(f, core, budget, seed)
    solve_seconds = time.monotonic() - t0
    listed, _, list_model = solve_function(f, core, None)
    plain = dataclasses.replace(f, order="none")
    texts = {"generator": plain.text()}
    kept = f.committed_schedule()
    if kept is not None:
        texts["committed"] = f.text(items=kept[0], note=kept[1])
    texts["solver"] = f.text(items=solved, note="solver's order being measured")
    texts["list"] = f.text(items=listed, note="list schedule being measured")
    here = host_core() == core_name
    t1 = time.monotonic()
    measured = measure(kernel, texts, repeats, budget_ms) if here else {}
    measure_seconds = time.monotonic() - t1
    ticks = {lbl: (statistics.median(m), low) for lbl, (m, low) in measured.items()}
    choice = "-"
    if here:
        best = min((lbl for lbl in ticks if lbl in ("generator", "committed")), key=lambda lbl: ticks[lbl][0])
        new = min(("solver", "list"), key=lambda lbl: ticks[lbl][0])
        med, low = ticks[new]
        choice = new if faster(measured[new], measured[best]) else best
        if write:
            if choice in ("solver", "list"):
                g, c = ticks["generator"], ticks.get("committed")
                how = (f"CP-SAT for {core_name} (provenum schedule, {solve_seconds:.0f} s)" if choice == "solver"
                       else f"list schedule for {core_name} (provenum schedule)")
                note = (f"{depgraph.NOTE}{how}, "
                        f"kept as faster on {_cpu_name()}: {med:,.1f} / {low:,.0f} TSC ticks (median / minimum) "
                        f"against the generator's order {g[0]:,.1f} / {g[1]:,.0f}"
                        + (f" and the previous schedule {c[0]:,.1f} / {c[1]:,.0f}" if c else ""))
                kernel.path.write_text(f.text(items=solved if choice == "solver" else listed, note=note))
            elif choice == "generator":
                kernel.path.write_text(plain.text())
    return Outcome(kernel.name, core_name, before, after if before else None, list_model if before else None, ticks,
                   {lbl: m for lbl, (m, _) in measured.items()}, choice, solve_seconds, measure_seconds)


def _cpu_name() -> str:
    from provenum.native import dispatch

    return dispatch.cpu().microarchitecture
