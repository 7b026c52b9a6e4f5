"""`provenum recheck REPORT`: recheck a verify report from its proof log, without the prover."""
from __future__ import annotations

NAME = "recheck"
HELP = ("recheck a `provenum verify --json` report independently: algebra re-derived with integer arithmetic, "
        "every SMT obligation rerun with cvc5")


def add_arguments(parser) -> None:
    parser.add_argument("report", metavar="REPORT", help="the JSON report (its proof log is REPORT.prooflog.zip)")
    parser.add_argument("--jobs", "-j", type=int, default=1, metavar="N", help="check on N processes")
    parser.add_argument("--seed", type=int, default=None, help="seed of the random prime and points (default: random)")


def run(args) -> int:
    from provenum.recheck import recheck
    from provenum.recheck.solver import version

    if args.jobs < 1:
        print("--jobs must be at least 1")
        return 2
    try:
        v = recheck(args.report, args.jobs, args.seed)
    except (OSError, ValueError, KeyError) as e:
        print(f"error: cannot read {args.report}: {e}")
        return 2
    for what, why in v.problems:
        print(f"REJECTED {what}: {why}")
    print(f"{'accepted' if v.accepted else 'rejected'}: {v.proofs} proofs, {v.queries} proof queries and "
          f"{v.rule_queries} rule statements rerun with {version()}, {v.seconds:.1f} s")
    return 0 if v.accepted else 1
