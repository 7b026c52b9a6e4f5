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
    assert main(verify + ["--salt-length", "max"]) == 0      # as openssl: max accepts any salt when verifying
    assert main(verify + ["--salt-length", "20"]) == 1       # required length differs
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
    assert all(line.startswith("provenum: ") for line in errs) and len(errs) == 4, errs


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


# ---- the command line as careful as openssl's (issue 10's list, point by point) ----

import os  # noqa: E402
import stat  # noqa: E402
import sys  # noqa: E402


def run_cli(*args, stdin=b"", env=None, pass_fds=(), cwd=None):
    """`python -m provenum ARGS` in a subprocess: (status, stdout bytes, stderr text)."""
    r = subprocess.run([sys.executable, "-m", "provenum", *args], input=stdin, capture_output=True,
                       env=dict(os.environ, **(env or {})), pass_fds=pass_fds, cwd=cwd)
    return r.returncode, r.stdout, r.stderr.decode()


def one_line_error(err: str) -> bool:
    lines = err.strip().splitlines()
    return len(lines) == 1 and lines[0].startswith("provenum: ") and "Traceback" not in err


def test_python_dash_m_provenum():
    status, out, _ = run_cli("--version")
    assert status == 0 and out.startswith(b"provenum ")


def test_private_key_replaces_an_existing_file_with_a_new_0600_one(tmp_path):
    key = tmp_path / "k.pem"
    key.write_text("old contents")
    os.chmod(key, 0o644)
    before = key.stat().st_ino
    assert main(["keygen", "--bits", "1024", "-o", str(key)]) == 2          # no overwrite without --force
    assert key.read_text() == "old contents" and stat.S_IMODE(key.stat().st_mode) == 0o644
    assert main(["keygen", "--bits", "1024", "-o", str(key), "--force"]) == 0
    st = key.stat()
    assert stat.S_IMODE(st.st_mode) == 0o600 and st.st_ino != before      # a new file, not chmod-ed in place
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert [p.name for p in tmp_path.iterdir()] == ["k.pem"]                # no temporary file left


def test_no_overwrite_without_force_for_every_output(tmp_path, capsys):
    msg, sig, pub = tmp_path / "m", tmp_path / "s", tmp_path / "p"
    msg.write_bytes(b"x")
    for path in (sig, pub):
        path.write_bytes(b"keep")
    assert main(["sign", "--key", data_path("rsa1024.pem"), "--in", str(msg), "--out", str(sig)]) == 2
    assert main(["keygen", "--bits", "1024", "-o", str(tmp_path / "new.pem"), "--pubout", str(pub)]) == 2
    assert sig.read_bytes() == pub.read_bytes() == b"keep" and not (tmp_path / "new.pem").exists()
    assert "--force" in capsys.readouterr().err
    assert main(["sign", "--key", data_path("rsa1024.pem"), "--in", str(msg), "--out", str(sig), "--force"]) == 0
    assert len(sig.read_bytes()) == 128


