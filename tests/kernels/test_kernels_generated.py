"""The committed .S files are exactly what the generators produce, and every
kernel keeps to the shape the verifier relies on."""
import re

import pytest

from provenum import kernels
from provenum.kernels import ASM_DIR, CATALOG, cdef_header

# issue 2's instruction set (plus the directives and the 8-bit setcc forms)
ALLOWED = {
    "mov", "movzx", "lea", "add", "adc", "adcx", "adox", "sub", "sbb", "cmp", "test", "neg",
    "not", "and", "or", "xor", "inc", "dec", "shl", "shr", "sar", "shld", "shrd", "bt", "mul",
    "imul", "mulx", "push", "pop", "call", "ret", "jmp", "xchg", "clc", "stc",
    "vmovdqu", "vmovdqu64", "vpxor", "vpxorq", "vpand", "vpandq", "vpor", "vporq", "vpcmpeqq",
    "vpbroadcastq", "kmovq", "kmovw", "kmovb", "kmovd", "vzeroupper", "vpternlogq",
}
COND = r"(n?[abgl]e?|n?[zcseop]|n?[ep]|n?be|n?ae|po|pe)"
STRAIGHT_LINE = {"mul", "sqr", "montredc", "amontredc"}
REQUIRED = {
    "mul": (4, 6, 8, 12, 16, 24, 32), "sqr": (4, 6, 8, 12, 16, 24, 32),
    "kmul": (16, 24, 32), "ksqr": (16, 24, 32),
    "montredc": (4, 8, 16, 24, 32), "amontredc": (4, 8, 16, 24, 32),
    "montmul": (4, 8, 16, 24, 32), "montsqr": (4, 8, 16, 24, 32),
    "modexp": (16, 24, 32), "copy_row_from_table": (4, 8, 16, 24, 32),
}


def mnemonics(text):
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("//") or s.startswith(".") or s.endswith(":"):
            continue
        yield s.split()[0]


def test_catalog_covers_every_required_size():
    have = {(k.family, k.n) for k in CATALOG}
    for fam, sizes in REQUIRED.items():
        for n in sizes:
            assert (fam, n) in have, f"missing {fam} at {n} words"


@pytest.mark.parametrize("kernel", CATALOG, ids=lambda k: k.name)
def test_committed_file_matches_generator(kernel):
    assert kernel.path.exists(), f"{kernel.path} is not committed; run python -m provenum.kernels"
    assert kernel.path.read_text() == kernel.function.text(), (
        f"{kernel.path.name} differs from its generator; run python -m provenum.kernels")


def test_no_stray_asm_files():
    shipped = {k.path.name for k in CATALOG}
    assert {p.name for p in ASM_DIR.glob("*.S")} == shipped


def test_cdef_header_is_current():
    path = ASM_DIR.parent.parent / "native" / "cdef" / "kernels.h"
    assert path.read_text() == cdef_header()


@pytest.mark.parametrize("kernel", CATALOG, ids=lambda k: k.name)
def test_shape_banner_and_instruction_set(kernel):
    text = kernel.function.text()
    name = kernel.name
    # banner: one-line operation, the C prototype, register use
    assert f"//    extern void {name}(" in text
    assert "// Standard x86-64 ABI:" in text
    # one function per file, with the ELF size the verifier needs
    assert text.count(".globl") == 1 and f".globl {name}" in text
    assert f".type {name}, @function" in text and f".size {name}, .-{name}" in text
    ops = list(mnemonics(text))
    for op in ops:
        ok = op in ALLOWED or re.fullmatch(f"(cmov|set|j){COND}", op)
        assert ok, f"{name} uses {op}, outside the instruction set"
        assert op not in ("div", "idiv")
    straight = kernel.family in STRAIGHT_LINE or (  # everything inlined below 32 words
        kernel.family in ("kmul", "ksqr", "montmul", "montsqr", "amontmul", "amontsqr")
        and kernel.n < 32)
    if straight:
        assert not [op for op in ops if op.startswith("j") or op == "call"], f"{name} must be straight-line"
        assert ops.count("ret") == 1 and ops[-1] == "ret"


def test_calls_only_into_the_catalog():
    names = {k.name for k in CATALOG}
    for k in CATALOG:
        for line in k.function.text().splitlines():
            parts = line.split()
            if parts and parts[0] == "call":
                assert parts[1] in names


def test_helpers():
    assert kernels.modexp.squaring_split(16) == (64, 4)
    assert kernels.modexp.squaring_split(24) == (48, 5)
    assert kernels.table.chunks(12) == [(0, 8), (8, 4)]
    assert kernels.product.split_bands(12) == [6, 6]


def test_tuning_choice_swaps_and_restores():
    from provenum.bench.kernels_tune import _choice

    before = dict(kernels.MODEXP_WINDOW)
    with _choice(kernels.MODEXP_WINDOW, 16, 4) as cat:
        text = next(k for k in cat if k.name == "bignum_modexp_16").function.text()
        assert "Fixed 4-bit windows" in text
    assert kernels.MODEXP_WINDOW == before
