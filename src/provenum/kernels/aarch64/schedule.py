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
scheduled bytes. The edges, the list scheduler and the committed-order check
are ISA-neutral (kernels/depgraph.py); this module reads A64 operands.
"""
from __future__ import annotations

import re

from .. import depgraph
from ..depgraph import NOTE, Node, committed_body, emit, respects  # noqa: F401  (this module's API)
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
    nodes, pending = depgraph.nodes_of(items)
    for n in nodes:
        _analyse(n, f)
    depgraph.link(nodes, lambda a, b: _conflict(a, b, f.may_alias), frozenset({"nzcv"}))
    return nodes, pending


def list_order(nodes: list) -> list:
    """The nodes of one stretch in the order the cycle-by-cycle list scheduler issues them."""
    return depgraph.list_order(nodes, PIPES, ISSUE_WIDTH)


def _schedule_block(items: list, f) -> list:
    nodes, pending = graph(items, f)
    return emit(list_order(nodes), pending)


def stretches(items: list, f) -> list[tuple[list, tuple | None]]:
    """The items cut into (straight-line stretch, the barrier after it or None at the end)."""
    return depgraph.stretches(items, lambda it: _barrier(it, f))


def order(f) -> list:
    """The Function's items with each straight-line stretch list-scheduled."""
    out = []
    for block, barrier in stretches(f.items, f):
        out.extend(_schedule_block(block, f))
        if barrier is not None:
            out.append(barrier)
    return out


def kept_order(f, body: list[str]) -> list | None:
    """The Function's items in the order of `body` (a committed file's instructions and labels),
    if every stretch is a reordering of its own that every dependence allows (depgraph.kept_order)."""
    return depgraph.kept_order(body, stretches(f.items, f), lambda block: graph(block, f))