def test_failed_pubout_leaves_no_private_key(tmp_path, capsys):
    key = tmp_path / "k.pem"
    for bad in (str(tmp_path / "missing-dir" / "p.pub"), str(tmp_path)):      # no such directory; a directory
        assert main(["keygen", "--bits", "1024", "-o", str(key), "--pubout", bad]) == 2
        assert not key.exists() and one_line_error(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_dash_is_stdin_and_stdout(tmp_path):
    status, key_pem, err = run_cli("keygen", "--bits", "1024", "-o", "-")
    assert status == 0 and key_pem.startswith(b"-----BEGIN PRIVATE KEY-----"), err
    keyfile = tmp_path / "k.pem"
    keyfile.write_bytes(key_pem)
    status, sig, _ = run_cli("sign", "--key", str(keyfile), "--in", "-", "--out", "-", stdin=b"message")
    assert status == 0 and len(sig) == 128
    (tmp_path / "sig").write_bytes(sig)
    status, out, _ = run_cli("verify-signature", "--key", str(keyfile), "--in", "-", "--sig", str(tmp_path / "sig"),
                             stdin=b"message")
    assert status == 0 and b"Verified OK" in out
    status, sig2, _ = run_cli("sign", "--key", "-", "--in", str(keyfile), stdin=key_pem)   # key from stdin
    assert status == 0 and len(sig2) == 128
    status, pub, _ = run_cli("keygen", "--bits", "1024", "-o", str(tmp_path / "k2.pem"), "--pubout", "-")
    assert status == 0 and pub.startswith(b"-----BEGIN PUBLIC KEY-----")


def test_two_stdin_inputs_are_refused(tmp_path):
    with open(data_path("rsa1024.pem"), "rb") as f:
        key = f.read()
    status, out, err = run_cli("sign", "--key", "-", "--in", "-", stdin=key)
    assert status == 2 and out == b"" and one_line_error(err) and "stdin" in err
    status, _, err = run_cli("verify-signature", "--key", data_path("rsa1024.pub.pem"), "--in", "-", "--sig", "-")
    assert status == 2 and one_line_error(err)
    status, _, err = run_cli("keygen", "--bits", "1024", "-o", "-", "--pubout", "-")
    assert status == 2 and one_line_error(err)
    status, out, err = run_cli("sign", "--key", "-", "--in", data_path("rsa1024.pem"), "--passin", "stdin",
                               stdin=key)
    assert status == 2 and out == b"" and one_line_error(err) and "--passin" in err


@pytest.fixture(scope="module")
def encrypted_key(tmp_path_factory):
    from cryptography.hazmat.primitives import serialization as ser

    from provenum import rsa

    with open(data_path("rsa1024.pem"), "rb") as f:
        key = rsa.load_pem_private_key(f.read())
    path = tmp_path_factory.mktemp("enc") / "enc.pem"
    path.write_bytes(key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.BestAvailableEncryption(b"s3cret")))
    return str(path)


def test_passin_in_every_openssl_form(tmp_path, encrypted_key):
    msg = tmp_path / "m"
    msg.write_bytes(b"m")
    pwfile = tmp_path / "pw"
    pwfile.write_bytes(b"s3cret\nsecond line ignored\n")
    sign = ["sign", "--key", encrypted_key, "--in", str(msg)]
    assert run_cli(*sign, "--passin", "pass:s3cret")[0] == 0
    assert run_cli(*sign, "--passin", "env:PROVENUM_TEST_PW", env={"PROVENUM_TEST_PW": "s3cret"})[0] == 0
    assert run_cli(*sign, "--passin", f"file:{pwfile}")[0] == 0
    read, write = os.pipe()
    os.write(write, b"s3cret\n")
    os.close(write)
    assert run_cli(*sign, "--passin", f"fd:{read}", pass_fds=(read,))[0] == 0
    os.close(read)
    assert run_cli(*sign, "--passin", "stdin", stdin=b"s3cret\n")[0] == 0
    for bad in ("pass:wrong", "env:PROVENUM_UNSET_VARIABLE", f"file:{tmp_path}/none", "fd:notanumber", "what"):
        status, out, err = run_cli(*sign, "--passin", bad)
        assert status == 2 and out == b"" and one_line_error(err), (bad, err)
    status, _, err = run_cli(*sign)                                 # encrypted, no password
    assert status == 2 and one_line_error(err)


@needs_openssl
@pytest.mark.parametrize("cipher", ["aes-128-cbc", "aes-192-cbc", "aes-256-cbc"])
def test_passout_and_cipher_are_read_by_openssl(tmp_path, cipher):
    key = tmp_path / "k.pem"
    assert main(["keygen", "--bits", "1024", "-o", str(key), "--passout", "pass:pw", "--cipher", cipher]) == 0
    assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    r = openssl("pkey", "-in", str(key), "-passin", "pass:pw", "-noout", "-check")
    assert r.returncode == 0, r.stderr
    assert openssl("pkey", "-in", str(key), "-passin", "pass:other", "-noout").returncode != 0
    r = openssl("asn1parse", "-in", str(key))
    assert {"aes-128-cbc": "aes-128-cbc", "aes-192-cbc": "aes-192-cbc", "aes-256-cbc": "aes-256-cbc"}[cipher] \
        in r.stdout.lower().replace("_", "-")
    from provenum import rsa
    assert rsa.load_pem_private_key(key.read_bytes(), b"pw").key_size == 1024


