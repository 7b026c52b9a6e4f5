"""The AArch64 kernels: the committed .S files are what the generators write, the catalog covers
every operation at both levels, every kernel keeps the shape the verifier will rely on, and the
built code decodes in the A64 model with no instruction beyond its level."""
import re
from collections import Counter

import pytest

from provenum import kernels
from provenum.isa.aarch64.features import LEVEL_NAMES, features_of, level_features, level_index
from provenum.kernels import ASM_DIRS, CDEF_PATHS, DISPATCH_TABLE_PATHS, cdef_header, dispatch_table_header
from provenum.kernels.aarch64 import modexp, plans
from aarch64util import needs_compiler

ISA = "aarch64"
CATALOG = kernels.catalog_of(ISA)
OPERATIONS = kernels.operations_of(ISA)
REQUIRED = {
    "mul": (4, 6, 8, 12, 16, 24, 32), "sqr": (4, 6, 8, 12, 16, 24, 32),
    "kmul": (16, 24, 32), "ksqr": (16, 24, 32),
    "montredc": (4, 8, 16, 24, 32), "amontredc": (4, 8, 16, 24, 32),
    "montmul": (4, 8, 16, 24, 32), "montsqr": (4, 8, 16, 24, 32),
    "amontmul": (4, 8, 16, 24, 32), "amontsqr": (4, 8, 16, 24, 32),
    "copy_row_from_table": (4, 6, 8, 12, 16, 24, 32), "modexp": (16, 24, 32),
}
STRAIGHT_LINE = {"mul", "sqr", "montredc", "amontredc"}     # and kmul, ksqr below 32 words
VECTOR = re.compile(r"\b(v\d+\.|[qd]\d+\b)")


def body(text):
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("//") or s.startswith(".") or s.endswith(":"):
            continue
        yield s


def test_catalog_covers_every_required_size_at_both_levels():
    have = {(k.family, k.n, k.level) for k in CATALOG}
    for fam, sizes in REQUIRED.items():
        for n in sizes:
            for level in LEVEL_NAMES:
                assert (fam, n, level) in have, f"missing {fam} at {n} words, level {level}"
    assert {k.isa for k in CATALOG} == {ISA}


def test_naming_scheme_and_the_isa_axis():
    for k in CATALOG:
        assert k.name == f"{k.operation}_{k.level}" and kernels.split_symbol(k.name) == (k.operation, k.level)
        assert k.path.parent == ASM_DIRS[ISA]
        assert k in OPERATIONS[k.operation].variants
    for op in OPERATIONS.values():
        assert [level_index(k.level) for k in op.variants] == [0, 1]
        assert op.variant("neon").level == "neon" and op.variant("scalar").level == "scalar"
    # the same operations on both ISAs, so the RSA code and the bindings need nothing ISA-specific
    # (the radix-2^52 kernels are x86-64's avx512ifma only)
    x86_only = {op for op in kernels.OPERATIONS
                if kernels.OPERATIONS[op].family in ("amm52", "amm52x2", "to_radix52", "from_radix52", "select52x2")}
    assert set(OPERATIONS) == set(kernels.OPERATIONS) - x86_only
    assert kernels.catalog_of("x86_64") is kernels.CATALOG
    with pytest.raises(ValueError, match="unknown ISA"):
        kernels.catalog_of("mips")


@pytest.mark.parametrize("kernel", CATALOG, ids=lambda k: k.name)
def test_committed_file_matches_generator(kernel):
    assert kernel.path.exists(), f"{kernel.path} is not committed; run python -m provenum.kernels"
    assert kernel.path.read_text() == kernel.function.text(), (
        f"{kernel.path.name} differs from its generator; run python -m provenum.kernels")


def test_no_stray_asm_files_and_headers_current():
    assert {p.name for p in ASM_DIRS[ISA].glob("*.S")} == {k.path.name for k in CATALOG}
    assert CDEF_PATHS[ISA].read_text() == cdef_header(isa=ISA), "run python -m provenum.kernels"
    assert DISPATCH_TABLE_PATHS[ISA].read_text() == dispatch_table_header(isa=ISA), "run python -m provenum.kernels"


