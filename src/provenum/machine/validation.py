"""Model validation: each supported instruction form, run on this CPU and in the model.

`validate(cases, only)` draws `cases` random states per form (split over the
form's examples), runs them natively in one batch per example through the
harness, runs the model (`execute` over the concrete domain) on the same
bytes from the same states, and compares every GPR, every flag the model
defines, the vector state the CPU has (zmm0..31 and k0..7, ymm0..15 or
xmm0..15), the scratch memory and where control went.

An example whose instruction needs a feature this CPU lacks is not run: its
form reports the reason (`FormResult.skipped` when none of its examples
ran, `not_run` per example otherwise) and is never counted as passed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable

from provenum.isa.x86_64 import Instruction, execute
from provenum.isa.x86_64.registers import FLAG_BITS, FLAGS, GPR64

from . import harness as H
from .cases import make_record
from .concrete import ConcreteDomain
from .state import ConcreteState


@dataclass
class Snapshot:
    """The comparable part of a machine state after (or before) one instruction."""
    gprs: dict
    flags: dict                 # name -> 0/1, or None when undefined
    vecs: list
    masks: list
    scratch: bytes
    landed: int                 # harness landing code (0: elsewhere / not applicable)
    error: str | None = None    # the model raised instead of finishing


@dataclass
class Mismatch:
    form: str
    insn: Instruction
    before: Snapshot
    native: Snapshot
    model: Snapshot
    differences: list

    def report(self) -> str:
        return format_mismatch(self)


@dataclass
class FormResult:
    form: str
    cases: int = 0
    mismatches: int = 0
    examples: list = field(default_factory=list)
    first: list = field(default_factory=list)       # up to a few Mismatch objects
    not_run: dict = field(default_factory=dict)     # example -> why this CPU cannot run it

    @property
    def skipped(self) -> str | None:
        """Why the form was not run at all here (None when at least one example ran)."""
        if self.not_run and len(self.not_run) == len(self.examples):
            return "; ".join(sorted(set(self.not_run.values())))
        return None

    def as_dict(self) -> dict:
        d = {"form": self.form, "cases": self.cases, "mismatches": self.mismatches,
             "examples": list(self.examples)}
        if self.skipped:
            d["skipped"] = self.skipped
        elif self.not_run:
            d["examples_not_run"] = dict(self.not_run)
        return d


def snapshot_record(rec) -> Snapshot:
    g = lambda off, n: int.from_bytes(rec[off:off + n], "little")   # noqa: E731
    rflags = g(H.OFF_FLAGS, 8)
    return Snapshot(
        gprs={r: g(H.OFF_GPR + 8 * i, 8) for i, r in enumerate(GPR64)},
        flags={f: (rflags >> FLAG_BITS[f]) & 1 for f in FLAGS},
        vecs=[g(H.OFF_VEC + 64 * i, 64) for i in range(32)],
        masks=[g(H.OFF_MASK + 8 * i, 8) for i in range(8)],
        scratch=bytes(rec[H.OFF_SCRATCH:H.OFF_SCRATCH + H.SCRATCH]),
        landed=g(H.OFF_LANDED, 8),
    )


def state_from_record(rec, scratch_address: int, domain: ConcreteDomain) -> ConcreteState:
    snap = snapshot_record(rec)
    st = ConcreteState(domain)
    st.gprs = dict(snap.gprs)
    st.flags = dict(snap.flags)
    st.vecs = list(snap.vecs)
    st.masks = list(snap.masks)
    st.map(scratch_address, snap.scratch)
    return st


def run_model(stub: H.Stub, rec, scratch_address: int, domain: ConcreteDomain) -> Snapshot:
    st = state_from_record(rec, scratch_address, domain)
    insn = stub.insn
    st.rip = insn.address
    st.current = insn
    try:
        execute(st, insn)
    except Exception as e:          # any failure of the model is a mismatch, reported as such
        snap = snapshot_record(rec)
        snap.error = f"{type(e).__name__}: {e}"
        snap.landed = 0
        return snap
    landed = {insn.next_address: H.LANDED_NEXT, stub.near: H.LANDED_NEAR, stub.far: H.LANDED_FAR}.get(st.rip, 0)
    return Snapshot(dict(st.gprs), {f: st.flag(f) for f in FLAGS}, list(st.vecs), list(st.masks),
                    st.read_bytes(scratch_address, H.SCRATCH), landed)


def compare(native: Snapshot, model: Snapshot, vectors: H.VectorState | None = None) -> list[str]:
    """Differences as human-readable lines (empty: they agree), over the state the CPU has."""
    vectors = vectors or H.VectorState("zmm", 32, 512, True)
    if model.error:
        return [f"model raised {model.error}"]
    out = []
    for r in GPR64:
        if native.gprs[r] != model.gprs[r]:
            out.append(f"{r}: native {native.gprs[r]:#018x} model {model.gprs[r]:#018x}")
    for f in FLAGS:
        if model.flags[f] is not None and native.flags[f] != model.flags[f]:
            out.append(f"{f}: native {native.flags[f]} model {model.flags[f]}")
    keep = (1 << vectors.bits) - 1
    digits = vectors.bits // 4 + 2
    for i in range(vectors.count):
        a, b = native.vecs[i] & keep, model.vecs[i] & keep
        if a != b:
            out.append(f"{vectors.name}{i}: native {a:#0{digits}x}\n        model  {b:#0{digits}x}")
    for i in range(8 if vectors.masks else 0):
        if native.masks[i] != model.masks[i]:
            out.append(f"k{i}: native {native.masks[i]:#018x} model {model.masks[i]:#018x}")
    if native.scratch != model.scratch:
        diff = [j for j in range(len(native.scratch)) if native.scratch[j] != model.scratch[j]]
        lo, hi = diff[0], diff[-1] + 1
        out.append(f"memory scratch[{lo}:{hi}]: native {native.scratch[lo:hi].hex()} model {model.scratch[lo:hi].hex()}")
    if native.landed != model.landed:
        names = {0: "elsewhere", 1: "next instruction", 2: "near target", 3: "far target"}
        out.append(f"control: native went to {names.get(native.landed)}, model to {names.get(model.landed)}")
    return out


def validate(cases: int = 100, only: str | None = None, *, seed: int | None = None,
             domain: ConcreteDomain | None = None, harness: H.Harness | None = None,
             progress: Callable[[str, int], None] | None = None, keep: int = 3) -> list[FormResult]:
    """Validate every supported form (or those matching `only`) with `cases` cases each.

    `only`: a mnemonic ("adcx"), several separated by commas, or an exact form
    ("adcx r64, r64"). `progress(form, cases_done)` is called after each batch.
    Returns one FormResult per form, in catalogue order; each keeps up to
    `keep` mismatches (with states) in `.first`.
    """
    if cases < 1:
        raise ValueError("cases must be at least 1")
    harness = harness or H.Harness()
    domain = domain or ConcreteDomain()
    rng = random.Random(seed)
    stubs = [s for s in harness.stubs if _selected(s, only)]
    if not stubs:
        raise ValueError(f"no supported instruction form matches {only!r}")
    by_form: dict[str, list[H.Stub]] = {}
    for s in stubs:
        by_form.setdefault(s.form, []).append(s)
    results = []
    for form, form_stubs in by_form.items():
        res = FormResult(form, examples=[s.source for s in form_stubs])
        for s in form_stubs:
            reason = harness.skip_reason(s)
            if reason:
                res.not_run[s.source] = reason
        runnable = [s for s in form_stubs if s.source not in res.not_run]
        for i, stub in enumerate(runnable):
            n = cases // len(runnable) + (1 if i < cases % len(runnable) else 0)
            if n == 0:
                continue
            inputs = [make_record(rng, stub, harness.scratch) for _ in range(n)]
            batch = bytearray(b"".join(inputs))
            harness.run(stub, batch)
            for j, before in enumerate(inputs):
                after = batch[j * H.RECORD:(j + 1) * H.RECORD]
                native = snapshot_record(after)
                model = run_model(stub, before, harness.scratch, domain)
                diffs = compare(native, model, harness.vectors)
                res.cases += 1
                if diffs:
                    res.mismatches += 1
                    if len(res.first) < keep:
                        res.first.append(Mismatch(form, stub.insn, snapshot_record(before), native, model, diffs))
            if progress:
                progress(form, n)
        if res.skipped and progress:
            progress(form, cases)
        results.append(res)
    return results


def _selected(stub: H.Stub, only: str | None) -> bool:
    if not only:
        return True
    if " " in only.strip():
        return stub.form == only.strip()
    return stub.insn.mnemonic in {m.strip() for m in only.split(",")}


def count_selected(only: str | None, harness: H.Harness) -> int:
    return len({s.form for s in harness.stubs if _selected(s, only)})


# --- reporting ---------------------------------------------------------------------

def _regs_line(snap: Snapshot) -> str:
    gp = "  ".join(f"{r}={snap.gprs[r]:#x}" for r in GPR64)
    fl = " ".join(f"{f}={'?' if snap.flags[f] is None else snap.flags[f]}" for f in FLAGS)
    return f"{gp}\n    flags {fl}"


def _used_vectors(insn: Instruction) -> tuple[list[int], list[int]]:
    vecs, masks = [], []
    for op in insn.operands:
        if getattr(op, "kind", None) == "vec":
            vecs.append(op.index)
        elif getattr(op, "kind", None) == "mask":
            masks.append(op.index)
    if insn.mask:
        masks.append(insn.mask)
    return vecs, masks


def format_mismatch(m: Mismatch) -> str:
    insn = m.insn
    vecs, masks = _used_vectors(insn)
    lines = [f"MISMATCH in form '{m.form}': {insn.mnemonic} {insn.text}   (bytes {insn.code.hex()} at {insn.address:#x})"]
    for title, snap in (("before", m.before), ("native after", m.native), ("model after", m.model)):
        lines.append(f"  {title}:")
        if snap.error:
            lines.append(f"    model raised {snap.error}")
            continue
        lines.append("    " + _regs_line(snap))
        for i in vecs:
            lines.append(f"    zmm{i}={snap.vecs[i]:#x}")
        for i in masks:
            lines.append(f"    k{i}={snap.masks[i]:#x}")
    lines.append("  differences:")
    lines.extend("    " + d for d in m.differences)
    return "\n".join(lines)
