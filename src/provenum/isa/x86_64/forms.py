"""The catalogue of supported instruction forms, each with example assembly.

A form is a mnemonic plus operand kinds, e.g. "adcx r64, r64", "shl r32, cl",
"vmovdqu64 zmm{k}{z}, m512". The decoder accepts exactly these forms (anything
else is a DecodeError), and `provenum validate-model` runs every example of
every form natively and in the model. To support a new form, add it here with
one or more examples (GNU as, Intel syntax, no prefix); the harness checks
that each example decodes to its form. The decoder accepts a form only in the
encodings its examples assemble to: after changing examples, regenerate that
table with `python -m provenum.isa.x86_64` (a test says when it is stale). Examples avoid rsp except as a memory
base; memory operands may use `pv_scratch` (rip-relative scratch buffer); an
example may also be raw `.byte`s when the assembler cannot spell an encoding.

Legacy SSE forms with a memory operand other than movdqu are left out on
purpose: they fault unless the address is 16-byte aligned, which the model
does not track (use the VEX forms, which have no alignment requirement).

Conditional branches and calls target the label `TARGET`, which the harness
places behind some padding (so rel32 examples can force a long jump).
"""
from __future__ import annotations

CONDITION_CODES = ("o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g")

FORMS: dict[str, list[str]] = {}


def _form(form: str, *examples: str) -> None:
    assert form not in FORMS, form
    FORMS[form] = list(examples)


# --- integer arithmetic and logic ---------------------------------------------
for m in ("add", "adc", "sub", "sbb", "cmp", "and", "or", "xor"):
    _form(f"{m} r64, r64", f"{m} rax, rbx", f"{m} r9, r14", f"{m} rdx, rdx", f"{m} rbp, rsi")
    _form(f"{m} r32, r32", f"{m} eax, ecx", f"{m} r10d, esi")
    _form(f"{m} r16, r16", f"{m} ax, bx", f"{m} r11w, di")
    _form(f"{m} r8, r8", f"{m} al, bh", f"{m} sil, r9b", f"{m} ch, dl")
    _form(f"{m} r64, imm8", f"{m} rax, 5", f"{m} r11, -3", f"{m} rbx, 0x7f")
    _form(f"{m} r64, imm32", f"{m} rcx, 0x12345678", f"{m} r12, -0x7000000", f"{m} rax, 0x100")
    _form(f"{m} r32, imm8", f"{m} edx, -1", f"{m} r13d, 9")
    _form(f"{m} r32, imm32", f"{m} esi, 0x89abcdef", f"{m} eax, 0x1000")
    _form(f"{m} r8, imm8", f"{m} al, 0x7f", f"{m} bh, 0x80", f"{m} r15b, 1")
    _form(f"{m} r64, m64", f"{m} rax, [rbx+8]", f"{m} r10, [rsi+rcx*8-16]", f"{m} rdx, [rsp+32]")
    _form(f"{m} m64, r64", f"{m} [rdi+rdx*8], r8", f"{m} qword ptr [rsp+24], rbx", f"{m} [rax], rax")
    _form(f"{m} m64, imm8", f"{m} qword ptr [rbx+16], 7", f"{m} qword ptr [rsp+8], -128")
    _form(f"{m} m64, imm32", f"{m} qword ptr [rcx], 0x4000000", f"{m} qword ptr [r9+r10*2+4], -1000")
    _form(f"{m} r32, m32", f"{m} eax, [rbx+4]", f"{m} r8d, [rdi+rax*4]")
    _form(f"{m} m32, r32", f"{m} [rbx+4], ecx", f"{m} [rdi+rax*4], r9d")
    _form(f"{m} m8, r8", f"{m} [rsi+1], al", f"{m} [rbx+rcx], ch")

_form("test r64, r64", "test rax, rbx", "test r9, r9", "test rsi, r13")
_form("test r32, r32", "test eax, ecx", "test r8d, r8d")
_form("test r8, r8", "test al, bl", "test ah, dh", "test dil, r9b")
_form("test r64, imm32", "test rax, 1", "test r10, -0x10000")
_form("test r32, imm32", "test ecx, 0x80000000", "test eax, 3")
_form("test r8, imm8", "test al, 1", "test bh, 0x80", "test r12b, 0x41")
_form("test m64, r64", "test [rbx+8], rcx", "test [rsp+16], r14")
_form("test m64, imm32", "test qword ptr [rdx], 0x100")

