"""Scheduling a straight-line stretch by constraint solving (OR-Tools CP-SAT), for an out-of-order core.

ISA-neutral: the dependence graph is depgraph's (each ISA supplies its
registers, flags and memory accesses: aarch64/schedule.py, x86_64/schedule.py),
the core a `Machine` (its pipes, dispatch width and reorder buffer) whose
instructions' costs come from the ISA's table (aarch64/n1.py;
x86_64/golden_cove.py, x86_64/zen3.py). The model is of the out-of-order
core rather than of in-order issue: the core renames registers, so an anti
or output dependence orders the program, not the execution. Each
instruction i gets two cycles,

  d_i  its dispatch: program order, at most dispatch_width a cycle, in an
       order every dependence allows (the order written out is by d);
  x_i  its execution: x_i >= d_i, x_i >= x_p + latency for each true
       dependence p (a register it reads, NZCV, a store it may load from),
       each micro-op holding one pipe of its set for its cycles;

and the reorder buffer: an instruction should complete within
rob_cycles of its dispatch (rob_entries / dispatch_width), else the
instructions behind it stall; the excess is penalised. The objective is
the latest `x + tail` (tail: the longest true-dependence path to the end of
the stretch, so what comes after the window counts), then the penalties,
then the sum of execution cycles.

A stretch is solved in overlapping windows (as SLOTHY's split heuristic):
the WINDOW instructions after those already placed, the current order as
the solver's hint; the first STEP of the solution are placed (their cycles
recomputed by the simulator below, `Core`, which is also how a whole order
is scored) and the window moves on. Only the order changes, never a
register or an instruction; schedule.respects checks it against the graph.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

WINDOW = 80
STEP = 40


@dataclass(frozen=True)
class Machine:
    """What the out-of-order model needs of a core besides its instructions' costs."""
    name: str
    pipes: tuple                 # every pipe (port) an instruction's micro-ops may name
    dispatch_width: int          # instructions entering the out-of-order core per cycle
    rob_entries: int             # instructions in flight
    # loads run ahead of earlier stores they are not known to read (memory disambiguation): only a
    # store to the same address key delays a load; either way the program order keeps every edge
    speculates_loads: bool = False

    @property
    def rob_cycles(self) -> int:
        return self.rob_entries // self.dispatch_width


def true_edges(nodes, machine: Machine) -> dict:
    """index -> [(predecessor, latency)] of the dependences renaming does not remove."""
    preds = {n.index: [] for n in nodes}
    for n in nodes:
        for s, lat in n.succ:
            stored = (n.mem is not None and s.mem is not None and n.mem[0] and not s.mem[0]
                      and not (machine.speculates_loads and (n.mem[1] is None or n.mem[1] != s.mem[1])))
            if set(n.defs) & set(s.uses) or stored:
                preds[s.index].append((n, lat))
    return preds


def tails(nodes, preds) -> dict:
    succ = {n.index: [] for n in nodes}
    for n in nodes:
        for p, lat in preds[n.index]:
            succ[p.index].append((n, lat))
    tail = {}
    for n in reversed(nodes):
        tail[n.index] = max((lat + tail[s.index] for s, lat in succ[n.index]), default=n.latency)
    return tail


class Core:
    """The out-of-order model: instructions dispatched in the order given (dispatch_width a
    cycle, rob_entries in flight), each executed at the first cycle its true inputs are ready
    and a pipe of each micro-op is free, retired in order."""

    def __init__(self, preds, machine: Machine):
        self.preds, self.machine = preds, machine
        self.busy = {p: set() for p in machine.pipes}      # cycles each pipe is held
        self.d, self.x = {}, {}
        self.dispatched = []                        # (index, completion) in program order
        self.retire = 0

    def place(self, n) -> None:
        k = len(self.dispatched)
        width, rob = self.machine.dispatch_width, self.machine.rob_entries
        d = max(self.d[self.dispatched[-1][0]] if k else 0, 0)
        if k >= width and self.d[self.dispatched[k - width][0]] >= d:
            d = self.d[self.dispatched[k - width][0]] + 1
        if k >= rob:
            d = max(d, self._retired_at(k - rob))
        x = max([d] + [self.x[p.index] + lat for p, lat in self.preds[n.index]])
        while True:
            plan = self._claim(n.uops, x)
            if plan is not None:
                break
            x += 1
        for pipe, start, cycles in plan:
            self.busy[pipe].update(range(start, start + cycles))
        self.d[n.index], self.x[n.index] = d, x
        self.retire = max(self.retire, x + n.latency)
        self.dispatched.append((n.index, self.retire))

    def _retired_at(self, k: int) -> int:
        return self.dispatched[k][1]

    def _claim(self, uops, cycle):
        plan, taken = [], {}
        for pipes, cycles in uops:
            for p in sorted(pipes, key=lambda p: taken.get(p, 0)):
                start = cycle + taken.get(p, 0)
                if not any(c in self.busy[p] for c in range(start, start + cycles)):
                    plan.append((p, start, cycles))
                    taken[p] = taken.get(p, 0) + cycles
                    break
            else:
                return None
        return plan

    def copy(self) -> "Core":
        c = Core(self.preds, self.machine)
        c.busy = {p: set(s) for p, s in self.busy.items()}
        c.d, c.x, c.dispatched, c.retire = dict(self.d), dict(self.x), list(self.dispatched), self.retire
        return c


