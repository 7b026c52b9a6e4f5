"""`provenum recheck REPORT`: an independent check of a `provenum verify` report from its proof log.

This package imports only the standard library and cvc5 (the second
solver), never the prover (provenum.verify) or z3. From the log beside the
report (REPORT.prooflog.zip) it

* re-derives every algebraic step of every functional proof from the logged
  term DAG with its own integer equations of the operations (lift.py) and
  plain integer arithmetic (check.py: identities at random points modulo a
  fresh prime, divisibility and intervals exactly, the Montgomery cleared
  words as exact polynomials);
* reruns every SMT obligation the prover logged -- the proof's own queries
  and the statements of every term, lift and fact rule the proofs used, at
  each signature -- from its SMT-LIB text with cvc5, which must answer unsat;
* checks the dependency tree: each callee spec a proof assumed is proved in
  the same report, for the same bytes.

It accepts or rejects the whole report. What it takes from the log as given:
the term DAG itself (symbolic execution of the bytes and the term layer's
intervals), the frame and constant-time verdicts, and that the queries state
what the prover meant (their answers it does not take).
"""
from __future__ import annotations

import hashlib
import json
import random
import time
import zipfile
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Verdict:
    accepted: bool
    proofs: int = 0
    queries: int = 0
    rule_queries: int = 0
    seconds: float = 0.0
    problems: list = field(default_factory=list)   # (what, why)


def _is_prime(n: int, rng) -> bool:
    if n < 4:
        return n in (2, 3)
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for _ in range(40):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def random_prime(rng) -> int:
    while True:
        n = rng.getrandbits(127) | (1 << 126) | 1
        if _is_prime(n, rng):
            return n


def _check_proof(args) -> tuple:
    """(label, problem or "", queries rerun, seconds) for one packed log."""
    from .check import ProofCheck, Rejected
    from .solver import answer, chain_queries

    label, packed, P, seed = args
    start = time.perf_counter()
    try:
        log = json.loads(zlib.decompress(packed))
        proof = ProofCheck(log, P, seed)
        proof.run()
        for kind, w, j in sorted(proof.chains):   # the chain facts the decided carries rest on
            if any(answer(q) != "unsat" for q in chain_queries(kind, w, j)):
                return label, f"the {kind} chain fact at width {w}, {j} links: not proved", 0, 0.0
        for i, q in enumerate(log["queries"]):
            got = answer(q["smt2"])
            if got != "unsat":
                return label, f"query {i} ({q['purpose']}): cvc5 says {got}", i, time.perf_counter() - start
        return label, "", len(log["queries"]), time.perf_counter() - start
    except Rejected as e:
        return label, str(e), 0, time.perf_counter() - start
    except (KeyError, IndexError, TypeError, ValueError, zlib.error) as e:
        return label, f"malformed log: {type(e).__name__}: {e}", 0, time.perf_counter() - start


def _statements(key: str, exported: list) -> list:
    """What cvc5 must refute for a rule at a signature: the exported statements, except for the carry-chain
    facts, which it cannot do in LIA for long chains; those are proved link by link (solver.chain_queries)."""
    import ast

    from .solver import chain_queries

    name, sig = key.split("|", 1)
    if name in ("chain-carry", "chain-borrow"):
        sig = dict(ast.literal_eval(sig))
        return chain_queries("add" if name == "chain-carry" else "sub", sig["w"], sig["j"])
    return exported


def _check_rule(args) -> tuple:
    from .solver import answer

    key, texts = args
    texts = _statements(key, texts)
    start = time.perf_counter()
    for i, text in enumerate(texts):
        got = answer(text)
        if got != "unsat":
            return key, f"statement {i}: cvc5 says {got}", time.perf_counter() - start
    return key, "", time.perf_counter() - start


def _dependencies(entry: dict, log: dict, by_spec: dict) -> list:
    """Problems with the callee specs a proof assumed: each must be proved in this report, same bytes."""
    problems = []
    for dep in log.get("assumed", []):
        callee = by_spec.get((dep["callee"], dep["spec"]))
        if callee is None or not callee.get("proved_here"):
            problems.append(f"assumes {dep['spec']}, which this report does not prove")
            continue
        mine = [c["sha256"] for c in dep["code"] if c["name"] == dep["callee"]]
        if mine != [callee["sha256"]]:
            problems.append(f"assumes {dep['spec']} for bytes {mine[:1]}, the report proves {callee['sha256'][:16]}")
    return problems


def recheck(report: str | Path, jobs: int = 1, seed: int | None = None, progress=None) -> Verdict:
    start = time.perf_counter()
    report = Path(report)
    doc = json.loads(report.read_text())
    rng = random.Random(seed if seed is not None else random.SystemRandom().getrandbits(64))
    P = random_prime(rng)
    verdict = Verdict(True)
    meta = doc.get("prooflog")
    if not meta:
        return Verdict(False, problems=[("report", "no proof log (written by `provenum verify --json`)")])
    zpath = report.with_name(meta["file"])
    tasks, logs = [], {}
    with zipfile.ZipFile(zpath) as z:
        def member(ref):
            data = z.read(ref["member"])
            if hashlib.sha256(data).hexdigest() != ref["sha256"]:
                raise ValueError(f"{ref['member']} does not have the SHA-256 the report names")
            return data

        by_spec = {}
        for f in doc["functions"]:
            proved = f["functional"] == f["frame"] == f["constant_time"] == "proved"
            by_spec[(f["name"], f["spec"])] = {"sha256": f["sha256"], "proved_here": proved}
        for f in doc["functions"]:
            if f["functional"] != "proved":
                continue
            label = f["spec"]
            ref = f.get("prooflog")
            if not ref:
                verdict.problems.append((label, "proved, but no proof log"))
                continue
            try:
                packed = member(ref)
            except (KeyError, ValueError) as e:
                verdict.problems.append((label, str(e)))
                continue
            log = json.loads(zlib.decompress(packed))
            if (log["name"], log["spec"]) != (f["name"], f["spec"]):
                verdict.problems.append((label, f"its log is the log of {log['spec']}"))
                continue
            verdict.problems += [(label, p) for p in _dependencies(f, log, by_spec)]
            logs[label] = log
            tasks.append((label, packed, P, rng.getrandbits(62)))
        rules = json.loads(zlib.decompress(member(meta["rules"])))
    used = set()
    for log in logs.values():
        used.update(log["rules"])
    missing = used - set(rules)
    verdict.problems += [("rules", f"{k} is used but its statement is not in the log") for k in sorted(missing)]
    rule_tasks = [(k, rules[k]) for k in sorted(used & set(rules))]
    verdict.proofs = len(tasks)
    if jobs <= 1:
        proof_results = map(_check_proof, tasks)
        rule_results = map(_check_rule, rule_tasks)
        results = list(proof_results), list(rule_results)
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            a = pool.map(_check_proof, tasks, chunksize=1)
            b = pool.map(_check_rule, rule_tasks, chunksize=4)
            results = list(a), list(b)
    for label, problem, n, _secs in results[0]:
        verdict.queries += n
        if problem:
            verdict.problems.append((label, problem))
        if progress:
            progress(label, problem)
    for key, problem, _secs in results[1]:
        verdict.rule_queries += len(_statements(key, rules[key]))
        if problem:
            verdict.problems.append((f"rule {key}", problem))
    verdict.accepted = not verdict.problems
    verdict.seconds = time.perf_counter() - start
    return verdict
