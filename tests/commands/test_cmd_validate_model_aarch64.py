"""provenum validate-model --isa aarch64."""
import json

import pytest

from aarch64util import needs_runner
from provenum.cli import main
from provenum.isa.aarch64 import SEMANTICS

pytestmark = needs_runner


def test_json_names_the_executor(tmp_path, capsys):
    path = tmp_path / "v.json"
    assert main(["validate-model", "--isa", "aarch64", "--cases", "4", "--only", "adcs,umlal2", "--json", str(path),
                 "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "adcs x, x, x" in out and "umlal2 v.2d, v.4s, v.s[i]" in out and "0 mismatches" in out
    doc = json.loads(path.read_text())
    assert doc["isa"] == "aarch64" and doc["executor"] in ("native", "qemu-aarch64")
    if doc["executor"] == "qemu-aarch64":
        assert "not hardware" in out
    forms = {f["form"]: f for f in doc["forms"]}
    assert {"adcs x, x, x", "adcs w, w, w", "umlal2 v.2d, v.4s, v.4s"} <= set(forms)
    assert all(f["cases"] == 4 and f["mismatches"] == 0 and f["examples"] for f in doc["forms"])
    assert {"cases_per_form", "seed", "total_cases", "total_mismatches", "seconds"} <= set(doc)


def test_mismatch_exits_nonzero_and_explains(monkeypatch, capsys):
    def wrong_cset(s, insn):
        s.write_gpr(insn.operands[0].full, s.d.const(7, 64))

    monkeypatch.setitem(SEMANTICS, "cset", wrong_cset)
    assert main(["validate-model", "--isa", "aarch64", "--cases", "5", "--only", "cset x, cond"]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH in form 'cset x, cond'" in out and "model 0x0000000000000007" in out


@pytest.mark.parametrize("argv", [["--only", "fsqrt"], ["--cases", "0"]])
def test_bad_arguments(argv, capsys):
    assert main(["validate-model", "--isa", "aarch64", *argv]) == 2
