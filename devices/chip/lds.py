"""The files of an ICAO 9303 chip (the LDS) and what they hold: EF.CardAccess, EF.COM, DG1, DG2, DG13, DG15."""

from __future__ import annotations

import re
from dataclasses import dataclass

from devices.chip import tlv
from devices.chip.ports import ChipError, ChipErrorCode, Citizen, Mrz

EMRTD_APPLET = bytes.fromhex("A0000002471001")
CARD_ACCESS_SFI = 0x1C

# name → (file id, outer tag)
FILES: dict[str, tuple[int, int]] = {
    "COM": (0x011E, 0x60),
    "SOD": (0x011D, 0x77),
    "DG1": (0x0101, 0x61),
    "DG2": (0x0102, 0x75),
    "DG13": (0x010D, 0x6D),
    "DG14": (0x010E, 0x6E),
    "DG15": (0x010F, 0x6F),
}
TAG_TO_NAME = {tag: name for name, (_, tag) in FILES.items()}
DG_TAGS = {0x61: 1, 0x75: 2, 0x63: 3, 0x76: 4, 0x65: 5, 0x66: 6, 0x67: 7, 0x68: 8, 0x69: 9, 0x6A: 10,
           0x6B: 11, 0x6C: 12, 0x6D: 13, 0x6E: 14, 0x6F: 15, 0x70: 16}  # fmt: skip

PACE_PREFIX = "0.4.0.127.0.7.2.2.4"
PACE_ECDH_GM = {  # protocol OID → (cipher, key bits)
    f"{PACE_PREFIX}.2.1": ("3des", 128),
    f"{PACE_PREFIX}.2.2": ("aes", 128),
    f"{PACE_PREFIX}.2.3": ("aes", 192),
    f"{PACE_PREFIX}.2.4": ("aes", 256),
}


