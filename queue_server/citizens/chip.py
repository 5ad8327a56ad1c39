"""A kiosk's chip read, checked again here: the server runs passive authentication on the raw EF.SOD and data
groups against the CSCA certificates it installed itself, so a kiosk's own verdict is never trusted."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from devices.chip import lds, passive_auth
from devices.chip.ports import ChipError, Verdict
from queue_server.citizens.service import CitizenFacts, check_facts, check_personal_id
from queue_server.domain.errors import InvalidInput

CHIP_GENUINE = "chip-genuine"
CHIP_NOT_VERIFIABLE = "chip-not-verifiable"
SEX_BY_CHIP = {"Nam": "Nam", "Nữ": "Nữ", "Nu": "Nữ"}


@dataclass(frozen=True)
class ChipIdentity:
    facts: CitizenFacts
    source: str  # chip-genuine or chip-not-verifiable
    reasons: tuple[str, ...]
    face: bytes | None
    face_format: str | None


def bad_chip_data(why: str) -> InvalidInput:
    return InvalidInput(
        "bad_chip_data",
        "Dữ liệu đọc từ chip căn cước không đọc được; hãy đặt thẻ lên đầu đọc lại.",
        f"The chip data cannot be read: {why}",
    )


def identity_from_chip(
    *, sod: bytes, dg1: bytes, dg13: bytes, dg2: bytes | None, csca_dir: Path | None, today: date
) -> ChipIdentity:
    """Check the chip's files and take the person's facts from DG13; an altered chip is refused (422)."""
    files = {"SOD": sod, "DG1": dg1, "DG13": dg13, **({"DG2": dg2} if dg2 is not None else {})}
    folder = str(csca_dir) if csca_dir is not None else None
    try:
        check = passive_auth.verify(files, passive_auth.load_csca_certificates(folder), folder)
        lds.parse_dg1(dg1)
        citizen = lds.parse_dg13(dg13)
        face, face_format = lds.parse_dg2(dg2) if dg2 is not None else (None, None)
    except ChipError as error:
        raise bad_chip_data(str(error)) from None
    if check.verdict is Verdict.ALTERED:
        raise InvalidInput(
            "chip_altered",
            "Dữ liệu chip căn cước đã bị thay đổi (chữ ký không khớp); không thể dùng để nhận diện.",
            "The chip's data was altered (hashes or signatures do not match); it cannot identify anyone.",
            reasons=list(check.reasons),
        )
    source = CHIP_GENUINE if check.verdict is Verdict.GENUINE else CHIP_NOT_VERIFIABLE
    facts = CitizenFacts(
        check_personal_id(citizen.id_number),
        " ".join(citizen.full_name.split()) or None,
        _chip_date(citizen.birth_date),
        SEX_BY_CHIP.get(citizen.sex.strip()),
        " ".join(citizen.residence.split()) or None,
    )
    return ChipIdentity(check_facts(facts, today=today), source, check.reasons, face, face_format)


def _chip_date(text: str) -> date | None:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


def face_for_browser(face: bytes, face_format: str) -> tuple[bytes, str]:
    """A JPEG face goes out as it is; JPEG 2000 (which browsers do not show) is converted to PNG."""
    if face_format == "jpeg":
        return face, "image/jpeg"
    from PIL import Image

    with Image.open(io.BytesIO(face)) as image:
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG")
    return out.getvalue(), "image/png"
