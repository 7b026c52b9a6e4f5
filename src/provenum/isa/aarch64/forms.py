"""The catalogue of supported A64 instruction forms, each with example assembly.

A form is the mnemonic capstone prints (aliases included: cmp, cset, lsl,
mul, mov ...) plus operand kinds, e.g. "adds x, x, x, lsl #imm",
"ldp q, q, [x], #imm", "umlal2 v.2d, v.4s, v.4s". Register kinds: x and w
are x0..x30/w0..w30 and the zero register, sp/wsp the stack pointer;
v.2d a vector register with its arrangement, v.d[i] one element, q/d/s a
scalar view. The decoder accepts exactly these forms (anything else is a
DecodeError), and `provenum validate-model --isa aarch64` runs every
example of every form natively or under qemu-aarch64 and in the model. To
support a new form, add it here with examples (GNU as syntax); the harness
checks that each example decodes to its form.

Examples may use any register (x30 and sp included) and memory through any
base register: the validator places the base so the access lands in its
scratch buffer; sp stays 16-byte aligned, so sp-based offsets must keep the
access within 256 bytes of it. Branches target the labels TARGET and
TARGET_NEAR, which the harness provides.
"""
from __future__ import annotations

from .registers import CONDITION_CODES

FORMS: dict[str, list[str]] = {}


def _form(form: str, *examples: str) -> None:
    assert form not in FORMS, form
    assert examples, form
    FORMS[form] = list(examples)


BRANCH_CONDITIONS = tuple(c for c in CONDITION_CODES if c not in ("al", "nv"))
BRANCHES = frozenset({"b", "bl", "cbz", "cbnz", "tbz", "tbnz"} | {f"b.{c}" for c in CONDITION_CODES})
LOADS = frozenset({"ldr", "ldur", "ldp", "ld1"})
STORES = frozenset({"str", "stur", "stp", "st1"})

# --- add / subtract ------------------------------------------------------------------
for m in ("add", "adds", "sub", "subs"):
    # (sub with the zero register as first source is printed as neg)
    _form(f"{m} x, x, x", f"{m} x0, x1, x2", f"{m} x9, x9, x30", f"{m} x3, x4, xzr", f"{m} x5, x6, x6")
    _form(f"{m} w, w, w", f"{m} w0, w1, w2", f"{m} w7, w7, w30", f"{m} w3, w4, wzr")
    for sh in ("lsl", "lsr", "asr"):
        _form(f"{m} x, x, x, {sh} #imm", f"{m} x0, x1, x2, {sh} #3", f"{m} x10, x11, x12, {sh} #63",
              f"{m} x13, x13, x14, {sh} #32")
        _form(f"{m} w, w, w, {sh} #imm", f"{m} w0, w1, w2, {sh} #1", f"{m} w10, w11, w12, {sh} #31")
    _form(f"{m} x, x, #imm", f"{m} x0, x1, #1", f"{m} x2, x3, #4095", f"{m} x4, x4, #0", f"{m} x30, x29, #300")
    _form(f"{m} x, x, #imm, lsl #imm", f"{m} x0, x1, #1, lsl #12", f"{m} x5, x6, #4095, lsl #12")
    _form(f"{m} w, w, #imm", f"{m} w0, w1, #1", f"{m} w2, w3, #4095")
    _form(f"{m} x, sp, #imm", f"{m} x0, sp, #16", f"{m} x29, sp, #0x30")
    _form(f"{m} x, x, w, uxtw", f"{m} x0, x1, w2, uxtw", f"{m} x3, x4, w4, uxtw")
    _form(f"{m} x, x, w, sxtw", f"{m} x0, x1, w2, sxtw", f"{m} x5, x6, w7, sxtw")
    _form(f"{m} x, x, w, uxtw #imm", f"{m} x0, x1, w2, uxtw #3", f"{m} x8, x9, w10, uxtw #1")
    _form(f"{m} x, x, w, sxtw #imm", f"{m} x0, x1, w2, sxtw #2", f"{m} x8, x9, w10, sxtw #4")
    _form(f"{m} x, sp, x", f"{m} x0, sp, x1", f"{m} x2, sp, x2")
    _form(f"{m} x, sp, x, lsl #imm", f"{m} x0, sp, x1, lsl #3")
