"""Solver schedules of the x86-64 kernels: what an instruction reads and writes (registers, the three
flag parts, mulx's rdx, memory), a committed order kept only while every dependence allows it, the
core tables, the CP-SAT scheduler's orders, and `ticks_unscheduled` exactly where a schedule ships."""
import dataclasses
import importlib.util
import re

import pytest

from provenum import kernels
from provenum.bench import kernels as bench
from provenum.kernels import depgraph
from provenum.kernels.x86_64 import asm, reschedule, schedule
from provenum.kernels.x86_64.costs import CORES, core

BY_NAME = kernels.by_name_of("x86_64")
needs_ortools = pytest.mark.skipif(importlib.util.find_spec("ortools") is None,
                                   reason="OR-Tools is not installed (pip install provenum[schedule])")


def _access(line: str):
    mnemonic, ops = schedule.items([line])[0][1:3]
    return schedule.access(mnemonic, ops)


@pytest.mark.parametrize("line, reads, writes", [
    ("mulx r9, r8, QWORD PTR [rcx+8]", {"rdx", "rcx"}, {"r9", "r8"}),
    ("adcx r8, rax", {"r8", "rax", "cf"}, {"r8", "cf"}),
    ("adox r9, rbx", {"r9", "rbx", "of"}, {"r9", "of"}),
    ("adc r13, 0", {"r13", "cf"}, {"r13", "cf", "of", "fl"}),
    ("xor rax, rax", set(), {"rax", "cf", "of", "fl"}),
    ("xor al, al", {"rax"}, {"rax", "cf", "of", "fl"}),
    ("mov eax, ebx", {"rbx"}, {"rax"}),
    ("setc al", {"rax", "cf", "of", "fl"}, {"rax"}),
    ("shl rax, cl", {"rax", "rcx", "cf", "of", "fl"}, {"rax", "cf", "of", "fl"}),
    ("shld rax, rdx, 12", {"rax", "rdx"}, {"rax", "cf", "of", "fl"}),
    ("mul QWORD PTR [rsi]", {"rax", "rsi"}, {"rax", "rdx", "cf", "of", "fl"}),
    ("inc rbx", {"rbx"}, {"rbx", "of", "fl"}),
    ("cmovc rax, QWORD PTR [rsp+8]", {"rax", "rsp", "cf", "of", "fl"}, {"rax"}),
    ("vmovdqu64 zmm3{k1}, zmm4", {"v3", "v4", "k1"}, {"v3"}),
    ("vmovdqu64 zmm3{k1}{z}, zmm4", {"v4", "k1"}, {"v3"}),
    ("vpmadd52luq zmm0, zmm28, ZMMWORD PTR [rsi+64]", {"v0", "v28", "rsi"}, {"v0"}),
    ("vpxorq zmm31, zmm31, zmm31", set(), {"v31"}),
    ("vmovq r9, xmm0", {"v0"}, {"r9"}),
])
def test_what_an_instruction_reads_and_writes(line, reads, writes):
    uses, defs, _ = _access("        " + line)
    assert (uses, defs) == (reads, writes)


def test_memory_accesses_are_keyed_by_the_register_values_of_their_address():
    nodes, _ = schedule.graph(schedule.items([
        "        mov QWORD PTR [rdi+8], rax",   # 0: store
        "        mov rbx, QWORD PTR [rdi]",     # 1: same base, other bytes: free
        "        mov rcx, QWORD PTR [rdi+8]",   # 2: the stored bytes: after 0
        "        mov rdx, QWORD PTR [rsi]",     # 3: another base: may alias, after 0
        "        add rdi, 16",                  # 4: rdi changes
        "        mov r8, QWORD PTR [rdi-8]",    # 5: a new rdi value: may alias, after 0
    ]))
    after_store = {s.index for s, _ in nodes[0].succ}
    assert 1 not in after_store and {2, 3, 5} <= after_store


def _fresh(name: str):
    return BY_NAME[name].make()


def _note(f, items) -> str:
    return f.text(items=items, note=depgraph.NOTE + "test order")


def _kept(f, items):
    _, body = depgraph.committed_body(_note(f, items), f.name)
    return schedule.kept_order(f, body)


