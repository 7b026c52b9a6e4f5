"""`provenum bench rsa` end to end on a small key (fast), and its report format."""
import json

from provenum.bench import rsa as bench
from provenum.bench.rsa_peers import make_pair
from provenum.cli import main

from conftest import data_path


def test_bench_command_writes_table_json_and_png(tmp_path, capsys):
    out_json, out_png = tmp_path / "b.json", tmp_path / "b.png"
    status = main(["bench", "rsa", "--bits", "1024", "--rounds", "2", "--seconds", "0.02",
                   "--json", str(out_json), "--png", str(out_png)])
    assert status == 0
    report = json.loads(out_json.read_text())
    rows = {(r["impl"], r["bits"], r["op"]): r for r in report["results"]}
    assert set(rows) == {(i, 1024, op) for i in bench.available(bench.IMPLS) for op in ("sign", "verify")}
    assert report["config"]["openssl_ia32cap"]["openssl@avx2"] == "~0x0:~0xd0230000"
    assert all(r["ops_per_s"] > 0 and len(r["samples"]) == 2 for r in rows.values())
    assert all(r["best_ops_per_s"] == max(r["samples"]) for r in rows.values())
    threads = report["threads"][0]
    assert threads["bits"] == 1024 and threads["threads_2"] > 0
    assert threads["scaling_best"] == max(threads["scaling_samples"]) and len(threads["scaling_samples"]) == 2
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = capsys.readouterr().out
    assert "openssl-noifma" in table and "provenum ×" in table
    assert "provenum@baseline" in table and "openssl@baseline" in table  # every level against its peer


def test_bench_rejects_bad_arguments(capsys):
    assert main(["bench", "rsa", "--bits", "1000", "--json", "", "--png", ""]) == 2
    assert main(["bench", "rsa", "--rounds", "0", "--json", "", "--png", ""]) == 2


def test_every_peer_produces_valid_signatures():
    """The peers must do the real work: each one's sign and verify run
    without error on the same key (the CRT peers check their own result)."""
    with open(data_path("rsa1024.pem"), "rb") as f:
        pem = f.read()
    for impl in bench.available(bench.IMPLS):
        sign, verify = make_pair(impl, pem)
        with bench._level(impl):
            sign()
            verify()


def test_ratio_rows():
    report = {"results": [
        {"impl": "provenum", "bits": 2048, "op": "sign", "ops_per_s": 300.0},
        {"impl": "openssl", "bits": 2048, "op": "sign", "ops_per_s": 100.0},
    ]}
    assert bench.ratio_rows(report) == [(2048, "sign", "provenum", 300.0, 1.0), (2048, "sign", "openssl", 100.0, 3.0)]


def test_bench_keygen_command(tmp_path, capsys):
    from provenum.bench import keygen as kbench

    out = tmp_path / "k.json"
    assert main(["bench", "keygen", "--bits", "1024", "--runs", "2", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    rows = {(r["impl"], r["bits"]): r for r in report["results"]}
    impls = set(kbench.IMPLS) if __import__("shutil").which("openssl") else {"provenum", "pyca"}
    assert set(rows) == {(i, 1024) for i in impls}
    assert all(len(r["samples_s"]) == 2 and r["min_s"] <= r["median_s"] <= r["max_s"] for r in rows.values())
    assert report["environment"]["cpu"] and report["runs"] == 2
    table = capsys.readouterr().out
    assert "× provenum" in table and "pyca" in table
    assert main(["bench", "keygen", "--bits", "512", "--json", ""]) == 2
    assert main(["bench", "keygen", "--runs", "0", "--json", ""]) == 2
