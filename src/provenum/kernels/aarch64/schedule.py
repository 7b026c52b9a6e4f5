"""List scheduling of straight-line A64 code for Neoverse N1.

The generators emit each kernel in reading order; `order(f)` returns the
items of a Function with every straight-line stretch (between labels,
branches and instructions that move sp or a declared base register)
reordered by a cycle-by-cycle list scheduler: an instruction issues when
its operands are ready (the producer's latency from n1.py has passed), a
pipe of each of its micro-ops is free, and at most ISSUE_WIDTH issue per
cycle; among the ready ones, the one with the longest latency path to the
end of the stretch goes first (ties: program order).

Dependencies are read off the operands: registers (x and w views are one
register, v/q/d/s views one vector register), the NZCV flags, and memory:
two accesses conflict when one is a store and they touch overlapping bytes
of the same region (Function.regions maps base registers to regions) or
of regions that may alias (Function.may_alias, or a base not declared).
Only the order changes, never an instruction, so the code computes exactly
what the generator wrote; the kernels' tests and proofs are of the
scheduled bytes.
"""
from __future__ import annotations

import heapq
import re

from .n1 import ISSUE_WIDTH, PIPES, cost

_FLAG_DEFS = {"adds", "adcs", "subs", "sbcs", "negs", "ngcs", "ands", "bics", "cmp", "cmn", "tst", "ccmp", "ccmn"}
_FLAG_USES = {"adc", "adcs", "sbc", "sbcs", "ngc", "ngcs", "csel", "csinc", "csinv", "csneg", "cset", "csetm",
              "cinc", "cinv", "cneg", "ccmp", "ccmn"}
_NO_DEF = {"cmp", "cmn", "tst", "ccmp", "ccmn"}
_STORES = {"str", "stp", "stur", "st1"}
_LOADS = {"ldr", "ldp", "ldur", "ld1"}
# instructions whose destination is also read (accumulate, insert, keep other bits)
_READ_DEST = {"umlal", "umlal2", "umlsl", "umlsl2", "usra", "ssra", "sli", "sri", "mla", "mls", "bit", "bif", "bsl",
              "uadalp", "movk", "bfi", "bfxil", "shrn2", "xtn2"}
_BRANCHES = {"b", "bl", "br", "blr", "ret", "cbz", "cbnz", "tbz", "tbnz"}

_REG = re.compile(r"\b([xw](\d+)|sp|wsp|v(\d+)(?:\.\w+)?(?:\[\d+\])?|[qdsbh](\d+))\b")


def _reg_name(tok: str) -> str | None:
    m = _REG.fullmatch(tok.strip())
    if not m:
        return None
    if m.group(2) is not None:
        return "x" + m.group(2)
    if m.group(3) is not None:
        return "v" + m.group(3)
    if m.group(4) is not None:
        return "v" + m.group(4)
    return "sp"


def _regs_in(op: str) -> list[str]:
    out = []
    for tok in re.split(r"[\s,{}\[\]!]+", op):
        r = _reg_name(tok) if tok else None
        if r:
            out.append(r)
    return out


def _access_bytes(regs: list[str], ops: tuple) -> int:
    first = ops[0]
    if first.startswith("{"):
        return 16 * first.count("v")
    k = first[:1]
    size = {"x": 8, "w": 4, "q": 16, "d": 8, "s": 4}.get(k, 8)
    return size * (2 if len(regs) == 2 and not first.startswith("{") else 1)


class Node:
    __slots__ = ("index", "item", "latency", "uops", "uses", "defs", "mem", "succ", "npred", "priority",
                 "comments")

    def __init__(self, index, item):
        self.index, self.item = index, item
        self.succ = []          # (node, latency)
        self.npred = 0
        self.priority = 0
        self.comments = []


def _analyse(node: Node, f) -> None:
    _, mnemonic, ops = node.item
    node.latency, node.uops = cost(mnemonic, ops)
    uses, defs = set(), set()
    mem = None
    data_ops = [o for o in ops if not o.startswith("[")]
    mem_ops = [o for o in ops if o.startswith("[")]
    if mnemonic in _STORES or mnemonic in _LOADS:
        regs = [r for o in data_ops if not o.startswith("#") for r in _regs_in(o)]
        base = _regs_in(mem_ops[0])[0]
        disp = re.search(r"#(-?\d+)", mem_ops[0])
        offset = int(disp.group(1)) if disp else 0
        nbytes = _access_bytes(regs, tuple(o for o in ops if not o.startswith("[")))
        region = f.regions.get(base)
        where = (region[0], region[1] + offset) if region else (None, 0)
        mem = (mnemonic in _STORES, where[0], where[1], where[1] + nbytes)
        uses.add(base)
        if mnemonic in _STORES:
            uses.update(regs)
        else:
            defs.update(regs)
    else:
        regs_by_op = [_regs_in(o) for o in data_ops if not o.startswith("#")]
        flat = [r for rs in regs_by_op for r in rs]
        if mnemonic in _NO_DEF or not flat:
            uses.update(flat)
        else:
            defs.update(regs_by_op[0])
            uses.update(r for rs in regs_by_op[1:] for r in rs)
            if mnemonic in _READ_DEST or (mnemonic in ("mov", "ins", "fmov") and "[" in data_ops[0]):
                uses.update(regs_by_op[0])
    if mnemonic in _FLAG_DEFS:
        defs.add("nzcv")
    if mnemonic in _FLAG_USES or mnemonic.startswith("b."):
        uses.add("nzcv")
    node.uses, node.defs, node.mem = uses, defs, mem