def model_cycles(order_, nodes, machine: Machine) -> int:
    """Cycles of the out-of-order model for `order_`: the last retirement."""
    core = Core(true_edges(nodes, machine), machine)
    for n in order_:
        core.place(n)
    return core.retire


def _solve_window(window, core: Core, tail: dict, budget: float, seed: int):
    from ortools.sat.python import cp_model

    trial = core.copy()
    for n in window:
        trial.place(n)
    preds, machine = core.preds, core.machine
    d0 = core.d[core.dispatched[-1][0]] if core.dispatched else 0
    x0 = min(trial.x[n.index] for n in window)
    horizon = max(trial.x[n.index] + n.latency for n in window) + 1
    dmax = max(trial.d[n.index] for n in window) + 1
    inw = {n.index for n in window}

    m = cp_model.CpModel()
    d, x = {}, {}
    for n in window:
        xl = d0
        for p, lat in preds[n.index]:
            if p.index not in inw:
                xl = max(xl, core.x[p.index] + lat)
        d[n.index] = m.NewIntVar(d0, dmax, "")
        x[n.index] = m.NewIntVar(min(xl, horizon), horizon, "")
        m.Add(x[n.index] >= d[n.index])
        m.AddHint(d[n.index], trial.d[n.index])
        m.AddHint(x[n.index], trial.x[n.index])
    for n in window:
        for p, lat in preds[n.index]:
            if p.index in inw:
                m.Add(x[n.index] >= x[p.index] + lat)
        for s, _ in n.succ:
            if s.index in inw:
                m.Add(d[s.index] >= d[n.index])
    # dispatch width, with the instructions already dispatched in the window's first cycle
    slots = [m.NewFixedSizeIntervalVar(d[n.index], 1, "") for n in window]
    demand = [1] * len(slots)
    same = sum(1 for i, _ in core.dispatched if core.d[i] == d0)
    if same:
        slots.append(m.NewFixedSizeIntervalVar(d0, 1, ""))
        demand.append(same)
    m.AddCumulative(slots, demand, machine.dispatch_width)
    # pipes: those still held by placed instructions, then each micro-op's choice
    on_pipe = {p: [] for p in machine.pipes}
    for p in machine.pipes:
        for c in sorted(c for c in core.busy[p] if c >= x0 - 8):
            on_pipe[p].append(m.NewFixedSizeIntervalVar(c, 1, ""))
    for n in window:
        by_set: dict = {}
        for pipes, cycles in n.uops:
            by_set.setdefault(pipes, []).append(cycles)
        for pipes, cycles_list in by_set.items():
            if len(cycles_list) == 1 and len(pipes) > 1:
                choice = []
                for p in pipes:
                    b = m.NewBoolVar("")
                    on_pipe[p].append(m.NewOptionalFixedSizeIntervalVar(x[n.index], cycles_list[0], b, ""))
                    choice.append(b)
                m.AddExactlyOne(choice)
            else:                    # several micro-ops of one set: spread over its pipes in turn
                load: dict = {}
                for k, cycles in enumerate(cycles_list):
                    p = pipes[k % len(pipes)]
                    load[p] = load.get(p, 0) + cycles
                for p, cycles in load.items():
                    on_pipe[p].append(m.NewFixedSizeIntervalVar(x[n.index], cycles, ""))
    for intervals in on_pipe.values():
        if len(intervals) > 1:
            m.AddNoOverlap(intervals)
    # the reorder buffer: completion within rob_cycles of dispatch, the excess penalised
    excess = []
    for n in window:
        e = m.NewIntVar(0, horizon, "")
        m.Add(e >= x[n.index] + n.latency - d[n.index] - machine.rob_cycles)
        excess.append(e)
    end = m.NewIntVar(0, horizon + max(tail[n.index] for n in window), "")
    for n in window:
        m.Add(end >= x[n.index] + tail[n.index] - n.latency)
    span = len(window) * (horizon + 1)
    m.Minimize(end * span * 4 + sum(excess) * span + sum(x.values()))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = budget
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.Solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return list(window)
    return sorted(window, key=lambda n: (solver.Value(d[n.index]), n.index))


def solve(nodes, start_order, machine: Machine, seconds_per_window: float = 1.0, deadline: float | None = None,
          window: int = WINDOW, step: int = STEP, seed: int = 0) -> list:
    """An order of the stretch's nodes, solved window by window from `start_order` (past the
    deadline, time.monotonic(), the rest keeps the start order)."""
    preds = true_edges(nodes, machine)
    tail = tails(nodes, preds)
    core = Core(preds, machine)
    rest = list(start_order)
    out = []
    while rest:
        if len(rest) <= 1 or (deadline is not None and time.monotonic() > deadline):
            chosen = rest
        else:
            solved = _solve_window(rest[:window], core, tail, seconds_per_window, seed)
            chosen = solved if len(rest) <= window else solved[:step]
        taken = {n.index for n in chosen}
        for n in chosen:
            core.place(n)
        out.extend(chosen)
        rest = [n for n in rest if n.index not in taken]
    return out
