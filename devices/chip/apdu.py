"""Command and response APDUs, and the channel a card is spoken to through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Command:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None  # expected length; 256 is written as 00

    def encode(self) -> bytes:
        apdu = bytes([self.cla, self.ins, self.p1, self.p2])
        if self.data:
            apdu += bytes([len(self.data)]) + self.data
        if self.le is not None:
            apdu += bytes([self.le & 0xFF])
        return apdu

    @classmethod
    def decode(cls, apdu: bytes) -> Command:
        """Short APDUs only (all that ICAO 9303 reading needs)."""
        if len(apdu) < 4:
            raise ValueError("an APDU has at least 4 bytes")
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, b"", body[0] or 256)
        lc = body[0]
        data = body[1 : 1 + lc]
        if len(data) != lc:
            raise ValueError("APDU shorter than its Lc")
        rest = body[1 + lc :]
        le = (rest[0] or 256) if rest else None
        return cls(cla, ins, p1, p2, data, le)


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == 0x9000

    @classmethod
    def decode(cls, raw: bytes) -> Response:
        if len(raw) < 2:
            raise ValueError("a response APDU has at least the two status bytes")
        return cls(raw[:-2], int.from_bytes(raw[-2:], "big"))

    def encode(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")


class CardChannel(Protocol):
    """Raw APDU exchange with one card; raises ChipError("card_removed") when the card is gone."""

    def transmit(self, apdu: bytes) -> bytes: ...


SW_OK = 0x9000
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_AUTH_FAILED = 0x6300
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_PARAMETERS = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_SM_DATA_WRONG = 0x6988
SW_CONDITIONS = 0x6985