def _swap(items, a, b):
    items = list(items)
    items[a], items[b] = items[b], items[a]
    return items


def _index(items, pred, start=0):
    return next(i for i in range(start, len(items)) if items[i][0] == "op" and pred(items[i]))


def test_a_dependence_respecting_reordering_is_kept():
    f = _fresh("bignum_mul_8_16_bmi2")
    items = f.items()
    assert _kept(f, items) == items
    # two products of one row into different registers, their loads independent: may swap
    a = _index(items, lambda it: it[1] == "mulx" and it[2][0] == "r9")
    b = _index(items, lambda it: it[1] == "mulx" and it[2][0] == "r8")
    swapped = _swap(items, a, b)
    assert _kept(f, swapped) == swapped


def test_orders_that_break_a_dependence_are_refused():
    """Flags (an adcx chain), mulx's implicit rdx, a register and memory: each wrong order is refused,
    and a file carrying one is written in the generator's order instead."""
    f = _fresh("bignum_mul_8_16_bmi2")
    items = f.items()
    first = _index(items, lambda it: it[1] == "adcx")
    second = _index(items, lambda it: it[1] == "adcx", first + 1)
    mov_rdx = _index(items, lambda it: it[1] == "mov" and it[2][0] == "rdx", first)
    mulx_after = _index(items, lambda it: it[1] == "mulx", mov_rdx)
    store = _index(items, lambda it: it[1] == "mov" and it[2][0].startswith("QWORD PTR [rdi"))
    load_after = _index(items, lambda it: it[1] == "mov" and "PTR [rsi" in it[2][-1], store)
    wrong = {
        "CF chain": _swap(items, first, second),
        "mulx reads rdx": _swap(items, mov_rdx, mulx_after),
        "a load after a store that may alias it": _swap(items, store, load_after),
    }
    for why, order_ in wrong.items():
        assert order_ != items
        assert _kept(f, order_) is None, f"kept an order that breaks: {why}"


def test_a_committed_order_is_honoured_only_while_it_respects_every_dependence(tmp_path, monkeypatch):
    f = _fresh("bignum_mul_8_16_bmi2")
    items = f.items()
    a = _index(items, lambda it: it[1] == "mulx" and it[2][0] == "r9")
    b = _index(items, lambda it: it[1] == "mulx" and it[2][0] == "r8")
    monkeypatch.setattr(asm, "GENERATED", tmp_path)
    path = tmp_path / f"{f.name}.S"
    path.write_text(_note(f, _swap(items, a, b)))
    assert f.committed_schedule() is not None
    assert f.text() == path.read_text()
    first = _index(items, lambda it: it[1] == "adcx")
    path.write_text(_note(f, _swap(items, first, _index(items, lambda it: it[1] == "adcx", first + 1))))
    assert f.committed_schedule() is None
    assert f.text() == dataclasses.replace(f, order="none").text(), "a broken order was honoured"


def test_a_changed_or_missing_instruction_is_refused():
    f = _fresh("bignum_mul_8_16_bmi2")
    _, body = depgraph.committed_body(_note(f, f.items()), f.name)
    k = next(i for i, line in enumerate(body) if line.startswith("adox "))
    assert schedule.kept_order(f, body[:k] + [body[k].replace("adox", "adcx")] + body[k + 1:]) is None
    assert schedule.kept_order(f, body[:k] + body[k + 1:]) is None


def test_unknown_instructions_are_barriers():
    items = schedule.items(["        mov rax, 1", "        rdrand rbx", "        mov rcx, 2",
                            "        bt QWORD PTR [rdi], rax", "        mov rdx, 3"])
    assert [len(b) for b, _ in schedule.stretches(items)] == [1, 1, 1]


@pytest.mark.parametrize("name", CORES)
def test_each_core_table_costs_every_instruction_of_its_kernels(name):
    """Golden Cove: every kernel; Zen 3 (no AVX-512): the bmi2 and baseline kernels. One instruction of
    each form (mnemonic and operand kinds) is costed."""
    table = core(name)
    forms = {}
    for k in kernels.catalog_of("x86_64"):
        if name == "zen3" and k.level not in ("baseline", "bmi2"):
            continue
        for it in k.function.items():
            if it[0] == "op" and not schedule.barrier(it):
                forms.setdefault((it[1], tuple(re.sub(r"\d+", "N", o) for o in it[2])), it)
    for it in forms.values():
        latency, uops = table.cost(it[1], it[2])
        assert latency >= 1 and uops, it
        assert all(set(ports) <= set(table.machine.pipes) for ports, _ in uops), it