for m in ("add", "sub"):
    _form(f"{m} sp, sp, #imm", f"{m} sp, sp, #16", f"{m} sp, sp, #0x40", f"{m} sp, sp, #8")
    _form(f"{m} sp, sp, #imm, lsl #imm", f"{m} sp, sp, #1, lsl #12")
    _form(f"{m} sp, x, #imm", f"{m} sp, x1, #32", f"{m} sp, x29, #16")
    _form(f"{m} sp, sp, x", f"{m} sp, sp, x1")
_form("cmp sp, #imm", "cmp sp, #16")

for m in ("adc", "adcs", "sbc", "sbcs"):
    # (sbc with the zero register as first source is printed as ngc)
    _form(f"{m} x, x, x", f"{m} x0, x1, x2", f"{m} x9, x9, x30", f"{m} x5, x6, xzr", f"{m} x7, x8, x8")
    _form(f"{m} w, w, w", f"{m} w0, w1, w2", f"{m} w3, w4, wzr")
for m in ("neg", "negs"):
    _form(f"{m} x, x", f"{m} x0, x1", f"{m} x2, x2")
    _form(f"{m} w, w", f"{m} w0, w1")
    _form(f"{m} x, x, lsl #imm", f"{m} x0, x1, lsl #2", f"{m} x3, x4, lsl #63")
    _form(f"{m} x, x, asr #imm", f"{m} x0, x1, asr #5")
for m in ("ngc", "ngcs"):
    _form(f"{m} x, x", f"{m} x0, x1", f"{m} x2, x2")
    _form(f"{m} w, w", f"{m} w0, w1")
for m in ("cmp", "cmn"):
    _form(f"{m} x, x", f"{m} x0, x1", f"{m} x2, x2", f"{m} x3, xzr", f"{m} x30, x29")
    _form(f"{m} w, w", f"{m} w0, w1", f"{m} w2, wzr")
    _form(f"{m} x, x, lsl #imm", f"{m} x0, x1, lsl #3", f"{m} x2, x3, lsl #63")
    _form(f"{m} x, x, lsr #imm", f"{m} x0, x1, lsr #32")
    _form(f"{m} x, x, asr #imm", f"{m} x0, x1, asr #1")
    _form(f"{m} x, #imm", f"{m} x0, #0", f"{m} x1, #1", f"{m} x2, #4095")
    _form(f"{m} x, #imm, lsl #imm", f"{m} x0, #1, lsl #12")
    _form(f"{m} w, #imm", f"{m} w0, #0", f"{m} w1, #4095")
    _form(f"{m} x, w, uxtw", f"{m} x0, w1, uxtw")
    _form(f"{m} x, w, sxtw", f"{m} x0, w1, sxtw")

# --- logic --------------------------------------------------------------------------
for m in ("and", "ands", "orr", "eor", "bic", "bics", "orn", "eon"):
    # (orr/orn with the zero register as first source are printed as mov/mvn)
    _form(f"{m} x, x, x", f"{m} x0, x1, x2", f"{m} x9, x9, x30", f"{m} x3, x4, xzr", f"{m} x5, x6, x6")
    _form(f"{m} w, w, w", f"{m} w0, w1, w2", f"{m} w3, w4, w4")
    for sh in ("lsl", "lsr", "asr", "ror"):
        _form(f"{m} x, x, x, {sh} #imm", f"{m} x0, x1, x2, {sh} #3", f"{m} x10, x11, x12, {sh} #63")
    _form(f"{m} w, w, w, lsl #imm", f"{m} w0, w1, w2, lsl #5")
    _form(f"{m} w, w, w, ror #imm", f"{m} w0, w1, w2, ror #31")
for m in ("and", "ands", "orr", "eor"):
    _form(f"{m} x, x, #imm", f"{m} x0, x1, #0xff", f"{m} x2, x3, #0xff00ff00ff00ff00", f"{m} x4, x4, #1",
          f"{m} x5, x6, #0x8000000000000000", f"{m} x7, x8, #0xfffffffffffffffe")
    _form(f"{m} w, w, #imm", f"{m} w0, w1, #0xff", f"{m} w2, w3, #0x80000001")
