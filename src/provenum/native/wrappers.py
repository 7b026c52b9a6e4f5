"""Checked Python wrappers, one per operation and one per variant, named like the symbol.

`bignum_mul_16_32(x, y)` calls the operation's dispatched entry (the best
variant for this CPU, or the level forced by PROVENUM_CPU or a test);
`bignum_mul_16_32_baseline(x, y)` calls that variant, and raises
UnsupportedCPU (never SIGILL) when this CPU cannot run its level.

Arguments are Python ints in the order of the mathematical definition
(`bignum_mul_16_32(x, y)`, `bignum_montmul_16(x, y, m)`,
`bignum_modexp_16(a, e, m)`, `bignum_copy_row_from_table_16(rows, idx)`);
the Montgomery constant w is computed here. Every precondition of the
kernel (sizes, ranges, odd modulus) is checked first: a bad argument raises
ValueError (TypeError for non-integers) and never reaches native code.

`call_buffers(name, *args)` is the buffer-level form for callers that keep
numbers in memory: each pointer argument is a writable (output) or readable
(input) buffer of exactly the kernel's size in bytes, words are ints; it
checks the same preconditions and also that the output overlaps no input.
"""
from __future__ import annotations

from provenum.kernels import host_by_name, host_catalog, host_operations

from . import dispatch
from ._kernels import ffi, lib
from .dispatch import UnsupportedCPU

dispatch.check()  # PROVENUM_CPU asked for a level this CPU lacks: refuse before any kernel runs

__all__ = ["call_buffers", "montgomery_w", "ffi", "lib", "UnsupportedCPU"]

_MASK64 = (1 << 64) - 1


def montgomery_w(m: int) -> int:
    """w = -m^-1 mod 2^64 for odd m."""
    return (-pow(m, -1, 1 << 64)) & _MASK64


# -- argument checks ----------------------------------------------------------

def _int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value


def _below(name: str, value, bound: int, bound_text: str) -> int:
    value = _int(name, value)
    if not 0 <= value < bound:
        raise ValueError(f"{name} must satisfy 0 <= {name} < {bound_text}")
    return value


def _words(name: str, value, n: int) -> int:
    return _below(name, value, 1 << (64 * n), f"2^{64 * n} ({n} words)")


def _modulus(m, n: int) -> int:
    m = _words("m", m, n)
    if m % 2 == 0:
        raise ValueError("m must be odd")
    return m


def _buf(value: int, words: int):
    buf = ffi.new("uint64_t[]", words)
    ffi.memmove(buf, value.to_bytes(8 * words, "little"), 8 * words)
    return buf


def _val(buf, words: int) -> int:
    return int.from_bytes(ffi.buffer(buf, 8 * words), "little")


# -- the wrappers, by family --------------------------------------------------

def _native(k):
    """The C function behind a wrapper: an operation's entry, or a variant checked against the CPU.
    An operation whose variants are all above the dispatch level (the radix-2^52 kernels below
    avx512ifma) has an empty slot: its wrapper refuses, checked at each call."""
    fn = getattr(lib, k.name)
    level = getattr(k, "level", None)
    if level is None:
        lowest = min((v.level for v in k.variants), key=dispatch.level_index)
        if dispatch.level_index(lowest) == 0:
            return fn

        def entry(*args):
            if dispatch.level_index(dispatch.level()) < dispatch.level_index(lowest):
                raise UnsupportedCPU(f"{k.name} runs at level {lowest} and above; the dispatch level is "
                                     f"{dispatch.level()}")
            return fn(*args)
        return entry
    if dispatch.can_run(level):
        return fn

    def refuse(*args):
        dispatch.require(level, k.name)
    return refuse


def _product(k, square: bool):
    n, fn = k.n, _native(k)

    if square:
        def wrapper(x: int) -> int:
            x = _words("x", x, n)
            z = ffi.new("uint64_t[]", 2 * n)
            fn(z, _buf(x, n))
            return _val(z, 2 * n)
    else:
        def wrapper(x: int, y: int) -> int:
            x, y = _words("x", x, n), _words("y", y, n)
            z = ffi.new("uint64_t[]", 2 * n)
            fn(z, _buf(x, n), _buf(y, n))
            return _val(z, 2 * n)
    return wrapper


def _redc(k, almost: bool):
    n, fn = k.n, _native(k)

    def wrapper(x: int, m: int) -> int:
        m = _modulus(m, n)
        if almost:
            x = _words("x", x, 2 * n)
        else:
            x = _below("x", x, m << (64 * n), f"2^{64 * n} * m")
        z = ffi.new("uint64_t[]", n)
        fn(z, _buf(x, 2 * n), _buf(m, n), montgomery_w(m))
        return _val(z, n)
    return wrapper