for m in ("adcx", "adox"):
    _form(f"{m} r64, r64", f"{m} rax, rbx", f"{m} r9, r14", f"{m} rcx, rcx")
    _form(f"{m} r64, m64", f"{m} rax, [rbx+8]", f"{m} r13, [rsi+rcx*8]")
    _form(f"{m} r32, r32", f"{m} eax, ebx", f"{m} r11d, edx")

for m in ("neg", "not", "inc", "dec"):
    _form(f"{m} r64", f"{m} rax", f"{m} r12")
    _form(f"{m} r32", f"{m} ecx", f"{m} r9d")
    _form(f"{m} r8", f"{m} al", f"{m} bh", f"{m} r10b")
    _form(f"{m} m64", f"{m} qword ptr [rbx+8]", f"{m} qword ptr [rsp+rcx*8+16]")

# --- moves ------------------------------------------------------------------------
_form("mov r64, r64", "mov rax, rbx", "mov r9, r14", "mov rbp, rdi")
_form("mov r32, r32", "mov eax, ecx", "mov r10d, esi", "mov edx, edx")
_form("mov r16, r16", "mov ax, bx", "mov r11w, di")
_form("mov r8, r8", "mov ah, bl", "mov cl, dh", "mov sil, r9b")
_form("mov r64, imm32", "mov rax, -5", "mov r13, 0x7fffffff", "mov rdx, 0")
_form("movabs r64, imm64", "movabs rax, 0x123456789abcdef0", "movabs r15, -0x100000000")
_form("mov r32, imm32", "mov eax, 5", "mov r8d, 0xffffffff")
_form("mov r16, imm16", "mov ax, 0x1234", "mov r9w, -1")
_form("mov r8, imm8", "mov al, 0x12", "mov bh, -1", "mov r14b, 0x80")
_form("mov r64, m64", "mov rax, [rbx+8]", "mov r10, [rsi+rcx*8-16]", "mov rdx, [rsp+40]",
      "mov rcx, [rip+pv_scratch+200]", "mov rbx, [rbx+rbx*2]")
_form("mov m64, r64", "mov [rdi+rdx*8], r8", "mov [rsp+24], rbx", "mov [rip+pv_scratch+256], rsi", "mov [rax], rax")
_form("mov r32, m32", "mov eax, [rbx+4]", "mov r8d, [rdi+rax*4+12]")
_form("mov m32, r32", "mov [rbx+4], ecx", "mov [rdi+rax*4], r9d")
_form("mov r16, m16", "mov ax, [rbx+2]", "mov r8w, [rdi+rcx*2]")
_form("mov m16, r16", "mov [rbx+2], cx", "mov [rdi+rax*2], r9w")
_form("mov r8, m8", "mov al, [rbx+1]", "mov bh, [rdi+rcx]", "mov r11b, [rsi]")
_form("mov m8, r8", "mov [rbx+1], cl", "mov [rdi+rax], ah", "mov [rsi], r12b")
_form("mov m64, imm32", "mov qword ptr [rbx+8], -2", "mov qword ptr [rsp+16], 0x12345678")
_form("mov m32, imm32", "mov dword ptr [rbx+8], 0x87654321")
_form("mov m16, imm16", "mov word ptr [rbx+8], 0x8765")
_form("mov m8, imm8", "mov byte ptr [rcx+3], 0x5a")

for w, (src8, src16, m8, m16) in {64: ("bl", "cx", "byte ptr [rbx+3]", "word ptr [rdi+rcx*2]"),
                                  32: ("ah", "r9w", "byte ptr [rsi]", "word ptr [rbx+6]")}.items():
    d1, d2 = ("rax", "r10") if w == 64 else ("eax", "r10d")
    for m in ("movzx", "movsx"):
        _form(f"{m} r{w}, r8", f"{m} {d1}, {src8}", f"{m} {d2}, r11b")
        _form(f"{m} r{w}, r16", f"{m} {d1}, {src16}", f"{m} {d2}, dx")
        _form(f"{m} r{w}, m8", f"{m} {d1}, {m8}")
        _form(f"{m} r{w}, m16", f"{m} {d2}, {m16}")