_form("and sp, x, #imm", "and sp, x1, #0xfffffffffffffff0")
_form("tst x, x", "tst x0, x1", "tst x2, x2")
_form("tst w, w", "tst w0, w1")
_form("tst x, x, lsl #imm", "tst x0, x1, lsl #3")
_form("tst x, x, ror #imm", "tst x0, x1, ror #60")
_form("tst x, #imm", "tst x0, #1", "tst x1, #0x8000000000000000", "tst x2, #0xffff")
_form("tst w, #imm", "tst w0, #0x80000000")

# --- moves ---------------------------------------------------------------------------
_form("mov x, x", "mov x0, x1", "mov x30, x2", "mov x3, xzr")
_form("mov w, w", "mov w0, w1", "mov w3, wzr")
_form("mov x, sp", "mov x0, sp", "mov x29, sp")
_form("mov sp, x", "mov sp, x0", "mov sp, x29")
_form("mov x, #imm", "mov x0, #5", "mov x1, #-5", "mov x2, #0x10000", "mov x3, #0xffff000000000000",
      "mov x4, #0xff00ff00ff00ff00", "mov x5, #0", "movn x6, #0x1234, lsl #16", "movz x7, #0xbeef, lsl #32")
_form("mov w, #imm", "mov w0, #5", "mov w1, #-1", "mov w2, #0xffff0000", "mov w3, #0x0f0f0f0f")
_form("movz x, #imm, lsl #imm", "movz x0, #0, lsl #16", "movz x1, #0, lsl #48")
_form("movn x, #imm, lsl #imm", "movn x0, #0, lsl #32")
_form("movn w, #imm", "movn w0, #0xffff")
_form("movk x, #imm", "movk x0, #0x1234", "movk x1, #0xffff")
_form("movk x, #imm, lsl #imm", "movk x0, #0x1234, lsl #16", "movk x1, #0xffff, lsl #48", "movk x2, #7, lsl #32")
_form("movk w, #imm", "movk w0, #0xabcd")
_form("movk w, #imm, lsl #imm", "movk w0, #0xabcd, lsl #16")
_form("mvn x, x", "mvn x0, x1", "mvn x2, x2")
_form("mvn w, w", "mvn w0, w1")
_form("mvn x, x, lsl #imm", "mvn x0, x1, lsl #7")

# --- shifts and bitfields ----------------------------------------------------------------
for m in ("lsl", "lsr", "asr", "ror"):
    _form(f"{m} x, x, #imm", f"{m} x0, x1, #1", f"{m} x2, x3, #63", f"{m} x4, x4, #32")
    _form(f"{m} w, w, #imm", f"{m} w0, w1, #1", f"{m} w2, w3, #31")
    _form(f"{m} x, x, x", f"{m} x0, x1, x2", f"{m} x3, x3, x3", f"{m} x4, x5, x30")
    _form(f"{m} w, w, w", f"{m} w0, w1, w2", f"{m} w3, w4, w4")
_form("extr x, x, x, #imm", "extr x0, x1, x2, #1", "extr x3, x4, x5, #63", "extr x6, x7, x8, #32", "extr x9, x9, x10, #13")
_form("extr w, w, w, #imm", "extr w0, w1, w2, #1", "extr w3, w4, w5, #31")
# (examples avoid the lsb/width pairs that are printed as lsl, lsr, asr, ubfx or bfxil)
for m in ("ubfx", "sbfx", "bfxil"):
    _form(f"{m} x, x, #imm, #imm", f"{m} x0, x1, #3, #8", f"{m} x2, x3, #0, #63", f"{m} x4, x5, #32, #31",
          f"{m} x6, x6, #60, #3", f"{m} x7, x8, #1, #1")
    _form(f"{m} w, w, #imm, #imm", f"{m} w0, w1, #3, #8", f"{m} w2, w3, #16, #15", f"{m} w4, w5, #0, #31")
