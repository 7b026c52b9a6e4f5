"""The arithmetic of the bmi2 level (BMI2 mulx, ADX adcx/adox): two carry chains.

Every level's arithmetic module has the same functions, which the family
generators (mul.py, sqr.py, karatsuba.py, montredc.py, montmul.py,
modexp.py) call: emit_mul, emit_sqr, emit_redc_rows, emit_almost_subtract,
emit_karatsuba_combine and emit_doubling. Register conventions are the
callers' (see each function); this level needs BMI2 and ADX.

The banded product engine shared by schoolbook multiplication and squaring:

A product sum_r a_r * b_k * 2^(64*(r + k)) is computed in bands: each band
takes a chunk of at most 8 words of b and runs over the rows (words a_r). A
band keeps a window of c+1 result words in registers; each row multiplies
a_r (in rdx) by the chunk with mulx, adds the low halves on the adcx (CF)
chain and the high halves on the adox (OF) chain, then retires the window's
lowest word to memory. Each row clears both flags first (xor), so rows
do not wait on each other's carries. Bands after the first add the previous
bands' word at the retired position at the start of the row's OF chain,
so there is no third carry chain. Value bounds keep every final carry of a
row zero (the partial sum always fits the window).
"""
from __future__ import annotations

from dataclasses import dataclass

from .asm import Function, mem


@dataclass
class Row:
    rdx: str       # operand loaded into rdx (the row multiplier)
    base: int      # result position of the chunk's first word
    length: int    # how many chunk words this row multiplies (a prefix of the chunk)


class Bands:
    """Emits banded products into z (memory). Tracks which positions hold values."""

    def __init__(self, f: Function, z: str, window: list[str], lo: str, hi: str):
        self.f, self.z, self.window, self.lo, self.hi = f, z, window, lo, hi
        self.top = -1  # highest result position written so far

    def band(self, chunk: list[str], rows: list[Row], width: int, keep: bool = False) -> dict:
        """One band: `chunk` are the memory operands of the b words (len == width).

        Every row starts with `xor lo, lo`, which clears CF and OF: no flag
        carries from one row into the next, so consecutive rows overlap
        (their only dependencies are the window registers). A word of an
        earlier band at the row's retired position enters on the OF chain
        before the row's high halves. With keep=True the final window is not
        stored: the result maps each of its positions to the register holding
        it (None: the word is 0).
        """
        f, lo, hi, z = self.f, self.lo, self.hi, self.z
        win = list(self.window[: width + 1])
        live = [False] * (width + 1)
        prev_top = self.top
        for idx, row in enumerate(rows):
            length = row.length
            assert 1 <= length <= width
            pos = row.base
            earlier = pos <= prev_top  # an earlier band's word is at pos
            f.op("mov", "rdx", row.rdx)
            if idx == 0:
                # fresh window: the high halves go straight into it, lows on the CF chain
                f.op("xor", hi, hi)  # clears CF and OF; hi = 0
                if earlier:
                    f.op("mov", win[0], mem(z, 8 * pos))
                    f.op("mulx", win[1], lo, chunk[0])
                    f.op("adcx", win[0], lo)
                else:
                    f.op("mulx", win[1], win[0], chunk[0])
                for t in range(1, length):
                    f.op("mulx", win[t + 1], lo, chunk[t])
                    f.op("adcx", win[t], lo)
                if length > 1 or earlier:
                    f.op("adcx", win[length], hi)
            else:
                assert not live[length], "the row's top word must be fresh"
                for t in range(length):
                    if not live[t]:
                        f.op("mov", win[t], "0")
                f.op("xor", lo, lo)  # clears CF and OF: this row's chains start here
                if earlier:
                    f.op("adox", win[0], mem(z, 8 * pos))
                for t in range(length):
                    top = t == length - 1
                    f.op("mulx", win[length] if top else hi, lo, chunk[t])
                    f.op("adcx", win[t], lo)
                    if not top:
                        f.op("adox", win[t + 1], hi)
                f.op("mov", lo, "0")
                f.op("adox", win[length], lo)
                f.op("adcx", win[length], lo)
            for t in range(length + 1):
                live[t] = True
            # retire the lowest window word
            f.op("mov", mem(z, 8 * pos), win[0])
            win = win[1:] + win[:1]
            live = live[1:] + [False]
        # store the final window (positions above every previous band)
        last = rows[-1].base
        self.top = last + width
        if keep:
            return {last + 1 + t: (win[t] if live[t] else None) for t in range(width)}
        for t in range(width):
            pos = last + 1 + t
            assert pos > prev_top
            f.op("mov", mem(z, 8 * pos), win[t] if live[t] else "0")
        return {}