_form("movsxd r64, r32", "movsxd rax, ecx", "movsxd r9, r14d")
_form("movsxd r64, m32", "movsxd rdx, dword ptr [rbx+4]")

_form("lea r64, m64", "lea rax, [rbx+rcx*4+8]", "lea r8, [rip+pv_scratch]", "lea rdx, [rdx+rdx*2]",
      "lea rsi, [r12-0x80]", "lea rcx, [rsp+8]", "lea r11, [r13+r14*8+0x12345]", "lea rdi, [rcx*8+16]")
_form("lea r32, m32", "lea eax, [rbx+rcx*4+8]", "lea r9d, [rdi-1]")

_form("xchg r64, r64", "xchg rcx, rbx", "xchg r9, r14", "xchg rax, rdx")
_form("xchg r32, r32", "xchg ecx, ebx", "xchg r9d, esi")
_form("xchg m64, r64", "xchg [rsi+8], rdx", "xchg [rsp+16], r10")

_form("push r64", "push rbx", "push r12", "push rsp")
_form("push imm8", "push 5", "push -128")
_form("push imm32", "push 0x12345", "push -0x80000000")
_form("push m64", "push qword ptr [rbx+8]", "push qword ptr [rsp+8]")
_form("pop r64", "pop rcx", "pop r13")
_form("pop m64", "pop qword ptr [rbx+8]")

# --- conditions -----------------------------------------------------------------------
for cc in CONDITION_CODES:
    _form(f"cmov{cc} r64, r64", f"cmov{cc} rax, rbx", f"cmov{cc} r9, r14")
    _form(f"cmov{cc} r32, r32", f"cmov{cc} eax, ecx", f"cmov{cc} r10d, esi")
    _form(f"cmov{cc} r64, m64", f"cmov{cc} rdx, [rbx+8]", f"cmov{cc} r11, [rsp+rcx*8+8]")
    _form(f"set{cc} r8", f"set{cc} al", f"set{cc} bh", f"set{cc} r13b")
    _form(f"set{cc} m8", f"set{cc} byte ptr [rbx+5]")
    _form(f"j{cc} rel8", f"j{cc} TARGET_NEAR")
    _form(f"j{cc} rel32", f"j{cc} TARGET")

_form("jmp rel8", "jmp TARGET_NEAR")
_form("jmp rel32", "jmp TARGET")
_form("call rel32", "call TARGET")
_form("ret", "ret")

_form("clc", "clc")
_form("stc", "stc")
_form("cmc", "cmc")
_form("nop", "nop", ".byte 0x66, 0x90")
_form("nop m32", "nop dword ptr [rax+rax]", "nop dword ptr [rax+rax*1+0x0]", "nop dword ptr [rax]",
      "nop dword ptr [rax+0x12345]")
_form("nop m16", "nop word ptr [rax+rax]", "nop word ptr cs:[rax+rax]",
      ".byte 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00",
      ".byte 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00")
_form("endbr64", "endbr64")

# --- shifts and rotates -----------------------------------------------------------------
for m in ("shl", "shr", "sar", "rol", "ror"):
    _form(f"{m} r64, imm8", f"{m} rax, 5", f"{m} r9, 63", f"{m} rdx, 0", f"{m} rbx, 70")
    _form(f"{m} r64, 1", f"{m} rcx, 1", f"{m} r14, 1")
    _form(f"{m} r64, cl", f"{m} rax, cl", f"{m} r10, cl", f"{m} rcx, cl")
    _form(f"{m} r32, imm8", f"{m} eax, 5", f"{m} r9d, 31", f"{m} edx, 0", f"{m} ebx, 33")
    _form(f"{m} r32, 1", f"{m} ecx, 1")
    _form(f"{m} r32, cl", f"{m} eax, cl", f"{m} r10d, cl")
    _form(f"{m} m64, imm8", f"{m} qword ptr [rbx+8], 3")
for m in ("shld", "shrd"):
    _form(f"{m} r64, r64, imm8", f"{m} rax, rbx, 5", f"{m} r9, r14, 63", f"{m} rdx, rdx, 1", f"{m} rsi, rdi, 0")
    _form(f"{m} r64, r64, cl", f"{m} rax, rbx, cl", f"{m} r10, rcx, cl")
    _form(f"{m} r32, r32, imm8", f"{m} eax, ebx, 5", f"{m} r9d, r14d, 1", f"{m} esi, edi, 0")
    _form(f"{m} r32, r32, cl", f"{m} eax, ebx, cl")

