"""The command line: keygen, sign, verify-signature, and round trips with `openssl` both ways."""
import shutil
import subprocess

import pytest

from provenum.cli import main

from conftest import data_path

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl command not installed")


def openssl(*args):
    return subprocess.run(["openssl", *args], capture_output=True, text=True)


PSS_SIGN = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:max"]
PSS_VERIFY = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:auto"]


@needs_openssl
@pytest.mark.parametrize("bits", [2048, 3072, 4096])
@pytest.mark.parametrize("pss", [False, True])
def test_round_trip_with_openssl(tmp_path, capsys, bits, pss):
    msg = tmp_path / "msg.txt"
    msg.write_bytes(b"signed by both sides\n" * 50)
    key, pub = data_path(f"rsa{bits}.pem"), data_path(f"rsa{bits}.pub.pem")
    ours, theirs = tmp_path / "ours.sig", tmp_path / "theirs.sig"
    flag = ["--pss"] if pss else []
    # provenum signs, openssl verifies
    assert main(["sign", "--key", key, "--in", str(msg), "--out", str(ours), "--hash", "sha256", *flag]) == 0
    r = openssl("dgst", "-sha256", *(PSS_VERIFY if pss else []), "-verify", pub, "-signature", str(ours), str(msg))
    assert r.returncode == 0 and "Verified OK" in r.stdout, r.stderr
    # openssl signs, provenum verifies
    r = openssl("dgst", "-sha256", *(PSS_SIGN if pss else []), "-sign", key, "-out", str(theirs), str(msg))
    assert r.returncode == 0, r.stderr
    assert main(["verify-signature", "--key", pub, "--in", str(msg), "--sig", str(theirs), *flag]) == 0
    assert "Verified OK" in capsys.readouterr().out
    if not pss:
        assert ours.read_bytes() == theirs.read_bytes()
    # a changed message fails with a one-line reason and non-zero status
    msg.write_bytes(b"changed")
    assert main(["verify-signature", "--key", pub, "--in", str(msg), "--sig", str(theirs), *flag]) == 1
    err = capsys.readouterr().err
    assert "signature invalid" in err and len(err.strip().splitlines()) == 1


@needs_openssl
def test_keygen_output_is_accepted_by_openssl(tmp_path):
    key, pub = tmp_path / "k.pem", tmp_path / "k.pub"
    assert main(["keygen", "--bits", "2048", "-o", str(key), "--pubout", str(pub)]) == 0
    r = openssl("pkey", "-in", str(key), "-check", "-noout")
    assert r.returncode == 0 and "valid" in (r.stdout + r.stderr).lower(), r.stderr
    r = openssl("pkey", "-pubin", "-in", str(pub), "-text", "-noout")
    assert "2048 bit" in r.stdout
    assert (key.stat().st_mode & 0o077) == 0  # private key not readable by others
    msg = tmp_path / "m"
    msg.write_bytes(b"hi")
    sig = tmp_path / "s"
    assert main(["sign", "--key", str(key), "--in", str(msg), "--out", str(sig), "--pss", "--hash", "sha512"]) == 0
    r = openssl("dgst", "-sha512", *PSS_VERIFY, "-verify", str(pub), "-signature", str(sig), str(msg))
    assert r.returncode == 0, r.stderr


def test_keygen_pkcs1_der(tmp_path):
    from provenum import rsa

    key = tmp_path / "k.der"
    assert main(["keygen", "--bits", "1024", "-o", str(key), "--format", "pkcs1", "--der"]) == 0
    assert rsa.load_der_private_key(key.read_bytes()).key_size == 1024


def test_pss_salt_length_option(tmp_path, capsys):
    msg, sig = tmp_path / "m", tmp_path / "s"
    msg.write_bytes(b"salt")
    key, pub = data_path("rsa2048.pem"), data_path("rsa2048.pub.pem")
    assert main(["sign", "--key", key, "--in", str(msg), "--out", str(sig), "--pss", "--salt-length", "digest"]) == 0
    verify = ["verify-signature", "--key", pub, "--in", str(msg), "--sig", str(sig), "--pss"]
    assert main(verify) == 0                                  # auto by default
    assert main(verify + ["--salt-length", "32"]) == 0
    assert main(verify + ["--salt-length", "digest"]) == 0
    assert main(verify + ["--salt-length", "max"]) == 1      # required length differs
    assert main(verify + ["--salt-length", "lots"]) == 2
    assert "salt-length" in capsys.readouterr().err


def test_cli_bad_inputs(tmp_path, capsys):
    msg = tmp_path / "m"
    msg.write_bytes(b"x")
    garbage = tmp_path / "g.pem"
    garbage.write_bytes(b"not a key")
    out = tmp_path / "out.sig"
    assert main(["sign", "--key", str(garbage), "--in", str(msg), "--out", str(out)]) == 2
    assert not out.exists()
    assert main(["sign", "--key", str(tmp_path / "missing"), "--in", str(msg), "--out", str(out)]) == 2
    assert not out.exists()
    assert main(["keygen", "--bits", "1000", "-o", str(tmp_path / "k")]) == 2
    short = tmp_path / "short.sig"
    short.write_bytes(b"\x01" * 10)
    assert main(["verify-signature", "--key", data_path("rsa2048.pub.pem"), "--in", str(msg), "--sig", str(short)]) == 1
    errs = capsys.readouterr().err.strip().splitlines()
    assert all(line.startswith("provenum: ") for line in errs) and len(errs) == 4


@needs_openssl
@pytest.mark.parametrize("level", ["baseline", "bmi2", "avx2", "avx512"])
def test_command_line_at_every_forced_level(tmp_path, level):
    """`provenum sign` and `verify-signature` under PROVENUM_CPU=LEVEL (a new process per level):
    PKCS#1 v1.5 signatures are byte-identical to openssl's."""
    import os
    import sys

    from cpu_levels import skip_unless_cpu_runs

    skip_unless_cpu_runs(level)
    msg, sig = tmp_path / "msg.txt", tmp_path / "msg.sig"
    msg.write_bytes(b"one message, every level\n")
    key, pub = data_path("rsa3072.pem"), data_path("rsa3072.pub.pem")
    env = dict(os.environ, PROVENUM_CPU=level)
    cli = [sys.executable, "-m", "provenum.cli"]
    r = subprocess.run(cli + ["sign", "--key", key, "--in", str(msg), "--out", str(sig)], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(cli + ["verify-signature", "--key", pub, "--in", str(msg), "--sig", str(sig)], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0 and "Verified OK" in r.stdout, r.stderr
    theirs = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key, str(msg)], capture_output=True)
    assert theirs.returncode == 0 and sig.read_bytes() == theirs.stdout
