"""`provenum recheck`: an honest report is accepted; one altered coefficient, a removed hypothesis or a
flipped SMT answer is rejected, even when the tampered log is consistent with the report's hashes."""
import hashlib
import json
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from provenum import native
from provenum.recheck import recheck
from provenum.verify.report import prooflog_path, prove_one, write_json
from provenum.verify.specs import specs_for

# exact (local certificates), Karatsuba (case split, chain and smt decisions, prefix and origin certificates),
# a summarised call (ksqr_32_64 -> ksqr_16_32), Montgomery and almost-Montgomery, a loop, a radix conversion
# (bit-vector goals, one of them over an empty range of padding words; proved from the bytes on any CPU)
NAMES = ["bignum_mul_4_8_bmi2", "bignum_kmul_16_32_baseline", "bignum_ksqr_16_32_bmi2", "bignum_ksqr_32_64_bmi2",
         "bignum_montmul_4_bmi2", "bignum_amontsqr_8_bmi2", "bignum_copy_row_from_table_4_baseline",
         "bignum_to_radix52_32_avx512ifma"]


def report_of(lib, names, directory: Path) -> Path:
    """A report with its proof log of the first spec of each function in `names` (each must prove)."""
    results = [prove_one(lib, n, specs_for(n)[0], counterexamples=False) for n in names]
    assert all(r["proved"] for r in results), [r["message"] for r in results if not r["proved"]]
    path = directory / "report.json"
    write_json(path, lib, results)
    return path


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    return report_of(native.library_path(), NAMES, tmp_path_factory.mktemp("recheck"))


class Tampered:
    """A copy of a report whose logs a test edits; written back consistently (names and SHA-256)."""

    def __init__(self, src: Path, dst: Path):
        self.doc = json.loads(src.read_text())
        with zipfile.ZipFile(prooflog_path(src)) as z:
            self.members = {n: json.loads(zlib.decompress(z.read(n))) for n in z.namelist()}
        self.path = dst / "report.json"

    def log(self, name: str) -> dict:
        f = next(f for f in self.doc["functions"] if f["name"] == name)
        return self.members[f["prooflog"]["member"]]

    def write(self, keep=()) -> Path:
        """The tampered report; `keep`: only these functions stay in it (a smaller recheck)."""
        if keep:
            self.doc["functions"] = [f for f in self.doc["functions"] if f["name"] in keep]
        packed = {n: zlib.compress(json.dumps(m).encode()) for n, m in self.members.items()}
        for f in self.doc["functions"]:
            if f.get("prooflog"):
                f["prooflog"]["sha256"] = hashlib.sha256(packed[f["prooflog"]["member"]]).hexdigest()
        self.doc["prooflog"]["rules"]["sha256"] = hashlib.sha256(packed["rules.json.z"]).hexdigest()
        with zipfile.ZipFile(prooflog_path(self.path), "w") as z:
            for n, data in packed.items():
                z.writestr(n, data)
        self.path.write_text(json.dumps(self.doc))
        return self.path


def _rejects(path, who: str, why: str):
    v = recheck(path, jobs=2, seed=1)
    assert not v.accepted
    assert any(w == who or w.startswith(who) for w, _ in v.problems), v.problems
    assert any(why in p for _, p in v.problems), v.problems


def test_honest_report_accepted(honest):
    v = recheck(honest, jobs=2)
    assert v.accepted, v.problems
    assert v.proofs == len(NAMES) and v.queries > 0 and v.rule_queries > 100


def test_altered_residual_coefficient_rejected(honest, tmp_path):
    # + 2^W keeps every coefficient divisible by 2^W: only re-deriving the identity can tell
    t = Tampered(honest, tmp_path)
    step = next(s for s in t.log("bignum_mul_4_8_bmi2")["steps"] if s["kind"] == "identity")
    step["residual"][0][1] += 1 << step["W"]
    _rejects(t.write(["bignum_mul_4_8_bmi2"]), "bignum_mul_4_8_bmi2", "is not the logged residual")


def test_altered_certificate_coefficient_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    log = t.log("bignum_mul_4_8_bmi2")
    cert = next(c for c in log["certificates"].values() if c["how"] == "local")
    cert["E"][0][1] -= 1   # a tighter bound that is not 2^top (a + b + c_in)
    _rejects(t.write(["bignum_mul_4_8_bmi2"]), "bignum_mul_4_8_bmi2", "is not 2^")


def test_altered_quotient_coefficient_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    step = next(s for s in t.log("bignum_montmul_4_bmi2")["steps"] if s["kind"] == "montgomery")
    step["K"][0][1] += 1
    _rejects(t.write(["bignum_montmul_4_bmi2"]), "bignum_montmul_4_bmi2", "K m is not 0")


