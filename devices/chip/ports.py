"""The `ChipReader` port: reads the chip of an ID card and says whether its data is genuine.

URLs (`open_chip_reader`):
    pcsc://                       the first PC/SC reader (pcscd) that has a card, else the first reader
    pcsc://ACS%20ACR1252          the reader whose name contains this text
    pcsc://?reader=ACS&csca=/etc/motcua/csca   the same with options (csca: the CSCA certificate folder)
    fake://                       the fake: an emulated card in memory (fake://?card=altered, card=none)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable

from devices.scanners.cccd import CccdCard, masked_id, parse_cccd
from devices.status import DeviceStatus


class ChipErrorCode(enum.StrEnum):
    PCSC_UNAVAILABLE = "pcsc_unavailable"
    NO_READER = "no_reader"
    NO_CARD = "no_card"
    NO_ACCESS_KEY = "no_access_key"
    WRONG_CAN = "wrong_can"
    WRONG_MRZ = "wrong_mrz"
    CARD_REMOVED = "card_removed"
    NOT_AN_ID_CARD = "not_an_id_card"
    UNKNOWN_DATA = "unknown_data"
    UNSUPPORTED = "unsupported"
    SECURE_MESSAGING = "secure_messaging"


_MESSAGES: dict[ChipErrorCode, tuple[str, str]] = {
    ChipErrorCode.PCSC_UNAVAILABLE: (
        "Dịch vụ đầu đọc thẻ (pcscd) không chạy",
        "The smart-card service (pcscd) is not running",
    ),
    ChipErrorCode.NO_READER: ("Không thấy đầu đọc thẻ", "No card reader is connected"),
    ChipErrorCode.NO_CARD: ("Chưa có thẻ trên đầu đọc", "No card on the reader"),
    ChipErrorCode.NO_ACCESS_KEY: (
        "Cần số CAN (6 số in trên thẻ) hoặc dữ liệu MRZ để mở chip",
        "The chip needs the CAN (6 digits printed on the card) or the MRZ data",
    ),
    ChipErrorCode.WRONG_CAN: ("Số CAN không đúng", "Wrong CAN"),
    ChipErrorCode.WRONG_MRZ: (
        "Số giấy tờ, ngày sinh hoặc ngày hết hạn không đúng",
        "Wrong document number, birth date or expiry date",
    ),
    ChipErrorCode.CARD_REMOVED: (
        "Thẻ bị nhấc ra khi đang đọc; đặt lại thẻ",
        "The card was removed while reading",
    ),
    ChipErrorCode.NOT_AN_ID_CARD: (
        "Thẻ này không phải thẻ căn cước gắn chip",
        "This card is not a chip ID card",
    ),
    ChipErrorCode.UNKNOWN_DATA: (
        "Dữ liệu trên chip không đọc được",
        "The chip holds data that cannot be read",
    ),
    ChipErrorCode.UNSUPPORTED: ("Thẻ dùng cách bảo vệ chưa hỗ trợ", "The card uses a protocol not supported"),
    ChipErrorCode.SECURE_MESSAGING: (
        "Lỗi kênh bảo mật với chip; đọc lại",
        "Secure messaging with the chip failed",
    ),
}


class ChipError(Exception):
    """Why a read failed: `code` for programs, `message_vi`/`message_en` for people, `detail` for logs."""

    def __init__(self, code: ChipErrorCode, detail: str = "") -> None:
        self.code = code
        self.message_vi, self.message_en = _MESSAGES[code]
        self.detail = detail
        super().__init__(f"{self.message_en}{f' ({detail})' if detail else ''}")

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code.value,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "detail": self.detail,
        }


class Verdict(enum.StrEnum):
    GENUINE = "genuine"  # signed by a country signing certificate the office installed
    NOT_VERIFIABLE = (
        "not_verifiable"  # consistent, but no installed CSCA vouches for it (none, or its DS expired)
    )
    ALTERED = "altered"  # a hash, a signature or the chip's own proof failed


VERDICT_LABELS: dict[Verdict, tuple[str, str]] = {
    Verdict.GENUINE: (
        "Thẻ thật: dữ liệu chip đúng chữ ký nhà nước",
        "Genuine: the chip data carries the state's signature",
    ),
    Verdict.NOT_VERIFIABLE: (
        "Chưa kiểm chứng được: không có chứng thư CSCA đã cài còn xác nhận thẻ này",
        "Not verifiable: no installed country signing (CSCA) certificate vouches for it now",
    ),
    Verdict.ALTERED: (
        "Dữ liệu chip bị sửa hoặc thẻ giả",
        "Altered: the chip data or the chip is not genuine",
    ),
}


@dataclass(frozen=True)
class Check:
    """One authentication step: its verdict and the reasons behind it (English, for officers and logs)."""

    verdict: Verdict
    reasons: tuple[str, ...] = ()
    performed: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict.value, "performed": self.performed, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Mrz:
    """DG1: the machine-readable zone (TD1 on the CCCD)."""

    document_code: str
    issuing_state: str
    document_number: str
    optional_data: str
    birth_date: str  # YYMMDD as on the MRZ
    sex: str
    expiry_date: str
    nationality: str
    name: str


@dataclass(frozen=True)
class Citizen:
    """DG13, the Vietnamese data: fields named where their number is known, the rest kept raw (14-16 too:
    `old_id_number` is the one of them shaped like an ID number, docs/devices.md says why)."""

    id_number: str = ""
    full_name: str = ""
    birth_date: str = ""  # dd/mm/yyyy as the chip holds it
    sex: str = ""
    nationality: str = ""
    ethnicity: str = ""
    religion: str = ""
    home_town: str = ""
    residence: str = ""
    identifying_marks: str = ""
    issue_date: str = ""
    expiry_date: str = ""
    father_name: str = ""
    mother_name: str = ""
    old_id_number: str = ""
    raw: dict[int, list[str]] = field(default_factory=dict)  # field number → values not named above

    def as_dict(self, mask: bool = True) -> dict[str, Any]:
        record: dict[str, Any] = {
            name: getattr(self, name) for name in self.__dataclass_fields__ if name != "raw"
        }
        if mask:
            record["id_number"] = masked_id(self.id_number)
            record["old_id_number"] = masked_id(self.old_id_number)
        record["raw"] = {
            str(number): [_masked_if_id(value) if mask else value for value in values]
            for number, values in self.raw.items()
        }
        return record

    def parsed_birth_date(self) -> date | None:
        try:
            day, month, year = (int(part) for part in self.birth_date.split("/"))
            return date(year, month, day)
        except ValueError:
            return None

    def as_cccd(self) -> CccdCard:
        """The same facts as the card's QR gives (`CccdCard`), so a form filled from a QR fills from the chip;
        CccdError when the chip's facts do not make a valid card."""
        digits = [value.replace("/", "") for value in (self.birth_date, self.issue_date)]
        fields = (
            self.id_number,
            self.old_id_number,
            self.full_name,
            digits[0],
            self.sex,
            self.residence,
            digits[1],
        )
        return parse_cccd("|".join(fields))

    def __repr__(self) -> str:
        return f"Citizen(id_number={masked_id(self.id_number)!r}, full_name={self.full_name!r})"


