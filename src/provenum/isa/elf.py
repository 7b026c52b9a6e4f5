"""ELF files as the loader sees them, for every ISA.

A function's bytes are read the way the dynamic loader maps them: the
symbol is looked up as a caller binds it (.dynsym first, then .symtab for
local functions), and its bytes come from the executable PT_LOAD segment
that holds its address -- not from section headers, which the loader
ignores. Every failure is a DecodeError that names the file and what is
wrong: not an ELF file, an ELF file for another machine, an unknown
symbol, a symbol outside executable file bytes (truncated).
"""
from __future__ import annotations

from contextlib import contextmanager

from .code import DecodeError, UnknownSymbolError, WrongMachineError

# e_machine names (pyelftools) -> the ISA package names used in provenum.isa
MACHINES = {"EM_X86_64": "x86_64", "EM_AARCH64": "aarch64"}
_PF_X = 0x1


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
    with open_elf(path) as elf:
        return machine_of(elf)


def require_machine(elf, path, isa: str) -> None:
    found = machine_of(elf)
    if found != isa:
        raise WrongMachineError(f"{path} is an ELF file for {found} ({elf['e_machine']}), not {isa}")


def _defined_functions(elf):
    """(name, symbol) of every defined function, .dynsym before .symtab."""
    for table in (".dynsym", ".symtab"):
        sec = elf.get_section_by_name(table)
        if sec is None:
            continue
        for sym in sec.iter_symbols():
            if sym.name and sym["st_shndx"] != "SHN_UNDEF" and sym["st_info"]["type"] in ("STT_FUNC", "STT_NOTYPE"):
                yield sym.name, sym


def function_addresses(path, isa: str) -> dict[str, int]:
    """name -> address of each defined function symbol (STT_FUNC) of an ELF file for `isa`."""
    with open_elf(path) as elf:
        require_machine(elf, path, isa)
        out: dict[str, int] = {}
        for name, sym in _defined_functions(elf):
            if sym["st_info"]["type"] == "STT_FUNC":
                out.setdefault(name, sym["st_value"])
        return out


def executable_segments(elf) -> list[tuple[int, bytes]]:
    """(virtual address, file bytes) of each executable PT_LOAD segment."""
    return [(seg["p_vaddr"], seg.data()[:seg["p_filesz"]]) for seg in elf.iter_segments()
            if seg["p_type"] == "PT_LOAD" and seg["p_flags"] & _PF_X]


def code_segments(path, isa: str) -> list[tuple[int, bytes]]:
    """The executable PT_LOAD segments of an ELF file for `isa` (for an interpreter)."""
    with open_elf(path) as elf:
        require_machine(elf, path, isa)
        return executable_segments(elf)


def symbol_bytes(path, name: str, isa: str) -> tuple[int, bytes]:
    """(virtual address, bytes) of function `name`, from the segment the loader maps it in."""
    with open_elf(path) as elf:
        require_machine(elf, path, isa)
        sym = next((s for n, s in _defined_functions(elf) if n == name), None)
        if sym is None:
            raise UnknownSymbolError(f"symbol {name!r} is not defined in {path}")
        addr, size = sym["st_value"], sym["st_size"]
        if size == 0:
            raise DecodeError(f"symbol {name!r} in {path} has size 0 (missing .size directive?)", address=addr)
        for seg_addr, data in executable_segments(elf):
            if seg_addr <= addr < seg_addr + len(data):
                start = addr - seg_addr
                code = data[start:start + size]
                if len(code) < size:
                    raise DecodeError(
                        f"symbol {name!r} in {path} is truncated: {size} bytes at {addr:#x}, but its segment "
                        f"has only {len(code)} file bytes from there", address=addr + len(code), code=code)
                return addr, code
        raise DecodeError(f"symbol {name!r} in {path} at {addr:#x} is not in an executable segment", address=addr)
