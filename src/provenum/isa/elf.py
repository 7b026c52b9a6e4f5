"""Machine code as the dynamic loader sees it, for every ISA.

The loader maps PT_LOAD segments and binds names through the dynamic symbol
table; it never reads section headers or `.symtab`. So do proofs:

* a function is found through its *dynamic* symbol: defined, GLOBAL or WEAK,
  DEFAULT or PROTECTED visibility, a function (or untyped) symbol, size > 0
  -- the symbol dlsym and cffi bind. Two such definitions of one name are an
  error (which one runs depends on versions the model does not follow); a
  local or hidden symbol of that name is not what a caller gets, and is named
  in the error when it is the only one;
* its bytes come from the one executable PT_LOAD segment whose file image
  holds [address, address + size), read at that segment's file offset.

`code_symbols` lists every function symbol (any table, any binding) by
address, for following a `call` into a local helper: the bytes at the target
are what runs whatever the symbol is called, so only its extent comes from
the symbol, and the bytes still come from the segment.

Every failure is a DecodeError naming the file and what is wrong: not an ELF
file, an ELF file for another machine (WrongMachineError), a name the loader
does not bind (UnknownSymbolError, also a KeyError), an ambiguous or empty
symbol, code outside an executable segment's file image.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from .code import DecodeError, UnknownSymbolError, WrongMachineError

# e_machine names (pyelftools) -> the ISA package names used in provenum.isa
MACHINES = {"EM_X86_64": "x86_64", "EM_AARCH64": "aarch64"}
PF_X = 0x1
_CODE_TYPES = ("STT_FUNC", "STT_NOTYPE")
_BOUND = ("STB_GLOBAL", "STB_WEAK")
_VISIBLE = ("STV_DEFAULT", "STV_PROTECTED")


@dataclass(frozen=True)
class Symbol:
    name: str
    address: int
    size: int
    binding: str
    visibility: str
    table: str


@dataclass(frozen=True)
class Segment:
    vaddr: int
    offset: int
    filesz: int
    memsz: int
    flags: int

    def holds(self, address: int, size: int) -> bool:
        return self.vaddr <= address and address + size <= self.vaddr + self.filesz


@contextmanager
def open_elf(path):
    """The parsed ELF file (pyelftools ELFFile); DecodeError if unreadable or not ELF."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        f = open(path, "rb")
    except OSError as e:
        raise DecodeError(f"cannot open {path}: {e.strerror}") from None
    with f:
        try:
            elf = ELFFile(f)
        except ELFError as e:
            raise DecodeError(f"{path} is not an ELF file: {e}") from None
        yield elf


def machine_of(elf) -> str:
    """'x86_64', 'aarch64', or the raw e_machine name for anything else."""
    em = elf["e_machine"]
    return MACHINES.get(em, str(em))


def elf_machine(path) -> str:
    """The ISA an ELF file is for ('x86_64', 'aarch64', or the e_machine name)."""
    return _parsed(path)["machine"]


def _require(path, isa: str | None) -> None:
    found = elf_machine(path)
    if isa is not None and found != isa:
        raise WrongMachineError(f"{path} is an ELF file for {found}, not {isa}")


@dataclass(frozen=True)
class _Sym:
    """What the checks here read of a symbol table entry."""
    type: str


_PARSED: dict = {}


def _parsed(path) -> dict:
    """The symbol tables and segments of an ELF file, parsed once per content (keyed by its SHA-256, so a
    file rebuilt in place is parsed again)."""
    import hashlib

    try:
        data = open(path, "rb").read()
    except OSError as e:
        raise DecodeError(f"cannot open {path}: {e.strerror}") from None
    key = (str(path), hashlib.sha256(data).hexdigest())
    got = _PARSED.get(key)
    if got is not None:
        return got
    with open_elf(path) as elf:
        got = {"machine": machine_of(elf), "tables": {}, "segments": []}
        for table in (".symtab", ".dynsym"):
            sec = elf.get_section_by_name(table)
            if sec is None or not hasattr(sec, "iter_symbols"):
                continue
            rows = []
            for sym in sec.iter_symbols():
                if sym["st_shndx"] == "SHN_UNDEF" or not sym.name:
                    continue
                rows.append((_Sym(sym["st_info"]["type"]), Symbol(sym.name, sym["st_value"], sym["st_size"],
                                                                  sym["st_info"]["bind"],
                                                                  sym["st_other"]["visibility"], table)))
            got["tables"][table] = rows
        got["segments"] = [Segment(seg["p_vaddr"], seg["p_offset"], seg["p_filesz"], seg["p_memsz"], seg["p_flags"])
                           for seg in elf.iter_segments() if seg["p_type"] == "PT_LOAD"]
    if len(_PARSED) > 64:
        _PARSED.clear()
    _PARSED[key] = got
    return got


def _symbols(parsed: dict, table: str):
    yield from parsed["tables"].get(table, ())


def _is_bound(sym, s: Symbol) -> bool:
    return sym.type in _CODE_TYPES and s.binding in _BOUND and s.visibility in _VISIBLE