def decode_oid(data: bytes) -> str:
    if not data:
        raise ValueError("empty OID")
    parts = [min(data[0] // 40, 2), data[0] - 40 * min(data[0] // 40, 2)]
    value = 0
    for byte in data[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(part) for part in parts)


def encode_oid(dotted: str) -> bytes:
    numbers = [int(part) for part in dotted.split(".")]
    out = bytearray([numbers[0] * 40 + numbers[1]])
    for number in numbers[2:]:
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.append(0x80 | (number & 0x7F))
            number >>= 7
        out.extend(reversed(chunk))
    return bytes(out)


@dataclass(frozen=True)
class PaceInfo:
    protocol: str  # OID
    version: int
    parameter_id: int | None


def parse_card_access(data: bytes) -> list[PaceInfo]:
    """The PACE variants a card offers (EF.CardAccess); other security infos are skipped."""
    try:
        outer = tlv.parse_one(data)
        infos = []
        for info in outer.children():
            items = info.children()
            if len(items) < 2 or items[0].tag != 0x06:
                continue
            oid = decode_oid(items[0].value)
            if not oid.startswith(PACE_PREFIX + ".") or items[1].tag != 0x02:
                continue
            parameter = (
                int.from_bytes(items[2].value, "big") if len(items) > 2 and items[2].tag == 0x02 else None
            )
            infos.append(PaceInfo(oid, int.from_bytes(items[1].value, "big"), parameter))
        return infos
    except (tlv.TlvError, ValueError) as error:
        raise ChipError(ChipErrorCode.UNKNOWN_DATA, f"EF.CardAccess: {error}") from None


def parse_com(data: bytes) -> list[str]:
    """EF.COM: the data groups the card says it holds, as names ("DG1", "DG2" …)."""
    com = _outer(data, 0x60, "EF.COM")
    tag_list = com.require(0x5C).value
    return [f"DG{DG_TAGS[tag]}" for tag in tag_list if tag in DG_TAGS]


def parse_dg1(data: bytes) -> Mrz:
    text = _outer(data, 0x61, "DG1").require(0x5F1F).value.decode("ascii", "replace")
    if len(text) == 90:  # TD1: three lines of 30 (the CCCD)
        line1, line2, line3 = text[:30], text[30:60], text[60:]
        return Mrz(
            document_code=line1[:2].strip("<"),
            issuing_state=line1[2:5],
            document_number=line1[5:14].strip("<"),
            optional_data=line1[15:30].strip("<"),
            birth_date=line2[:6],
            sex=line2[7],
            expiry_date=line2[8:14],
            nationality=line2[15:18],
            name=_mrz_name(line3),
        )
    if len(text) == 88:  # TD3 (passport): two lines of 44
        line1, line2 = text[:44], text[44:]
        return Mrz(line1[:2].strip("<"), line1[2:5], line2[:9].strip("<"), line2[28:42].strip("<"),
                   line2[13:19], line2[20], line2[21:27], line2[10:13], _mrz_name(line1[5:]))  # fmt: skip
    raise ChipError(ChipErrorCode.UNKNOWN_DATA, f"DG1: an MRZ of {len(text)} characters")


def _mrz_name(field: str) -> str:
    surname, _, given = field.partition("<<")
    return " ".join(
        part for part in (surname.replace("<", " ").strip(), given.replace("<", " ").strip()) if part
    )


def parse_dg2(data: bytes) -> tuple[bytes, str]:
    """DG2: the first face image and its format ("jpeg" or "jpeg2000")."""
    try:
        group = _outer(data, 0x75, "DG2").require(0x7F61)
        instance = group.require(0x7F60)
        block = instance.find(0x5F2E) or instance.find(0x7F2E)
        if block is None:
            raise tlv.TlvError("no biometric data block")
        return _face_from_iso19794(block.value)
    except tlv.TlvError as error:
        raise ChipError(ChipErrorCode.UNKNOWN_DATA, f"DG2: {error}") from None


def _face_from_iso19794(record: bytes) -> tuple[bytes, str]:
    if record[:4] != b"FAC\x00" or len(record) < 14 + 20 + 12:
        raise ChipError(ChipErrorCode.UNKNOWN_DATA, "DG2: not an ISO/IEC 19794-5 face record")
    offset = 14  # general header: format, version, record length, number of faces
    face_length = int.from_bytes(record[offset : offset + 4], "big")
    feature_points = int.from_bytes(record[offset + 4 : offset + 6], "big")
    image_info = offset + 20 + 8 * feature_points
    data_type = record[image_info + 1]
    image_start = image_info + 12
    image = record[image_start : offset + face_length]
    if data_type == 0 and image[:3] == b"\xff\xd8\xff":
        return image, "jpeg"
    if data_type == 1 and (image[:4] == b"\x00\x00\x00\x0c" or image[:4] == b"\xff\x4f\xff\x51"):
        return image, "jpeg2000"
    raise ChipError(ChipErrorCode.UNKNOWN_DATA, f"DG2: face image of unknown type {data_type}")


# DG13 field numbers of the CCCD. 13 holds the father's then the mother's name. The numbering is the
# one published by readers of real cards, not an official document: numbers not listed stay in `raw`.
DG13_FIELDS: dict[int, str] = {
    1: "id_number",
    2: "full_name",
    3: "birth_date",
    4: "sex",
    5: "nationality",
    6: "ethnicity",
    7: "religion",
    8: "home_town",
    9: "residence",
    10: "identifying_marks",
    11: "issue_date",
    12: "expiry_date",
}
DG13_PARENTS = 13
# Public readers of real cards agree on fields 1-13 but not on 14-16 (spouse? old ID number at 15 or 16?
# see docs/devices.md): those stay raw, and the old ID number is recognised among them by its form.
DG13_UNSETTLED = (14, 15, 16)
OLD_ID_FORM = re.compile(r"\d{9}|\d{12}")  # the 9-digit CMND, or an earlier 12-digit number
_STRING_TAGS = (0x0C, 0x13, 0x16, 0x14, 0x1E, 0x04)


def parse_dg13(data: bytes) -> Citizen:
    """DG13: a sequence of (field number, text…) records; the text is UTF-8 Vietnamese."""
    try:
        records = _dg13_records(_outer(data, 0x6D, "DG13"))
    except (tlv.TlvError, UnicodeDecodeError) as error:
        raise ChipError(ChipErrorCode.UNKNOWN_DATA, f"DG13: {error}") from None
    named: dict[str, str] = {}
    raw: dict[int, list[str]] = {}
    for number, values in records:
        if number in DG13_FIELDS and values:
            named[DG13_FIELDS[number]] = values[0]
        elif number == DG13_PARENTS and values:
            named["father_name"] = values[0]
            named["mother_name"] = values[1] if len(values) > 1 else ""
        else:
            raw[number] = values
    if not named.get("id_number"):
        raise ChipError(ChipErrorCode.UNKNOWN_DATA, "DG13 holds no ID number (field 1)")
    return Citizen(**named, old_id_number=_old_id_number(raw, named["id_number"]), raw=raw)


def _old_id_number(raw: dict[int, list[str]], id_number: str) -> str:
    """The one value of fields 14-16 shaped like an ID number (not the card's own); "" when none or several."""
    found = {
        value
        for number in DG13_UNSETTLED
        for value in raw.get(number, [])
        if OLD_ID_FORM.fullmatch(value) and value != id_number
    }
    return found.pop() if len(found) == 1 else ""


def _dg13_records(element: tlv.Tlv) -> list[tuple[int, list[str]]]:
    records: list[tuple[int, list[str]]] = []
    for child in element.children():
        if child.tag != 0x30:
            continue
        parts = child.children()
        holds_records = any(part.tag == 0x30 and _starts_with_integer(part) for part in parts)
        if parts and parts[0].tag == 0x02 and len(parts[0].value) <= 2 and not holds_records:
            records.append((int.from_bytes(parts[0].value, "big"), _strings(parts[1:])))
        else:
            records.extend(_dg13_records(child))
    return records


def _starts_with_integer(element: tlv.Tlv) -> bool:
    children = element.children()
    return bool(children) and children[0].tag == 0x02


def _strings(elements: list[tlv.Tlv]) -> list[str]:
    values: list[str] = []
    for element in elements:
        if element.tag in _STRING_TAGS:
            values.append(element.value.decode("utf-8"))
        elif element.tag in (0x30, 0x31):
            values.extend(_strings(element.children()))
    return values


def _outer(data: bytes, tag: int, name: str) -> tlv.Tlv:
    try:
        element = tlv.parse_one(data)
    except tlv.TlvError as error:
        raise ChipError(ChipErrorCode.UNKNOWN_DATA, f"{name}: {error}") from None
    if element.tag != tag:
        raise ChipError(ChipErrorCode.UNKNOWN_DATA, f"{name} starts with tag {element.tag:X}, not {tag:X}")
    return element


def mrz_check_digit(text: str) -> str:
    weights = (7, 3, 1)
    total = 0
    for index, char in enumerate(text):
        if char.isdigit():
            value = int(char)
        elif char.isalpha():
            value = ord(char.upper()) - 55
        else:
            value = 0
        total += value * weights[index % 3]
    return str(total % 10)


def mrz_information(document_number: str, birth_date: str, expiry_date: str) -> bytes:
    """The 'MRZ information' keyed by BAC and PACE-MRZ: each field followed by its check digit."""
    number = document_number.ljust(9, "<")
    return "".join(f"{part}{mrz_check_digit(part)}" for part in (number, birth_date, expiry_date)).encode(
        "ascii"
    )