def _conflict(a, b, may_alias) -> bool:
    if not (a[0] or b[0]):
        return False
    if a[1] is None or b[1] is None:
        return True
    if a[1] != b[1]:
        return frozenset((a[1], b[1])) in may_alias
    return a[2] < b[3] and b[2] < a[3]


def _barrier(item, f) -> bool:
    if item[0] == "label":
        return True
    if item[0] != "op":
        return False
    mnemonic, ops = item[1], item[2]
    if mnemonic in _BRANCHES or mnemonic.startswith("b."):
        return True
    if not ops or mnemonic in _STORES | _NO_DEF:
        return any("]!" in o for o in ops) or (mnemonic in _STORES and len(ops) > 1 and not ops[-1].startswith("["))
    dest = _regs_in(ops[0])
    if mnemonic in _LOADS:
        dest = [r for o in ops if not o.startswith("[") for r in _regs_in(o)]
    return any(d == "sp" or d in f.regions for d in dest) or any("]!" in o for o in ops) or (
        mnemonic in _LOADS and not ops[-1].startswith("["))


def graph(items: list, f) -> tuple[list, list]:
    """The dependence graph of one straight-line stretch: (nodes in program order, the comments
    after the last instruction). Each node's succ lists (successor, latency) edges: true
    dependences at the producer's latency (1 through NZCV), anti and output dependences and
    memory order at 0 (a load after a store it may read: the store's latency)."""
    nodes, pending = [], []
    for it in items:
        if it[0] == "comment":
            pending.append(it)
            continue
        n = Node(len(nodes), it)
        n.comments, pending = pending, []
        _analyse(n, f)
        nodes.append(n)
    last_def, readers, mems = {}, {}, []

    def edge(a, b, lat):
        a.succ.append((b, lat))
        b.npred += 1

    for n in nodes:
        seen = {}
        for r in n.uses:
            d = last_def.get(r)
            if d is not None:
                lat = 1 if r == "nzcv" else d.latency
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
                if _conflict(m.mem, n.mem, f.may_alias) and m.index not in seen:
                    seen[m.index] = (m.latency if m.mem[0] and not n.mem[0] else 0, m)
            mems.append(n)
        for lat, d in seen.values():
            edge(d, n, lat)
        for r in n.uses:
            readers.setdefault(r, []).append(n)
        for r in n.defs:
            last_def[r] = n
            readers[r] = []
    # priority: longest latency path to the end
    for n in reversed(nodes):
        n.priority = max((lat + s.priority for s, lat in n.succ), default=n.latency)
    return nodes, pending


def list_order(nodes: list) -> list:
    """The nodes of one stretch in the order the cycle-by-cycle list scheduler issues them."""
    npred = {n.index: n.npred for n in nodes}
    ready_at = {n.index: 0 for n in nodes}
    busy = {p: 0 for p in PIPES}
    ready = [(-n.priority, n.index, n) for n in nodes if n.npred == 0]
    heapq.heapify(ready)
    waiting = []  # (ready_at, index, node): predecessors done, operands not yet
    out, cycle = [], 0
    while ready or waiting:
        while waiting and waiting[0][0] <= cycle:
            _, _, n = heapq.heappop(waiting)
            heapq.heappush(ready, (-n.priority, n.index, n))
        issued, deferred = 0, []
        while ready and issued < ISSUE_WIDTH:
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


def _schedule_block(items: list, f) -> list:
    nodes, pending = graph(items, f)
    return emit(list_order(nodes), pending)


def _claim(uops, busy, cycle):
    """Pipes for each micro-op, all free this cycle (one pipe may take several), or None."""
    load: dict = {}
    plan = []
    for pipes, cycles in uops:
        free = [p for p in pipes if busy[p] <= cycle]
        if not free:
            return None
        choice = min(free, key=lambda p: load.get(p, 0))
        load[choice] = load.get(choice, 0) + cycles
        plan.append(choice)
    return list(load.items())


def stretches(items: list, f) -> list[tuple[list, tuple | None]]:
    """The items cut into (straight-line stretch, the barrier after it or None at the end)."""
    out, block = [], []
    for it in items:
        if _barrier(it, f):
            out.append((block, it))
            block = []
        else:
            block.append(it)
    out.append((block, None))
    return out


def order(f) -> list:
    """The Function's items with each straight-line stretch list-scheduled."""
    out = []
    for block, barrier in stretches(f.items, f):
        out.extend(_schedule_block(block, f))
        if barrier is not None:
            out.append(barrier)
    return out


# -- schedules found by a solver (provenum schedule), kept in the committed file ---------------
NOTE = "Schedule: "          # the banner line that marks a committed file's order as a solver's


def _text(item) -> str:
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


def kept_order(f, body: list[str]) -> list | None:
    """The Function's items in the order of `body` (a committed file's instructions and labels),
    if that order is the generator's instructions, each stretch a reordering of its own that
    every dependence allows (schedule.respects) and every barrier in place; else None."""
    out, k = [], 0
    for block, barrier in stretches(f.items, f):
        nodes, pending = graph(block, f)
        mine = body[k:k + len(nodes)]
        k += len(nodes)
        by_text: dict = {}
        for n in nodes:
            by_text.setdefault(_text(n.item), []).append(n)
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
            expect = f"{barrier[1]}:" if barrier[0] == "label" else _text(barrier)
            if k >= len(body) or body[k] != expect:
                return None
            k += 1
            out.append(barrier)
    return out if k == len(body) else None