@dataclass
class ChipReadResult:
    access: str  # "PACE-ECDH-GM-AES-128 brainpoolP256r1" or "BAC"
    verdict: Verdict
    reasons: list[str]
    passive: Check
    active: Check
    chip_authentication: Check
    mrz: Mrz | None
    citizen: Citizen | None
    face_image: bytes | None
    face_format: str  # "jpeg", "jpeg2000" or "" when DG2 was not read
    files: dict[str, bytes]  # raw bytes of every file read: "COM", "SOD", "DG1" …
    read_seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    # Active authentication's challenge and the chip's signature over it (None: the card has no AA): with a
    # server's one-time challenge, the server checks the signature itself, so an old read cannot be replayed.
    active_challenge: bytes = b""
    active_signature: bytes | None = None

    @property
    def source(self) -> str:
        """Where an identity came from, as a case records it: chip-genuine, chip-not-verifiable, chip-altered."""
        return f"chip-{self.verdict.value.replace('_', '-')}"

    def as_dict(self, mask: bool = True) -> dict[str, Any]:
        vi, en = VERDICT_LABELS[self.verdict]
        return {
            "access": self.access,
            "verdict": self.verdict.value,
            "verdict_vi": vi,
            "verdict_en": en,
            "source": self.source,
            "reasons": self.reasons,
            "passive_authentication": self.passive.as_dict(),
            "active_authentication": self.active.as_dict(),
            "chip_authentication": self.chip_authentication.as_dict(),
            "citizen": self.citizen.as_dict(mask) if self.citizen else None,
            "mrz": _masked_mrz(self.mrz, mask),
            "face": {"format": self.face_format, "bytes": len(self.face_image or b"")},
            "files": {name: len(data) for name, data in self.files.items()},
            "read_seconds": round(self.read_seconds, 3),
            "timings": {name: round(value, 3) for name, value in self.timings.items()},
        }

    def __repr__(self) -> str:
        return (
            f"ChipReadResult(verdict={self.verdict.value}, access={self.access!r}, citizen={self.citizen!r})"
        )


def _masked_if_id(value: str) -> str:
    """A raw field that holds an ID number (the old one, most likely) is masked like the others."""
    return masked_id(value) if value.isdigit() and len(value) in (9, 12) else value


def _masked_mrz(mrz: Mrz | None, mask: bool) -> dict[str, str] | None:
    if mrz is None:
        return None
    record = dict(mrz.__dict__)
    if mask:
        record["document_number"] = masked_id(mrz.document_number)
        record["optional_data"] = masked_id(mrz.optional_data)
    return record


@dataclass(frozen=True)
class MrzKey:
    """What BAC (and PACE with MRZ) needs from the printed card: document number, birth and expiry (YYMMDD)."""

    document_number: str
    birth_date: str
    expiry_date: str

    @classmethod
    def parse(cls, text: str) -> MrzKey:
        """'012345678,900115,350115' (commas, colons or spaces between): raises ValueError saying what is wrong."""
        parts = [part for part in text.replace(":", ",").replace(" ", ",").split(",") if part]
        if len(parts) != 3:
            raise ValueError("MRZ data needs 3 parts: document number, birth date YYMMDD, expiry date YYMMDD")
        number, birth, expiry = parts
        if not number.isalnum() or len(number) > 9:
            raise ValueError("the document number has up to 9 letters or digits (as in the MRZ)")
        for name, value in (("birth date", birth), ("expiry date", expiry)):
            if not (value.isdigit() and len(value) == 6):
                raise ValueError(f"the {name} must be 6 digits YYMMDD")
        return cls(number.upper(), birth, expiry)


@runtime_checkable
class ChipReader(Protocol):
    url: str

    def read_card(
        self,
        *,
        can: str | None = None,
        mrz: MrzKey | None = None,
        read_face: bool = True,
        challenge: bytes | None = None,
    ) -> ChipReadResult:
        """Read and check the card on the reader; ChipError says why when it cannot. `challenge`: the 8 bytes
        active authentication signs (a server's one-time nonce); random when not given."""
        ...

    def card_present(self) -> bool: ...

    def status(self) -> DeviceStatus: ...

    def close(self) -> None: ...
