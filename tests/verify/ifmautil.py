"""A hand-written radix-2^52 almost-Montgomery multiply (IFMA, one ymm of 4 digits) and its wrong twins.

bignum_amm52_4(z, x, y, m, k0): rdi = z, rsi = x, rdx = y, rcx = m, r8 = k0.
Word-serial: for each digit b = y[i], A += lo(x b); q = lo52(A[0] k0); A += lo(m q);
A[0] >> 52 is the carry of the cleared lane; A moves down one lane (valignq) and
takes that carry; A += hi(x b) + hi(m q). Then the digits are normalised in
memory (carry = z[j] >> 52, z[j] &= 2^52 - 1, z[j+1] += carry); the top digit
keeps its value (it is below 2^51 when z < 2m <= 2^207).

`bug` names one wrong twin:
  drop_huq    the hi(m q) of the last row is never added
  wrong_mask  normalisation masks with 2^51 - 1
  no_carry    the carry out of z[1] is not added to z[2]
  lane        hi(x[j+1] b) is added to lane j (x taken one lane off)
  k0_hi       the quotient uses the wrong half of the product: q = (A[0] k0) >> 12, not its low 52 bits
  quot_lane   the quotient is computed from lane 1 of A instead of lane 0
"""
from __future__ import annotations

MASK52 = (1 << 52) - 1


def amm52_4(bug: str | None = None, q_by_ifma: bool = False) -> str:
    mask = (1 << 51) - 1 if bug == "wrong_mask" else MASK52
    L = [
        "    vmovdqu64 ymm1, [rsi]",            # X
        "    vmovdqu64 ymm2, [rcx]",            # M
        "    vpxorq ymm0, ymm0, ymm0",          # A = 0
        "    vpxorq ymm3, ymm3, ymm3",          # zero
        f"    movabs r9, {MASK52}",
        "    vpbroadcastq ymm7, r8",            # k0 in every lane
    ]
    for i in range(4):
        L += [f"    vpbroadcastq ymm4, qword ptr [rdx+{8 * i}]",
              "    vpmadd52luq ymm0, ymm1, ymm4"]
        if q_by_ifma:                           # q = lo52(A[0] k0) by vpmadd52luq on a zero accumulator
            L += ["    vpxorq ymm5, ymm5, ymm5",
                  "    vpmadd52luq ymm5, ymm0, ymm7",
                  "    vpermq ymm5, ymm5, 0"]
        else:
            L += ["    vmovq rax, xmm0" if bug != "quot_lane" else "    vpermq ymm6, ymm0, 1\n    vmovq rax, xmm6",
                  "    imul rax, r8",
                  "    shr rax, 12" if bug == "k0_hi" else "    and rax, r9",
                  "    vpbroadcastq ymm5, rax"]
        L += ["    vpmadd52luq ymm0, ymm2, ymm5",
              "    vmovq rax, xmm0",
              "    shr rax, 52",
              "    valignq ymm0, ymm3, ymm0, 1",
              "    vmovq xmm6, rax",
              "    vpaddq ymm0, ymm0, ymm6"]
        if bug == "lane":
            L += ["    valignq ymm6, ymm3, ymm1, 1",   # x shifted down one lane: hi(x[j+1] b) into lane j
                  "    vpmadd52huq ymm0, ymm6, ymm4"]
        else:
            L.append("    vpmadd52huq ymm0, ymm1, ymm4")
        if not (bug == "drop_huq" and i == 3):
            L.append("    vpmadd52huq ymm0, ymm2, ymm5")
    L.append("    vmovdqu64 [rdi], ymm0")
    L.append(f"    movabs r9, {mask}")
    for j in range(3):
        L += [f"    mov rax, [rdi+{8 * j}]",
              "    mov r10, rax",
              "    shr r10, 52",
              "    and rax, r9",
              f"    mov [rdi+{8 * j}], rax"]
        if not (bug == "no_carry" and j == 1):
            L.append(f"    add [rdi+{8 * j + 8}], r10")
    L += ["    vzeroupper", "    ret"]
    return "\n".join(L)


def reference_amm52(x: int, y: int, m: int, n: int) -> int:
    """What the word-serial algorithm returns (the same operations in Python)."""
    k0 = (-pow(m, -1, 1 << 52)) % (1 << 52)
    A = 0
    for i in range(n):
        b = (y >> (52 * i)) & MASK52
        A += x * b
        qi = ((A & MASK52) * k0) & MASK52
        A = (A + qi * m) >> 52
    return A