for m in ("shlx", "shrx", "sarx"):
    _form(f"{m} r64, r64, r64", f"{m} rax, rbx, rcx", f"{m} r9, r14, r9", f"{m} rdx, rdx, rsi")
    _form(f"{m} r32, r32, r32", f"{m} eax, ebx, ecx", f"{m} r10d, r11d, r12d")
_form("rorx r64, r64, imm8", "rorx rax, rbx, 13", "rorx r9, r9, 70", "rorx rcx, rdx, 0")
_form("rorx r32, r32, imm8", "rorx eax, ebx, 7")
_form("andn r64, r64, r64", "andn rax, rbx, rcx", "andn r9, r9, r14")
_form("andn r64, r64, m64", "andn rax, rbx, [rcx+8]")

_form("bt r64, imm8", "bt rax, 3", "bt r12, 63", "bt rdx, 100")
_form("bt r64, r64", "bt rax, rbx", "bt r9, rcx")
_form("bt r32, imm8", "bt eax, 31")
_form("bt r32, r32", "bt eax, ebx", "bt r10d, ecx")
_form("bt m64, imm8", "bt qword ptr [rbx+8], 45")

# --- multiplication ------------------------------------------------------------------------
_form("mul r64", "mul rbx", "mul r11", "mul rax", "mul rdx")
_form("mul r32", "mul ecx", "mul r9d")
_form("mul m64", "mul qword ptr [rbx+8]", "mul qword ptr [rsp+rcx*8]")
_form("imul r64", "imul rbx", "imul rdx")
_form("imul r64, r64", "imul rax, rbx", "imul r9, r14", "imul rcx, rcx")
_form("imul r32, r32", "imul eax, ebx", "imul r9d, r14d")
_form("imul r64, m64", "imul rax, [rbx+8]", "imul r12, [rsi+rcx*8]")
_form("imul r64, r64, imm8", "imul rax, rbx, 5", "imul r9, r14, -1")
_form("imul r64, r64, imm32", "imul rax, rbx, 0x12345", "imul r10, r10, -0x1000000")
_form("imul r32, r32, imm32", "imul eax, ebx, 1000")
_form("mulx r64, r64, r64", "mulx rax, rbx, rcx", "mulx r9, r14, rdx", "mulx rcx, rcx, rsi", "mulx r8, r10, r10")
_form("mulx r64, r64, m64", "mulx rax, rbx, [rcx+8]", "mulx r12, r13, [rsp+rsi*8+8]")
_form("mulx r32, r32, r32", "mulx eax, ebx, ecx")

