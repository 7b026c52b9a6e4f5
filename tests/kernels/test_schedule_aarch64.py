"""Solver schedules of the AArch64 kernels: a committed order is kept only while every dependence
allows it, the out-of-order model's arithmetic, and the CP-SAT scheduler's orders (OR-Tools)."""
import importlib.util

import pytest

from provenum import kernels
from provenum.kernels.aarch64 import cpsat, schedule
from provenum.kernels.aarch64.asm import Function

BY_NAME = kernels.by_name_of("aarch64")
needs_ortools = pytest.mark.skipif(importlib.util.find_spec("ortools") is None,
                                   reason="OR-Tools is not installed (pip install provenum[schedule])")


def _fresh(name: str) -> Function:
    return BY_NAME[name].make()


def _with_note(f: Function, items) -> str:
    return f.text(items, schedule.NOTE + "test order")


def test_a_dependence_respecting_order_is_kept_with_its_note():
    """The generator's own order is a valid reordering of the list schedule: a file that carries it
    with a schedule note reads back as exactly those items."""
    f = _fresh("bignum_mul_8_16_neon")
    note, body = schedule.committed_body(_with_note(f, f.items), f.name)
    assert note == schedule.NOTE + "test order"
    kept = schedule.kept_order(f, body)
    assert kept is not None
    assert [i for i in kept if i[0] == "op"] == [i for i in f.items if i[0] == "op"]
    assert kept != schedule.order(f)


def _swap_first_true_dependence(f: Function) -> list:
    """The generator's order with one instruction moved before the producer of a register it reads."""
    block = max((b for b, _ in schedule.stretches(f.items, f)), key=len)
    nodes, _ = schedule.graph(block, f)
    producer, consumer = next((n, s) for n in nodes for s, lat in n.succ if set(n.defs) & set(s.uses))
    ops = [i for i in f.items]
    a, b = ops.index(producer.item), ops.index(consumer.item)
    ops[a], ops[b] = ops[b], ops[a]
    return ops


def test_an_order_that_breaks_a_dependence_is_refused():
    f = _fresh("bignum_mul_8_16_neon")
    _, body = schedule.committed_body(_with_note(f, _swap_first_true_dependence(f)), f.name)
    assert schedule.kept_order(f, body) is None, "an instruction before the producer of its input was kept"


def test_a_changed_or_missing_instruction_is_refused():
    f = _fresh("bignum_mul_8_16_neon")
    _, body = schedule.committed_body(_with_note(f, f.items), f.name)
    k = next(i for i, line in enumerate(body) if line.startswith("adcs "))
    changed = body[:k] + [body[k].replace("adcs", "adds")] + body[k + 1:]
    assert schedule.kept_order(f, changed) is None, "a different instruction was accepted"
    assert schedule.kept_order(f, body[:k] + body[k + 1:]) is None, "a dropped instruction was accepted"


def test_files_without_a_note_follow_the_list_scheduler():
    """Every committed file either carries a solver's order that is still valid, or is the list
    schedule (checked byte for byte by test_kernels_aarch64); a note names its cycles."""
    for k in kernels.catalog_of("aarch64"):
        note, _ = schedule.committed_body(k.path.read_text(), k.name)
        if note is not None:
            assert k.function.committed_schedule() is not None, f"{k.name}: stale schedule note"
            assert "N1 cycles" in note and "list schedule" in note


def _nodes(lines):
    f = Function(name="t", summary="", prototype="", registers="")
    for line in lines:
        m, _, rest = line.partition(" ")
        f.op(m, *[o.strip() for o in rest.split(",")])
    return schedule.graph(f.items, f)[0]


def test_the_out_of_order_model_counts_pipes_latencies_and_renaming():
    # two independent products share N1's one multiplier pipe (3 cycles each), then 4 cycles latency
    assert cpsat.model_cycles(*(2 * [_nodes(["mul x1, x2, x3", "mul x4, x5, x6"])])) == 3 + 4
    # a true dependence waits for the latency
    assert cpsat.model_cycles(*(2 * [_nodes(["mul x1, x2, x3", "add x4, x1, x1"])])) == 4 + 1
    # an anti dependence (x1 read, then written) orders the program but not execution: renamed
    nodes = _nodes(["mul x4, x1, x1", "add x1, x2, x3"])
    assert any(s is nodes[1] for s, _ in nodes[0].succ)
    assert cpsat.model_cycles(nodes, nodes) == 4


@needs_ortools
def test_cpsat_orders_respect_every_dependence_and_keep_every_instruction():
    f = _fresh("bignum_mul_8_16_neon")
    block = max((b for b, _ in schedule.stretches(f.items, f)), key=len)
    nodes, _ = schedule.graph(block, f)
    start = schedule.list_order(nodes)
    solved = cpsat.solve(nodes, start, seconds_per_window=0.5, window=64, step=32)
    assert schedule.respects(solved, nodes)
    assert sorted(n.index for n in solved) == list(range(len(nodes)))
    assert cpsat.model_cycles(solved, nodes) <= cpsat.model_cycles(nodes, nodes)
