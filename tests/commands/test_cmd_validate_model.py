"""provenum validate-model."""
import json

from provenum.cli import main
from provenum.isa.x86_64 import SEMANTICS


def test_json_and_table(tmp_path, capsys):
    path = tmp_path / "v.json"
    assert main(["validate-model", "--cases", "4", "--only", "adcx,mulx", "--json", str(path), "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "adcx r64, r64" in out and "0 mismatches" in out
    doc = json.loads(path.read_text())
    forms = {f["form"]: f for f in doc["forms"]}
    assert {"adcx r64, r64", "adcx r64, m64", "mulx r64, r64, r64"} <= set(forms)
    assert all(f["cases"] == 4 and f["mismatches"] == 0 for f in doc["forms"])


def test_mismatch_exits_nonzero_and_explains(monkeypatch, capsys):
    def wrong_stc(s, insn):
        s.write_flag("CF", s.d.const(0, 1))

    monkeypatch.setitem(SEMANTICS, "stc", wrong_stc)
    assert main(["validate-model", "--cases", "5", "--only", "stc"]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH in form 'stc'" in out and "CF: native 1 model 0" in out


def test_bad_arguments(capsys):
    assert main(["validate-model", "--only", "fsqrt"]) == 2
    assert "no supported" in capsys.readouterr().out
    assert main(["validate-model", "--cases", "0"]) == 2
