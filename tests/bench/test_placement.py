"""The placement benchmark: copies of a kernel at shifted link layouts, timed in one run."""
import re
import shutil
import subprocess

import pytest

from provenum.bench import placement
from provenum.kernels import BY_NAME

NAME = "bignum_mul_4_8_baseline"


def test_shifted_copy_renames_and_pads():
    text = BY_NAME[NAME].function.text(6)
    copy = placement.shifted_copy(text, NAME, 3, 32)
    assert f"{NAME}_at3:" in copy and f".size {NAME}_at3, .-{NAME}_at3" in copy
    assert not re.search(rf"\b{NAME}\b", copy)          # no reference to the original symbol left
    pad, align = copy.index(".skip 96, 0xcc"), copy.index(".p2align 6")
    assert copy.index(".p2align 12") < pad < align      # page start, then padding, then the function's alignment


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_copies_land_where_asked_and_are_timed(tmp_path, monkeypatch):
    # the layouts really differ: the copies' addresses modulo the page are the padded offsets
    captured = {}
    real = placement.compile_harness

    def keep(work, cases, asm, gmp=True):
        exe, linked = real(work, cases, asm, gmp)
        captured["nm"] = subprocess.run(["nm", str(exe)], capture_output=True, text=True).stdout
        return exe, linked

    monkeypatch.setattr(placement, "compile_harness", keep)
    figs = placement.measure([NAME], align=5, layouts=4, step=32, repeats=3, budget_ms=1)
    assert len(figs[NAME]) == 4 and all(med >= mn > 0 for med, mn in figs[NAME])
    addr = {int(m.group(2)): int(m.group(1), 16) for m in re.finditer(rf"([0-9a-f]+) T {NAME}_at(\d+)\n",
                                                                        captured["nm"])}
    assert [addr[i] % 4096 for i in range(4)] == [0, 32, 64, 96]


def test_unknown_kernel_is_refused():
    with pytest.raises(SystemExit, match="unknown kernel"):
        placement.measure(["bignum_nosuch_bmi2"])


def test_spread():
    assert placement.spread([100, 105, 102]) == pytest.approx(0.05)
