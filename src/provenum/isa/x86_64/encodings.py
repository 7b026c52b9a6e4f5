"""Encoding signatures: what an instruction's prefixes say, and which ones validation ran.

Two byte sequences capstone decodes to the same form need not do the same
thing on every CPU: `66 0f 85 rel32` is a 7-byte `jne` for Intel but AMD
honours the operand-size prefix and runs a 5-byte `jne rel16`; `66 6a ib`
pushes 2 bytes, not 8; any legacy prefix before a VEX or EVEX instruction is
#UD. So the decoder accepts an instruction only when the *signature* of its
bytes -- every legacy prefix in order, REX.W, and for VEX/EVEX the fields of
that prefix (map, W, L, pp; EVEX also z, b and whether an opmask is used) --
is one that `provenum validate-model` runs for its form on the CPU: the
signatures of the form's examples (forms.py), recorded in
`validated_encodings.py`.

That table is generated from the examples as the assembler encodes them;
after adding or changing an example in forms.py, regenerate it with

    python -m provenum.isa.x86_64

(tests/isa/x86_64 checks it is current).
"""
from __future__ import annotations

from .instruction import DecodeError

LEGACY_PREFIXES = {0x66: "66 (operand size)", 0x67: "67 (address size)", 0xF0: "f0 (lock)", 0xF2: "f2 (repne)",
                   0xF3: "f3 (rep)", 0x2E: "2e (cs)", 0x36: "36 (ss)", 0x3E: "3e (ds)", 0x26: "26 (es)",
                   0x64: "64 (fs)", 0x65: "65 (gs)"}
_MAPS = {1: "0f", 2: "0f38", 3: "0f3a"}
_PP = {0: "", 1: "66", 2: "f3", 3: "f2"}


def signature(code: bytes, address: int = 0) -> tuple:
    """The encoding signature of the instruction at the start of `code`.

    ("legacy", prefixes, rex_w) | ("vex", prefixes, rex, map, W, L, pp) |
    ("evex", prefixes, rex, map, W, L'L, pp, z, b, masked). DecodeError for a
    REX prefix the CPU would ignore (one not directly before the opcode).
    """
    i, legacy = 0, []
    while i < len(code) and code[i] in LEGACY_PREFIXES:
        legacy.append(code[i])
        i += 1
    rex = None
    if i < len(code) and 0x40 <= code[i] <= 0x4F:
        rex = code[i]
        i += 1
        if i < len(code) and (code[i] in LEGACY_PREFIXES or 0x40 <= code[i] <= 0x4F):
            raise DecodeError(f"REX prefix {rex:02x} not directly before the opcode (the CPU ignores it) at "
                              f"{address:#x} (bytes {bytes(code[:15]).hex()})", address=address, code=code[:15])
    prefixes = tuple(legacy)
    b = code[i] if i < len(code) else None
    if b in (0xC4, 0xC5) and i + 2 < len(code):
        if b == 0xC5:
            p = code[i + 1]
            return ("vex", prefixes, rex is not None, 1, 0, (p >> 2) & 1, p & 3)
        p0, p1 = code[i + 1], code[i + 2]
        return ("vex", prefixes, rex is not None, p0 & 0x1F, p1 >> 7, (p1 >> 2) & 1, p1 & 3)
    if b == 0x62 and i + 3 < len(code):
        p0, p1, p2 = code[i + 1], code[i + 2], code[i + 3]
        return ("evex", prefixes, rex is not None, p0 & 7, p1 >> 7, (p2 >> 5) & 3, p1 & 3, p2 >> 7,
                (p2 >> 4) & 1, int(bool(p2 & 7)))
    return ("legacy", prefixes, (rex >> 3) & 1 if rex is not None else 0)


def describe(sig: tuple) -> str:
    """A signature for people, e.g. "prefix 66 (operand size), REX.W=1"."""
    kind, prefixes = sig[0], sig[1]
    pre = ", ".join(LEGACY_PREFIXES[p] for p in prefixes)
    pre = f"prefix {pre}" if len(prefixes) == 1 else f"prefixes {pre}" if prefixes else "no legacy prefix"
    if kind == "legacy":
        return f"{pre}, REX.W={sig[2]}"
    rex = ", REX" if sig[2] else ""
    fields = f"map {_MAPS.get(sig[3], sig[3])} W{sig[4]} L{sig[5]} pp {_PP[sig[6]] or 'none'}"
    if kind == "evex":
        fields += f" z{sig[7]} b{sig[8]} {'masked' if sig[9] else 'unmasked'}"
    return f"{kind.upper()} {fields}; {pre}{rex}"


def check(form: str, sig: tuple, mnemonic: str, address: int, code: bytes) -> None:
    """DecodeError unless validation runs this encoding of `form`."""
    from .validated_encodings import VALIDATED

    ok = VALIDATED.get(form, ())
    if sig in ok:
        return
    if sig[0] in ("vex", "evex") and (sig[1] or sig[2]):
        what = f"legacy or REX prefix before a {sig[0].upper()} instruction (#UD on x86 CPUs)"
    else:
        what = f"encoding ({describe(sig)}) of '{form}' is not one validation runs"
    runs = "; ".join(describe(s) for s in ok) or "none (regenerate validated_encodings.py?)"
    raise DecodeError(f"{what} (validated: {runs}): {mnemonic} at {address:#x} (bytes {bytes(code).hex()})",
                      mnemonic=mnemonic, address=address, code=code)


# --- generating the table ------------------------------------------------------------

def example_encodings() -> dict[str, list[tuple]]:
    """form -> the signatures of its examples, as the assembler encodes them (needs gcc)."""
    from elftools.elf.elffile import ELFFile

    from ...machine.harness import VectorState, build_harness, harness_examples
    from .decode import decode_one

    # the examples assemble alike around any vector state; the widest builds every form (nothing runs)
    path = build_harness(VectorState.for_features({"avx512f"}))
    with open(path, "rb") as f:
        elf = ELFFile(f)
        symbols = {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()}
        text = elf.get_section_by_name(".text")
        data, base = text.data(), text["sh_addr"]
    out: dict[str, list[tuple]] = {}
    for n, (form, example) in enumerate(harness_examples()):
        start, end = symbols[f"pv_insn_{n}"], symbols[f"pv_after_{n}"]
        code = data[start - base:end - base]
        insn = decode_one(code, start, check_encoding=False)
        if insn.size != len(code) or insn.form != form:
            raise ValueError(f"example {example!r} of {form!r} decodes as {insn.form!r}")
        sig = signature(code, start)
        out.setdefault(form, [])
        if sig not in out[form]:
            out[form].append(sig)
    return out


def _literal(sig: tuple) -> str:
    prefixes = "(" + "".join(f"0x{p:02x}, " for p in sig[1]).rstrip(" ") + ")"
    return "(" + ", ".join([repr(sig[0]), prefixes] + [repr(x) for x in sig[2:]]) + ")"


def table_source(encodings: dict[str, list[tuple]]) -> str:
    lines = ['"""Encoding signatures validation runs, per form (generated by `python -m provenum.isa.x86_64`',
             'from the examples in forms.py; do not edit). See encodings.py."""', "",
             "VALIDATED = {"]
    for form in sorted(encodings):
        sigs = ", ".join(_literal(s) for s in sorted(encodings[form]))
        lines.append(f"    {form!r}: frozenset({{{sigs}}}),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    from pathlib import Path

    path = Path(__file__).with_name("validated_encodings.py")
    path.write_text(table_source(example_encodings()))
    print(f"wrote {path}")
