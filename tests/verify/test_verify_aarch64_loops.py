"""Loops on AArch64: the shipped table lookups (a loop over the public height, rows selected by csetm masks or by
a Neon lane counter and `bit`) prove by induction for every height; edited twins fail with the obligation that
names why, and their wrong rows are confirmed under qemu-aarch64 (or natively)."""
import re

import pytest

from aarch64util import NOTE, build_library, needs_compiler, needs_runner
from provenum.isa.aarch64.decode import decode_symbol
from provenum.verify.counterexample import run_native
from provenum.verify.prover import prove
from provenum.verify.specs import spec_for

TABLE4 = spec_for("bignum_copy_row_from_table_4_scalar")


def _shipped(level: str, new_name: str, edit=lambda text: text) -> str:
    """The committed .S of the 4-word table lookup at `level`, renamed (symbol and labels) and edited."""
    from provenum.kernels.catalog import ASM_DIRS

    name = f"bignum_copy_row_from_table_4_{level}"
    text = (ASM_DIRS["aarch64"] / f"{name}.S").read_text()
    return edit(text.replace(name, new_name))


def _after_entry(name: str, lines: list[str]):
    return lambda text: text.replace(f"{name}:\n", f"{name}:\n" + "".join(f"        {x}\n" for x in lines), 1)


def _drop_second(line: str):
    def edit(text):
        i = text.index(line, text.index(line) + 1)
        return text[:i] + text[i + len(line):]
    return edit


TWINS = {
    # at height 16 the lookup returns row 0 whatever idx is
    "t_wrong_at_16": ("scalar", _after_entry("t_wrong_at_16", ["cmp x2, #16", "b.ne 1f", "mov x3, xzr", "1:"])),
    # the Neon lane counter misses a row per trip
    "t_lanes_lag": ("neon", _drop_second("        add      v16.2d, v16.2d, v18.2d\n")),
    # the lanes count 0, 2, 4, ...: odd rows never match
    "t_lanes_step2": ("neon", lambda t: t.replace("mov      x9, #1", "mov      x9, #2", 1)),
    # the row counter in callee-saved x19, never saved (the rows are still right)
    "t_counter_in_x19": ("scalar", lambda t: re.sub(r"\bx4\b", "x19", t)),
    # the lane counter in v8, whose low half is callee-saved (the rows are still right)
    "t_lanes_in_v8": ("neon", lambda t: t.replace("v16", "v8")),
    "t_scalar_twin": ("scalar", lambda t: t),
    "t_neon_twin": ("neon", lambda t: t),
}


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    src = "".join(_shipped(level, name, edit) for name, (level, edit) in TWINS.items())
    return build_library(tmp_path_factory.mktemp("armloops"), src + NOTE)


def _prove(lib, name):
    return prove(decode_symbol(lib, name), TABLE4, search_counterexample=False, library=lib)


def _rows(height: int) -> list[list[int]]:
    return [[17 * r + k for k in range(4)] for r in range(height)]


def _lookup(lib, name, height, idx):
    env = {"z": [0] * 4, "table": sum(_rows(height), []), "height": height, "idx": idx}
    return run_native(lib, name, TABLE4, env)["z"]


@needs_compiler
@pytest.mark.parametrize("level", ["scalar", "neon"])
def test_shipped_table_lookup_proves_for_every_height(level):
    from provenum.native import cross

    lib = cross.library()
    name = f"bignum_copy_row_from_table_4_{level}"
    r = prove(decode_symbol(lib, name), spec_for(name), search_counterexample=False, library=lib)
    assert r.proved, r.message
    proved = [o.statement for o in r.obligations if o.status == "proved"]
    assert any(s.startswith("loop ") and "induction" in o.method for s, o in
               ((o.statement, o) for o in r.obligations if o.status == "proved"))
    assert any("ends: x5 falls by 2" in s for s in proved), proved
    assert any("x19" in s and "x18" in s and "sp as on entry" in s for s in proved if "leaving the loop" in s)


@needs_compiler
@pytest.mark.parametrize("name", ["t_scalar_twin", "t_neon_twin"])
def test_renamed_twins_prove(lib, name):
    r = _prove(lib, name)
    assert r.proved, r.message


@needs_runner
def test_wrong_row_at_one_height_fails_the_invariant(lib):
    r = _prove(lib, "t_wrong_at_16")
    assert not r.proved and "loop invariant" in r.message and "0x10" in r.message
    assert _lookup(lib, "t_wrong_at_16", 16, 5) == _rows(16)[0]     # qemu: row 0 for idx 5
    assert _lookup(lib, "t_scalar_twin", 16, 5) == _rows(16)[5]


@needs_runner
@pytest.mark.parametrize("name", ["t_lanes_lag", "t_lanes_step2"])
def test_neon_lane_counter_is_proved_not_trusted(lib, name):
    r = _prove(lib, name)
    assert not r.proved and r.functional == "failed" and "loop" in r.message
    assert any(_lookup(lib, name, 8, idx) != _rows(8)[idx] for idx in range(8))


@needs_runner
@pytest.mark.parametrize("name, statement", [("t_counter_in_x19", "x19 restored"),
                                             ("t_lanes_in_v8", "bits 63..0 of v8 restored")])
def test_callee_saved_register_in_the_loop_fails_the_frame(lib, name, statement):
    r = _prove(lib, name)
    assert not r.proved
    (bad,) = [o for o in r.obligations if o.status == "failed"]
    assert bad.kind == "frame" and bad.statement.startswith(statement)
    assert all(_lookup(lib, name, 5, idx) == _rows(5)[idx] for idx in range(5))   # the rows are right
