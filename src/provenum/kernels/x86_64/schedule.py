"""What x86-64 instructions read and write, for the schedulers: the dependence graph of a kernel.

The generators emit Intel-syntax lines (asm.Function.body); `items` reads
them back as ("op", mnemonic, operands, line) / ("comment", text, line) /
("label", name, line). `stretches` cuts them at the barriers: labels,
jumps, calls and returns, push and pop, anything that writes rsp, and any
instruction this module does not know (it is never moved). Within a
stretch, `graph` gives the dependences (kernels/depgraph.py):

- registers, every view of one register as that register (eax, ax, al are
  rax); a 32- or 64-bit write, or a VEX/EVEX write of a vector register,
  replaces the whole register, an 8- or 16-bit write keeps the rest (so it
  reads the register too); xmm/ymm/zmm N are one register, k masks their own;
- implicit operands: mulx reads rdx; mul reads rax and writes rax, rdx;
- the flags in three parts, CF, OF and the rest (SF ZF AF PF): adcx reads
  and writes CF only, adox OF only, adc/sbb read CF, add/sub/logic/cmp/test/
  bt/imul/mul/neg write all three, inc/dec all but CF, stc CF; a shift whose
  count may be zero leaves them as they were, so it reads them too; every
  cmovcc/setcc reads all three (more than it needs: never fewer);
- zeroing idioms (xor r, r; sub r, r; vpxor v, v, v) read nothing, as their
  result does not depend on the register;
- merge masking (v{k}) reads the destination and the mask; vpmadd52*q and
  vpternlogq read their destination;
- memory: an access is (store?, address key, first byte, end byte); two
  accesses are ordered when one is a store and they may overlap. The key is
  the address's registers with their scales, each with the instruction that
  last wrote it in the stretch, so two addresses are compared by their
  displacements only when they are formed from the same register values;
  any other pair may alias. An instruction with a memory destination other
  than a plain store (or QWORD PTR [..], r) reads and writes it.

The costs (latency, micro-ops on ports) come from a core's table
(costs.py: golden_cove.py, zen3.py), never from here: what an instruction
does is here, what it costs there.
"""
from __future__ import annotations

import re

from .. import depgraph

GPR = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp") + tuple(f"r{i}" for i in range(8, 16))
_VIEWS = {}
for _i, _r in enumerate(GPR[:8]):
    b = _r[1:]
    _VIEWS[_r] = (_r, 64)
    _VIEWS["e" + b] = (_r, 32)
    _VIEWS[b] = (_r, 16)
for _r, _l in (("rax", "al"), ("rbx", "bl"), ("rcx", "cl"), ("rdx", "dl"), ("rsi", "sil"), ("rdi", "dil"),
               ("rbp", "bpl"), ("rsp", "spl")):
    _VIEWS[_l] = (_r, 8)
for _r, _h in (("rax", "ah"), ("rbx", "bh"), ("rcx", "ch"), ("rdx", "dh")):
    _VIEWS[_h] = (_r, 8)
for _i in range(8, 16):
    _VIEWS[f"r{_i}"] = (f"r{_i}", 64)
    _VIEWS[f"r{_i}d"] = (f"r{_i}", 32)
    _VIEWS[f"r{_i}w"] = (f"r{_i}", 16)
    _VIEWS[f"r{_i}b"] = (f"r{_i}", 8)

_VEC = re.compile(r"([xyz])mm(\d+)$")
_MASK = re.compile(r"k([0-7])$")
_SIZES = {"BYTE": 1, "WORD": 2, "DWORD": 4, "QWORD": 8, "XMMWORD": 16, "YMMWORD": 32, "ZMMWORD": 64}
CF, OF, FL = "cf", "of", "fl"          # FL: SF, ZF, AF, PF together
ALL_FLAGS = frozenset({CF, OF, FL})

_ARITH = {"add", "sub", "and", "or", "xor", "neg"}
_SHIFTS = {"shl", "shr", "sar", "shld", "shrd"}
_READ_ONLY = {"cmp", "test", "bt"}
_SOURCE_FIRST = _READ_ONLY | {"mul"}   # a memory first operand is read, not written
_MOVES = {"mov", "movzx", "movsx", "movsxd", "vmovdqu64", "vmovdqu", "vmovdqa64", "vmovdqa", "vmovq",
          "vpbroadcastq", "kmovq", "kmovw", "kmovb", "kmovd"}
# vector operations that write their first operand from the others (AVX/AVX-512: the whole register)
_VECTOR_OPS = {"vpaddq", "vpsubq", "vpxorq", "vpxor", "vpandq", "vpand", "vporq", "vpor", "vpandnq", "vpandn",
               "valignq", "vpsrlq", "vpsllq", "vpsraq", "vpermq", "vpcmpeqq", "vpcmpuq", "vpcmpq", "vpblendmq"}
