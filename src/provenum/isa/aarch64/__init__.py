"""The AArch64 (A64 + Neon) model: registers and ABI, decoding, semantics over the value domain.

Same shape as provenum.isa.x86_64. Public API:

    decode_bytes(code, address=0) -> list[Instruction]
        Decode raw bytes placed at `address`. DecodeError on truncated bytes
        (not a multiple of 4), undecodable words and any form not in FORMS.
    decode_one(code, address) -> Instruction
    decode_symbol(path, name) -> Function
        The function symbol of an AArch64 ELF file, read as the loader maps
        it (provenum.isa.elf). DecodeError subclasses for an unknown symbol
        (UnknownSymbolError, also a KeyError) and an ELF file for another
        machine (WrongMachineError).
    decode_function(name, code, address) -> Function
    function_symbols(path), function_addresses(path), symbol_bytes(path, name), code_segments(path)
    execute(state, insn)
        Run one instruction on an AArch64 state: sets state.pc to
        insn.next_address, then applies the instruction's meaning using only
        state.d (domain) operations, state.jump and state.branch.

    Instruction: address, code, size (4), next_address, mnemonic, operands
        (Reg, Shifted, Extended, Imm, Mem, VReg, VElem, VScalar, VList, Cond, Label),
        text, form ("adds x, x, x, lsl #imm").
    FORMS: form -> example assembly; the supported (and validated) forms.
    registers: GPR64, FLAGS, ABI (AAPCS64), ARGUMENT_REGISTERS, CALLEE_SAVED, ...

The state an AArch64 semantics acts on (the concrete one is
provenum.machine.aarch64.ConcreteState) has:

    d                                   the value domain
    read_gpr(name) / write_gpr(name, v) x0..x30 and sp, 64-bit values (the
                                        semantics handle w views and xzr)
    read_flag(name) / write_flag(name, v)   N, Z, C, V as 1-bit values
    read_vec(i) / write_vec(i, v)       v0..v31, 128-bit values
    load(address, nbytes) / store(address, value, nbytes)   little-endian
    pc, jump(target), branch(cond, target)
"""
from .decode import (
    code_segments, decode_bytes, decode_function, decode_one, decode_symbol, function_addresses, function_symbols,
    symbol_bytes,
)
from .forms import FORMS
from .instruction import (
    Cond, DecodeError, Extended, Function, Imm, Instruction, Label, Mem, Reg, Shifted, VElem, VList, VReg, VScalar,
)
from .registers import ABI, ARGUMENT_REGISTERS, CALLEE_SAVED, CALLER_SAVED, FLAGS, GPR64, LINK_REGISTER
from .semantics import SEMANTICS, VECTOR_SEMANTICS, condition, execute, semantics_of

__all__ = [
    "code_segments", "decode_bytes", "decode_function", "decode_one", "decode_symbol", "function_addresses",
    "function_symbols", "symbol_bytes", "FORMS", "Cond", "DecodeError", "Extended", "Function", "Imm",
    "Instruction", "Label", "Mem", "Reg", "Shifted", "VElem", "VList", "VReg", "VScalar", "ABI",
    "ARGUMENT_REGISTERS", "CALLEE_SAVED", "CALLER_SAVED", "FLAGS", "GPR64", "LINK_REGISTER", "SEMANTICS",
    "VECTOR_SEMANTICS", "condition", "execute", "semantics_of",
]
