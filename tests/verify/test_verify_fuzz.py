"""The soundness fuzzer: it finds no proved-but-wrong program, and it would find one if the verifier were unsound."""
import random

import pytest

from provenum.verify import chains, fuzz


def test_fuzzing_finds_no_proved_but_wrong_program():
    report = fuzz.run(seconds=60, seed=11, jobs=1, programs=160)
    assert report.programs == 160
    assert report.proved > 40 and report.rejected_wrong > 10   # both kinds occur
    assert not report.proved_but_wrong, [(o.variants, o.wrong) for o in report.proved_but_wrong]


def test_fuzzing_catches_an_unsound_verifier(monkeypatch):
    """With carries decided at 64 bits whatever their width (issue 9, cause 1), a wrong program proves."""
    monkeypatch.setattr(chains, "threshold", lambda bit, links: 1 << (64 * links))
    report = fuzz.run(seconds=120, seed=5, jobs=1, programs=1200)
    assert report.proved_but_wrong
    assert all(o.wrong for o in report.proved_but_wrong)


def test_candidates_are_reproducible_and_varied():
    ra, rb = random.Random(3), random.Random(3)
    a = [fuzz.generate(ra, i) for i in range(50)]
    b = [fuzz.generate(rb, i) for i in range(50)]
    assert [c.body for c in a] == [c.body for c in b]
    assert len({c.kind for c in a}) >= 6 and any(c.flawed for c in a) and not all(c.flawed for c in a)


@pytest.mark.parametrize("spec_text", ["z[2] := x[0] + y[0]"])
def test_candidate_specs_read_as_mathematics(spec_text):
    c = fuzz.Candidate("f", "", fuzz._spec("f", 1, 1, 2, fuzz.Word("x", 0) + fuzz.Word("y", 0)), "add1")
    assert spec_text in c.spec.summary