# --- vectors ----------------------------------------------------------------------------
_form("movdqu xmm, m128", "movdqu xmm1, [rax+16]", "movdqu xmm9, [rsi+rcx*8]")
_form("movdqu m128, xmm", "movdqu [rax+16], xmm2", "movdqu [rdi+rcx*8-32], xmm12")
_form("movdqu xmm, xmm", "movdqu xmm1, xmm2", "movdqu xmm15, xmm0")
_form("vmovdqu xmm, m128", "vmovdqu xmm1, [rax+16]")
_form("vmovdqu m128, xmm", "vmovdqu [rax+16], xmm3")
_form("vmovdqu ymm, m256", "vmovdqu ymm1, [rax+32]", "vmovdqu ymm14, [rsi+rcx*8]")
_form("vmovdqu m256, ymm", "vmovdqu [rax+32], ymm2", "vmovdqu [rdi+rcx*8], ymm13")
_form("vmovdqu ymm, ymm", "vmovdqu ymm1, ymm2", "vmovdqu ymm15, ymm8")
_form("vmovdqu64 zmm, m512", "vmovdqu64 zmm1, [rax+64]", "vmovdqu64 zmm20, [rsi+rcx*8]")
_form("vmovdqu64 m512, zmm", "vmovdqu64 [rax+64], zmm2", "vmovdqu64 [rdi+rcx*8], zmm31")
_form("vmovdqu64 zmm, zmm", "vmovdqu64 zmm1, zmm2", "vmovdqu64 zmm17, zmm5")
_form("vmovdqu64 ymm, m256", "vmovdqu64 ymm1, [rax+32]", "vmovdqu64 ymm19, [rsi]")
_form("vmovdqu64 m256, ymm", "vmovdqu64 [rax+32], ymm2", "vmovdqu64 [rsi], ymm18")
_form("vmovdqu64 xmm, m128", "vmovdqu64 xmm1, [rax+16]", "vmovdqu64 xmm31, [rsi+rcx*8+32]")
_form("vmovdqu64 m128, xmm", "vmovdqu64 [rax+16], xmm2", "vmovdqu64 [rdi+32], xmm17")
_form("vmovdqu64 ymm, ymm", "vmovdqu64 ymm1, ymm2", "vmovdqu64 ymm31, ymm0")
_form("vmovdqu64 zmm{k}, m512", "vmovdqu64 zmm1{k1}, [rax+64]", "vmovdqu64 zmm22{k7}, [rsi+rcx*8]")
_form("vmovdqu64 zmm{k}{z}, m512", "vmovdqu64 zmm1{k1}{z}, [rax+64]", "vmovdqu64 zmm23{k3}{z}, [rsi]")
_form("vmovdqu64 m512{k}, zmm", "vmovdqu64 [rax+64]{k2}, zmm1", "vmovdqu64 [rsi+rcx*8]{k6}, zmm24")
_form("vmovdqu64 zmm{k}, zmm", "vmovdqu64 zmm1{k1}, zmm2", "vmovdqu64 zmm25{k4}, zmm30")
_form("vmovdqu64 zmm{k}{z}, zmm", "vmovdqu64 zmm1{k1}{z}, zmm2", "vmovdqu64 zmm3{k5}{z}, zmm19")
_form("vmovdqu64 ymm{k}{z}, m256", "vmovdqu64 ymm1{k1}{z}, [rax+32]")
_form("vmovdqu64 m256{k}, ymm", "vmovdqu64 [rax+32]{k2}, ymm3")

for m in ("pxor", "pand", "por", "pandn"):
    _form(f"{m} xmm, xmm", f"{m} xmm1, xmm2", f"{m} xmm10, xmm3", f"{m} xmm4, xmm4")
for m in ("vpxor", "vpand", "vpor", "vpandn"):
    _form(f"{m} ymm, ymm, ymm", f"{m} ymm1, ymm2, ymm3", f"{m} ymm10, ymm10, ymm15")
    _form(f"{m} ymm, ymm, m256", f"{m} ymm1, ymm2, [rax+32]")
    _form(f"{m} xmm, xmm, xmm", f"{m} xmm1, xmm2, xmm3")
for m in ("vpxorq", "vpandq", "vporq", "vpandnq"):
    _form(f"{m} zmm, zmm, zmm", f"{m} zmm1, zmm2, zmm3", f"{m} zmm20, zmm20, zmm31")
    _form(f"{m} zmm, zmm, m512", f"{m} zmm1, zmm2, [rax+64]")
    _form(f"{m} ymm, ymm, ymm", f"{m} ymm1, ymm2, ymm3", f"{m} ymm17, ymm18, ymm5")
    _form(f"{m} zmm{{k}}, zmm, zmm", f"{m} zmm1{{k1}}, zmm2, zmm3")
    _form(f"{m} zmm{{k}}{{z}}, zmm, zmm", f"{m} zmm1{{k2}}{{z}}, zmm2, zmm3")

for m in ("paddq", "psubq"):
    _form(f"{m} xmm, xmm", f"{m} xmm1, xmm2", f"{m} xmm11, xmm11")
for m in ("vpaddq", "vpsubq"):
    _form(f"{m} xmm, xmm, xmm", f"{m} xmm1, xmm2, xmm3")
    _form(f"{m} ymm, ymm, ymm", f"{m} ymm1, ymm2, ymm3", f"{m} ymm10, ymm10, ymm15", f"{m} ymm20, ymm21, ymm22")
    _form(f"{m} ymm, ymm, m256", f"{m} ymm1, ymm2, [rax+32]")
    _form(f"{m} zmm, zmm, zmm", f"{m} zmm1, zmm2, zmm3", f"{m} zmm20, zmm20, zmm31")
    _form(f"{m} zmm, zmm, m512", f"{m} zmm1, zmm2, [rax+64]")
    _form(f"{m} zmm{{k}}, zmm, zmm", f"{m} zmm1{{k1}}, zmm2, zmm3")
    _form(f"{m} zmm{{k}}{{z}}, zmm, zmm", f"{m} zmm1{{k2}}{{z}}, zmm2, zmm3")
