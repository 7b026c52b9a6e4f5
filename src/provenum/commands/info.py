"""`provenum info`: the CPU, the features provenum uses, and the variant chosen for each operation."""
from __future__ import annotations

NAME = "info"
HELP = "show this CPU, its features and the kernel variant dispatch chose for every operation"


def add_arguments(parser) -> None:
    parser.add_argument("--json", metavar="PATH", help="also write the information as JSON")


def run(args) -> int:
    import json
    import os

    from rich.console import Console
    from rich.table import Table

    from provenum.kernels import host_isa, host_operations, isa_levels
    from provenum.native import dispatch

    isa = host_isa()
    levels = isa_levels(isa)
    FEATURES, LEVELS, level_features = levels.FEATURES, levels.LEVELS, levels.level_features
    OPERATIONS = host_operations()

    console = Console()
    try:
        cpu = dispatch.cpu()
    except ImportError as e:
        console.print(f"[red]error:[/] {e}")
        return 2
    console.print(f"CPU        {cpu.brand or '(no brand string)'}")
    if isa == "aarch64":
        console.print(f"           {cpu.vendor}, implementer {cpu.family:#x}, part {cpu.model:#x}, "
                      f"MIDR {cpu.midr:#x}; prefers the {cpu.default_level} level")
    else:
        console.print(f"           {cpu.vendor}, family {cpu.family:#x}, model {cpu.model:#x}, "
                      f"stepping {cpu.stepping}")
    have = " ".join(f"[green]{f}[/]" if f in cpu.features else f"[dim]-{f}[/]" for f in FEATURES)
    console.print(f"features   {have}   " + ("(HWCAP)" if isa == "aarch64" else "(CPUID, enabled by the OS per XGETBV)"))
    for lv in LEVELS:
        ok = level_features(lv.name) <= cpu.features
        console.print(f"  {'[green]yes[/]' if ok else '[dim] no[/]'}  {lv.name:<9} {lv.summary}")
    request = os.environ.get("PROVENUM_CPU", "")
    error = dispatch.load_error()
    level = dispatch.level()
    note = f" (PROVENUM_CPU={request})" if request else ""
    console.print(f"level      {level}{note}; this CPU runs up to {cpu.level}")
    if error:
        console.print(f"[red]error:[/] {error}; the kernels refuse to run until it is fixed")
    table = Table(title="dispatch: the variant each operation runs")
    table.add_column("operation")
    table.add_column("variant")
    table.add_column("variants shipped")
    chosen = {}
    for op in OPERATIONS.values():
        target = dispatch.target(op.name)
        chosen[op.name] = target
        table.add_row(op.name, target or "(none at this level)", ", ".join(k.level for k in op.variants))
    console.print(table)
    if args.json:
        doc = {"vendor": cpu.vendor, "brand": cpu.brand, "family": cpu.family, "model": cpu.model,
               "stepping": cpu.stepping, "microarchitecture": cpu.microarchitecture,
               "features": sorted(cpu.features), "best_level": cpu.level, "level": level,
               "provenum_cpu": request or None, "error": error or None, "dispatch": chosen}
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
    return 2 if error else 0
