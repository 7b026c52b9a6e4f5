"""The banded product engine shared by schoolbook multiplication and squaring.

A product sum_r a_r * b_k * 2^(64*(r + k)) is computed in bands: each band
takes a chunk of at most 8 words of b and runs over the rows (words a_r). A
band keeps a window of c+1 result words in registers; each row multiplies
a_r (in rdx) by the chunk with mulx, adds the low halves on the adcx (CF)
chain and the high halves on the adox (OF) chain, then retires the window's
lowest word to memory. Bands after the first add the previous bands' word
at the retired position with adcx; that carry is absorbed by the next row's
first adcx, so there is no third carry chain. Value bounds keep every final
carry of a row zero (the partial sum always fits the window).
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

        With keep=True the final window is not stored: the result maps each
        of its positions to the register holding it (None: the word is 0).
        """
        f, lo, hi, z = self.f, self.lo, self.hi, self.z
        win = list(self.window[: width + 1])
        live = [False] * (width + 1)
        prev_top = self.top
        carry_pending = False  # CF holds a retire carry not yet absorbed
        for idx, row in enumerate(rows):
            length = row.length
            assert 1 <= length <= width
            f.op("mov", "rdx", row.rdx)
            if idx == 0:
                f.op("xor", hi, hi)  # clears CF and OF; hi = 0
                f.op("mulx", win[1], win[0], chunk[0])
                for t in range(1, length):
                    f.op("mulx", win[t + 1], lo, chunk[t])
                    f.op("adcx", win[t], lo)
                if length > 1:
                    f.op("adcx", win[length], hi)
            else:
                assert not live[length], "the row's top word must be fresh"
                for t in range(length):
                    if not live[t]:
                        f.op("mov", win[t], "0")
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
            pos = row.base
            if pos <= prev_top:
                if not live[0]:
                    f.op("mov", win[0], "0")
                f.op("adcx", win[0], mem(z, 8 * pos))
                carry_pending = True
            f.op("mov", mem(z, 8 * pos), win[0])
            win = win[1:] + win[:1]
            live = live[1:] + [False]
        # store the final window (positions above every previous band)
        last = rows[-1].base
        self.top = last + width
        if keep:
            assert not carry_pending
            return {last + 1 + t: (win[t] if live[t] else None) for t in range(width)}
        for t in range(width):
            pos = last + 1 + t
            assert pos > prev_top
            if carry_pending:
                if not live[t]:
                    f.op("mov", win[t], "0")
                f.op("adc", win[t], "0")
                f.op("mov", mem(z, 8 * pos), win[t])
            elif live[t]:
                f.op("mov", mem(z, 8 * pos), win[t])
            else:
                f.op("mov", mem(z, 8 * pos), "0")
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
