"""The x86-64 model: registers, decoding, and semantics written once over a value domain.

Public API (stable; the verifier and the demo build on it):

    decode_bytes(code, address=0) -> list[Instruction]
        Decode raw bytes placed at `address`. DecodeError on truncated or
        invalid bytes and on any instruction form not in FORMS.
    decode_one(code, address) -> Instruction
    decode_symbol(path, name) -> Function
        The named function symbol (.symtab, else .dynsym) of an ELF file.
        KeyError for an unknown symbol.
    decode_function(name, code, address) -> Function
    function_symbols(path) -> list[str];  function_addresses(path) -> {name: address}
    symbol_bytes(path, name) -> (address, bytes)
    execute(state, insn)
        Run one instruction on any provenum.isa.state.State: sets state.rip
        to insn.next_address, then applies the instruction's meaning using
        only state.d (domain) operations, state.jump and state.branch.

    Instruction: address, code, size, next_address, mnemonic, operands
        (Reg | Imm | Mem | Rel), text, encoding ("legacy"/"vex"/"evex"),
        mask/zeroing (EVEX opmask of operand 0), form ("adcx r64, r64").
    Function: name, address, code, sha256, instructions, end, at(addr), listing().
    DecodeError(ValueError): .mnemonic, .address, .code.
    FORMS: form -> example assembly; the supported (and validated) forms.
    registers: GPR64, FLAGS, GPR_VIEWS, ARGUMENT_REGISTERS, CALLEE_SAVED, ...

Flags the Intel SDM leaves undefined are written as provenum.isa.domain.UNDEFINED.
"""
from .decode import (
    decode_bytes, decode_function, decode_one, decode_symbol, executable_sections, function_addresses,
    function_symbols, symbol_bytes,
)
from .forms import FORMS
from .instruction import DecodeError, Function, Imm, Instruction, Mem, Reg, Rel
from .registers import (
    ARGUMENT_REGISTERS, CALLEE_SAVED, CALLER_SAVED, FLAGS, GPR64, GPR_VIEWS, RETURN_REGISTERS,
)
from .semantics import SEMANTICS, condition, effective_address, execute

__all__ = [
    "decode_bytes", "decode_function", "decode_one", "decode_symbol", "executable_sections",
    "function_addresses", "function_symbols", "symbol_bytes", "FORMS", "DecodeError", "Function", "Imm", "Instruction",
    "Mem", "Reg", "Rel", "ARGUMENT_REGISTERS", "CALLEE_SAVED", "CALLER_SAVED", "FLAGS", "GPR64",
    "GPR_VIEWS", "RETURN_REGISTERS", "SEMANTICS", "condition", "effective_address", "execute",
]
