"""The calling conventions as data: System V AMD64 and AAPCS64."""
import pytest

from provenum.isa import aarch64, x86_64
from provenum.isa.abi import AAPCS64, ABIS, SYSV_X86_64, VectorPart, abi_for


def test_aapcs64():
    a = AAPCS64
    assert a.argument_registers == ("x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7")
    assert a.callee_saved == tuple(f"x{i}" for i in range(19, 30)) and a.stack_pointer == "sp"
    assert a.return_address.register == "x30" and a.return_address.stack_offset is None
    assert a.red_zone == 0
    assert a.callee_saved_vector == tuple(VectorPart(i, 0, 64) for i in range(8, 16))
    assert set(a.caller_saved) == {f"x{i}" for i in range(18)} - {"x18"} | {"x30"}
    assert "x18" not in a.caller_saved and "x18" not in a.callee_saved and a.reserved == ("x18",)
    changes = a.may_change()
    assert changes["flags"] == ("N", "Z", "C", "V")
    assert changes["vectors"][8] == (64, 64) and changes["vectors"][15] == (64, 64)
    assert changes["vectors"][7] == (0, 128) and changes["vectors"][16] == (0, 128)
    assert a.preserved_vector(9) == VectorPart(9, 0, 64) and a.preserved_vector(0) is None


def test_sysv_x86_64():
    s = SYSV_X86_64
    assert s.argument_registers == ("rdi", "rsi", "rdx", "rcx", "r8", "r9")
    assert s.callee_saved == ("rbx", "rbp", "r12", "r13", "r14", "r15")
    assert s.return_address.stack_offset == 0 and s.return_address.register is None
    assert s.red_zone == 128 and s.callee_saved_vector == ()
    assert all(s.may_change()["vectors"][i] == (0, 512) for i in range(32))
    assert "rsp" not in s.caller_saved and "rax" in s.caller_saved and "rbx" not in s.caller_saved


def test_the_isa_packages_agree_with_the_abi_data():
    assert x86_64.CALLEE_SAVED == SYSV_X86_64.callee_saved
    assert x86_64.ARGUMENT_REGISTERS == SYSV_X86_64.argument_registers
    assert x86_64.CALLER_SAVED == SYSV_X86_64.caller_saved
    assert x86_64.registers.RED_ZONE == SYSV_X86_64.red_zone
    assert aarch64.ABI is AAPCS64 and aarch64.registers.RED_ZONE == 0
    assert set(AAPCS64.gprs) == set(aarch64.GPR64)


def test_lookup():
    assert abi_for("aarch64") is AAPCS64 and ABIS["x86_64"] is SYSV_X86_64
    with pytest.raises(ValueError, match="riscv64"):
        abi_for("riscv64")