_form("vpblendmq zmm{k}, zmm, zmm", "vpblendmq zmm1{k1}, zmm2, zmm3", "vpblendmq zmm20{k7}, zmm20, zmm31")
_form("vpblendmq zmm{k}{z}, zmm, zmm", "vpblendmq zmm1{k2}{z}, zmm2, zmm3")
_form("vpblendmq zmm{k}, zmm, m512", "vpblendmq zmm1{k3}, zmm2, [rax+64]")
_form("vpblendmq ymm{k}, ymm, ymm", "vpblendmq ymm1{k1}, ymm2, ymm3")
_form("vpblendmq zmm, zmm, zmm", "vpblendmq zmm1, zmm2, zmm3")

_form("pcmpeqq xmm, xmm", "pcmpeqq xmm1, xmm2", "pcmpeqq xmm9, xmm9")
_form("vpcmpeqq xmm, xmm, xmm", "vpcmpeqq xmm1, xmm2, xmm3")
_form("vpcmpeqq ymm, ymm, ymm", "vpcmpeqq ymm1, ymm2, ymm3", "vpcmpeqq ymm12, ymm12, ymm0")
_form("vpcmpeqq ymm, ymm, m256", "vpcmpeqq ymm1, ymm2, [rax+32]")
_form("vpcmpeqq k, zmm, zmm", "vpcmpeqq k1, zmm2, zmm3", "vpcmpeqq k7, zmm20, zmm31", "vpcmpeqq k0, zmm1, zmm1")
_form("vpcmpeqq k, zmm, m512", "vpcmpeqq k2, zmm1, [rax+64]")
_form("vpcmpeqq k{k}, zmm, zmm", "vpcmpeqq k1{k2}, zmm2, zmm3")
_form("vpcmpeqq k, ymm, ymm", "vpcmpeqq k3, ymm17, ymm2")

_form("vpbroadcastq xmm, xmm", "vpbroadcastq xmm1, xmm2")
_form("vpbroadcastq ymm, xmm", "vpbroadcastq ymm1, xmm2", "vpbroadcastq ymm20, xmm21")
_form("vpbroadcastq zmm, xmm", "vpbroadcastq zmm1, xmm2", "vpbroadcastq zmm31, xmm16")
_form("vpbroadcastq ymm, m64", "vpbroadcastq ymm1, qword ptr [rax+8]")
_form("vpbroadcastq zmm, m64", "vpbroadcastq zmm1, qword ptr [rax+8]", "vpbroadcastq zmm18, qword ptr [rsi+rcx*8]")
_form("vpbroadcastq zmm, r64", "vpbroadcastq zmm1, rax", "vpbroadcastq zmm27, r12")
_form("vpbroadcastq ymm, r64", "vpbroadcastq ymm1, rbx")
_form("vpbroadcastq zmm{k}, r64", "vpbroadcastq zmm1{k1}, rax")
_form("vpbroadcastq zmm{k}{z}, xmm", "vpbroadcastq zmm1{k3}{z}, xmm2")

_form("movq xmm, r64", "movq xmm1, rax", "movq xmm12, r9")
_form("movq r64, xmm", "movq rax, xmm1", "movq r9, xmm12")
_form("vmovq xmm, r64", "vmovq xmm1, rax", "vmovq xmm20, r9")
_form("vmovq r64, xmm", "vmovq rax, xmm1", "vmovq r10, xmm21")

_form("kmovq k, r64", "kmovq k1, rax", "kmovq k7, r12")
_form("kmovq r64, k", "kmovq rax, k1", "kmovq r12, k7")
_form("kmovq k, k", "kmovq k1, k2")
_form("kmovq k, m64", "kmovq k1, qword ptr [rax+8]")
_form("kmovq m64, k", "kmovq qword ptr [rax+8], k3")
for m in ("kmovd", "kmovw", "kmovb"):
    _form(f"{m} k, r32", f"{m} k1, eax", f"{m} k6, r11d")
    _form(f"{m} r32, k", f"{m} eax, k1", f"{m} r11d, k6")

