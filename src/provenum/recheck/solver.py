"""SMT obligations rerun from their SMT-LIB text by a second solver (cvc5), nothing else."""
from __future__ import annotations


# cvc5 configurations tried in turn while the answer is "unknown": the default, then CaDiCaL as the SAT
# solver under bit-blasting (wide bit-vector equalities, e.g. a 2048-bit radix conversion: minutes by the
# default, about a minute by CaDiCaL on a loaded core)
CONFIGURATIONS = ({}, {"bv-sat-solver": "cadical"})


def answer(text: str, timeout_ms: int = 120_000) -> str:
    """cvc5's answer to the (check-sat) of an SMT-LIB script: "sat", "unsat" or "unknown"."""
    got = ""
    for options in CONFIGURATIONS:
        got = _answer(text, timeout_ms, options)
        if not got.startswith("unknown"):
            return got
    return got


def _answer(text: str, timeout_ms: int, options: dict) -> str:
    import cvc5

    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("tlimit-per", str(timeout_ms))
    for k, v in options.items():
        solver.setOption(k, v)
    solver.setLogic("ALL")
    symbols = cvc5.SymbolManager(tm)
    parser = cvc5.InputParser(solver, symbols)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, text, "query")
    said = []
    try:
        while True:
            cmd = parser.nextCommand()
            if cmd.isNull():
                break
            out = cmd.invoke(solver, symbols).strip()
            if out:
                said.append(out)
    except RuntimeError as e:        # cvc5 cannot read the script: not a refutation
        return f"unknown (cvc5 cannot read it: {e})"
    checks = [s for s in said if s in ("sat", "unsat", "unknown")]
    if len(checks) != 1:
        return f"unknown (the script made {len(checks)} checks: {said[:3]})"
    return checks[0]


def version() -> str:
    import cvc5

    v = cvc5.Solver(cvc5.TermManager()).getVersion()
    return f"cvc5 {v.decode() if isinstance(v, bytes) else v}"


def chain_queries(kind: str, w: int, j: int) -> list[str]:
    """SMT-LIB queries whose unsat proves, by induction on the links, that j chained w-bit adds carry out
    exactly when sum 2^(w i) (a_i + b_i) + c_in >= 2^(w j) (subs: borrow exactly when
    sum 2^(w i) (a_i - b_i) - b_in < 0). Written here, not taken from the prover.

    Link k (K = 2^(w k)): X, the sum of the links below, lies in [0, 2K - 1] (subs: [-K, K - 1]) and the
    carry into link k is [X >= K] (subs: [X < 0]); for k = 0 that is the carry in itself. The query refutes
    that the carry out, [a + b + c >= 2^w] ([a - b - c < 0]), differs from [X + K(a + b) >= 2^w K]
    ([X + K(a - b) < 0]) or that the new sum leaves its range.
    """
    top = 1 << w
    out = []
    for k in range(j):
        K = 1 << (w * k)
        if kind == "add":
            rng, c, new = f"(<= 0 X) (<= X {2 * K - 1})", f"(ite (>= X {K}) 1 0)", f"(+ X (* {K} (+ a b)))"
            carry, claim = f"(>= (+ a b c) {top})", f"(>= S {top * K})"
            bound = f"(<= 0 S) (<= S {2 * top * K - 1})"
        else:
            rng, c, new = f"(<= {-K} X) (<= X {K - 1})", "(ite (< X 0) 1 0)", f"(+ X (* {K} (- a b)))"
            carry, claim = "(< (- a b c) 0)", "(< S 0)"
            bound = f"(<= {-top * K} S) (<= S {top * K - 1})"
        out.append("(declare-fun X () Int)(declare-fun a () Int)(declare-fun b () Int)"
                   "(declare-fun c () Int)(declare-fun S () Int)"
                   f"(assert (and {rng} (<= 0 a) (<= a {top - 1}) (<= 0 b) (<= b {top - 1}) (= c {c}) (= S {new})))"
                   f"(assert (not (and (= {carry} {claim}) {bound})))(check-sat)")
    return out
