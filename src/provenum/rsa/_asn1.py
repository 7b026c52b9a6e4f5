"""The little DER provenum reads and writes itself.

pyca/cryptography parses and writes the ordinary key formats. What pyca
does not expose is handled here: the algorithm of a key (rsaEncryption or
id-RSASSA-PSS with its parameters), three-prime RSAPrivateKey structures,
and the PKCS#8 encryption wrapper around them. Definite-length DER only;
anything else is a ValueError.
"""
from __future__ import annotations

import base64
import re

SEQUENCE, INTEGER, OCTET_STRING, BIT_STRING, NULL, OID = 0x30, 0x02, 0x04, 0x03, 0x05, 0x06


def length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + length(len(body)) + body


def integer(value: int) -> bytes:
    return tlv(INTEGER, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return tlv(OID, bytes(body))


def sequence(*parts: bytes) -> bytes:
    return tlv(SEQUENCE, b"".join(parts))


class Reader:
    """Reads consecutive TLVs from a DER byte string."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def done(self) -> bool:
        return self.pos == len(self.data)

    def peek_tag(self) -> int | None:
        return None if self.done() else self.data[self.pos]

    def read(self, tag: int | None = None) -> tuple[int, bytes]:
        d = self.data
        if self.pos + 2 > len(d):
            raise ValueError("truncated DER")
        t, first = d[self.pos], d[self.pos + 1]
        self.pos += 2
        if first < 0x80:
            size = first
        else:
            count = first & 0x7F
            if count == 0 or count > 4 or self.pos + count > len(d) or d[self.pos] == 0:
                raise ValueError("bad DER length")
            size = int.from_bytes(d[self.pos:self.pos + count], "big")
            if size < 0x80:
                raise ValueError("non-minimal DER length")
            self.pos += count
        if self.pos + size > len(d):
            raise ValueError("truncated DER")
        body = d[self.pos:self.pos + size]
        self.pos += size
        if tag is not None and t != tag:
            raise ValueError(f"expected DER tag {tag:#x}, got {t:#x}")
        return t, body

    def sequence(self) -> "Reader":
        return Reader(self.read(SEQUENCE)[1])

    def integer(self) -> int:
        body = self.read(INTEGER)[1]
        if not body or (len(body) > 1 and body[0] == 0 and body[1] < 0x80) or body[0] >= 0x80:
            raise ValueError("bad or negative DER INTEGER")
        return int.from_bytes(body, "big")

    def oid(self) -> str:
        body = self.read(OID)[1]
        if not body:
            raise ValueError("empty OID")
        arcs, value = [], 0
        for byte in body:
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                arcs.append(value)
                value = 0
        first = min(arcs[0] // 40, 2)
        return ".".join(map(str, [first, arcs[0] - 40 * first, *arcs[1:]]))


def read_single(data: bytes) -> Reader:
    """A reader on the body of the one SEQUENCE that is all of `data`."""
    outer = Reader(data)
    seq = outer.sequence()
    if not outer.done():
        raise ValueError("trailing data after DER")
    return seq


_PEM = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.S)


def pem_blocks(data: bytes) -> list[tuple[str, dict, bytes]]:
    """(label, headers, DER) of every PEM block in data."""
    out = []
    for match in _PEM.finditer(data):
        label, text = match.group(1).decode(), match.group(2)
        headers = {}
        if b":" in text.split(b"\n", 1)[0]:
            head, _, text = text.partition(b"\n\n") if b"\n\n" in text else text.partition(b"\r\n\r\n")
            for line in head.splitlines():
                key, _, value = line.partition(b":")
                headers[key.strip().decode()] = value.strip().decode()
        try:
            out.append((label, headers, base64.b64decode(b"".join(text.split()), validate=True)))
        except ValueError:
            continue
    return out


def pem(label: str, der: bytes) -> bytes:
    body = base64.b64encode(der)
    lines = b"\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return b"-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label.encode(), lines, label.encode())