_form("vzeroupper", "vzeroupper")
_form("vpternlogq zmm, zmm, zmm, imm8", "vpternlogq zmm1, zmm2, zmm3, 0x96", "vpternlogq zmm20, zmm21, zmm22, 0xca",
      "vpternlogq zmm4, zmm4, zmm4, 0xff", "vpternlogq zmm5, zmm6, zmm7, 0")
_form("vpternlogq ymm, ymm, ymm, imm8", "vpternlogq ymm1, ymm2, ymm3, 0xe8", "vpternlogq ymm0, ymm31, ymm30, 0xf8")
_form("vpternlogq xmm, xmm, xmm, imm8", "vpternlogq xmm1, xmm31, xmm30, 0xf8", "vpternlogq xmm2, xmm3, xmm4, 0x96")
_form("vpternlogq ymm, ymm, m256, imm8", "vpternlogq ymm1, ymm2, [rax+32], 0xf8")
_form("vpternlogq zmm, zmm, m512, imm8", "vpternlogq zmm1, zmm2, [rax+64], 0x78")
_form("vpternlogq zmm{k}, zmm, zmm, imm8", "vpternlogq zmm1{k1}, zmm2, zmm3, 0x3c")


def supported(form: str) -> bool:
    return form in FORMS

# --- AVX-512 IFMA: 52-bit multiply-accumulate per 64-bit element -------------------
for m in ("vpmadd52luq", "vpmadd52huq"):
    _form(f"{m} zmm, zmm, zmm", f"{m} zmm1, zmm2, zmm3", f"{m} zmm20, zmm21, zmm31", f"{m} zmm4, zmm4, zmm4")
    _form(f"{m} zmm, zmm, m512", f"{m} zmm1, zmm2, [rax+64]", f"{m} zmm17, zmm3, [rsi+rcx*8]")
    _form(f"{m} ymm, ymm, ymm", f"{m} ymm1, ymm2, ymm3", f"{m} ymm20, ymm21, ymm5")
    _form(f"{m} ymm, ymm, m256", f"{m} ymm1, ymm2, [rax+32]")

# --- lane shifts across a register pair (the radix-2^52 kernels' one-digit shift) ---------
_form("valignq zmm, zmm, zmm, imm8", "valignq zmm1, zmm2, zmm3, 1", "valignq zmm20, zmm31, zmm5, 7",
      "valignq zmm4, zmm4, zmm6, 0", "valignq zmm7, zmm8, zmm9, 3")
_form("valignq ymm, ymm, ymm, imm8", "valignq ymm1, ymm2, ymm3, 1", "valignq ymm20, ymm31, ymm5, 3",
      "valignq ymm4, ymm4, ymm6, 0", "valignq ymm7, ymm8, ymm9, 2")

# --- radix-2^52 digit work: per-lane shifts, lane moves, masked ymm logic ----------
for m in ("vpsrlq", "vpsllq"):
    _form(f"{m} ymm, ymm, imm8", f"{m} ymm1, ymm2, 52", f"{m} ymm20, ymm21, 12", f"{m} ymm3, ymm3, 64")
    _form(f"{m} zmm, zmm, imm8", f"{m} zmm1, zmm2, 52", f"{m} zmm20, zmm31, 1", f"{m} zmm4, zmm4, 200")
    _form(f"{m} xmm, xmm, imm8", f"{m} xmm1, xmm2, 52", f"{m} xmm17, xmm18, 63")
    _form(f"{m} ymm{{k}}{{z}}, ymm, imm8", f"{m} ymm1{{k1}}{{z}}, ymm2, 52")
_form("vpermq ymm, ymm, imm8", "vpermq ymm1, ymm2, 0", "vpermq ymm20, ymm21, 0x93", "vpermq ymm3, ymm4, 0x1b")
_form("vpermq zmm, zmm, imm8", "vpermq zmm1, zmm2, 0x4e", "vpermq zmm30, zmm17, 0xff")
_form("vpandq ymm, ymm, m256", "vpandq ymm1, ymm2, [rax+32]", "vpandq ymm17, ymm18, [rsi+rcx*8]")
_form("vpaddq ymm{k}, ymm, ymm", "vpaddq ymm1{k1}, ymm2, ymm3", "vpaddq ymm20{k7}, ymm21, ymm22")
_form("vpaddq ymm{k}{z}, ymm, ymm", "vpaddq ymm1{k2}{z}, ymm2, ymm3")