for m in ("ubfiz", "sbfiz", "bfi"):
    _form(f"{m} x, x, #imm, #imm", f"{m} x0, x1, #3, #8", f"{m} x2, x3, #1, #62", f"{m} x4, x5, #32, #31",
          f"{m} x6, x6, #62, #1", f"{m} x7, x8, #60, #3")
    _form(f"{m} w, w, #imm, #imm", f"{m} w0, w1, #3, #8", f"{m} w2, w3, #16, #15", f"{m} w4, w5, #1, #30")
_form("uxtb w, w", "uxtb w0, w1")
_form("uxth w, w", "uxth w0, w1")
_form("sxtb x, w", "sxtb x0, w1")
_form("sxth x, w", "sxth x0, w1")
_form("sxtw x, w", "sxtw x0, w1", "sxtw x2, w2")
_form("sxtb w, w", "sxtb w0, w1")
_form("sxth w, w", "sxth w0, w1")

# --- conditional select and compare ----------------------------------------------------------
_CONDS = ("eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le")
for m in ("csel", "csinc", "csinv", "csneg"):
    _form(f"{m} x, x, x, cond", *[f"{m} x{i}, x{i + 1}, x{i + 2}, {c}" for i, c in enumerate(_CONDS[:12])],
          f"{m} x0, x0, xzr, gt", f"{m} x1, xzr, x2, le", f"{m} x3, x4, x5, al")
    _form(f"{m} w, w, w, cond", f"{m} w0, w1, w2, eq", f"{m} w3, w4, w5, hi", f"{m} w6, w7, wzr, lt")
for m in ("cset", "csetm"):
    _form(f"{m} x, cond", *[f"{m} x{i}, {c}" for i, c in enumerate(_CONDS)])
    _form(f"{m} w, cond", f"{m} w0, eq", f"{m} w1, lo", f"{m} w2, gt")
for m in ("cinc", "cinv", "cneg"):
    _form(f"{m} x, x, cond", *[f"{m} x{i}, x{i + 1}, {c}" for i, c in enumerate(_CONDS[::2])], f"{m} x20, x20, ne")
    _form(f"{m} w, w, cond", f"{m} w0, w1, hs", f"{m} w2, w3, le")
for m in ("ccmp", "ccmn"):
    _form(f"{m} x, x, #imm, cond", f"{m} x0, x1, #0, eq", f"{m} x2, x3, #15, ne", f"{m} x4, x4, #4, hs",
          f"{m} x5, x6, #2, lt", f"{m} x7, xzr, #9, gt", f"{m} x8, x9, #1, al")
    _form(f"{m} x, #imm, #imm, cond", f"{m} x0, #0, #0, eq", f"{m} x1, #31, #15, ne", f"{m} x2, #1, #8, hi")
    _form(f"{m} w, w, #imm, cond", f"{m} w0, w1, #3, mi", f"{m} w2, w3, #12, pl")
    _form(f"{m} w, #imm, #imm, cond", f"{m} w0, #5, #6, vs")

# --- multiplies -----------------------------------------------------------------------------
for m in ("mul", "mneg"):
    _form(f"{m} x, x, x", f"{m} x0, x1, x2", f"{m} x3, x3, x3", f"{m} x4, x5, xzr")
    _form(f"{m} w, w, w", f"{m} w0, w1, w2")
for m in ("madd", "msub"):
    _form(f"{m} x, x, x, x", f"{m} x0, x1, x2, x3", f"{m} x4, x4, x5, x4", f"{m} x6, x7, x7, x8")
    _form(f"{m} w, w, w, w", f"{m} w0, w1, w2, w3")
for m in ("umulh", "smulh"):
    _form(f"{m} x, x, x", f"{m} x0, x1, x2", f"{m} x3, x3, x3", f"{m} x4, x5, x4", f"{m} x6, x7, xzr")
for m in ("umull", "smull", "umnegl", "smnegl"):
    _form(f"{m} x, w, w", f"{m} x0, w1, w2", f"{m} x3, w3, w3")