def test_removed_zero_carry_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    step = next(s for s in t.log("bignum_mul_4_8_bmi2")["steps"] if s["kind"] == "identity")
    assert step["zeros"]
    del step["zeros"][0]
    _rejects(t.write(["bignum_mul_4_8_bmi2"]), "bignum_mul_4_8_bmi2", "is not the logged residual")


def test_removed_case_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    steps = t.log("bignum_kmul_16_32_baseline")["steps"]
    steps.remove(next(s for s in steps if s["kind"] == "identity" and s["case"]))
    _rejects(t.write(["bignum_kmul_16_32_baseline"]), "bignum_kmul_16_32_baseline", "does not cover every case")


def test_case_query_outside_its_case_rejected(honest, tmp_path):
    # a decision z3 made under one case's assumptions, moved into the case with the other sign
    t = Tampered(honest, tmp_path)
    cases = [s for s in t.log("bignum_kmul_16_32_baseline")["steps"] if s["kind"] == "identity" and s["case"]]
    src = next(s for s in cases if any(d[2]["how"] == "smt" for d in s["decided"]))
    moved = next(d for d in src["decided"] if d[2]["how"] == "smt")
    dst = next(s for s in cases if s["case"] != src["case"])
    dst["decided"].insert(0, moved)
    _rejects(t.write(["bignum_kmul_16_32_baseline"]), "bignum_kmul_16_32_baseline", "that are not facts of the step")


def _asserts(text: str) -> list:
    head, *parts = text.split("\n(assert")
    return [head] + ["(assert" + p for p in parts]


def test_removed_query_hypothesis_rejected(honest, tmp_path):
    # the final correction without X < 2^256 m: Z < m no longer follows, and cvc5 finds a model
    t = Tampered(honest, tmp_path)
    q = next(q for q in t.log("bignum_montmul_4_bmi2")["queries"] if q["claim"].get("final"))
    parts = _asserts(q["smt2"])
    hyp = next(i for i, p in enumerate(parts) if "(< X (* " in p)
    del parts[hyp]
    q["smt2"] = "\n".join(parts)
    _rejects(t.write(["bignum_montmul_4_bmi2"]), "bignum_montmul_4_bmi2", "cvc5 says sat")


def test_flipped_answer_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    q = next(q for q in t.log("bignum_montmul_4_bmi2")["queries"] if q["claim"].get("final"))
    q["answer"] = "sat"
    _rejects(t.write(["bignum_montmul_4_bmi2"]), "bignum_montmul_4_bmi2", "is logged as sat")


def _unnegated(text: str) -> str:
    """The script with its last assertion's outermost `not` (the negated goal) turned into `and true`: it
    now asks whether the goal can hold, which it can, so the answer flips to sat."""
    last = text.rindex("(assert")
    assert "(not " in text[last:]
    return text[:last] + text[last:].replace("(not ", "(and true ", 1)


def test_flipped_query_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    q = next(q for q in t.log("bignum_montmul_4_bmi2")["queries"] if q["claim"].get("final"))
    q["smt2"] = _unnegated(q["smt2"])
    _rejects(t.write(["bignum_montmul_4_bmi2"]), "bignum_montmul_4_bmi2", "cvc5 says sat")


def test_flipped_rule_statement_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    rules = t.members["rules.json.z"]
    key = next(k for k in sorted(t.log("bignum_mul_4_8_bmi2")["rules"]) if k.startswith("lift-addr|") and rules[k])
    rules[key][0] = _unnegated(rules[key][0])
    _rejects(t.write(["bignum_mul_4_8_bmi2"]), f"rule {key}", "cvc5 says sat")


