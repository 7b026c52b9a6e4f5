"""`provenum schedule`: solve the AArch64 kernels' instruction order, keep what llvm-mca says is faster.

For one kernel: every straight-line stretch of at least MIN_STRETCH
instructions is solved by CP-SAT (cpsat.py) from its list schedule, within
a time budget split over the stretches by size; the result is scored as the
benchmarks score (llvm-mca's Neoverse N1 model over the kernel's own
instructions, schedule's cost model being only the solver's guide) against
the list schedule and the committed schedule. The committed file gets the
fastest: a solver's order with its schedule note (the banner line that
makes `python -m provenum.kernels` keep it), or the list schedule without
one. Only the order changes; the kept order is checked against the
dependence graph (schedule.kept_order) whenever the file is regenerated,
and the kernel's proof and tests are of the bytes written.

OR-Tools is an optional dependency (`pip install provenum[schedule]`): the
build and the tests read the committed files and never need it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from . import cpsat, schedule

MIN_STRETCH = 32
GAIN = 0.5                 # N1 cycles a solver's order must save to replace the list schedule


@dataclass
class Outcome:
    name: str
    generator_cycles: float
    list_cycles: float
    solved_cycles: float | None   # the solver's order this run (None: nothing to solve)
    shipped_cycles: float
    kept: str                     # "solver", "committed" or "list"
    seconds: float


def _lines(items) -> list[str]:
    return [f"{i[1]} {', '.join(i[2])}".strip() for i in items if i[0] == "op"]


def solve_function(f, budget: float, seed: int = 0) -> list:
    """The Function's items with each long stretch solved by CP-SAT from its list schedule."""
    parts = schedule.stretches(f.items, f)
    sizes = [sum(1 for it in block if it[0] == "op") for block, _ in parts]
    total = sum(s for s in sizes if s >= MIN_STRETCH) or 1
    deadline = time.monotonic() + budget
    out = []
    for (block, barrier), size in zip(parts, sizes):
        nodes, pending = schedule.graph(block, f)
        start = schedule.list_order(nodes)
        if size >= MIN_STRETCH:
            windows = max(1, (size - cpsat.WINDOW) // cpsat.STEP + 1)
            per_window = max(0.2, budget * size / total / windows)
            order_ = cpsat.solve(nodes, start, per_window, deadline, seed=seed)
            if not schedule.respects(order_, nodes):
                raise AssertionError(f"{f.name}: the solver's order breaks a dependence")
        else:
            order_ = start
        out.extend(schedule.emit(order_, pending))
        if barrier is not None:
            out.append(barrier)
    return out


def reschedule(kernel, budget: float, seed: int = 0, write: bool = True) -> Outcome:
    """Solve one kernel's order within `budget` seconds and write the fastest order to its file."""
    from provenum.bench.n1 import mca_cycles

    f = kernel.function
    t0 = time.monotonic()
    generator = mca_cycles(_lines(f.items))
    listed = schedule.order(f)
    list_cycles = mca_cycles(_lines(listed))
    kept = f.committed_schedule()
    committed_cycles = mca_cycles(_lines(kept[0])) if kept else None
    solvable = f.scheduled and any(sum(1 for it in b if it[0] == "op") >= MIN_STRETCH
                                   for b, _ in schedule.stretches(f.items, f))
    solved = solved_cycles = None
    if solvable:
        solved = solve_function(f, budget, seed)
        solved_cycles = mca_cycles(_lines(solved))
    seconds = time.monotonic() - t0
    best = ("list", list_cycles, listed, None)
    if committed_cycles is not None and committed_cycles < best[1] - GAIN:
        best = ("committed", committed_cycles, kept[0], kept[1])
    if solved_cycles is not None and solved_cycles < best[1] - GAIN:
        note = (f"{schedule.NOTE}CP-SAT (provenum schedule, {seconds:.0f} s): {solved_cycles:,.2f} N1 cycles "
                f"(llvm-mca, own instructions); list schedule {list_cycles:,.2f}, generator's order "
                f"{generator:,.2f}")
        best = ("solver", solved_cycles, solved, note)
    if write and f.scheduled:
        kernel.path.write_text(f.text(best[2], best[3]))
    return Outcome(kernel.name, generator, list_cycles, solved_cycles, best[1], best[0], seconds)
