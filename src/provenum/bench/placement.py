"""How much a kernel's speed depends on where the linker puts it:
python -m provenum.bench.placement [--align LOG2 ...] [--layouts 16] [--step 32] [NAME ...].

Each kernel is assembled LAYOUTS times into one harness, copy i renamed
NAME_at<i> and starting STEP*i bytes after a page boundary (padding of int3
bytes before it, then the function's own alignment, which may round the
offset up: with 64-byte alignment, 32-byte steps give 8 distinct places).
Every copy calls the same callees (the catalog's kernels, linked once), and
the copies are timed interleaved in one run, so load from the rest of the
machine falls on every layout alike. The spread is (slowest - fastest) /
fastest of the copies' medians (and of their minima); docs/tuning.md records
the figures behind the shipped alignment (kernels/x86_64/asm.FUNCTION_ALIGN).
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

from provenum.bench.kernels import KIND, compile_harness, kernel_sources, run_harness, runnable
from provenum.kernels import BY_NAME, CATALOG
from provenum.kernels.x86_64.asm import FUNCTION_ALIGN

# the kernels whose spread docs/tuning.md reports (the 8/16/32-word set)
DEFAULT = [f"bignum_{op}_bmi2" for op in (
    "mul_8_16", "sqr_8_16", "kmul_16_32", "ksqr_16_32", "kmul_32_64", "ksqr_32_64",
    "montredc_16", "montredc_32", "montmul_16", "montsqr_16", "montmul_32", "montsqr_32")]


def shifted_copy(text: str, name: str, i: int, step: int) -> str:
    """The kernel's .S text as NAME_at<i>, STEP*i bytes (before alignment) after a page start."""
    copy = re.sub(rf"\b{re.escape(name)}\b", f"{name}_at{i}", text)
    pad = f"        .text\n        .p2align 12\n        .skip {step * i}, 0xcc\n"
    return copy.replace("        .text\n", pad, 1)


def measure(names: list[str], align: int = FUNCTION_ALIGN, layouts: int = 16, step: int = 32,
            repeats: int = 51, budget_ms: float = 20.0) -> dict[str, list[tuple[float, float]]]:
    """name -> [(median, minimum) TSC ticks per call] for layouts 0 .. layouts-1."""
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise SystemExit(f"unknown kernel(s): {', '.join(unknown)}")
    kernels = runnable([BY_NAME[n] for n in names])
    if len(kernels) < len(names):
        raise SystemExit("this CPU cannot run some of these kernels")
    with tempfile.TemporaryDirectory(prefix="provenum-placement-") as tmp:
        work = Path(tmp)
        cases, asm = [], kernel_sources(runnable(CATALOG))  # the callees, linked once
        for k in kernels:
            text = k.function.text(align)
            for i in range(layouts):
                path = work / f"{k.name}_at{i}.S"
                path.write_text(shifted_copy(text, k.name, i, step))
                asm.append(str(path))
                cases.append(f"CASE({KIND[k.family]}, {k.name}_at{i}, {k.n})\n")
        exe, _ = compile_harness(work, "".join(cases), asm, gmp=False)
        results, _ = run_harness(exe, repeats, budget_ms)
    out: dict[str, list] = {k.name: [None] * layouts for k in kernels}
    for r in results:
        base, _, i = r.name.rpartition("_at")
        out[base][int(i)] = (r.ticks, r.ticks_min)
    return out


def spread(figures: list[float]) -> float:
    return (max(figures) - min(figures)) / min(figures)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m provenum.bench.placement", description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help=f"kernels (default: {len(DEFAULT)} bmi2 kernels at 8/16/32 words)")
    ap.add_argument("--align", type=int, nargs="+", default=[FUNCTION_ALIGN],
                    help=f"function alignments to compare, log2 bytes (default {FUNCTION_ALIGN}, the shipped one)")
    ap.add_argument("--layouts", type=int, default=16)
    ap.add_argument("--step", type=int, default=32, help="bytes between layouts")
    ap.add_argument("--repeats", type=int, default=51)
    args = ap.parse_args(argv)
    from provenum.native import dispatch

    cpu = dispatch.cpu()
    print(f"# {cpu.brand} ({cpu.microarchitecture}); {args.layouts} layouts {args.step} bytes apart; "
          f"TSC ticks per call, median of {args.repeats} runs (fastest / slowest layout, spread of medians "
          f"and of minima)")
    for align in args.align:
        for name, figs in measure(args.names or DEFAULT, align, args.layouts, args.step, args.repeats).items():
            med, mn = [f[0] for f in figs], [f[1] for f in figs]
            print(f"align {1 << align:3d}  {name:28s} {min(med):>9,.0f} / {max(med):<9,.0f} "
                  f"spread {100 * spread(med):5.1f}%  (minima {100 * spread(mn):5.1f}%)")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