@pytest.mark.parametrize("kernel", CATALOG, ids=lambda k: k.name)
def test_shape_banner_and_instructions(kernel):
    text = kernel.path.read_text()
    name = kernel.name
    assert f"//    extern void {name}(" in text and "// Standard ARM ABI:" in text
    assert f"// Level {kernel.level}:" in text
    assert text.count(".globl") == 1 and f".globl {name}" in text and f".protected {name}" in text
    assert f".type {name}, %function" in text and f".size {name}, .-{name}" in text
    lines = list(body(text))
    ops = [line.split()[0] for line in lines]
    assert not {"udiv", "sdiv", "br", "blr"} & set(ops), "no division, no indirect branch"
    if kernel.level == "scalar":
        assert not [line for line in lines if VECTOR.search(line)], f"{name}: the scalar level uses no vector register"
    if kernel.family in STRAIGHT_LINE or (kernel.family in ("kmul", "ksqr") and kernel.n < 32):
        assert not [op for op in ops if op.startswith(("b", "cb", "tb")) and op != "bic"], f"{name}: straight-line"
    if kernel.family in ("kmul", "ksqr") and kernel.n == 32:     # three calls to the 16-word kernel
        half = f"bignum_{kernel.family}_16_32_{kernel.level}"
        assert [line.split() for line in lines if line.startswith("bl ")] == [["bl", half]] * 3
    assert ops[-1] == "ret" and ops.count("ret") == 1
    for line in lines:
        if line.startswith("bl "):
            callee = kernels.by_name_of(ISA).get(line.split()[1])
            assert callee is not None, f"{name} calls {line.split()[1]}, not a shipped variant"
            assert callee.level == kernel.level, f"{name} calls the {callee.level} variant {callee.name}"


def test_plans_expand_and_choose_only_candidates():
    assert plans.kind_of("bignum_amontredc_16") == ("redc", 16)
    assert plans.plan_key("bignum_amontredc_16") == "bignum_montredc_16"
    for kind, n in (("mul", 8), ("sqr", 8), ("redc", 16)):
        cands = set(plans.candidates(kind, n))
        for fam in plans.FAMILIES:
            chosen = plans.expand(kind, n, fam, 10)
            assert len(chosen) == 10 and chosen <= cands
    assert all(k >= 1 for _, k in plans.candidates("redc", 8))
    for op, (fam, count) in plans.PLANS.items():
        assert fam in plans.FAMILIES and 0 < count <= len(plans.candidates(*plans.kind_of(op)))
    from provenum.bench import neon_plans
    recorded = neon_plans.recorded()            # what --write keeps of the plans it does not re-tune
    assert {op: rule for op, (rule, _, _) in recorded.items()} == plans.PLANS
    assert all(0 < cycles < scalar for _, cycles, scalar in recorded.values())
    assert modexp.squaring_split(16) == (64, 4) and modexp.squaring_split(24) == (48, 5)


def test_neon_kernels_use_the_vector_unit_for_products():
    """The neon variants of the planned kernels really move products over (umull/umlal), the
    scalar ones never do."""
    for op in ("bignum_mul_8_16", "bignum_sqr_8_16", "bignum_kmul_16_32", "bignum_montredc_16"):
        neon = Counter(line.split()[0] for line in body(kernels.by_name_of(ISA)[f"{op}_neon"].path.read_text()))
        scalar = Counter(line.split()[0] for line in body(kernels.by_name_of(ISA)[f"{op}_scalar"].path.read_text()))
        assert neon["umull"] + neon["umull2"] > 0 and neon["mul"] + neon["umulh"] < scalar["mul"] + scalar["umulh"]
        assert scalar["umull2"] == 0


@pytest.fixture(scope="module")
def built():
    from provenum.isa.aarch64 import decode_symbol
    from provenum.native import cross

    lib = cross.library()
    return lib, {k.name: decode_symbol(lib, k.name) for k in CATALOG}


@needs_compiler
def test_built_code_decodes_in_the_model_within_its_level(built):
    """Every instruction of every variant is a form the A64 model supports (a DecodeError
    otherwise), and needs no feature beyond its level."""
    lib, decoded = built
    for k in CATALOG:
        allowed = level_features(k.level)
        for insn in decoded[k.name].instructions:
            extra = features_of(insn) - allowed
            assert not extra, f"{k.name} ({k.level}) at {insn}: needs {', '.join(sorted(extra))}"


@needs_compiler
def test_calls_are_direct_into_the_variants(built):
    """A bl lands on a variant's own entry (protected symbols: no PLT stub for the verifier to refuse)."""
    from provenum.isa.aarch64 import function_addresses

    lib, decoded = built
    entries = {a: n for n, a in function_addresses(lib).items()}
    for k in CATALOG:
        for insn in decoded[k.name].instructions:
            if insn.mnemonic == "bl":
                target = entries.get(insn.operands[0].target)
                assert target in kernels.by_name_of(ISA), f"{k.name}: bl to {insn.operands[0]} ({target})"
