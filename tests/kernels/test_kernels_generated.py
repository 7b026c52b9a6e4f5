"""The committed .S files are exactly what the generators produce, and every
kernel keeps to the shape the verifier relies on and to the features of its level."""
import re

import pytest

from provenum import kernels
from provenum.isa.x86_64.features import LEVEL_NAMES, features_of, level_features, level_index
from provenum.kernels import (ASM_DIR, CATALOG, CDEF_PATH, DISPATCH_TABLE_PATH, OPERATIONS, cdef_header,
                              dispatch_table_header, split_symbol)

# issue 2's instruction set (plus the directives and the 8-bit setcc forms)
ALLOWED = {
    "mov", "movzx", "lea", "add", "adc", "adcx", "adox", "sub", "sbb", "cmp", "test", "neg",
    "not", "and", "or", "xor", "inc", "dec", "shl", "shr", "sar", "shld", "shrd", "bt", "mul",
    "imul", "mulx", "push", "pop", "call", "ret", "jmp", "xchg", "clc", "stc",
    "vmovdqu", "vmovdqu64", "vpxor", "vpxorq", "vpand", "vpandq", "vpor", "vporq", "vpcmpeqq",
    "vpbroadcastq", "kmovq", "kmovw", "kmovb", "kmovd", "vzeroupper", "vpternlogq", "vmovq", "vpaddq",
    "vpmadd52luq", "vpmadd52huq", "valignq",          # the radix-2^52 kernels (avx512ifma)
}
COND = r"(n?[abgl]e?|n?[zcseop]|n?[ep]|n?be|n?ae|po|pe)"
STRAIGHT_LINE = {"mul", "sqr", "montredc", "amontredc", "amm52", "amm52x2", "to_radix52", "from_radix52",
                 "select52x2"}
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


# the levels every family ships (issue 8: baseline for every arithmetic family, three table forms)
LEVELS = {fam: ("baseline", "bmi2") for fam in ("mul", "sqr", "kmul", "ksqr", "montredc", "amontredc",
                                                 "montmul", "montsqr", "amontmul", "amontsqr")}
LEVELS["copy_row_from_table"] = ("baseline", "avx2", "avx512")
LEVELS["modexp"] = tuple(lv for lv in LEVEL_NAMES if lv != "avx512ifma")   # avx512ifma runs avx512's
# the radix-2^52 families exist only at avx512ifma (callers check the level first)
IFMA_ONLY = {"amm52", "amm52x2", "to_radix52", "from_radix52", "select52x2"}


def test_catalog_covers_every_required_size_and_level():
    have = {(k.family, k.n, k.level) for k in CATALOG}
    for fam, sizes in REQUIRED.items():
        for n in sizes:
            for level in LEVELS[fam]:
                assert (fam, n, level) in have, f"missing {fam} at {n} words, level {level}"


def test_naming_scheme():
    for k in CATALOG:
        assert k.name == f"{k.operation}_{k.level}" and split_symbol(k.name) == (k.operation, k.level)
        assert k in OPERATIONS[k.operation].variants
    for op in OPERATIONS.values():
        levels = [level_index(k.level) for k in op.variants]
        first = level_index("avx512ifma") if op.family in IFMA_ONLY else 0
        assert levels == sorted(levels) and levels[0] == first, f"{op.name}: variants lowest first, from baseline"
        assert split_symbol(op.name) == (op.name, None)


@pytest.mark.parametrize("kernel", CATALOG, ids=lambda k: k.name)
def test_committed_file_matches_generator(kernel):
    assert kernel.path.exists(), f"{kernel.path} is not committed; run python -m provenum.kernels"
    assert kernel.path.read_text() == kernel.function.text(), (
        f"{kernel.path.name} differs from its generator; run python -m provenum.kernels")


def test_no_stray_asm_files():
    shipped = {k.path.name for k in CATALOG}
    assert {p.name for p in ASM_DIR.glob("*.S")} == shipped


def test_native_headers_are_current():
    assert CDEF_PATH.read_text() == cdef_header(), "run python -m provenum.kernels"
    assert DISPATCH_TABLE_PATH.read_text() == dispatch_table_header(), "run python -m provenum.kernels"


@pytest.mark.parametrize("kernel", CATALOG, ids=lambda k: k.name)
def test_shape_banner_and_instruction_set(kernel):
    text = kernel.function.text()
    name = kernel.name
    # banner: one-line operation, the C prototype, register use
    assert f"//    extern void {name}(" in text
    assert "// Standard x86-64 ABI:" in text
    assert f"// Level {kernel.level}:" in text
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
    branches = [op for op in ops if op.startswith("j") or op == "call"]
    if straight and _looped_reduction(kernel):
        assert branches == ["jb"], f"{name}: one loop over the reduction rows, nothing else"
    elif straight:
        assert not branches, f"{name} must be straight-line"
    if straight:
        assert ops.count("ret") == 1 and ops[-1] == "ret"


def _looped_reduction(kernel) -> bool:
    from provenum.kernels.catalog import _looped

    montgomery = kernel.family in ("montredc", "amontredc", "montmul", "montsqr", "amontmul", "amontsqr")
    return montgomery and _looped(kernel.level, kernel.n)


def test_calls_only_into_the_catalog_at_or_below_the_level():
    for k in CATALOG:
        for line in k.function.text().splitlines():
            parts = line.split()
            if parts and parts[0] == "call":
                callee = kernels.BY_NAME.get(parts[1])
                assert callee is not None, f"{k.name} calls {parts[1]}, not a shipped variant"
                assert level_features(callee.level) <= level_features(k.level), (
                    f"{k.name} ({k.level}) calls {callee.name} ({callee.level})")


def _decoded(kernel):
    from provenum.isa.x86_64.decode import decode_symbol
    from provenum.native import library_path

    return decode_symbol(library_path(), kernel.name)


@pytest.mark.parametrize("kernel", CATALOG, ids=lambda k: k.name)
def test_built_code_uses_only_its_levels_features(kernel):
    """What the bytes in the library need (per instruction) is within the variant's level."""
    fn = _decoded(kernel)
    allowed = level_features(kernel.level)
    for insn in fn.instructions:
        extra = features_of(insn) - allowed
        assert not extra, f"{kernel.name} ({kernel.level}) at {insn}: needs {', '.join(sorted(extra))}"


def test_helpers():
    from provenum.kernels.x86_64 import arith_bmi2, modexp, table

    assert modexp.squaring_split(16) == (64, 4)
    assert modexp.squaring_split(24) == (48, 5)
    assert table.chunks(12) == [(0, 8), (8, 4)]
    assert table.chunks(6, widest=4) == [(0, 4), (4, 2)]
    assert arith_bmi2.split_bands(12) == [6, 6]


def test_tuning_choice_swaps_and_restores():
    from provenum.bench.kernels_tune import _choice

    windows = kernels.TUNING["bmi2"].modexp_window
    before = dict(windows)
    with _choice(windows, 16, 4) as cat:
        text = next(k for k in cat if k.name == "bignum_modexp_16_bmi2").function.text()
        assert "Fixed 4-bit windows" in text
    assert windows == before
