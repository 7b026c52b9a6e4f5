"""Secret poisoning under valgrind's memcheck: the private-key path, at every level and size.

    build_driver(directory, replace=None)   the driver (driver.c) and the library's sources
    run(sizes, levels, ...)                 a Report: per level and key size, passed / failed (with
                                            every finding: kind, the secret, the stack) / not run (why)

Keys are fresh (pyca/cryptography); the encoded messages are made by
provenum.rsa.emsa, and every signature the driver returns is checked here
with pyca/cryptography, so a run that passes also computed the right answers.
Each level and size runs in its own valgrind process (PROVENUM_CPU=LEVEL),
with this CPU's features as measured natively (valgrind's CPUID hides some).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..native.executable import BuildError, build_executable

DRIVER = Path(__file__).with_name("driver.c")
KERNEL_SIZES = (2048, 3072, 4096)     # the halves run the assembly exponentiation (16/24/32 words)
ODD_SIZES = (1024, 1536, 2047)        # 8 and 12 words: the generic C exponentiation; 2047: top word not full
DEFAULT_SIZES = KERNEL_SIZES + ODD_SIZES
MIN_BITS, MAX_BITS = 1024, 8192

VALGRIND_ARGS = ("--tool=memcheck", "--track-origins=yes", "--expensive-definedness-checks=yes",
                 "--num-callers=40", "--leak-check=no", "--xml=yes")

# what memcheck's error kinds mean here
KINDS = {
    "UninitCondition": "conditional jump depends on a secret",
    "UninitValue": "memory address (or other value use) depends on a secret",
    "SyscallParam": "system-call argument depends on a secret",
}


class CheckError(RuntimeError):
    """ct-check could not run (valgrind or its headers missing, a build failure, bad arguments)."""


@dataclass
class Finding:
    kind: str                  # memcheck's kind (UninitCondition, UninitValue, SyscallParam, ...)
    what: str                  # memcheck's message
    meaning: str               # what it means for constant time
    secret: str                # the secret it came from (the poisoning function), or why none
    function: str              # the function where it happened (top of the stack)
    phase: str                 # which operation the driver was running (load, sign, ...)
    stack: list[str]           # "function (file:line)", innermost first
    origin: list[str]          # where the secret was poisoned
    count: int = 1             # how many times memcheck saw it


@dataclass
class LevelResult:
    level: str
    bits: int
    status: str                # "passed", "failed", "not run"
    reason: str = ""           # for "not run" and functional failures
    findings: list[Finding] = field(default_factory=list)
    signatures: int = 0        # signatures checked against pyca/cryptography
    checks: int = 0            # verdicts the driver checked (load, batches, fault refusals)
    random_bytes: int = 0      # getrandom bytes poisoned
    seconds: float = 0.0


@dataclass
class Report:
    sizes: list[int]
    valgrind: str
    results: list[LevelResult]

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(r.status in ("passed", "not run") for r in self.results) and \
            any(r.status == "passed" for r in self.results)

    def as_dict(self) -> dict:
        return {"sizes": self.sizes, "valgrind": self.valgrind, "passed": self.passed,
                "results": [asdict(r) for r in self.results]}


def valgrind() -> str:
    exe = shutil.which("valgrind")
    if exe is None:
        raise CheckError("valgrind is needed (Debian package valgrind; ./install.sh installs it)")
    return exe


def valgrind_version() -> str:
    return subprocess.run([valgrind(), "--version"], capture_output=True, text=True).stdout.strip()


def build_driver(directory, replace: dict[str, Path] | None = None) -> Path:
    """The driver from the library's sources (`replace`: substitute files, for the leak tests)."""
    try:
        return build_executable(
            Path(directory) / "ct-driver", [DRIVER],
            file_flags={"rsa_private.c": ["-DPROVENUM_CT_CHECK"], "rsa_decrypt.c": ["-DPROVENUM_CT_CHECK"],
                        "cpu_x86_64.c": ["-Dprovenum_cpu_features=provenum_cpu_features_cpuid"]},
            replace=replace, libs=["-lgmp"])
    except BuildError as e:
        if "valgrind/memcheck.h: No such file" in str(e):
            raise CheckError("valgrind's headers are needed (Debian package valgrind; ./install.sh "
                             "installs it)") from None
        if "gmp.h: No such file" in str(e) or "cannot find -lgmp" in str(e):
            raise CheckError("GMP is needed (Debian package libgmp-dev; ./install.sh installs it)") from None
        raise CheckError(str(e)) from None


