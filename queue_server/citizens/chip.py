"""A kiosk's chip read, checked again here: the server runs passive authentication on the raw EF.SOD and data
groups against the CSCA certificates it installed itself, so a kiosk's own verdict is never trusted."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from devices.chip import active_auth, lds, passive_auth
from devices.chip.ports import ChipError, Verdict
from queue_server.citizens.service import CitizenFacts, check_facts, check_personal_id
from queue_server.domain.errors import InvalidInput

CHIP_GENUINE = "chip-genuine"
# Signed by an installed CSCA, but the card offers no active authentication: the data is the state's, yet a
# copy of it (a replayed read, a cloned chip) cannot be told from the card itself.
CHIP_GENUINE_DATA = "chip-genuine-data"
CHIP_NOT_VERIFIABLE = "chip-not-verifiable"
SEX_BY_CHIP = {"Nam": "Nam", "Nữ": "Nữ", "Nu": "Nữ"}
DG15_NUMBER, DG15_TAG = 15, 0x6F


@dataclass(frozen=True)
class ChipFiles:
    """The raw files a device read from the chip, and active authentication's signature over the server's
    one-time challenge."""

    sod: bytes
    dg1: bytes
    dg13: bytes
    dg2: bytes | None = None
    dg15: bytes | None = None
    signature: bytes | None = None

    def groups(self) -> dict[str, bytes]:
        named = {"SOD": self.sod, "DG1": self.dg1, "DG13": self.dg13, "DG2": self.dg2, "DG15": self.dg15}
        return {name: data for name, data in named.items() if data is not None}


@dataclass(frozen=True)
class ChipIdentity:
    facts: CitizenFacts
    source: str  # chip-genuine, chip-genuine-data or chip-not-verifiable
    reasons: tuple[str, ...]
    face: bytes | None
    face_format: str | None
    live: bool  # the chip signed this server's challenge: not a replayed read, not a clone


def bad_chip_data(why: str) -> InvalidInput:
    return InvalidInput(
        "bad_chip_data",
        "Dữ liệu đọc từ chip căn cước không đọc được; hãy đặt thẻ lên đầu đọc lại.",
        f"The chip data cannot be read: {why}",
    )


def identity_from_chip(
    files: ChipFiles, *, challenge: bytes, csca_dir: Path | None, today: date
) -> ChipIdentity:
    """Check the chip's files and take the person's facts from DG13. Altered data, or a card that can sign
    the challenge but did not (a replayed or cloned read), is refused (422)."""
    folder = str(csca_dir) if csca_dir is not None else None
    if files.dg15 is not None and files.dg15[:1] != bytes([DG15_TAG]):
        raise bad_chip_data("'dg15' is not DG15")
    try:
        check = passive_auth.verify(files.groups(), passive_auth.load_csca_certificates(folder), folder)
        offers_aa = DG15_NUMBER in passive_auth.parse_sod(files.sod).hashes
        lds.parse_dg1(files.dg1)
        citizen = lds.parse_dg13(files.dg13)
        face, face_format = lds.parse_dg2(files.dg2) if files.dg2 is not None else (None, None)
    except ChipError as error:
        raise bad_chip_data(str(error)) from None
    if check.verdict is Verdict.ALTERED:
        raise InvalidInput(
            "chip_altered",
            "Dữ liệu chip căn cước đã bị thay đổi (chữ ký không khớp); không thể dùng để nhận diện.",
            "The chip's data was altered (hashes or signatures do not match); it cannot identify anyone.",
            reasons=list(check.reasons),
        )
    live, liveness = _liveness(files, challenge, offers_aa)
    if check.verdict is not Verdict.GENUINE:
        source = CHIP_NOT_VERIFIABLE
    else:
        source = CHIP_GENUINE if live else CHIP_GENUINE_DATA
    facts = CitizenFacts(
        check_personal_id(citizen.id_number),
        " ".join(citizen.full_name.split()) or None,
        _chip_date(citizen.birth_date),
        SEX_BY_CHIP.get(citizen.sex.strip()),
        " ".join(citizen.residence.split()) or None,
    )
    reasons = (*check.reasons, *liveness)
    return ChipIdentity(check_facts(facts, today=today), source, reasons, face, face_format, live)


def _liveness(files: ChipFiles, challenge: bytes, offers_aa: bool) -> tuple[bool, tuple[str, ...]]:
    """Did the chip itself answer this read? Only active authentication over the server's own challenge
    shows it here: chip authentication's keys stay between the card and the device."""
    if not offers_aa:
        return False, (
            "genuine data, clone not excluded: the card offers no active authentication (no DG15 in its "
            "SOD), so a copy of its files cannot be told from the card",
        )
    if files.dg15 is None or files.signature is None:
        found: tuple[str, ...] = ("the card offers active authentication but no signature over this "
                                  "server's challenge was sent",)  # fmt: skip
    else:
        answer = active_auth.verify_signature(files.dg15, challenge, files.signature)
        if answer.verdict is Verdict.GENUINE:
            return True, ("active authentication: the chip signed this server's one-time challenge",)
        if not answer.performed:
            return False, tuple(f"active authentication: {reason}" for reason in answer.reasons)
        found = answer.reasons
    raise InvalidInput(
        "chip_not_live",
        "Chip không ký mã kiểm tra mới của máy chủ: đây có thể là dữ liệu sao chép từ thẻ khác; "
        "không thể dùng để nhận diện. Mời Ông/Bà đặt thẻ lên đầu đọc lại hoặc đến quầy.",
        "The chip did not sign the server's fresh challenge: the read may be replayed or the chip cloned; "
        "it cannot identify anyone.",
        reasons=list(found),
    )


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