def _montmul(k, square: bool, almost: bool):
    n, fn = k.n, _native(k)

    def operand(name, v, m):
        return _words(name, v, n) if almost else _below(name, v, m, "m")

    if square:
        def wrapper(x: int, m: int) -> int:
            m = _modulus(m, n)
            x = operand("x", x, m)
            z = ffi.new("uint64_t[]", n)
            fn(z, _buf(x, n), _buf(m, n), montgomery_w(m))
            return _val(z, n)
    else:
        def wrapper(x: int, y: int, m: int) -> int:
            m = _modulus(m, n)
            x, y = operand("x", x, m), operand("y", y, m)
            z = ffi.new("uint64_t[]", n)
            fn(z, _buf(x, n), _buf(y, n), _buf(m, n), montgomery_w(m))
            return _val(z, n)
    return wrapper


def _table(k):
    n, fn = k.n, _native(k)

    def wrapper(rows, idx: int) -> int:
        rows = list(rows)
        if not rows:
            raise ValueError("the table needs at least one row")
        for i, r in enumerate(rows):
            _words(f"rows[{i}]", r, n)
        idx = _below("idx", idx, len(rows), f"len(rows) = {len(rows)}")
        packed = sum(r << (64 * n * i) for i, r in enumerate(rows))
        z = ffi.new("uint64_t[]", n)
        fn(z, _buf(packed, n * len(rows)), len(rows), idx)
        return _val(z, n)
    return wrapper


def _modexp(k):
    n, fn = k.n, _native(k)

    def wrapper(a: int, e: int, m: int) -> int:
        m = _modulus(m, n)
        a = _below("a", a, m, "m")
        e = _words("e", e, n)
        z = ffi.new("uint64_t[]", n)
        fn(z, _buf(a, n), _buf(e, n), _buf(m, n))
        return _val(z, n)
    return wrapper


# -- radix 2^52 (the avx512ifma kernels) ----------------------------------------

_MASK52 = (1 << 52) - 1


def digits52(x: int, count: int) -> list[int]:
    """The radix-2^52 digits of x, low first, `count` of them."""
    return [(x >> (52 * i)) & _MASK52 for i in range(count)]


def value52(digits) -> int:
    """sum d_i 2^(52 i)."""
    return sum(d << (52 * i) for i, d in enumerate(digits))


def _digits_buf(digits, words: int):
    buf = ffi.new("uint64_t[]", words)
    for i, d in enumerate(digits):
        buf[i] = d
    return buf


def _amm52_modulus(name: str, m, n: int) -> int:
    m = _int(name, m)
    if not (0 < m and m % 2 == 1 and 4 * m < 1 << (52 * n)):
        raise ValueError(f"{name} must be odd, positive and below 2^{52 * n - 2} (4m < 2^(52n))")
    return m


def _amm52_k0(m: int) -> int:
    return (-pow(m, -1, 1 << 52)) & _MASK52


def _amm52(k, dual: bool):
    n, fn = k.n, _native(k)
    w = k.params[0].words // (2 if dual else 1)     # one number's words (the catalog's layout: stride(n))

    def one(x, y, m, xname="x", yname="y", mname="m"):
        m = _amm52_modulus(mname, m, n)
        x = _below(xname, x, 2 * m, "2m")
        y = _below(yname, y, 2 * m, "2m")
        return x, y, m

    if dual:
        def wrapper(x, y, m):
            """x, y, m: pairs (one number per CRT half); returns the pair of results."""
            pairs = [tuple(v) for v in (x, y, m)]
            if any(len(p) != 2 for p in pairs):
                raise ValueError("x, y and m must be pairs (x0, x1), (y0, y1), (m0, m1)")
            ins = [one(pairs[0][h], pairs[1][h], pairs[2][h], f"x{h}", f"y{h}", f"m{h}") for h in (0, 1)]
            bufs = [_digits_buf(digits52(ins[0][j], n) + [0] * (w - n) + digits52(ins[1][j], n), 2 * w)
                    for j in range(3)]
            k0 = ffi.new("uint64_t[]", [_amm52_k0(ins[0][2]), _amm52_k0(ins[1][2])])
            z = ffi.new("uint64_t[]", 2 * w)
            fn(z, bufs[0], bufs[1], bufs[2], k0)
            return value52(z[0:w]), value52(z[w:2 * w])
    else:
        def wrapper(x: int, y: int, m: int) -> int:
            x, y, m = one(x, y, m)
            z = ffi.new("uint64_t[]", w)
            fn(z, _digits_buf(digits52(x, n), w), _digits_buf(digits52(y, n), w),
               _digits_buf(digits52(m, n), w), _amm52_k0(m))
            return value52(z[0:w])
    return wrapper