def test_loop_query_flipped_rejected(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    q = next(q for q in t.log("bignum_copy_row_from_table_4_baseline")["queries"]
             if q["purpose"] == "loop obligation")
    q["smt2"] = _unnegated(q["smt2"])
    _rejects(t.write(["bignum_copy_row_from_table_4_baseline"]), "bignum_copy_row_from_table_4_baseline",
             "cvc5 says sat")


def test_radix52_goal_query_flipped_or_unnamed_rejected(honest, tmp_path):
    name = "bignum_to_radix52_32_avx512ifma"
    t = Tampered(honest, tmp_path)
    t.log(name)["queries"][0]["smt2"] = _unnegated(t.log(name)["queries"][0]["smt2"])
    _rejects(t.write([name]), name, "cvc5 says sat")
    t = Tampered(honest, tmp_path)
    del t.log(name)["queries"][-1]["claim"]["goal"]
    _rejects(t.write([name]), name, "without a query for each goal")
    t = Tampered(honest, tmp_path)
    t.log(name)["queries"][0]["smt2"] = "(assert (and undeclared))\n(check-sat)\n"
    _rejects(t.write([name]), name, "cvc5 cannot read it")


def test_assumed_callee_must_be_proved_in_the_report(honest, tmp_path):
    t = Tampered(honest, tmp_path)
    assert [d["callee"] for d in t.log("bignum_ksqr_32_64_bmi2")["assumed"]] == ["bignum_ksqr_16_32_bmi2"]
    t.doc["functions"] = [f for f in t.doc["functions"] if f["name"] != "bignum_ksqr_16_32_bmi2"]
    _rejects(t.write(["bignum_ksqr_32_64_bmi2"]), "bignum_ksqr_32_64_bmi2", "which this report does not prove")
    other = tmp_path / "other"
    other.mkdir()
    t2 = Tampered(honest, other)
    callee = next(f for f in t2.doc["functions"] if f["name"] == "bignum_ksqr_16_32_bmi2")
    callee["sha256"] = "0" * 64
    _rejects(t2.write(["bignum_ksqr_32_64_bmi2", "bignum_ksqr_16_32_bmi2"]), "bignum_ksqr_32_64_bmi2", "for bytes")


def test_report_shows_dependency_tree(honest):
    doc = json.loads(honest.read_text())
    caller = next(f for f in doc["functions"] if f["name"] == "bignum_ksqr_32_64_bmi2")
    (dep,) = caller["depends"]
    callee = next(f for f in doc["functions"] if f["name"] == "bignum_ksqr_16_32_bmi2")
    assert dep["callee"] == callee["name"] and dep["spec"] == callee["spec"]
    assert [c["sha256"] for c in dep["code"] if c["name"] == dep["callee"]] == [callee["sha256"]]


def test_recheck_imports_nothing_from_the_prover(honest):
    code = ("import sys; from provenum.recheck import recheck; v = recheck(sys.argv[1], seed=3); "
            "bad = sorted(m for m in sys.modules if m.startswith(('provenum.verify', 'z3', 'provenum.isa', "
            "'provenum.machine', 'provenum.kernels', 'provenum.native'))); "
            "print(v.accepted, bad); sys.exit(0 if v.accepted and not bad else 1)")
    out = subprocess.run([sys.executable, "-c", code, str(honest)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_recheck_cli(honest, tmp_path):
    ok = subprocess.run([sys.executable, "-m", "provenum", "recheck", str(honest), "--seed", "5"],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "accepted" in ok.stdout, ok.stdout + ok.stderr
    t = Tampered(honest, tmp_path)
    step = next(s for s in t.log("bignum_mul_4_8_bmi2")["steps"] if s["kind"] == "identity")
    step["residual"][0][1] += 1 << step["W"]
    bad = subprocess.run([sys.executable, "-m", "provenum", "recheck", str(t.write(["bignum_mul_4_8_bmi2"]))],
                         capture_output=True,
                         text=True)
    assert bad.returncode == 1 and "REJECTED bignum_mul_4_8_bmi2" in bad.stdout, bad.stdout


def test_copy_is_not_the_original(honest, tmp_path):
    """The tampering helper itself: an untouched copy is accepted (so rejections above come from the edits)."""
    v = recheck(Tampered(honest, tmp_path).write(), jobs=2, seed=2)
    assert v.accepted, v.problems


@pytest.mark.parametrize("order", [(1, 2), (2, 1)])
def test_evaluator_values_each_word_once(order):
    """A word valued while evaluating a defined word (a call's output) keeps that value: the identity
    r = a + b with b := a + 1 holds at every point, whichever argument comes first."""
    from provenum.recheck.lift import Dag, Evaluator

    M = (1 << 64) - 1
    nodes = [[1, "var", 64, [], ["a"], 0, M], [2, "var", 64, [], ["b"], 0, M], [3, "const", 1, [], [0], 0, 0],
             [4, "addr", 64, [*order, 3], [], 0, M], [5, "addc", 1, [*order, 3], [], 0, 1]]
    P = (1 << 61) - 1
    for seed in range(5):
        ev = Evaluator(Dag(nodes, {}), P, seed, defined={2: lambda e: e(1) + 1})
        r = ev(4)
        assert ev(2) == (ev(1) + 1) % P
        assert r == (ev(1) + ev(2) - (ev(5) << 64)) % P


def test_an_unknown_answer_is_retried_with_the_next_configuration(monkeypatch):
    from provenum.recheck import solver

    tried = []

    def fake(text, timeout_ms, options):
        tried.append(options)
        return "unsat" if options else "unknown (TIMEOUT)"
    monkeypatch.setattr(solver, "_answer", fake)
    assert solver.answer("(check-sat)") == "unsat" and tried == list(solver.CONFIGURATIONS)
    tried.clear()
    monkeypatch.setattr(solver, "_answer", lambda text, ms, options: tried.append(options) or "unknown (TIMEOUT)")
    assert solver.answer("(check-sat)").startswith("unknown") and len(tried) == len(solver.CONFIGURATIONS)