# ---- the job: keys and encoded messages --------------------------------------------------------

@dataclass
class Job:
    text: str
    expected: dict            # (bits, label) -> (public key, message, padding) for checking signatures
    raw: dict                 # bits -> (em as int, d, n): the raw private operation's expected input


def make_job(sizes) -> Job:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding as pad
    from cryptography.hazmat.primitives.asymmetric import rsa

    from ..rsa import emsa

    lines, expected, raw = [], {}, {}
    for bits in sizes:
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        nums = key.private_numbers()
        pub = nums.public_numbers
        words, nbytes = (bits + 63) // 64, (bits + 7) // 8
        hwords = (max(nums.p.bit_length(), nums.q.bit_length()) + 63) // 64
        lines.append(f"key {bits} {words} {hwords} {(pub.e.bit_length() + 63) // 64}")
        for tag, value in (("n", pub.n), ("e", pub.e), ("p", nums.p), ("q", nums.q), ("dp", nums.dmp1),
                           ("dq", nums.dmq1), ("qinv", nums.iqmp), ("d", nums.d)):
            lines.append(f"{tag} {value:x}")
        message = f"provenum ct-check, RSA-{bits}".encode()
        digest = hashes.Hash(hashes.SHA256())
        digest.update(message)
        mhash = digest.finalize()
        v15 = emsa.pkcs1v15_encode(mhash, hashes.SHA256(), nbytes)
        pss = emsa.pss_encode(mhash, bits - 1, hashes.SHA256(), hashes.SHA256(), os.urandom(32)).rjust(nbytes, b"\0")
        for label, em, padding in (
                ("pkcs1v15", v15, pad.PKCS1v15()),
                ("pss", pss, pad.PSS(mgf=pad.MGF1(hashes.SHA256()), salt_length=32))):
            lines.append(f"em {label} {em.hex()}")
            expected[(bits, label)] = (key.public_key(), message, padding)
        raw[bits] = (int.from_bytes(v15, "big"), nums.d, pub.n)
        lines.append("end")
    return Job("\n".join(lines) + "\n", expected, raw)


# ---- one level and size under memcheck ------------------------------------------------------------------

def _frames(stack) -> list[tuple[str, str]]:
    """(frame as "function (file:line)", the object it is in), innermost first."""
    out = []
    for fr in stack.findall("frame"):
        fn = fr.findtext("fn") or fr.findtext("ip") or "?"
        where = f"{fr.findtext('file')}:{fr.findtext('line')}" if fr.findtext("file") else (fr.findtext("obj") or "")
        out.append((f"{fn} ({where})" if where else fn, fr.findtext("obj") or ""))
    return out


def _fn(frame: str) -> str:
    """The function's name, without gcc's clone suffixes (phase_load.constprop.0 -> phase_load)."""
    return frame.split(" (")[0].split(".")[0]


def _own_function(frames, program: str | None) -> str:
    """The innermost frame in the program itself (not valgrind's memcpy replacement, not libc)."""
    own = os.path.realpath(program) if program else None
    for text, obj in frames:
        if own is None or os.path.realpath(obj) == own:
            return _fn(text)
    return _fn(frames[0][0]) if frames else "?"