def dynamic_symbols(path) -> dict[str, Symbol]:
    """name -> the function symbol the loader binds, for every such name (ambiguous names left out)."""
    found: dict[str, list[Symbol]] = {}
    for sym, s in _symbols(_parsed(path), ".dynsym"):
        if _is_bound(sym, s) and s.size > 0:
            found.setdefault(s.name, []).append(s)
    return {n: v[0] for n, v in found.items() if len({(x.address, x.size) for x in v}) == 1}


def dynamic_symbol(path, name: str) -> Symbol:
    """The symbol `name` resolves to through the dynamic loader (UnknownSymbolError / DecodeError say why not)."""
    parsed = _parsed(path)
    if ".dynsym" not in parsed["tables"]:
        raise UnknownSymbolError(f"{path} has no dynamic symbol table: the loader binds no name in it")
    bound, other = [], []
    for sym, s in _symbols(parsed, ".dynsym"):
        if s.name == name:
            (bound if _is_bound(sym, s) else other).append((sym, s))
    if not bound:
        other += [(sym, s) for sym, s in _symbols(parsed, ".symtab") if s.name == name]
        if other:
            sym, s = other[0]
            why = f"{s.binding.lower()[4:]} {s.visibility.lower()[4:]} {sym.type[4:].lower()} in {s.table}"
            raise UnknownSymbolError(f"symbol {name!r} in {path} is not one the dynamic loader binds ({why})")
        raise UnknownSymbolError(f"symbol {name!r} is not defined in {path}")
    if len({(s.address, s.size) for _, s in bound}) > 1:
        places = ", ".join(f"{s.address:#x}+{s.size}" for _, s in bound)
        raise DecodeError(f"symbol {name!r} in {path} is ambiguous: {len(bound)} dynamic definitions ({places})")
    s = bound[0][1]
    if s.size == 0:
        raise DecodeError(f"symbol {name!r} in {path} has size 0 (missing .size directive?)", address=s.address)
    return s


def code_symbols(path) -> dict[int, Symbol]:
    """address -> a function symbol starting there (dynamic ones preferred), for following calls."""
    parsed = _parsed(path)
    out: dict[int, Symbol] = {}
    for table in (".symtab", ".dynsym"):  # .dynsym last: a bound symbol wins its address
        for sym, s in _symbols(parsed, table):
            if sym.type == "STT_FUNC" and s.size > 0:
                if table == ".dynsym" and not _is_bound(sym, s):
                    continue
                out[s.address] = s
    return out


def all_function_addresses(path) -> dict[str, int]:
    """name -> address of every function symbol (any table or binding): labels for running code, not for proofs."""
    out: dict[str, int] = {}
    parsed = _parsed(path)
    for table in (".symtab", ".dynsym"):
        for sym, s in _symbols(parsed, table):
            if sym.type == "STT_FUNC":
                out.setdefault(s.name, s.address)
    return out


def segments(path) -> list[Segment]:
    return list(_parsed(path)["segments"])


def code_bytes(path, address: int, size: int, what: str = "code") -> bytes:
    """The bytes the loader maps at [address, address + size): from the executable PT_LOAD segment holding them."""
    holding = [s for s in segments(path) if s.holds(address, size)]
    if not holding:
        raise DecodeError(f"{what} at {address:#x}+{size} in {path} is not inside the file image of a PT_LOAD segment")
    if len(holding) > 1:
        raise DecodeError(f"{what} at {address:#x}+{size} in {path} lies in {len(holding)} overlapping PT_LOAD "
                         "segments: which bytes are mapped is ambiguous")
    seg = holding[0]
    if not seg.flags & PF_X:
        raise DecodeError(f"{what} at {address:#x} in {path} lies in a PT_LOAD segment that is not executable")
    with open(path, "rb") as f:
        f.seek(seg.offset + address - seg.vaddr)
        data = f.read(size)
    if len(data) != size:
        raise DecodeError(f"{what} at {address:#x}+{size} in {path}: the file is truncated")
    return data


def code_segments(path, isa: str | None = None) -> list[tuple[int, bytes]]:
    """(address, bytes) of each executable PT_LOAD segment's file image (what an interpreter runs)."""
    _require(path, isa)
    out = []
    with open(path, "rb") as f:
        for seg in segments(path):
            if seg.flags & PF_X and seg.filesz:
                f.seek(seg.offset)
                out.append((seg.vaddr, f.read(seg.filesz)))
    return out


def function_addresses(path, isa: str | None = None) -> dict[str, int]:
    """name -> address of each function the dynamic loader binds in an ELF file (for `isa`, if given)."""
    _require(path, isa)
    return {name: sym.address for name, sym in dynamic_symbols(path).items()}


def symbol_bytes(path, name: str, isa: str | None = None) -> tuple[int, bytes]:
    """(address, bytes) of the dynamically bound function `name`, as mapped by the loader."""
    _require(path, isa)
    s = dynamic_symbol(path, name)
    return s.address, code_bytes(path, s.address, s.size, f"symbol {name!r}")