def _to_radix52(k):
    h, fn = k.n, _native(k)
    w = k.params[0].words

    def wrapper(x: int) -> list[int]:
        """The buffer's words: the digits of x, then zeros."""
        x = _words("x", x, h)
        z = ffi.new("uint64_t[]", w)
        fn(z, _buf(x, h))
        return list(z)
    return wrapper


def _from_radix52(k):
    h, fn = k.n, _native(k)
    w = k.params[1].words

    def wrapper(digits) -> int:
        """digits: the buffer's words (each < 2^52, their value < 2^(64h)); returns the number."""
        digits = [_int(f"digits[{i}]", d) for i, d in enumerate(digits)]
        if len(digits) > w:
            raise ValueError(f"at most {w} digits")
        for i, d in enumerate(digits):
            _below(f"digits[{i}]", d, 1 << 52, "2^52")
        _below("the digits' value", value52(digits), 1 << (64 * h), f"2^{64 * h}")
        z = ffi.new("uint64_t[]", h)
        fn(z, _digits_buf(digits, w))
        return _val(z, h)
    return wrapper


def _select52x2(k):
    fn = _native(k)
    w2 = k.params[0].words
    rows_n = k.params[1].words // w2

    def wrapper(rows, idx0: int, idx1: int) -> tuple[list[int], list[int]]:
        """rows: the table's rows, each a pair of buffers (two lists of w words); returns
        (rows[idx0][0], rows[idx1][1]), reading every row (constant time in idx0, idx1)."""
        rows = list(rows)
        if len(rows) != rows_n:
            raise ValueError(f"the table has exactly {rows_n} rows")
        words = []
        for i, row in enumerate(rows):
            if len(row) != 2 or any(len(half) != w2 // 2 for half in row):
                raise ValueError(f"rows[{i}] must be two buffers of {w2 // 2} words")
            words += [_words(f"rows[{i}] word", x, 1) for half in row for x in half]
        idx0 = _below("idx0", idx0, rows_n, str(rows_n))
        idx1 = _below("idx1", idx1, rows_n, str(rows_n))
        z = ffi.new("uint64_t[]", w2)
        fn(z, ffi.new("uint64_t[]", words), idx0, idx1)
        return list(z[0:w2 // 2]), list(z[w2 // 2:w2])
    return wrapper


_FAMILIES = {
    "select52x2": _select52x2,
    "amm52": lambda k: _amm52(k, False),
    "amm52x2": lambda k: _amm52(k, True),
    "to_radix52": _to_radix52,
    "from_radix52": _from_radix52,
    "mul": lambda k: _product(k, False),
    "kmul": lambda k: _product(k, False),
    "sqr": lambda k: _product(k, True),
    "ksqr": lambda k: _product(k, True),
    "montredc": lambda k: _redc(k, False),
    "amontredc": lambda k: _redc(k, True),
    "montmul": lambda k: _montmul(k, False, False),
    "amontmul": lambda k: _montmul(k, False, True),
    "montsqr": lambda k: _montmul(k, True, False),
    "amontsqr": lambda k: _montmul(k, True, True),
    "copy_row_from_table": _table,
    "modexp": _modexp,
}

_DOCS = {
    "amm52": "z == x*y/2^(52n) (mod m), z < 2m, for odd m with 4m < 2^(52n) and x, y < 2m (radix 2^52).",
    "amm52x2": "the amm52 of two (x, y, m) at once: pairs in, a pair out.",
    "select52x2": "(rows[idx0][0], rows[idx1][1]) of a 32-row table of buffer pairs, reading every row.",
    "to_radix52": "the radix-2^52 digits of x < 2^(64n) (the buffer's words).",
    "from_radix52": "the number whose radix-2^52 digits are given (each < 2^52, value < 2^(64n)).",
    "mul": "x * y for x, y < 2^(64n).",
    "kmul": "x * y for x, y < 2^(64n) (Karatsuba).",
    "sqr": "x^2 for x < 2^(64n).",
    "ksqr": "x^2 for x < 2^(64n) (Karatsuba).",
    "montredc": "x / 2^(64n) mod m, for odd m and x < 2^(64n) * m.",
    "amontredc": "z == x / 2^(64n) (mod m), z < 2^(64n); z < 2m if x < 2^(64n) * m.",
    "montmul": "x * y / 2^(64n) mod m, for odd m and x, y < m.",
    "amontmul": "z == x * y / 2^(64n) (mod m), z < 2^(64n), for x, y < 2^(64n).",
    "montsqr": "x^2 / 2^(64n) mod m, for odd m and x < m.",
    "amontsqr": "z == x^2 / 2^(64n) (mod m), z < 2^(64n), for x < 2^(64n).",
    "copy_row_from_table": "rows[idx], reading every row (constant time in idx).",
    "modexp": "a^e mod m, constant time; odd m, a < m, e < 2^(64n).",
}

# the library holds the host ISA's kernels
CATALOG, OPERATIONS, BY_NAME = host_catalog(), host_operations(), host_by_name()

for _k in list(OPERATIONS.values()) + CATALOG:
    _w = _FAMILIES[_k.family](_k)
    _w.__name__ = _w.__qualname__ = _k.name
    _how = f"the {_k.level} variant" if getattr(_k, "level", None) else "the dispatched variant"
    _w.__doc__ = f"{_k.name}: {_DOCS[_k.family]} (n = {_k.n}; {_how})"
    globals()[_k.name] = _w
    __all__.append(_k.name)


# -- buffer-level calls -------------------------------------------------------

def _span(name: str, buf, words: int, writable: bool):
    try:
        ptr = ffi.from_buffer("uint64_t[]", buf, require_writable=writable)
    except (TypeError, BufferError) as exc:
        kind = "a writable" if writable else "a readable"
        raise TypeError(f"{name} must be {kind} buffer ({exc})") from None
    size = ffi.sizeof(ptr)
    if words and size != 8 * words:
        raise ValueError(f"{name} must be exactly {8 * words} bytes ({words} words), got {size}")
    if size % 8:
        raise ValueError(f"{name} must be a whole number of 64-bit words, got {size} bytes")
    start = int(ffi.cast("uintptr_t", ptr))
    return ptr, start, start + size


def call_buffers(name: str, *args) -> None:
    """Call kernel `name` (an operation or a variant) on buffers (outputs first, as in C)."""
    k = OPERATIONS.get(name) or BY_NAME.get(name)
    if k is None:
        raise ValueError(f"no kernel named {name!r}")
    if len(args) != len(k.params):
        raise ValueError(f"{name} takes {len(k.params)} arguments ({', '.join(p.name for p in k.params)})")
    native, values, spans = [], {}, {}
    for p, arg in zip(k.params, args):
        if p.kind == "word":
            v = _below(p.name, arg, 1 << 64, "2^64")
            native.append(v)
            values[p.name] = v
            continue
        ptr, lo, hi = _span(p.name, arg, p.words, p.kind == "out")
        native.append(ptr)
        spans[p.name] = (lo, hi, p.kind)
        values[p.name] = int.from_bytes(ffi.buffer(ptr), "little") if p.kind == "in" else None
    out = [(nm, s) for nm, s in spans.items() if s[2] == "out"]
    for oname, (olo, ohi, _) in out:
        for iname, (ilo, ihi, kind) in spans.items():
            if kind == "in" and olo < ihi and ilo < ohi:
                raise ValueError(f"output {oname} overlaps input {iname}")
    _check_buffer_values(k, values, spans)
    _native(k)(*native)


def _check_buffer_values(k, v: dict, spans: dict) -> None:
    """The preconditions of the int wrappers, on values read from buffers."""
    n, fam = k.n, k.family
    if "m" in v:
        _modulus(v["m"], n)
        if "w" in v and v["w"] != montgomery_w(v["m"]):
            raise ValueError("w must be -m^-1 mod 2^64")
    if fam == "montredc":
        _below("x", v["x"], v["m"] << (64 * n), f"2^{64 * n} * m")
    elif fam in ("montmul", "montsqr"):
        for name in ("x", "y"):
            if name in v:
                _below(name, v[name], v["m"], "m")
    elif fam == "modexp":
        _below("a", v["a"], v["m"], "m")
    elif fam == "select52x2":
        for name in ("idx0", "idx1"):
            _below(name, v[name], 32, "32")
    elif fam == "copy_row_from_table":
        lo, hi, _ = spans["table"]
        height = v["height"]
        if height < 1 or hi - lo != 8 * n * height:
            raise ValueError(f"table must hold exactly height rows of {n} words")
        _below("idx", v["idx"], height, "height")
