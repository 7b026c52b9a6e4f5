"""`provenum demo`: the README's first command runs the whole pipeline and says so."""
from provenum.cli import main


def test_demo_runs_every_step(capsys):
    assert main(["demo", "--cases", "2"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "functional: proved frame: proved constant-time: proved" in out
    assert "0 mismatches" in out
    assert "PSS: signed, verified by provenum and by pyca/cryptography" in out
    assert "FAILED" not in out
    from provenum.native import dispatch
    assert dispatch.target("bignum_mul_8_16") in out  # the variant this CPU runs is the one proved


def test_demo_reports_a_kernel_it_cannot_prove(capsys):
    # bignum_modexp_16 has no specification (loops and calls): the proof step must fail loudly.
    assert main(["demo", "--cases", "1", "--kernel", "bignum_modexp_16"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "FAILED" in out and "no specification for 'bignum_modexp_16_" in out


def test_demo_refuses_an_unknown_kernel(capsys):
    assert main(["demo", "--kernel", "bignum_mul_7_14"]) == 2
    assert "no kernel operation or variant named 'bignum_mul_7_14'" in capsys.readouterr().out