@needs_openssl
def test_passout_pkcs1_and_der(tmp_path, capsys):
    pem, der = tmp_path / "k1.pem", tmp_path / "k.der"
    assert main(["keygen", "--bits", "1024", "-o", str(pem), "--format", "pkcs1", "--passout", "pass:pw"]) == 0
    assert b"DEK-Info: AES-256-CBC" in pem.read_bytes()
    assert openssl("pkey", "-in", str(pem), "-passin", "pass:pw", "-noout").returncode == 0
    assert main(["keygen", "--bits", "1024", "-o", str(der), "--der", "--passout", "pass:pw"]) == 0
    assert openssl("pkey", "-inform", "DER", "-in", str(der), "-passin", "pass:pw", "-noout").returncode == 0
    assert main(["keygen", "--bits", "1024", "-o", str(tmp_path / "x"), "--format", "pkcs1", "--der",
                 "--passout", "pass:pw"]) == 2
    assert main(["keygen", "--bits", "1024", "-o", str(tmp_path / "y"), "--cipher", "aes-128-cbc"]) == 2
    errs = capsys.readouterr().err.strip().splitlines()
    assert len(errs) == 2 and all(e.startswith("provenum: ") for e in errs)


@needs_openssl
def test_rsa_pss_keys_sign_only_pss_within_their_parameters(tmp_path, capsys):
    msg, sig = tmp_path / "m", tmp_path / "s"
    msg.write_bytes(b"restricted")
    key, pub = data_path("rsa2048-pss.pem"), data_path("rsa2048-pss.pub.pem")   # SHA-256, MGF1-SHA-256, salt >= 32
    assert main(["sign", "--key", key, "--in", str(msg), "--out", str(sig)]) == 0  # PSS without asking
    r = openssl("dgst", "-sha256", "-verify", pub, "-signature", str(sig), str(msg))
    assert r.returncode == 0 and "Verified OK" in r.stdout, r.stderr
    assert main(["verify-signature", "--key", pub, "--in", str(msg), "--sig", str(sig)]) == 0
    assert main(["verify-signature", "--key", key, "--in", str(msg), "--sig", str(sig)]) == 0
    # outside its parameters: refused before signing, nothing written
    for extra in (["--hash", "sha512"], ["--mgf1-hash", "sha1"], ["--salt-length", "16"], ["--salt-length", "0"]):
        out = tmp_path / "bad.sig"
        assert main(["sign", "--key", key, "--in", str(msg), "--out", str(out), *extra]) == 2
        assert not out.exists()
    # openssl's signature with the key's defaults verifies; a PKCS#1 v1.5 one does not
    theirs = tmp_path / "o.sig"
    assert openssl("dgst", "-sha256", "-sign", key, "-out", str(theirs), str(msg)).returncode == 0
    assert main(["verify-signature", "--key", pub, "--in", str(msg), "--sig", str(theirs)]) == 0
    pkcs1 = tmp_path / "p1.sig"
    assert main(["sign", "--key", data_path("rsa2048.pem"), "--in", str(msg), "--out", str(pkcs1)]) == 0
    assert main(["verify-signature", "--key", pub, "--in", str(msg), "--sig", str(pkcs1)]) == 1
    # a salt below the key's minimum fails verification even where PSS itself is fine
    from provenum import rsa
    from provenum.rsa import hashes, padding
    short = tmp_path / "short.sig"
    with open(key, "rb") as f:
        plain = rsa.load_pem_private_key(f.read())                 # the library drops restrictions, as pyca
    short.write_bytes(plain.sign(b"restricted", padding.PSS(padding.MGF1(hashes.SHA256()), 16), hashes.SHA256()))
    assert main(["verify-signature", "--key", pub, "--in", str(msg), "--sig", str(short)]) == 1
    assert "minimum" in capsys.readouterr().err
    # an RSA-PSS key without parameters: PSS with what the user picks
    any_key, any_pub = data_path("rsa2048-pss-any.pem"), data_path("rsa2048-pss-any.pub.pem")
    assert main(["sign", "--key", any_key, "--in", str(msg), "--out", str(tmp_path / "a"), "--hash", "sha384"]) == 0
    r = openssl("dgst", "-sha384", "-sigopt", "rsa_pss_saltlen:auto", "-verify", any_pub, "-signature",
                str(tmp_path / "a"), str(msg))
    assert r.returncode == 0, r.stderr


