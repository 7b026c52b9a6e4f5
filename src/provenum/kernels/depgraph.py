"""Dependence graphs of straight-line code, and the orders they allow: the ISA-neutral part of
the schedulers (aarch64/schedule.py, x86_64/schedule.py).

Each ISA reads its instructions' operands into Nodes (`uses`, `defs`: the
registers and flags an instruction reads and writes; `mem`: (is a store,
address key, first byte, end) or None; `latency`, `uops` from its cost
table) and `link` adds the edges: a true dependence at the producer's
latency (1 through a flag), anti and output dependences and memory order at
0 (a load after a store it may read: the store's latency). Two memory
accesses are ordered when the ISA's `conflict` says they may overlap and one
is a store. An order of a stretch is allowed when `respects` says so: every
node once, each after its predecessors; only such orders are ever written
or kept (`kept_order`), so a schedule changes where an instruction stands,
never what the code computes.
"""
from __future__ import annotations

import heapq


class Node:
    __slots__ = ("index", "item", "latency", "uops", "uses", "defs", "mem", "succ", "npred", "priority",
                 "comments")

    def __init__(self, index, item):
        self.index, self.item = index, item
        self.succ = []          # (node, latency)
        self.npred = 0
        self.priority = 0
        self.comments = []


def nodes_of(items: list) -> tuple[list, list]:
    """(a Node per instruction, in program order, each with the comments before it; the comments
    after the last instruction)."""
    nodes, pending = [], []
    for it in items:
        if it[0] == "comment":
            pending.append(it)
            continue
        n = Node(len(nodes), it)
        n.comments, pending = pending, []
        nodes.append(n)
    return nodes, pending


def link(nodes: list, conflict, flags: frozenset) -> None:
    """Add the dependence edges of analysed nodes (see the module docstring) and each node's
    priority, its longest latency path to the end. `flags`: the names in uses/defs whose true
    dependences take one cycle whatever the producer's latency."""
    last_def, readers, mems = {}, {}, []

    def edge(a, b, lat):
        a.succ.append((b, lat))
        b.npred += 1

    for n in nodes:
        seen = {}
        for r in n.uses:
            d = last_def.get(r)
            if d is not None:
                lat = 1 if r in flags else d.latency
                seen[d.index] = max(seen.get(d.index, (0, None))[0], lat), d
        for r in n.defs:
            d = last_def.get(r)
            if d is not None and d.index not in seen:
                seen[d.index] = (0, d)
            for rd in readers.get(r, ()):
                if rd is not n and rd.index not in seen:
                    seen[rd.index] = (0, rd)
        if n.mem is not None:
            for m in mems:
                if (m.mem[0] or n.mem[0]) and conflict(m.mem, n.mem) and m.index not in seen:
                    seen[m.index] = (m.latency if m.mem[0] and not n.mem[0] else 0, m)
            mems.append(n)
        for lat, d in seen.values():
            edge(d, n, lat)
        for r in n.uses:
            readers.setdefault(r, []).append(n)
        for r in n.defs:
            last_def[r] = n
            readers[r] = []
    for n in reversed(nodes):
        n.priority = max((lat + s.priority for s, lat in n.succ), default=n.latency)


def list_order(nodes: list, pipes, issue_width: int) -> list:
    """The nodes of one stretch in the order a cycle-by-cycle list scheduler issues them: an
    instruction issues when its operands are ready, a pipe of each of its micro-ops is free, and
    at most issue_width issue per cycle; among the ready ones the highest priority goes first
    (ties: program order)."""
    npred = {n.index: n.npred for n in nodes}
    ready_at = {n.index: 0 for n in nodes}
    busy = {p: 0 for p in pipes}
    ready = [(-n.priority, n.index, n) for n in nodes if n.npred == 0]
    heapq.heapify(ready)
    waiting = []  # (ready_at, index, node): predecessors done, operands not yet
    out, cycle = [], 0
    while ready or waiting:
        while waiting and waiting[0][0] <= cycle:
            _, _, n = heapq.heappop(waiting)
            heapq.heappush(ready, (-n.priority, n.index, n))
        issued, deferred = 0, []
        while ready and issued < issue_width:
            item = heapq.heappop(ready)
            n = item[2]
            plan = _claim(n.uops, busy, cycle)
            if plan is None:
                deferred.append(item)
                continue
            for pipe, cycles in plan:
                busy[pipe] = cycle + cycles
            issued += 1
            out.append(n)
            for s, lat in n.succ:
                ready_at[s.index] = max(ready_at[s.index], cycle + lat)
                npred[s.index] -= 1
                if npred[s.index] == 0:
                    if ready_at[s.index] <= cycle:
                        heapq.heappush(ready, (-s.priority, s.index, s))
                    else:
                        heapq.heappush(waiting, (ready_at[s.index], s.index, s))
        for item in deferred:
            heapq.heappush(ready, item)
        cycle += 1
    return out


