"""`provenum bench rsa --isa aarch64 --model`: the N1 cycles of one RSA signature's kernels.

How it is computed:

1. The AArch64 native library is cross-built with a call counter in every
   dispatched entry (provenum.native.cross, -DPROVENUM_COUNT_CALLS), and one
   signature per key size is made in it (under qemu-aarch64 emulating a
   Neoverse N1, or natively on an Arm host): the key loaded, the counters
   reset, one private-key operation (blinding, the two CRT halves, Garner,
   the public-key check before release). The counters say how many times
   the RSA code called each kernel operation, and the dispatcher ran each
   at the N1's level (neon).
2. Each operation's N1 cycles are those of `provenum bench kernels --isa
   aarch64`: llvm-mca-19 -mcpu=neoverse-n1 over the instructions one call
   executes (the exponentiation: its own instructions plus its callees'
   cycles per call).
3. The estimate is the sum of calls x cycles. The C code between the
   kernels (Garner's schoolbook q*h product, copies, the checks' glue) is
   not counted: only kernels, as the issue asks.
4. Scheduled against unscheduled, in the same run: the same calls costed a
   second time with every kernel in the generator's order (the library of
   kernels_aarch64.library_in_order("none"), traced the same way; the
   exponentiation's callees at their unscheduled cycles), so
   `n1_cycles_unscheduled` / `gain` say what `provenum schedule` and the
   list scheduler buy one signature.

Beside it, AWS-LC on Graviton2 (Neoverse N1) at 2.5 GHz, as published:
534.7 / 128.1 / 80.5 signatures per second at 2048 / 3072 / 4096 bits.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from provenum.kernels import catalog_of

GHZ = 2.5
AWS_LC_SIGS_PER_S = {2048: 534.7, 3072: 128.1, 4096: 80.5}
TARGET_RATIO = 0.8
TARGET_GAIN = 0.15            # issue 16: the shipped schedules save at least 15% of the unscheduled cycles


@dataclass
class Estimate:
    bits: int
    level: str
    calls: dict = field(default_factory=dict)        # operation -> calls in one signature
    cycles: dict = field(default_factory=dict)       # operation -> N1 cycles per call
    unscheduled: dict = field(default_factory=dict)  # operation -> the same, generator's order

    @property
    def total(self) -> float:
        return sum(self.calls[op] * self.cycles[op] for op in self.calls)

    @property
    def total_unscheduled(self) -> float | None:
        if not self.unscheduled:
            return None
        return sum(self.calls[op] * self.unscheduled[op] for op in self.calls)

    @property
    def gain(self) -> float | None:
        """The fraction of the unscheduled signature's cycles the shipped schedules save."""
        u = self.total_unscheduled
        return None if u is None else 1 - self.total / u

    @property
    def aws_lc_cycles(self) -> float:
        return GHZ * 1e9 / AWS_LC_SIGS_PER_S[self.bits]

    def as_dict(self) -> dict:
        d = {"bits": self.bits, "level": self.level, "n1_cycles": self.total,
             "aws_lc_graviton2_cycles": self.aws_lc_cycles, "ratio": self.total / self.aws_lc_cycles}
        if self.unscheduled:
            d["n1_cycles_unscheduled"] = self.total_unscheduled
            d["gain"] = self.gain
        d["kernels"] = []
        for op in sorted(self.calls):
            row = {"operation": op, "calls": self.calls[op], "n1_cycles_per_call": self.cycles[op]}
            if self.unscheduled:
                row["n1_cycles_per_call_unscheduled"] = self.unscheduled[op]
            d["kernels"].append(row)
        return d


def count_calls(session, bits: int, seed: int = 1) -> dict:
    """Kernel operation -> calls made by one signature in the counting library (a fresh key, e =
    65537: the calls depend on the sizes and e only, the kernels being constant time)."""
    from provenum.rsa import generate_private_key, rsa_crt_dmp1, rsa_crt_dmq1, rsa_crt_iqmp

    def w(v, words):
        return v.to_bytes(8 * words, "little")
    nums = generate_private_key(65537, bits).private_numbers()
    n, e, p, q, d = nums.public_numbers.n, nums.public_numbers.e, nums.p, nums.q, nums.d
    k = (n.bit_length() + 63) // 64
    h = (max(p.bit_length(), q.bit_length()) + 63) // 64
    key = bytes(8 * session.call("provenum_rsa_key_words")[0])
    status, bufs = session.call("provenum_rsa_private_load", key, w(n, k), k, w(e, 1), 1, w(p, h), w(q, h),
                                w(rsa_crt_dmp1(d, p), h), w(rsa_crt_dmq1(d, q), h), w(rsa_crt_iqmp(p, q), h),
                                w(d, k), h)
    if status != 0:
        raise RuntimeError("the Arm library refused the key")
    key = bufs[0]
    rng = random.Random(seed + 1)
    m, r = rng.randrange(n), rng.randrange(2, n)
    session.call("provenum_dispatch_reset_calls")
    status, bufs = session.call("provenum_rsa_private_op", key, bytes(8 * k), w(m, k), w(r, k),
                                w(pow(r, -1, n), k), 0)
    if status != 0 or int.from_bytes(bufs[1], "little") != pow(m, d, n):
        raise RuntimeError("the signature made in the Arm library is wrong")
    calls = {}
    for op in {kk.operation for kk in catalog_of("aarch64")}:
        c = session.call("provenum_dispatch_calls", op.encode() + b"\0")[0]
        if c:
            calls[op] = c
    return calls


def estimate(bits_list=(2048, 3072, 4096), level: str = "neon", progress=None,
             unscheduled: bool = True) -> list[Estimate]:
    from provenum.machine.aarch64 import Program
    from provenum.native import cross

    from .kernels_aarch64 import cycles_of, library_in_order

    lib = cross.library()
    program = Program.from_elf(lib)
    plain = Program.from_elf(library_in_order("none")) if unscheduled else None
    by = {k.name: k for k in catalog_of("aarch64")}
    cache: dict = {}
    plain_cache: dict = {}
    out = []
    with cross.Session(cross.library(counting=True), cpu="neoverse-n1") as session:
        from provenum.isa.aarch64.features import LEVEL_NAMES

        session.call("provenum_dispatch_set_level", LEVEL_NAMES.index(level))
        for bits in bits_list:
            est = Estimate(bits, level, count_calls(session, bits))
            for op in est.calls:
                est.cycles[op] = cycles_of(program, by[f"{op}_{level}"], cache)[0]
                if plain is not None:
                    est.unscheduled[op] = cycles_of(plain, by[f"{op}_{level}"], plain_cache)[0]
                if progress:
                    progress(f"{bits} bits: {op} {est.cycles[op]:,.0f} cycles")
            out.append(est)
    return out