def test_salt_length_without_pss_is_an_error(tmp_path, capsys):
    msg = tmp_path / "m"
    msg.write_bytes(b"x")
    out = tmp_path / "s"
    assert main(["sign", "--key", data_path("rsa1024.pem"), "--in", str(msg), "--out", str(out),
                 "--salt-length", "20"]) == 2
    assert main(["verify-signature", "--key", data_path("rsa1024.pub.pem"), "--in", str(msg), "--sig", str(msg),
                 "--mgf1-hash", "sha1"]) == 2
    assert not out.exists()
    assert all("add --pss" in line for line in capsys.readouterr().err.strip().splitlines())


@needs_openssl
@pytest.mark.parametrize("name", ["sha3-224", "sha3-256", "sha3-384", "sha3-512"])
@pytest.mark.parametrize("pss", [False, True])
def test_sha3_with_openssl(tmp_path, name, pss):
    msg, ours, theirs = tmp_path / "m", tmp_path / "ours", tmp_path / "theirs"
    msg.write_bytes(b"sha-3 message")
    key, pub = data_path("rsa2048.pem"), data_path("rsa2048.pub.pem")
    flag = ["--pss"] if pss else []
    assert main(["sign", "--key", key, "--in", str(msg), "--out", str(ours), "--hash", name, *flag]) == 0
    r = openssl("dgst", f"-{name}", *(PSS_VERIFY if pss else []), "-verify", pub, "-signature", str(ours), str(msg))
    assert r.returncode == 0, r.stderr
    r = openssl("dgst", f"-{name}", *(PSS_SIGN if pss else []), "-sign", key, "-out", str(theirs), str(msg))
    assert r.returncode == 0
    assert main(["verify-signature", "--key", pub, "--in", str(msg), "--sig", str(theirs), "--hash", name, *flag]) == 0


@pytest.mark.parametrize("command,required", [("keygen", ["-o", "k.pem"]), ("sign", ["--key", "k.pem"]),
                                              ("verify-signature", ["--key", "k.pem", "--sig", "s"])])
def test_bad_flag_prints_the_subcommand_usage(tmp_path, command, required):
    for args in ([command, "--no-such-flag"], [command, *required, "--no-such-flag"]):
        status, out, err = run_cli(*args, cwd=tmp_path)
        assert status == 2 and out == b"" and err.startswith(f"usage: provenum {command}"), err
    assert "unrecognized arguments: --no-such-flag" in err
    assert list(tmp_path.iterdir()) == []


def test_every_bad_path_is_one_line_and_status_2(tmp_path):
    msg = tmp_path / "m"
    msg.write_bytes(b"x")
    afile = tmp_path / "afile"
    afile.write_bytes(b"")
    key, pub = data_path("rsa1024.pem"), data_path("rsa1024.pub.pem")
    cases = [
        ("keygen", "--bits", "1024", "-o", str(tmp_path / "no" / "k.pem")),        # no such directory
        ("keygen", "--bits", "1024", "-o", str(tmp_path)),                          # a directory
        ("keygen", "--bits", "1024", "-o", str(afile / "k.pem")),                   # under a file
        ("keygen", "--bits", "1000", "-o", str(tmp_path / "k.pem")),                # pyca's rules
        ("sign", "--key", str(tmp_path / "missing.pem"), "--in", str(msg)),
        ("sign", "--key", str(tmp_path), "--in", str(msg)),                         # key is a directory
        ("sign", "--key", str(afile), "--in", str(msg)),                            # empty key file
        ("sign", "--key", key, "--in", str(tmp_path / "missing")),
        ("sign", "--key", key, "--in", str(msg), "--out", str(tmp_path / "no" / "s")),
        ("sign", "--key", key, "--in", str(msg), "--out", str(tmp_path)),
        ("sign", "--key", key, "--in", str(msg), "--pss", "--salt-length", "lots"),
        ("sign", "--key", key, "--in", str(msg), "--pss", "--hash", "sha512", "--salt-length", "100"),  # too long
        ("verify-signature", "--key", pub, "--in", str(msg), "--sig", str(tmp_path / "missing")),
        ("verify-signature", "--key", str(tmp_path / "missing"), "--in", str(msg), "--sig", str(msg)),
        ("verify-signature", "--key", pub, "--in", str(tmp_path), "--sig", str(msg)),
    ]
    for args in cases:
        status, out, err = run_cli(*args)
        assert status == 2 and out == b"" and one_line_error(err), (args, status, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "m"]          # nothing written anywhere