def parse_xml(path, program: str | None = None) -> list[Finding]:
    """memcheck's findings, from its --xml-file; `program`: the driver's path, whose innermost
    frame names the function of a finding."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, FileNotFoundError):
        return []
    counts = {pair.findtext("unique"): int(pair.findtext("count") or 1)
              for pair in root.iter("pair")}
    findings = []
    for err in root.findall("error"):
        kind = err.findtext("kind") or "?"
        stacks = [_frames(st) for st in err.findall("stack")]
        stack = [text for text, _ in stacks[0]] if stacks else []
        origin = [text for text, _ in stacks[1]] if len(stacks) > 1 else []
        poisoned = [_fn(f) for f in origin if _fn(f).startswith("secret_")]
        if poisoned:
            secret = poisoned[0][len("secret_"):]
        elif kind in KINDS:
            secret = "none: memory the program never initialised (a bug, not a leak)"
        else:
            secret = "none"
        phases = [_fn(f)[len("phase_"):] for f in stack if _fn(f).startswith("phase_")]
        findings.append(Finding(
            kind=kind, what=err.findtext("what") or err.findtext("xwhat/text") or "",
            meaning=KINDS.get(kind, "memory error"), secret=secret,
            function=_own_function(stacks[0] if stacks else [], program), phase=phases[0] if phases else "?",
            stack=stack, origin=origin, count=counts.get(err.findtext("unique"), 1)))
    return findings


def fatal_signal(path) -> tuple[str, str] | None:
    """(signal name, function) when valgrind's XML records that the program died of a signal."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, FileNotFoundError):
        return None
    sig = root.find("fatal_signal")
    if sig is None:
        return None
    stack = sig.find("stack")
    frames = _frames(stack) if stack is not None else []
    return sig.findtext("signame") or "?", _fn(frames[0][0]) if frames else "?"


def _not_run_reason(stderr: str, died: tuple[str, str] | None) -> str | None:
    """Why valgrind could not run this level (an instruction its JIT lacks), if that is what happened."""
    unhandled = next((ln for ln in stderr.splitlines() if "unhandled instruction bytes" in ln), None)
    if unhandled is None or died is None or died[0] != "SIGILL":
        return None
    raw = unhandled.split("unhandled instruction bytes:")[-1].split()
    return (f"valgrind cannot execute this level's code: {died[1]} starts with {' '.join(raw[:4]).lower()} "
            "(EVEX, AVX-512), which valgrind's JIT does not implement" if raw[:1] == ["0x62"] else
            f"valgrind cannot execute this level's code: {died[1]}: unhandled bytes {' '.join(raw[:6]).lower()}")


