"""Running proofs over a library (in parallel) and writing their reports."""
from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

JSON_KEYS = ("name", "sha256", "instructions", "seconds", "functional", "frame", "constant_time")


def dispatch_entries(available) -> dict[str, list[str]]:
    """Functions that are dispatch entries (an operation X beside its variants X_<level>) -> those variants.

    An entry is an indirect jump through the dispatch table, not a kernel:
    what is proved is every variant it may jump to.
    """
    from ..kernels.catalog import split_symbol

    names = set(available)
    out: dict[str, list[str]] = {}
    for n in sorted(names):
        op, level = split_symbol(n)
        if level is not None and op in names:
            out.setdefault(op, []).append(n)
    return out


def proof_jobs(library, names: list[str] | None = None) -> list[tuple[str, object]]:
    """(symbol, spec) for every requested function that has a spec (Montgomery kernels: one per aliasing)."""
    from .specs import specs_for
    from .target import library_target

    available = library_target(library).function_symbols(library)
    entries = dispatch_entries(available)
    if names:
        missing = [n for n in names if n not in available]
        if missing:
            raise ValueError(f"not in {library}: {', '.join(missing)}")
        for n in names:
            if n in entries:
                raise ValueError(f"{n} is a dispatch entry (an indirect jump through the dispatch table), "
                                 f"not a kernel; prove its variants: {', '.join(entries[n])}")
        unspecified = [n for n in names if not specs_for(n)]
        if unspecified:
            raise ValueError(f"no specification for: {', '.join(unspecified)}")
    else:
        names = [n for n in available if n not in entries and specs_for(n)]
    return [(n, spec) for n in names for spec in specs_for(n)]


def prove_one(library, name: str, spec, counterexamples: bool = True) -> dict:
    """Decode and prove one function; a JSON-ready result (never raises for proof failures)."""
    import time

    from ..isa.code import DecodeError
    from .prover import ProofResult, prove
    from .target import library_target

    start = time.perf_counter()
    try:
        function = library_target(library).decode_symbol(library, name)
    except DecodeError as e:
        r = ProofResult(name, spec.label, "", 0, message=f"decode: {e}")
        r.seconds = time.perf_counter() - start
        return r.to_json()
    return prove(function, spec, search_counterexample=counterexamples, library=library).to_json()


def _worker(args):
    library, name, spec, cex = args
    return prove_one(library, name, spec, cex)


def run_all(library, jobs: list, workers: int = 1, counterexamples: bool = True, progress=None) -> list[dict]:
    """Prove every (name, spec); results in the order of `jobs`."""
    results: list = [None] * len(jobs)
    if workers <= 1:
        for i, (name, spec) in enumerate(jobs):
            results[i] = prove_one(library, name, spec, counterexamples)
            if progress:
                progress(results[i])
        return results
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_worker, (str(library), name, spec, counterexamples)): i
                   for i, (name, spec) in enumerate(jobs)}
        for fut in as_completed(futures):
            i = futures[fut]
            results[i] = fut.result()
            if progress:
                progress(results[i])
    return results


def prooflog_path(path) -> Path:
    """The proof logs of the report at `path` (for `provenum recheck`): a zip file beside it."""
    p = Path(path)
    return p.with_name(p.stem + ".prooflog.zip")


def write_json(path, library, results: list[dict]) -> None:
    """The JSON report, and beside it (prooflog_path) the log of every functional proof and the SMT-LIB
    statements of the rules they used; the report names each log member and its SHA-256."""
    import hashlib
    import zipfile
    import zlib

    from .prooflog import rule_queries

    functions, rules = [], set()
    logs = prooflog_path(path)
    with zipfile.ZipFile(logs, "w", zipfile.ZIP_STORED) as z:   # members are zlib-packed already
        for i, r in enumerate(results):
            entry = {k: r[k] for k in JSON_KEYS}
            entry.update({k: r[k] for k in ("spec", "steps", "obligations", "message", "calls", "code",
                                            "depends", "counterexample")})
            packed = r.get("prooflog")
            if packed:
                member = f"proof-{i:04d}.json.z"
                z.writestr(member, packed)
                entry["prooflog"] = {"member": member, "sha256": hashlib.sha256(packed).hexdigest()}
                rules.update(json.loads(zlib.decompress(packed))["rules"])
            functions.append(entry)
        packed = zlib.compress(json.dumps(rule_queries(rules)).encode(), 6)
        z.writestr("rules.json.z", packed)
    from ..isa.elf import elf_machine

    doc = {"library": str(library), "isa": elf_machine(library), "functions": functions,
           "prooflog": {"file": logs.name, "rules": {"member": "rules.json.z",
                                                     "sha256": hashlib.sha256(packed).hexdigest()}}}
    Path(path).write_text(json.dumps(doc, indent=2, default=str) + "\n")


def markdown(library, results: list[dict]) -> str:
    from ..isa.elf import elf_machine

    lines = [
        "# provenum verify",
        "",
        f"Library: `{os.path.basename(str(library))}` ({elf_machine(library)})",
        "",
        "| function | spec | instructions | executed | obligations | seconds | functional | frame | constant-time | sha256 |",
        "|---|---|---:|---:|---:|---:|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['name']} | {r['spec']} | {r['instructions']} | {r['steps']} | {len(r['obligations'])} | "
                     f"{r['seconds']:.2f} | {r['functional']} | {r['frame']} | {r['constant_time']} | "
                     f"`{r['sha256'][:16]}` |")
    failed = [r for r in results if not r["proved"]]
    if failed:
        lines += ["", "## Failures", ""]
        for r in failed:
            lines.append(f"- **{r['spec']}**: {r['message']}")
            cex = r.get("counterexample")
            if cex:
                lines.append(f"  - counterexample found (model confirms: {cex.get('model_confirms')}, "
                             f"native confirms: {cex.get('native_confirms')}"
                             + (f" under {cex['native_executor']}" if cex.get("native_executor") else "") + ")")
    lines += ["", "## Obligations", ""]
    for r in results:
        lines.append(f"### {r['spec']}")
        lines.append("")
        if r.get("depends"):
            lines += ["Assumes (the callee specs replacing its calls, each proved for these bytes):", ""]
            lines += dependency_lines(r["depends"])
            lines.append("")
        for o in r["obligations"]:
            where = f" at {o['address']:#x}" if o.get("address") is not None else ""
            lines.append(f"- [{o['kind']}] {o['statement']}: **{o['status']}**{where} — {o['method']}"
                         + (f" ({o['detail']})" if o.get("detail") and o["status"] != "proved" else ""))
        lines.append("")
    return "\n".join(lines) + "\n"


def dependency_lines(depends: list, indent: str = "") -> list[str]:
    """The dependency tree of a proof as nested Markdown items: callee spec and the SHA-256 of its bytes."""
    out = []
    for dep in depends:
        own = next((c["sha256"][:16] for c in dep["code"] if c["name"] == dep["callee"]), "?")
        out.append(f"{indent}- {dep['spec']} (`{own}`)")
        out += dependency_lines(dep.get("depends", []), indent + "  ")
    return out