_VECTOR_ACCUMULATE = {"vpmadd52luq", "vpmadd52huq", "vpternlogq"}
_BARRIERS = {"push", "pop", "call", "ret", "jmp", "vzeroupper", "syscall", "cpuid", "lfence", "mfence",
             "sfence", "rdtsc"}
_ZEROING = {"xor", "sub", "vpxor", "vpxorq"}


def items(body: list[str]) -> list[tuple]:
    """A Function body's lines as items, each keeping its line (written back unchanged)."""
    out = []
    for line in body:
        s = line.strip()
        if s.startswith("//"):
            out.append(("comment", s[2:].strip(), line))
        elif s.endswith(":") and " " not in s:
            out.append(("label", s[:-1], line))
        else:
            mnemonic, _, rest = s.partition(" ")
            ops = tuple(o.strip() for o in rest.split(",")) if rest.strip() else ()
            out.append(("op", mnemonic, ops, line))
    return out


def _is_imm(op: str) -> bool:
    return bool(re.fullmatch(r"-?(0x[0-9a-fA-F]+|\d+)", op))


def _reg(op: str):
    """(register, bits, kind) of a register operand, decorations {k}{z} aside, or None."""
    name = op.split("{", 1)[0].strip()
    if name in _VIEWS:
        r, bits = _VIEWS[name]
        return r, bits, "gpr"
    m = _VEC.match(name)
    if m:
        return f"v{m.group(2)}", {"x": 128, "y": 256, "z": 512}[m.group(1)], "vec"
    m = _MASK.match(name)
    if m:
        return f"k{m.group(1)}", 64, "mask"
    return None


def _decorations(op: str) -> tuple[str | None, bool]:
    """(the mask register of a {kN} decoration, whether {z} zeroes the unselected elements)."""
    m = re.search(r"\{k([0-7])\}", op)
    return (f"k{m.group(1)}" if m else None), "{z}" in op


class Unknown(Exception):
    """An instruction or operand this module cannot read: it becomes a barrier."""


def _address(op: str):
    """(size in bytes or None, [(register, scale)], displacement) of a memory operand."""
    size = None
    m = re.match(r"(\w+) PTR\s*", op)
    if m:
        if m.group(1) not in _SIZES:
            raise Unknown(op)
        size = _SIZES[m.group(1)]
        op = op[m.end():]
    inner = re.fullmatch(r"\[([^\]]*)\]", op.strip())
    if inner is None:
        raise Unknown(op)
    regs, disp = [], 0
    for sign, term in re.findall(r"([+-]?)\s*([^+-]+)", inner.group(1)):
        term = term.strip()
        if _is_imm(term):
            disp += -int(term, 0) if sign == "-" else int(term, 0)
            continue
        reg, _, scale = term.partition("*")
        r = _reg(reg)
        if sign == "-" or r is None or r[1] != 64:
            raise Unknown(op)
        regs.append((r[0], int(scale) if scale else 1))
    return size, regs, disp


