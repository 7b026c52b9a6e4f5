"""AArch64 model validation: each supported form, run by the machine and in the model.

`validate(cases, only)` draws `cases` random states per form (split over the
form's examples), runs them through the harness in one batch per example
(natively on an aarch64 host, under qemu-aarch64 elsewhere:
`Harness.executor`), runs the model (`execute` over the concrete domain) on
the same bytes from the same states, and compares x0..x30, sp, NZCV,
v0..v31, the scratch memory and where control went.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from provenum.isa.aarch64 import Instruction, VElem, VList, VReg, VScalar, execute
from provenum.isa.aarch64.registers import FLAG_BITS, FLAGS, GPR64

from ..concrete import ConcreteDomain
from ..validation import FormResult
from . import harness as H
from .cases import make_record
from .state import ConcreteState

_LANDINGS = {0: "elsewhere", 1: "next instruction", 2: "near target", 3: "far target"}


@dataclass
class Snapshot:
    """The comparable part of a machine state after (or before) one instruction."""
    gprs: dict
    flags: dict
    vecs: list
    scratch: bytes
    landed: int
    error: str | None = None


@dataclass
class Mismatch:
    form: str
    insn: Instruction
    executor: str
    before: Snapshot
    native: Snapshot
    model: Snapshot
    differences: list

    def report(self) -> str:
        return format_mismatch(self)


def snapshot_record(rec) -> Snapshot:
    g = lambda off, n: int.from_bytes(rec[off:off + n], "little")   # noqa: E731
    nzcv = g(H.OFF_NZCV, 8)
    gprs = {f"x{i}": g(H.OFF_GPR + 8 * i, 8) for i in range(31)}
    gprs["sp"] = g(H.OFF_SP, 8)
    return Snapshot(gprs, {f: (nzcv >> FLAG_BITS[f]) & 1 for f in FLAGS},
                    [g(H.OFF_VEC + 16 * i, 16) for i in range(32)],
                    bytes(rec[H.OFF_SCRATCH:H.OFF_SCRATCH + H.SCRATCH]), g(H.OFF_LANDED, 8))


def run_model(stub: H.Stub, rec, scratch: int, domain: ConcreteDomain) -> Snapshot:
    snap = snapshot_record(rec)
    st = ConcreteState(domain)
    st.gprs = dict(snap.gprs)
    st.flags = dict(snap.flags)
    st.vecs = list(snap.vecs)
    st.map(scratch, snap.scratch)
    insn = stub.insn
    st.pc = insn.address
    try:
        execute(st, insn)
    except Exception as e:          # any failure of the model is a mismatch, reported as such
        snap.error = f"{type(e).__name__}: {e}"
        snap.landed = 0
        return snap
    landed = {insn.next_address: H.LANDED_NEXT, stub.near: H.LANDED_NEAR, stub.far: H.LANDED_FAR}.get(st.pc, 0)
    return Snapshot(dict(st.gprs), dict(st.flags), list(st.vecs), st.read_bytes(scratch, H.SCRATCH), landed)


def compare(native: Snapshot, model: Snapshot) -> list[str]:
    """Differences as human-readable lines (empty: they agree)."""
    if model.error:
        return [f"model raised {model.error}"]
    out = [f"{r}: native {native.gprs[r]:#018x} model {model.gprs[r]:#018x}"
           for r in GPR64 if native.gprs[r] != model.gprs[r]]
    out += [f"{f}: native {native.flags[f]} model {model.flags[f]}" for f in FLAGS if native.flags[f] != model.flags[f]]
    out += [f"v{i}: native {native.vecs[i]:#034x} model {model.vecs[i]:#034x}"
            for i in range(32) if native.vecs[i] != model.vecs[i]]
    if native.scratch != model.scratch:
        diff = [j for j in range(len(native.scratch)) if native.scratch[j] != model.scratch[j]]
        lo, hi = diff[0], diff[-1] + 1
        out.append(f"memory scratch[{lo}:{hi}]: native {native.scratch[lo:hi].hex()} model {model.scratch[lo:hi].hex()}")
    if native.landed != model.landed:
        out.append(f"control: native went to {_LANDINGS.get(native.landed)}, model to {_LANDINGS.get(model.landed)}")
    return out


def selected(stub: H.Stub, only: str | None) -> bool:
    """`only`: mnemonics separated by commas, or one exact form."""
    if not only:
        return True
    if " " in only.strip():
        return stub.form == only.strip()
    return stub.insn.mnemonic in {m.strip() for m in only.split(",")}


def count_selected(only: str | None, harness: H.Harness) -> int:
    return len({s.form for s in harness.stubs if selected(s, only)})


def validate(cases: int = 100, only: str | None = None, *, seed: int | None = None,
             domain: ConcreteDomain | None = None, harness: H.Harness | None = None,
             progress: Callable[[str, int], None] | None = None, keep: int = 3) -> list[FormResult]:
    """Validate every supported A64 form (or those matching `only`) with `cases` cases each.

    Returns one FormResult per form, in catalogue order; each keeps up to
    `keep` mismatches (Mismatch, with states) in `.first`.
    """
    if cases < 1:
        raise ValueError("cases must be at least 1")
    own = harness is None
    harness = harness or H.Harness()
    domain = domain or ConcreteDomain()
    rng = random.Random(seed)
    try:
        stubs = [s for s in harness.stubs if selected(s, only)]
        if not stubs:
            raise ValueError(f"no supported instruction form matches {only!r}")
        by_form: dict[str, list[H.Stub]] = {}
        for s in stubs:
            by_form.setdefault(s.form, []).append(s)
        results = []
        for form, form_stubs in by_form.items():
            res = FormResult(form, examples=[s.source for s in form_stubs])
            for i, stub in enumerate(form_stubs):
                n = cases // len(form_stubs) + (1 if i < cases % len(form_stubs) else 0)
                if n == 0:
                    continue
                inputs = [make_record(rng, stub, harness.scratch) for _ in range(n)]
                batch = bytearray(b"".join(inputs))
                harness.run(stub, batch)
                for j, before in enumerate(inputs):
                    native = snapshot_record(batch[j * H.RECORD:(j + 1) * H.RECORD])
                    model = run_model(stub, before, harness.scratch, domain)
                    diffs = compare(native, model)
                    res.cases += 1
                    if diffs:
                        res.mismatches += 1
                        if len(res.first) < keep:
                            res.first.append(Mismatch(form, stub.insn, harness.executor, snapshot_record(before),
                                                      native, model, diffs))
                if progress:
                    progress(form, n)
            results.append(res)
        return results
    finally:
        if own:
            harness.close()


# --- reporting ---------------------------------------------------------------------

def _used_vectors(insn: Instruction) -> list[int]:
    out = []
    for op in insn.operands:
        if isinstance(op, (VReg, VElem, VScalar)):
            out.append(op.index)
        elif isinstance(op, VList):
            out.extend(r.index for r in op.regs)
    return out


def format_mismatch(m: Mismatch) -> str:
    insn = m.insn
    lines = [f"MISMATCH in form '{m.form}': {insn.mnemonic} {insn.text}   "
             f"(bytes {insn.code.hex()} at {insn.address:#x}, executor {m.executor})"]
    for title, snap in (("before", m.before), (f"{m.executor} after", m.native), ("model after", m.model)):
        lines.append(f"  {title}:")
        if snap.error:
            lines.append(f"    model raised {snap.error}")
            continue
        regs = "  ".join(f"{r}={snap.gprs[r]:#x}" for r in GPR64)
        lines.append(f"    {regs}")
        lines.append("    flags " + " ".join(f"{f}={snap.flags[f]}" for f in FLAGS))
        lines.extend(f"    v{i}={snap.vecs[i]:#034x}" for i in _used_vectors(insn))
    lines.append("  differences:")
    lines.extend("    " + d for d in m.differences)
    return "\n".join(lines)