for m in ("umaddl", "umsubl", "smaddl", "smsubl"):
    _form(f"{m} x, w, w, x", f"{m} x0, w1, w2, x3", f"{m} x4, w4, w5, x4")

# --- loads and stores ---------------------------------------------------------------------------
for m in ("ldr", "str"):
    for r, size, (o1, o2) in (("x", 8, (8, 32760)), ("w", 4, (4, 16380)), ("q", 16, (16, 64)), ("d", 8, (8, 248))):
        _form(f"{m} {r}, [x]", f"{m} {r}0, [x1]", f"{m} {r}2, [sp]", f"{m} {r}30, [x29]")
        _form(f"{m} {r}, [x, #imm]", f"{m} {r}0, [x1, #{o1}]", f"{m} {r}2, [x3, #{o2}]", f"{m} {r}4, [sp, #{size * 2}]")
        _form(f"{m} {r}, [x, #imm]!", f"{m} {r}0, [x1, #{o1}]!", f"{m} {r}2, [x3, #-{size}]!",
              f"{m} {r}4, [sp, #-{max(size, 16)}]!", f"{m} {r}5, [x6, #255]!")
        _form(f"{m} {r}, [x], #imm", f"{m} {r}0, [x1], #{o1}", f"{m} {r}2, [x3], #-{size}", f"{m} {r}4, [sp], #16",
              f"{m} {r}5, [x6], #-256")
        _form(f"{m} {r}, [x, x]", f"{m} {r}0, [x1, x2]", f"{m} {r}3, [sp, x4]")
        lg = size.bit_length() - 1
        _form(f"{m} {r}, [x, x, lsl #imm]", f"{m} {r}0, [x1, x2, lsl #{lg}]", f"{m} {r}3, [x4, x5, lsl #{lg}]")
        _form(f"{m} {r}, [x, w, uxtw #imm]", f"{m} {r}0, [x1, w2, uxtw #{lg}]")
        _form(f"{m} {r}, [x, w, sxtw #imm]", f"{m} {r}0, [x1, w2, sxtw #{lg}]")
for m in ("ldur", "stur"):
    for r in ("x", "w", "q", "d"):
        _form(f"{m} {r}, [x, #imm]", f"{m} {r}0, [x1, #-8]", f"{m} {r}2, [x3, #3]", f"{m} {r}4, [x5, #-256]",
              f"{m} {r}6, [sp, #-16]")
for m in ("ldp", "stp"):
    for r, size in (("x", 8), ("w", 4), ("q", 16), ("d", 8)):
        _form(f"{m} {r}, {r}, [x]", f"{m} {r}0, {r}1, [x2]", f"{m} {r}19, {r}20, [sp]")
        _form(f"{m} {r}, {r}, [x, #imm]", f"{m} {r}0, {r}1, [x2, #{2 * size}]", f"{m} {r}3, {r}4, [x5, #-{2 * size}]",
              f"{m} {r}6, {r}7, [sp, #{size * 4}]")
        _form(f"{m} {r}, {r}, [x, #imm]!", f"{m} {r}0, {r}1, [x2, #{2 * size}]!", f"{m} {r}29, {r}30, [sp, #-{max(2 * size, 16)}]!",
              f"{m} {r}3, {r}4, [x5, #-{8 * size}]!")
        _form(f"{m} {r}, {r}, [x], #imm", f"{m} {r}0, {r}1, [x2], #{2 * size}", f"{m} {r}29, {r}30, [sp], #{max(2 * size, 16)}",
              f"{m} {r}3, {r}4, [x5], #-{4 * size}")
for m in ("ld1", "st1"):
    for arr in ("2d", "4s", "16b"):
        for n in (1, 2, 3, 4):
            regs = ", ".join(f"v.{arr}" for _ in range(n))
            ex = lambda first: ", ".join(f"v{(first + k) % 32}.{arr}" for k in range(n))  # noqa: E731
            _form(f"{m} {{{regs}}}, [x]", f"{m} {{{ex(0)}}}, [x1]", f"{m} {{{ex(30)}}}, [x2]")
            _form(f"{m} {{{regs}}}, [x], #imm", f"{m} {{{ex(4)}}}, [x1], #{16 * n}", f"{m} {{{ex(20)}}}, [sp], #{16 * n}")
    _form(f"{m} {{v.2d}}, [x], x", f"{m} {{v0.2d}}, [x1], x2", f"{m} {{v3.2d}}, [x4], x4")
    _form(f"{m} {{v.2d, v.2d}}, [x], x", f"{m} {{v0.2d, v1.2d}}, [x1], x2")