def split_bands(n: int, widest: int = 8) -> list[int]:
    """Chunk widths covering n words, as even as possible, each <= widest."""
    count = -(-n // widest)
    base, extra = divmod(n, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def emit_mul(f: Function, z: str, x: str, y: str, nx: int, ny: int,
             window: list[str], lo: str, hi: str) -> None:
    """z[0 .. nx+ny) := x[0 .. nx) * y[0 .. ny)."""
    bands = Bands(f, z, window, lo, hi)
    j = 0
    for width in split_bands(ny, len(window) - 1):
        chunk = [mem(y, 8 * (j + t)) for t in range(width)]
        rows = [Row(mem(x, 8 * r), r + j, width) for r in range(nx)]
        bands.band(chunk, rows, width)
        j += width
    assert bands.top == nx + ny - 1


def emit_cross_triangle(f: Function, z: str, x: str, n: int,
                        window: list[str], lo: str, hi: str) -> dict:
    """sum_{i<k} x_i x_k 2^(64(i+k)) into z[1 .. 2n-2] (z[0], z[2n-1] are 0, not stored).

    When there is a single band its final window stays in registers; the
    result maps those positions to their registers (None for a zero word).
    """
    bands = Bands(f, z, window, lo, hi)
    bands.top = 0  # position 0 is known zero
    widths = split_bands(n - 1, len(window) - 1)
    held: dict = {}
    j = 0
    for b, width in enumerate(widths):
        chunk = [mem(x, 8 * (j + t)) for t in range(width)]
        rows = [Row(mem(x, 8 * k), k + j, min(k - j, width)) for k in range(j + 1, n)]
        last_band = b == len(widths) - 1
        held = bands.band(chunk, rows, width, keep=last_band and len(widths) == 1)
        j += width
    assert bands.top == 2 * n - 2
    held[0] = None
    held[2 * n - 1] = None
    return held


def emit_cross_passes(f: Function, z: str, x: str, n: int, window: list[str], lo: str, hi: str) -> dict:
    """sum_{i<k} x_i x_k 2^(64(i+k)) for even n <= 8 in n/2 passes of n-1 products each.

    Pass p adds x_p * x_k (k > p) and then x_{h+p} * x_i (h <= i < h+p, h = n/2):
    n-1 products at the consecutive positions 2p+1 .. 2p+n-1, so every pass
    is one full-length row of a window of n registers (positions 2p+1 ..
    2p+n) that moves up by two words per pass. Half the rows of the
    row-by-row triangle, each starting its own two carry chains (xor). The
    last pass's window stays in registers; the result maps positions to
    registers as emit_cross_triangle's does.
    """
    h = n // 2
    assert n % 2 == 0 and 4 <= n <= len(window)
    win = list(window[:n])
    for p in range(h):
        products = [(p, k) for k in range(p + 1, n)] + [(h + p, i) for i in range(h, h + p)]
        assert len(products) == n - 1
        base = 2 * p + 1
        f.comment(f"pass {p}: positions {base} .. {base + n - 2}")
        if p == 0:  # fresh window: highs straight into it, lows on the CF chain
            f.op("mov", "rdx", mem(x, 8 * p))
            f.op("xor", lo, lo)
            for t, (_, k) in enumerate(products):
                if t == 0:
                    f.op("mulx", win[1], win[0], mem(x, 8 * k))
                else:
                    f.op("mulx", win[t + 1], hi, mem(x, 8 * k))
                    f.op("adcx", win[t], hi)
            f.op("adcx", win[n - 1], lo)
        else:
            f.op("xor", win[n - 2], win[n - 2])   # position 2p+n-1: no earlier pass reached it
            f.op("xor", lo, lo)                   # CF = OF = 0: this pass's chains start here
            rdx = None
            for t, (i, k) in enumerate(products):
                if i != rdx:
                    f.op("mov", "rdx", mem(x, 8 * i))
                    rdx = i
                top = t == n - 2
                f.op("mulx", win[n - 1] if top else hi, lo, mem(x, 8 * k))
                f.op("adcx", win[t], lo)
                if not top:
                    f.op("adox", win[t + 1], hi)
            f.op("mov", lo, "0")
            f.op("adox", win[n - 1], lo)
            f.op("adcx", win[n - 1], lo)
        if p < h - 1:  # positions base and base+1 are final: retire them
            f.op("mov", mem(z, 8 * base), win[0])
            f.op("mov", mem(z, 8 * (base + 1)), win[1])
            win = win[2:] + win[:2]
    held = {n - 1 + t: win[t] for t in range(n)}
    held[0] = None
    held[2 * n - 1] = None
    return held


def emit_double_add_squares(f: Function, z: str, x: str, n: int, held: dict, tmp: str,
                            lo: str, hi: str) -> None:
    """z := 2*z + sum_i x_i^2 2^(128 i): doubling on the adcx chain, squares on adox.

    `held` maps positions whose cross sum is in a register (or None: zero)
    rather than in z; `tmp` is a scratch register.
    """
    f.op("xor", lo, lo)
    for i in range(n):
        f.op("mov", "rdx", mem(x, 8 * i))
        f.op("mulx", hi, lo, "rdx")
        for half, part in ((0, lo), (1, hi)):
            pos = 2 * i + half
            r = held.get(pos, tmp)
            if pos in held and r is None:
                if pos == 0:
                    f.op("mov", mem(z, 0), part)  # 2*0 + x_0^2 low half, no carries yet
                    continue
                r = tmp
                f.op("mov", r, "0")
            elif pos not in held:
                f.op("mov", r, mem(z, 8 * pos))
            f.op("adcx", r, r)
            f.op("adox", r, part)
            f.op("mov", mem(z, 8 * pos), r)


def emit_sqr(f: Function, z: str, x: str, n: int, window: list[str], lo: str, hi: str, tmp: str) -> None:
    """z[0 .. 2n) := x^2: the cross products (by passes up to 8 words, else by bands),
    then doubling plus the diagonal squares."""
    if _by_passes(n, window):
        held = emit_cross_passes(f, z, x, n, window, lo, hi)
    else:
        held = emit_cross_triangle(f, z, x, n, window[: min(n - 1, 8) + 1], lo, hi)
    emit_double_add_squares(f, z, x, n, held, tmp, lo, hi)


# --- Montgomery reduction rows ----------------------------------------------------------

def emit_redc_rows(f: Function, n: int, t_off: int, looped: bool = False) -> None:
    """The n reduction rows of x (RSI) by m (R8), w (RCX) into the 2n-word stack buffer
    at rsp + 8*t_off: fully unrolled, or (looped) one loop iteration per two rows."""
    if looped:
        _redc_rows_looped(f, n, t_off)
    else:
        _redc_rows(f, n, f"rsp+{8 * t_off}" if t_off else "rsp")


def _redc_rows_looped(f: Function, n: int, t_off: int) -> None:
    """The same rows as _redc_rows, in a loop of two rows per iteration (code n/2 times smaller).

    Every iteration is alike: x's low half is copied into t first, so each row
    reads t below its top word and x for the top word; the carry bit R12
    starts at 0; R15 is the row index (public, the only thing the loop
    branches on). Word i+1 still passes from row i to row i+1 in a register
    (R13/R14 by the row's parity, hence two rows per iteration). Uses R15 too.
    """
    x, m, w = "rsi", "r8", "rcx"
    lo, zero, cy, row = "rax", "rbp", "r12", "r15"
    his = ("r9", "r10")
    acc = ("r11", "rbx")
    first = ("r13", "r14")

    def t(pos: int) -> str:                       # t[row + pos]
        return mem("rsp", 8 * (t_off + pos), index=row, scale=8)

    def xtop(pos: int) -> str:                    # x[row + pos]
        return mem(x, 8 * pos, index=row, scale=8)

    f.comment("t[0..n) = x[0..n); rows then read t below their top word and x for it")
    for k in range(n):
        f.op("mov", lo, mem(x, 8 * k))
        f.op("mov", mem("rsp", 8 * (t_off + k)), lo)
    f.op("mov", first[0], mem(x, 0))
    f.op("xor", cy, cy)
    f.op("xor", row, row)
    loop = f.new_label("rows")
    f.label(loop)
    for parity in (0, 1):
        a0, a1 = first[parity], first[1 - parity]
        f.comment(f"row {'2j+1' if parity else '2j'}: q = t[row] * w; t += q * m * 2^(64*row)")
        f.op("mov", "rdx", a0)
        f.op("imul", "rdx", w)
        f.op("xor", zero, zero)
        f.op("mulx", his[0], lo, mem(m, 0))
        f.op("adcx", a0, lo)  # word row becomes 0; only the carry matters
        hi = 0
        for k in range(1, n):
            a = a1 if k == 1 else acc[k % 2]
            f.op("mulx", his[1 - hi], a, mem(m, 8 * k))
            f.op("adcx", a, t(parity + k))
            f.op("adox", a, his[hi])
            if k > 1:
                f.op("mov", t(parity + k), a)
            hi = 1 - hi
        a = acc[n % 2]
        f.op("mov", a, xtop(parity + n))
        f.op("adox", a, his[hi])
        f.op("adcx", a, cy)
        f.op("mov", cy, "0")
        f.op("adcx", cy, zero)
        f.op("adox", cy, zero)
        f.op("mov", t(parity + n), a)
    f.op("add", row, "2")
    f.op("cmp", row, str(n))
    f.op("jb", loop)
    f.op("mov", mem("rsp", 8 * (t_off + n)), first[0])  # the last row's word n


def _redc_rows(f: Function, n: int, t: str) -> None:
    """The n reduction rows of x (RSI) by m (R8), w (RCX), into the 2n-word buffer t.

    Row i picks q = t_i * w mod 2^64 and adds q*m*2^(64i) (mulx, low halves on
    the adcx chain, high halves on the adox chain), which clears word i; each
    row's top word comes from x. Leaves positions n..2n-1 in t and the carry
    bit out of the top in R12. Word i+1 after row i is the next row's first
    word: it stays in a register (r13/r14 alternately) so the q = t_i * w
    chain never waits on memory. Uses RAX, RDX, R9-R11, RBX, RBP, R12-R14.
    """
    x, m, w = "rsi", "r8", "rcx"
    lo, zero, cy = "rax", "rbp", "r12"
    his = ("r9", "r10")
    acc = ("r11", "rbx")
    first = ("r13", "r14")
    f.op("mov", first[0], mem(x, 0))
    for i in range(n):
        src = (lambda p: mem(x, 8 * p)) if i == 0 else (lambda p: mem(t, 8 * p))
        a0, a1 = first[i % 2], first[(i + 1) % 2]
        f.comment(f"row {i}: q = t[{i}] * w; t += q * m * 2^(64*{i})")
        f.op("mov", "rdx", a0)
        f.op("imul", "rdx", w)
        f.op("xor", zero, zero)
        f.op("mulx", his[0], lo, mem(m, 0))
        f.op("adcx", a0, lo)  # word i becomes 0; only the carry matters
        hi = 0
        for k in range(1, n):
            a = a1 if k == 1 else acc[k % 2]
            f.op("mulx", his[1 - hi], a, mem(m, 8 * k))
            f.op("adcx", a, src(i + k))  # the load folds into the add
            f.op("adox", a, his[hi])
            if k > 1:
                f.op("mov", mem(t, 8 * (i + k)), a)
            hi = 1 - hi
        a = acc[n % 2]
        f.op("mov", a, mem(x, 8 * (i + n)))
        f.op("adox", a, his[hi])
        f.op("adcx", a, cy if i else zero)
        f.op("mov", cy, "0")
        f.op("adcx", cy, zero)
        f.op("adox", cy, zero)
        f.op("mov", mem(t, 8 * (i + n)), a)
        if i == n - 1:
            f.op("mov", mem(t, 8 * n), a1)  # the last row's word n


def emit_almost_subtract(f: Function, n: int, t: str) -> None:
    """z (RDI) := t[n .. 2n) - m (R8) when the carry bit in R12 is set, else t[n .. 2n).

    One pass: t_hi + ~(m if c else 0) + 1 on the adcx chain (cmovz reads the
    ZF of the test, which adcx leaves alone).
    """
    a = "rax"
    f.comment("z = t_hi - m*c in one pass: t_hi + ~(m if c else 0) + 1 on the adcx chain")
    f.op("mov", "r9", "-1")
    f.op("test", "r12", "r12")  # ZF: no carry bit c, subtract nothing
    f.op("stc")
    for k in range(n):
        f.op("mov", a, mem("r8", 8 * k))
        f.op("not", a)
        f.op("cmovz", a, "r9")
        f.op("adcx", a, mem(t, 8 * (n + k)))
        f.op("mov", mem("rdi", 8 * k), a)


# --- Karatsuba: add the middle term ---------------------------------------------------

def emit_karatsuba_combine(f: Function, n: int, square: bool, z: str, ms: str, mid: int, total: int) -> None:
    """z[h ..] += sum + (mid ^ ms) - ms: the CF chain forms the middle, the OF chain adds it in.

    sum (n words at rsp + 8*total, carry word in RCX) is L + H; mid (n words at
    rsp + 8*mid) is |x0 - x1| * |y1 - y0| already XORed with the sign mask ms
    (for squares always subtracted: its one's complement is taken here).
    Uses RAX, RDX, R8, R9.
    """
    h = n // 2
    r, s = "rax", "rdx"
    f.comment("z[h..] += sum + mid + sign: CF chain forms the middle, OF chain adds it in")
    f.op("xor", "r8", "r8")       # CF = OF = 0, r8 = 0
    f.op("mov", "r9", "1")
    f.op("adcx", "r9", ms)        # CF = sign
    for k in range(n):
        if square:  # always subtracted: the one's complement needs no flags (not)
            f.op("mov", r, mem("rsp", 8 * (mid + k)))
            f.op("not", r)
            f.op("adcx", r, mem("rsp", 8 * (total + k)))
        else:
            f.op("mov", r, mem("rsp", 8 * (total + k)))
            f.op("adcx", r, mem("rsp", 8 * (mid + k)))
        f.op("mov", s, mem(z, 8 * (h + k)))
        f.op("adox", s, r)
        f.op("mov", mem(z, 8 * (h + k)), s)
    f.op("adcx", "rcx", ms)
    f.op("mov", s, mem(z, 8 * (h + n)))
    f.op("adox", s, "rcx")
    f.op("mov", mem(z, 8 * (h + n)), s)
    for k in range(h + n + 1, 2 * n):
        f.op("mov", s, mem(z, 8 * k))
        f.op("adox", s, "r8")
        f.op("mov", mem(z, 8 * k), s)


# --- exponentiation: exact doublings modulo M -----------------------------------------

def emit_doubling(f: Function, n: int, acc, negm, yb) -> None:
    """acc := 2*acc mod M for acc < M (one step; acc/negm/yb map a word index to its operand).

    y = 2*acc on the CF chain, d = y + (R - M) on the OF chain, both stored;
    then keep y where 2*acc < M (neither chain carried). Uses RAX, RCX, RDX, RSI.
    """
    f.op("xor", "rax", "rax")  # CF = OF = 0
    for i in range(n):
        f.op("mov", "rdx", acc(i))
        f.op("adcx", "rdx", "rdx")           # y = 2*acc (CF chain)
        f.op("mov", "rsi", "rdx")
        f.op("adox", "rsi", negm(i))         # d = y + (R - M) (OF chain)
        f.op("mov", yb(i), "rdx")
        f.op("mov", acc(i), "rsi")
    f.op("mov", "rax", "0")
    f.op("mov", "rcx", "0")
    f.op("setc", "al")
    f.op("seto", "cl")
    f.op("or", "rax", "rcx")  # ZF: 2*acc < M, keep y
    for i in range(n):
        f.op("mov", "rdx", acc(i))
        f.op("cmovz", "rdx", yb(i))
        f.op("mov", acc(i), "rdx")


def mul_registers(n: int, window: list[str], lo: str, hi: str) -> list[str]:
    """The registers emit_mul uses for an n-word multiplier (so callers save what they must)."""
    return window[: min(n, 8) + 1] + [lo, hi, "rdx"]


def _by_passes(n: int, window: list[str]) -> bool:
    return n % 2 == 0 and 4 <= n <= min(8, len(window))


def sqr_registers(n: int, window: list[str], lo: str, hi: str, tmp: str) -> list[str]:
    used = window[:n] if _by_passes(n, window) else window[: min(n - 1, 8) + 1]
    return used + [lo, hi, tmp, "rdx"]