def access(mnemonic: str, ops: tuple) -> tuple[set, set, tuple | None]:
    """(registers and flags read, registers and flags written, memory operand) of one instruction:
    memory as (is a store, size, [(register, scale)], displacement), or None. Raises Unknown."""
    uses, defs = set(), set()
    mem = None
    regs = []
    for k, op in enumerate(ops):
        if "[" in op:
            if mnemonic == "bt" and not _is_imm(ops[-1]):
                raise Unknown(op)        # a register bit offset reaches bytes beyond the operand
            size, parts, disp = _address(op)
            uses.update(r for r, _ in parts)
            if mnemonic != "lea":
                if size is None:
                    raise Unknown(op)
                mem = (k == 0 and mnemonic not in _SOURCE_FIRST, size, parts, disp, k)
            regs.append(None)
        elif _is_imm(op):
            regs.append(None)
        else:
            r = _reg(op)
            if r is None:
                raise Unknown(op)
            regs.append(r)
            mask, _ = _decorations(op)
            if mask:
                uses.add(mask)
    sources = [r[0] for r in regs[1:] if r]
    dest = regs[0] if regs else None
    first_masked = bool(ops) and _decorations(ops[0])[0] is not None and not _decorations(ops[0])[1]

    def write(r, reads_too=False):
        if r is None:
            return
        name, bits, kind = r
        defs.add(name)
        if reads_too or (kind == "gpr" and bits < 32) or first_masked:
            uses.add(name)

    same = (len(ops) >= 2 and dest is not None and (dest[2] == "vec" or dest[1] >= 32) and not first_masked
            and all(r is not None and r[0] == dest[0] for r in regs[1:]))
    if mnemonic in _ZEROING and same and (mnemonic in ("xor", "sub") and len(ops) == 2 or len(ops) == 3):
        defs.add(dest[0])
        if mnemonic in ("xor", "sub"):
            defs.update(ALL_FLAGS)
        return uses, defs, _mem(mem)
    if mnemonic in _MOVES or mnemonic == "lea":
        uses.update(sources)
        write(dest)
    elif mnemonic == "mulx":
        uses.update(r[0] for r in regs[2:] if r)
        uses.add("rdx")
        write(regs[0])
        write(regs[1])
    elif mnemonic == "mul":
        uses.update([r[0] for r in regs if r] + ["rax"])
        defs.update({"rax", "rdx"} | ALL_FLAGS)
    elif mnemonic == "imul":
        uses.update(sources)
        write(dest, reads_too=len(ops) == 2)
        defs.update(ALL_FLAGS)
    elif mnemonic in _ARITH or mnemonic in ("adc", "sbb", "adcx", "adox", "not", "inc", "dec"):
        uses.update(sources)
        write(dest, reads_too=True)
        if mnemonic in ("adc", "sbb", "adcx"):
            uses.add(CF)
        if mnemonic == "adox":
            uses.add(OF)
        defs.update({"adcx": {CF}, "adox": {OF}, "not": set(), "inc": {OF, FL}, "dec": {OF, FL}}
                    .get(mnemonic, ALL_FLAGS))
    elif mnemonic in _SHIFTS:
        uses.update(sources)
        write(dest, reads_too=True)
        count = ops[-1]
        if not _is_imm(count) or int(count, 0) % 64 == 0:
            uses.update(ALL_FLAGS)          # a zero count leaves the flags as they were
        defs.update(ALL_FLAGS)
    elif mnemonic in _READ_ONLY:
        uses.update(r[0] for r in regs if r)
        defs.update(ALL_FLAGS)
    elif mnemonic.startswith("cmov"):
        uses.update(sources)
        uses.update(ALL_FLAGS)
        write(dest, reads_too=True)
    elif mnemonic.startswith("set"):
        uses.update(ALL_FLAGS)
        write(dest)
    elif mnemonic in ("stc", "clc"):
        defs.add(CF)
    elif mnemonic in _VECTOR_OPS:
        uses.update(sources)
        write(dest)
    elif mnemonic in _VECTOR_ACCUMULATE:
        uses.update(sources)
        write(dest, reads_too=True)
    else:
        raise Unknown(mnemonic)
    if mem is not None and mem[4] == 0 and mnemonic not in _MOVES and mnemonic not in _SOURCE_FIRST:
        mem = (True,) + mem[1:]              # read-modify-write of memory: ordered like a store
    return uses, defs, _mem(mem)


def _mem(mem):
    return None if mem is None else mem[:4]


def barrier(item) -> bool:
    if item[0] == "label":
        return True
    if item[0] != "op":
        return False
    mnemonic, ops = item[1], item[2]
    if mnemonic in _BARRIERS or mnemonic.startswith("j") or mnemonic.startswith(("rep", "lock")):
        return True
    try:
        uses, defs, _ = access(mnemonic, ops)
    except (Unknown, ValueError, IndexError):          # not read: never moved
        return True
    return "rsp" in defs


def stretches(items_: list) -> list[tuple[list, tuple | None]]:
    """The items cut into (straight-line stretch, the barrier after it or None at the end)."""
    return depgraph.stretches(items_, barrier)


def _conflict(a, b) -> bool:
    if a[1] is None or b[1] is None or a[1] != b[1]:
        return True
    return a[2] < b[3] and b[2] < a[3]


def graph(block: list, core=None) -> tuple[list, list]:
    """The dependence graph of one stretch (depgraph.link), each node costed by `core` (costs.Core;
    None: latency 1, no micro-ops, for checking an order only)."""
    nodes, pending = depgraph.nodes_of(block)
    version: dict = {}
    for n in nodes:
        _, mnemonic, ops = n.item[:3]
        n.uses, n.defs, mem = access(mnemonic, ops)
        if mem is not None:
            store, size, parts, disp = mem
            key = tuple(sorted((r, s, version.get(r, -1)) for r, s in parts))
            n.mem = (store, key, disp, disp + size)
        else:
            n.mem = None
        n.latency, n.uops = core.cost(mnemonic, ops) if core is not None else (1, ())
        for r in n.defs:
            version[r] = n.index
    depgraph.link(nodes, _conflict, ALL_FLAGS)
    return nodes, pending


def kept_order(f, body: list[str]) -> list | None:
    """The Function's items in the order of `body` (a committed file's instruction and label lines)
    if every stretch is a reordering of its own that every dependence allows, else None."""
    return depgraph.kept_order(body, stretches(f.items()), graph)