# --- control ----------------------------------------------------------------------------------------
_form("b label", "b TARGET", "b TARGET_NEAR")
_form("bl label", "bl TARGET")
_form("ret", "ret")
for c in BRANCH_CONDITIONS:
    _form(f"b.{c} label", f"b.{c} TARGET", f"b.{c} TARGET_NEAR")
for m in ("cbz", "cbnz"):
    _form(f"{m} x, label", f"{m} x0, TARGET", f"{m} x30, TARGET_NEAR")
    _form(f"{m} w, label", f"{m} w1, TARGET")
for m in ("tbz", "tbnz"):
    # (a bit below 32 is printed with the w register)
    _form(f"{m} x, #imm, label", f"{m} x0, #32, TARGET", f"{m} x1, #63, TARGET_NEAR", f"{m} x30, #45, TARGET")
    _form(f"{m} w, #imm, label", f"{m} w0, #31, TARGET", f"{m} w1, #7, TARGET", f"{m} w2, #0, TARGET_NEAR")
_form("nop", "nop")

# --- Neon: multiplies --------------------------------------------------------------------------------
for m in ("umull", "umlal", "umlsl", "smull", "smlal"):
    _form(f"{m} v.2d, v.2s, v.2s", f"{m} v0.2d, v1.2s, v2.2s", f"{m} v3.2d, v3.2s, v3.2s", f"{m} v31.2d, v30.2s, v29.2s")
    _form(f"{m}2 v.2d, v.4s, v.4s", f"{m}2 v0.2d, v1.4s, v2.4s", f"{m}2 v4.2d, v5.4s, v5.4s")
    _form(f"{m} v.4s, v.4h, v.4h", f"{m} v0.4s, v1.4h, v2.4h")
    _form(f"{m}2 v.4s, v.8h, v.8h", f"{m}2 v0.4s, v1.8h, v2.8h")
    _form(f"{m} v.2d, v.2s, v.s[i]", f"{m} v0.2d, v1.2s, v2.s[0]", f"{m} v3.2d, v4.2s, v5.s[3]")
    _form(f"{m}2 v.2d, v.4s, v.s[i]", f"{m}2 v0.2d, v1.4s, v2.s[1]", f"{m}2 v3.2d, v4.4s, v15.s[2]")
for m in ("mul", "mla", "mls"):
    for arr in ("4s", "2s", "8h", "16b"):
        _form(f"{m} v.{arr}, v.{arr}, v.{arr}", f"{m} v0.{arr}, v1.{arr}, v2.{arr}", f"{m} v3.{arr}, v3.{arr}, v4.{arr}")
    _form(f"{m} v.4s, v.4s, v.s[i]", f"{m} v0.4s, v1.4s, v2.s[0]", f"{m} v3.4s, v4.4s, v5.s[3]")
for m in ("add", "sub"):
    for arr in ("2d", "4s", "2s", "8h", "16b"):
        _form(f"{m} v.{arr}, v.{arr}, v.{arr}", f"{m} v0.{arr}, v1.{arr}, v2.{arr}", f"{m} v3.{arr}, v3.{arr}, v3.{arr}")
    _form(f"{m} d, d, d", f"{m} d0, d1, d2", f"{m} d31, d31, d30")
_form("addp v.2d, v.2d, v.2d", "addp v0.2d, v1.2d, v2.2d", "addp v3.2d, v3.2d, v3.2d")
_form("addp v.4s, v.4s, v.4s", "addp v0.4s, v1.4s, v2.4s")
_form("addp d, v.2d", "addp d0, v1.2d", "addp d2, v2.2d")
_form("uaddlp v.2d, v.4s", "uaddlp v0.2d, v1.4s", "uaddlp v2.2d, v2.4s")
_form("uadalp v.2d, v.4s", "uadalp v0.2d, v1.4s", "uadalp v2.2d, v2.4s")