@needs_ortools
@pytest.mark.parametrize("name", ["bignum_mul_8_16_bmi2", "bignum_amm52_20_avx512ifma"])
def test_cpsat_orders_respect_every_dependence_and_keep_every_instruction(name):
    from provenum.kernels import cpsat

    table = core("golden-cove")
    f = _fresh(name)
    block = max((b for b, _ in schedule.stretches(f.items())), key=len)
    nodes, _ = schedule.graph(block, table)
    solved = cpsat.solve(nodes, nodes, table.machine, seconds_per_window=0.3, window=64, step=32)
    assert depgraph.respects(solved, nodes)
    assert sorted(n.index for n in solved) == list(range(len(nodes)))
    # what provenum schedule writes: never slower on the model than the generator's order, and kept
    # by the build (a valid reordering of the generator's instructions)
    for budget in (2.0, None):
        items, before, after = reschedule.solve_function(f, table, budget)
        assert after <= before
        assert _kept(f, items) == items


def test_committed_schedules_are_valid_and_say_where_they_were_measured():
    for k in kernels.catalog_of("x86_64"):
        note, _ = depgraph.committed_body(k.path.read_text(), k.name)
        if note is not None:
            assert k.function.committed_schedule() is not None, f"{k.name}: stale schedule note"
            assert "kept as faster on" in note and "generator's order" in note


def _result(name, ticks):
    return bench.Result(name, 8, ticks, ticks / 2, ticks - 1)


def test_ticks_unscheduled_appears_exactly_where_a_schedule_ships():
    shipped = [k for k in kernels.CATALOG if bench.ships_schedule(k)]
    results = [_result("bignum_mul_8_16_bmi2", 50.0), _result("bignum_sqr_8_16_bmi2", 30.0),
               _result("bignum_mul_8_16_bmi2" + bench.UNSCHEDULED, 55.0)]
    out = {e["name"]: e for e in bench.report(results)}
    assert set(out) == {"bignum_mul_8_16_bmi2", "bignum_sqr_8_16_bmi2"}
    assert out["bignum_mul_8_16_bmi2"]["ticks_unscheduled"] == 55.0
    assert "ticks_unscheduled" not in out["bignum_sqr_8_16_bmi2"]
    for k in shipped:                 # the unscheduled copy is the generator's order, renamed
        text = bench.unscheduled_text(k)
        assert f"{k.name}{bench.UNSCHEDULED}:" in text and text != k.path.read_text()


def test_the_benchmark_times_the_unscheduled_copy_only_of_a_shipped_schedule(tmp_path, monkeypatch):
    """One harness run over a kernel made to ship a schedule (a valid reordering, committed in a
    temporary directory) and one that does not: ticks_unscheduled for the first only."""
    runnable = bench.runnable(kernels.CATALOG)
    mul = next((k for k in runnable if k.name == "bignum_mul_8_16_bmi2"), None)
    if mul is None:
        pytest.skip("this CPU does not run the bmi2 kernels")
    sqr = BY_NAME["bignum_sqr_8_16_bmi2"]
    items = mul.function.items()
    a = _index(items, lambda it: it[1] == "mulx" and it[2][0] == "r9")
    b = _index(items, lambda it: it[1] == "mulx" and it[2][0] == "r8")
    monkeypatch.setattr(asm, "GENERATED", tmp_path)
    (tmp_path / f"{mul.name}.S").write_text(_note(mul.function, _swap(items, a, b)))
    assert bench.ships_schedule(mul) and not bench.ships_schedule(sqr)
    results, _ = bench.run(repeats=3, budget_ms=2.0, gmp=False, catalog=[mul, sqr])
    out = {e["name"]: e for e in bench.report(results)}
    assert set(out) == {mul.name, sqr.name}
    assert "ticks_unscheduled" in out[mul.name] and "ticks_unscheduled" not in out[sqr.name]
