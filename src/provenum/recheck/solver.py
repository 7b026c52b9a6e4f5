"""SMT obligations rerun from their SMT-LIB text by a second solver (cvc5), nothing else."""
from __future__ import annotations


def answer(text: str, timeout_ms: int = 120_000) -> str:
    """cvc5's answer to the (check-sat) of an SMT-LIB script: "sat", "unsat" or "unknown"."""
    import cvc5

    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("tlimit-per", str(timeout_ms))
    solver.setLogic("ALL")
    symbols = cvc5.SymbolManager(tm)
    parser = cvc5.InputParser(solver, symbols)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, text, "query")
    said = []
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            break
        out = cmd.invoke(solver, symbols).strip()
        if out:
            said.append(out)
    checks = [s for s in said if s in ("sat", "unsat", "unknown")]
    if len(checks) != 1:
        return f"unknown (the script made {len(checks)} checks: {said[:3]})"
    return checks[0]


def version() -> str:
    import cvc5

    v = cvc5.Solver(cvc5.TermManager()).getVersion()
    return f"cvc5 {v.decode() if isinstance(v, bytes) else v}"