# --- Neon: logic and moves -------------------------------------------------------------------------
for m in ("and", "orr", "eor", "bic", "orn", "bsl", "bit", "bif"):
    _form(f"{m} v.16b, v.16b, v.16b", f"{m} v0.16b, v1.16b, v2.16b", f"{m} v3.16b, v3.16b, v4.16b")
    _form(f"{m} v.8b, v.8b, v.8b", f"{m} v0.8b, v1.8b, v2.8b")
_form("mvn v.16b, v.16b", "mvn v0.16b, v1.16b", "not v2.16b, v2.16b")
_form("mov v.16b, v.16b", "mov v0.16b, v1.16b", "mov v31.16b, v0.16b")
_form("mov v.8b, v.8b", "mov v0.8b, v1.8b")
_form("movi v.2d, #imm", "movi v0.2d, #0", "movi v1.2d, #0xffffffff00000000", "movi v2.2d, #0xff00ff0000ff00ff")
_form("movi v.4s, #imm", "movi v0.4s, #1", "movi v1.4s, #0xff")
_form("movi v.4s, #imm, lsl #imm", "movi v0.4s, #0xff, lsl #8", "movi v1.4s, #0x80, lsl #24")
_form("movi v.16b, #imm", "movi v0.16b, #0xff", "movi v1.16b, #0x5a")
_form("movi d, #imm", "movi d0, #0xff00ff00ff00ff00", "movi d1, #0")
_form("dup v.2d, x", "dup v0.2d, x1", "dup v2.2d, xzr")
_form("dup v.4s, w", "dup v0.4s, w1")
_form("dup v.2d, v.d[i]", "dup v0.2d, v1.d[0]", "dup v2.2d, v2.d[1]")
_form("dup v.4s, v.s[i]", "dup v0.4s, v1.s[0]", "dup v2.4s, v3.s[3]")
_form("mov d, v.d[i]", "mov d0, v1.d[1]", "dup d2, v2.d[0]")
_form("mov s, v.s[i]", "mov s0, v1.s[3]")
_form("mov v.d[i], x", "mov v0.d[0], x1", "ins v2.d[1], x3", "mov v4.d[1], xzr")
_form("mov v.s[i], w", "mov v0.s[0], w1", "ins v2.s[3], w3")
_form("mov v.d[i], v.d[i]", "mov v0.d[1], v1.d[0]", "ins v2.d[0], v2.d[1]", "mov v3.d[1], v4.d[1]")
_form("mov v.s[i], v.s[i]", "mov v0.s[1], v1.s[0]", "ins v2.s[3], v3.s[2]")
_form("mov x, v.d[i]", "mov x0, v1.d[0]", "umov x2, v3.d[1]")
_form("mov w, v.s[i]", "mov w0, v1.s[0]", "umov w2, v3.s[3]")
_form("umov w, v.h[i]", "umov w0, v1.h[0]", "umov w2, v3.h[7]")
_form("umov w, v.b[i]", "umov w0, v1.b[0]", "umov w2, v3.b[15]")
_form("fmov d, x", "fmov d0, x1", "fmov d2, xzr")
_form("fmov x, d", "fmov x0, d1", "fmov x30, d31")
_form("fmov s, w", "fmov s0, w1")
_form("fmov w, s", "fmov w0, s1")
_form("fmov v.d[i], x", "fmov v0.d[1], x1", "fmov v2.d[1], xzr")
_form("fmov x, v.d[i]", "fmov x0, v1.d[1]")
_form("fmov d, d", "fmov d0, d1", "fmov d2, d2")