def _claim(uops, busy, cycle):
    """Pipes for each micro-op, all free this cycle (one pipe may take several), or None."""
    load: dict = {}
    for pipes, cycles in uops:
        free = [p for p in pipes if busy[p] <= cycle]
        if not free:
            return None
        choice = min(free, key=lambda p: load.get(p, 0))
        load[choice] = load.get(choice, 0) + cycles
    return list(load.items())


def respects(order_: list, nodes: list) -> bool:
    """Whether `order_` (nodes of one stretch) lists every node once, each after its predecessors."""
    pos = {n.index: k for k, n in enumerate(order_)}
    if len(order_) != len(nodes) or len(pos) != len(nodes):
        return False
    return all(pos[n.index] < pos[s.index] for n in nodes for s, _ in n.succ)


def emit(order_: list, pending: list) -> list:
    """Items of a stretch in the given node order, each comment before its instruction."""
    out = []
    for n in order_:
        out.extend(n.comments)
        out.append(n.item)
    return out + pending


# -- schedules found by a solver (provenum schedule), kept in the committed file ---------------
NOTE = "Schedule: "          # the banner line that marks a committed file's order as a solver's


def item_text(item) -> str:
    """An instruction item as one normalised line (the form committed_body reads back)."""
    return " ".join(f"{item[1]} {', '.join(item[2])}".split())


def committed_body(text: str, name: str) -> tuple[str | None, list[str]]:
    """(the schedule note, or None, and the instruction lines) of a committed kernel file."""
    lines = text.splitlines()
    note = next((ln[3:] for ln in lines if ln.startswith("// " + NOTE)), None)
    try:
        start = lines.index(f"{name}:") + 1
    except ValueError:
        return note, []
    body = []
    for ln in lines[start:]:
        s = ln.strip()
        if s.startswith(".size"):
            break
        if s and not s.startswith("//"):
            body.append(" ".join(s.split()))
    return note, body


def kept_order(body: list[str], parts: list, graph) -> list | None:
    """The items in the order of `body` (a committed file's instructions and labels), if that
    order is the generator's instructions, each stretch a reordering of its own that every
    dependence allows (respects) and every barrier in place; else None. `parts`: the generator's
    (stretch, barrier after it) pairs; graph(stretch) -> (nodes, trailing comments)."""
    out, k = [], 0
    for block, barrier in parts:
        nodes, pending = graph(block)
        mine = body[k:k + len(nodes)]
        k += len(nodes)
        by_text: dict = {}
        for n in nodes:
            by_text.setdefault(item_text(n.item), []).append(n)
        order_ = []
        for line in mine:
            same = by_text.get(line)
            if not same:
                return None
            order_.append(same.pop(0))
        if not respects(order_, nodes):
            return None
        out.extend(emit(order_, pending))
        if barrier is not None:
            expect = f"{barrier[1]}:" if barrier[0] == "label" else item_text(barrier)
            if k >= len(body) or body[k] != expect:
                return None
            k += 1
            out.append(barrier)
    return out if k == len(body) else None


def stretches(items: list, is_barrier) -> list[tuple[list, object]]:
    """The items cut into (straight-line stretch, the barrier after it or None at the end)."""
    out, block = [], []
    for it in items:
        if is_barrier(it):
            out.append((block, it))
            block = []
        else:
            block.append(it)
    out.append((block, None))
    return out
