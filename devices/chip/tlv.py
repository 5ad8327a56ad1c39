"""BER-TLV as ICAO 9303 files and APDUs use it: multi-byte tags, definite lengths."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


class TlvError(ValueError):
    """Bytes that are not well-formed TLV."""


@dataclass(frozen=True)
class Tlv:
    tag: int
    value: bytes
    end: int  # offset just after this element in the parsed buffer

    @property
    def constructed(self) -> bool:
        first = self.tag.to_bytes((self.tag.bit_length() + 7) // 8 or 1, "big")[0]
        return bool(first & 0x20)

    def children(self) -> list[Tlv]:
        return list(iter_tlv(self.value))

    def find(self, tag: int) -> Tlv | None:
        return next((child for child in iter_tlv(self.value) if child.tag == tag), None)

    def require(self, tag: int) -> Tlv:
        found = self.find(tag)
        if found is None:
            raise TlvError(f"tag {tag:X} missing inside {self.tag:X}")
        return found


def read_header(data: bytes, offset: int = 0) -> tuple[int, int, int]:
    """(tag, length, offset of the value) of the element starting at `offset`."""
    try:
        tag = data[offset]
        offset += 1
        if tag & 0x1F == 0x1F:
            while True:
                byte = data[offset]
                offset += 1
                tag = (tag << 8) | byte
                if not byte & 0x80:
                    break
        length = data[offset]
        offset += 1
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 3:
                raise TlvError(f"unsupported length form 0x{length:02X}")
            length = int.from_bytes(data[offset : offset + count], "big")
            if offset + count > len(data):
                raise IndexError
            offset += count
    except IndexError:
        raise TlvError("TLV header cut short") from None
    return tag, length, offset


def parse_one(data: bytes, offset: int = 0) -> Tlv:
    tag, length, start = read_header(data, offset)
    if start + length > len(data):
        raise TlvError(f"tag {tag:X} says {length} bytes but only {len(data) - start} follow")
    return Tlv(tag, data[start : start + length], start + length)


def iter_tlv(data: bytes) -> Iterator[Tlv]:
    offset = 0
    while offset < len(data):
        if data[offset] in (0x00, 0xFF):  # padding between elements
            offset += 1
            continue
        element = parse_one(data, offset)
        yield element
        offset = element.end


def encode_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    size = (length.bit_length() + 7) // 8
    return bytes([0x80 | size]) + length.to_bytes(size, "big")


def encode(tag: int, value: bytes) -> bytes:
    tag_bytes = tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")
    return tag_bytes + encode_length(len(value)) + value