# --- Neon: shifts, narrowing, permutes, compares ----------------------------------------------------
for m in ("ushr", "sshr", "shl", "usra", "ssra", "sli", "sri"):
    _form(f"{m} v.2d, v.2d, #imm", f"{m} v0.2d, v1.2d, #1", f"{m} v2.2d, v3.2d, #32", f"{m} v4.2d, v4.2d, #63")
    _form(f"{m} v.4s, v.4s, #imm", f"{m} v0.4s, v1.4s, #1", f"{m} v2.4s, v3.4s, #31")
    _form(f"{m} v.2s, v.2s, #imm", f"{m} v0.2s, v1.2s, #16")
    _form(f"{m} v.8h, v.8h, #imm", f"{m} v0.8h, v1.8h, #15")
    _form(f"{m} d, d, #imm", f"{m} d0, d1, #1", f"{m} d2, d2, #63")
for arr in ("2d", "4s", "8h", "16b"):
    _form(f"ushl v.{arr}, v.{arr}, v.{arr}", f"ushl v0.{arr}, v1.{arr}, v2.{arr}", f"ushl v3.{arr}, v3.{arr}, v3.{arr}")
_form("ushl d, d, d", "ushl d0, d1, d2")
for m, pairs in (("shrn", (("2s", "2d", 32), ("4h", "4s", 16), ("8b", "8h", 8))),
                 ("shrn2", (("4s", "2d", 32), ("8h", "4s", 16), ("16b", "8h", 8)))):
    for dst, src, top in pairs:
        _form(f"{m} v.{dst}, v.{src}, #imm", f"{m} v0.{dst}, v1.{src}, #1", f"{m} v2.{dst}, v3.{src}, #{top}",
              f"{m} v4.{dst}, v4.{src}, #{top // 2}")
for m, pairs in (("xtn", (("2s", "2d"), ("4h", "4s"), ("8b", "8h"))), ("xtn2", (("4s", "2d"), ("8h", "4s"), ("16b", "8h")))):
    for dst, src in pairs:
        _form(f"{m} v.{dst}, v.{src}", f"{m} v0.{dst}, v1.{src}", f"{m} v2.{dst}, v2.{src}")
for m in ("ushll", "ushll2"):
    src = "2s" if m == "ushll" else "4s"
    _form(f"{m} v.2d, v.{src}, #imm", f"{m} v0.2d, v1.{src}, #0", f"{m} v2.2d, v3.{src}, #31", f"{m} v4.2d, v4.{src}, #5")
for m in ("uzp1", "uzp2", "zip1", "zip2", "trn1", "trn2"):
    for arr in ("2d", "4s", "8h", "16b"):
        _form(f"{m} v.{arr}, v.{arr}, v.{arr}", f"{m} v0.{arr}, v1.{arr}, v2.{arr}", f"{m} v3.{arr}, v3.{arr}, v4.{arr}")
    _form(f"{m} v.2s, v.2s, v.2s", f"{m} v0.2s, v1.2s, v2.2s")
_form("ext v.16b, v.16b, v.16b, #imm", "ext v0.16b, v1.16b, v2.16b, #8", "ext v3.16b, v4.16b, v5.16b, #0",
      "ext v6.16b, v6.16b, v7.16b, #15", "ext v8.16b, v9.16b, v9.16b, #4")
_form("ext v.8b, v.8b, v.8b, #imm", "ext v0.8b, v1.8b, v2.8b, #4", "ext v3.8b, v4.8b, v5.8b, #7")
for m in ("cmeq", "cmhi", "cmhs", "cmtst"):
    for arr in ("2d", "4s", "16b"):
        _form(f"{m} v.{arr}, v.{arr}, v.{arr}", f"{m} v0.{arr}, v1.{arr}, v2.{arr}", f"{m} v3.{arr}, v3.{arr}, v3.{arr}",
              f"{m} v4.{arr}, v5.{arr}, v6.{arr}")
    _form(f"{m} d, d, d", f"{m} d0, d1, d2")
_form("cmeq v.2d, v.2d, #imm", "cmeq v0.2d, v1.2d, #0")
_form("cmeq v.4s, v.4s, #imm", "cmeq v0.4s, v1.4s, #0")
for arr in ("4s", "8h", "16b", "2s"):
    _form(f"rev64 v.{arr}, v.{arr}", f"rev64 v0.{arr}, v1.{arr}", f"rev64 v2.{arr}, v2.{arr}")


def supported(form: str) -> bool:
    return form in FORMS