def run_level(driver: Path, jobfile: Path, job: Job, level: str, bits: int, features: int, workdir: Path,
              timeout: float = 3600) -> LevelResult:
    xml = workdir / f"memcheck-{level}-{bits}.xml"
    env = dict(os.environ, PROVENUM_CPU=level, PROVENUM_CT_FEATURES=f"{features:x}")
    start = time.monotonic()
    try:
        proc = subprocess.run([valgrind(), *VALGRIND_ARGS, f"--xml-file={xml}", str(driver), str(jobfile)],
                              env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return LevelResult(level, bits, "failed", f"valgrind did not finish within {timeout:.0f} s",
                           seconds=time.monotonic() - start)
    result = LevelResult(level, bits, "failed", seconds=time.monotonic() - start)
    died = fatal_signal(xml)
    reason = _not_run_reason(proc.stderr, died)
    if reason:
        result.status, result.reason = "not run", reason
        return result
    result.findings = parse_xml(xml, str(driver))
    problems = _check_output(proc.stdout, job, level, result)
    if died:
        problems.insert(0, f"the driver died of {died[0]} in {died[1]}")
    elif proc.returncode != 0:
        problems.insert(0, f"the driver exited with {proc.returncode}: {proc.stderr.strip()[-400:]}")
    result.reason = "; ".join(problems)
    result.status = "passed" if not problems and not result.findings else "failed"
    return result


def _check_output(stdout: str, job: Job, level: str, result: LevelResult) -> list[str]:
    """Every verdict the driver checked held and every signature verifies; the problems found."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes

    from ..isa.x86_64.features import level_index

    problems, bits, seen = [], None, set()
    for line in stdout.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "level" and int(parts[1]) != level_index(level):
            problems.append(f"the driver ran at level {parts[1]}, not {level}")
        elif parts[0] == "key":
            bits = int(parts[1])
        elif parts[0] == "check":
            result.checks += 1
            if parts[2] != "1":
                problems.append(f"RSA-{bits}: {parts[1]} failed")
        elif parts[0] == "sig":
            public, message, padding = job.expected[(bits, parts[1])]
            try:
                public.verify(bytes.fromhex(parts[2]), message, padding, hashes.SHA256())
                result.signatures += 1
                seen.add((bits, parts[1]))
            except InvalidSignature:
                problems.append(f"RSA-{bits}: the {parts[1]} signature does not verify")
        elif parts[0] == "raw":
            em, d, n = job.raw[bits]
            if int(parts[1], 16) != pow(em, d, n):
                problems.append(f"RSA-{bits}: the private operation on a secret message is wrong")
        elif parts[0] == "random_bytes":
            result.random_bytes = int(parts[1])
    missing = set(job.expected) - seen
    if missing:
        problems.append(f"no valid signature for {', '.join(f'RSA-{b} {lbl}' for b, lbl in sorted(missing))}")
    if "done" not in stdout.split():
        problems.append("the driver did not finish")
    elif result.random_bytes == 0:
        problems.append("no random bytes were poisoned (getrandom was not interposed)")
    return problems


def run(sizes=DEFAULT_SIZES, levels=None, jobs: int = 2, replace: dict[str, Path] | None = None,
        progress=None, driver: Path | None = None) -> Report:
    """Build the driver (or take a built one), then run every level (default: every level this CPU
    has) and size under memcheck."""
    from ..native import dispatch

    valgrind()
    sizes = list(dict.fromkeys(sizes))
    bad = [b for b in sizes if not MIN_BITS <= b <= MAX_BITS]
    if bad:
        raise CheckError(f"key sizes must be {MIN_BITS} to {MAX_BITS} bits, not {', '.join(map(str, bad))}")
    levels = list(dict.fromkeys(levels or dispatch.levels()))
    for lv in levels:
        if not dispatch.can_run(lv):
            raise CheckError(f"this CPU cannot run the {lv} level (it runs {', '.join(dispatch.levels())})")
    _, lib = dispatch._native()
    features = lib.provenum_cpu_features()
    with tempfile.TemporaryDirectory(prefix="provenum-ct-") as tmp:
        work = Path(tmp)
        if driver is None:
            if progress:
                progress("building the driver from the library's sources")
            driver = build_driver(work, replace)
        jobs_by_size = {}
        for bits in sizes:
            job = make_job([bits])
            path = work / f"job-{bits}.txt"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)   # it holds a private key
            with os.fdopen(fd, "w") as f:
                f.write(job.text)
            jobs_by_size[bits] = (path, job)
        done = []

        def one(task):
            level, bits = task
            path, job = jobs_by_size[bits]
            res = run_level(driver, path, job, level, bits, features, work)
            done.append(res)
            if progress:
                progress(f"{len(done)}/{len(tasks)}: {level} RSA-{bits} {res.status} ({res.seconds:.0f} s)")
            return res

        tasks = [(lv, b) for lv in levels for b in sizes]
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:   # the largest keys first
            list(pool.map(one, sorted(tasks, key=lambda t: -t[1])))
    order = {t: i for i, t in enumerate(tasks)}
    return Report(sizes, valgrind_version(), sorted(done, key=lambda r: order[(r.level, r.bits)]))
