"""One read of an ID card's chip over a `CardChannel`: open it (PACE, else BAC), read the files, check them."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from cryptography import x509

from devices.chip import lds, tlv
from devices.chip.access import bac, choose_pace, pace, pace_password
from devices.chip.active_auth import active_authentication
from devices.chip.apdu import SW_FILE_NOT_FOUND, CardChannel, Command, Response
from devices.chip.chip_auth import chip_authentication
from devices.chip.passive_auth import verify
from devices.chip.ports import Check, ChipError, ChipErrorCode, ChipReadResult, MrzKey, Verdict
from devices.chip.secure_messaging import SecureMessaging, SecureMessagingError

READ_CHUNK = 0xDF  # what fits in one short response with secure messaging around it
MAX_SHORT_OFFSET = 0x7FFF


class ChipSession:
    """APDUs to one card, wrapped in secure messaging once access control has run."""

    def __init__(self, channel: CardChannel) -> None:
        self.channel = channel
        self.sm: SecureMessaging | None = None

    def send(self, command: Command) -> Response:
        if self.sm is None:
            return Response.decode(self.channel.transmit(command.encode()))
        raw = self.channel.transmit(self.sm.protect(command))
        try:
            return self.sm.unprotect(raw)
        except (SecureMessagingError, ValueError, tlv.TlvError) as error:
            raise ChipError(ChipErrorCode.SECURE_MESSAGING, str(error)) from None

    def select_applet(self) -> None:
        answer = self.send(Command(0x00, 0xA4, 0x04, 0x0C, lds.EMRTD_APPLET))
        if not answer.ok:
            raise ChipError(
                ChipErrorCode.NOT_AN_ID_CARD, f"no ICAO eMRTD application (SELECT answered {answer.sw:04X})"
            )

    def card_access(self) -> bytes | None:
        """EF.CardAccess, read by its short file id before any access control; None when absent."""
        head = self.send(Command(0x00, 0xB0, 0x80 | lds.CARD_ACCESS_SFI, 0x00, le=4))
        if not head.ok or not head.data:
            return None
        _, length, start = tlv.read_header(head.data + b"\x00\x00")
        return self._read_rest(head.data, start + length)

    def read_file(self, name: str) -> bytes | None:
        file_id, _ = lds.FILES[name]
        selected = self.send(Command(0x00, 0xA4, 0x02, 0x0C, file_id.to_bytes(2, "big")))
        if selected.sw == SW_FILE_NOT_FOUND:
            return None
        if not selected.ok:
            raise ChipError(ChipErrorCode.UNKNOWN_DATA, f"SELECT {name} answered {selected.sw:04X}")
        head = self._read_binary(0, 4)
        try:
            _, length, start = tlv.read_header(head + b"\x00\x00")
        except tlv.TlvError as error:
            raise ChipError(ChipErrorCode.UNKNOWN_DATA, f"{name}: {error}") from None
        return self._read_rest(head, start + length)

    def _read_rest(self, data: bytes, total: int) -> bytes:
        if total > MAX_SHORT_OFFSET:
            raise ChipError(ChipErrorCode.UNSUPPORTED, f"a file of {total} bytes (over 32 KiB)")
        while len(data) < total:
            chunk = self._read_binary(len(data), min(READ_CHUNK, total - len(data)))
            if not chunk:
                raise ChipError(ChipErrorCode.UNKNOWN_DATA, "the card returned no data before the file's end")
            data += chunk
        return data[:total]

    def _read_binary(self, offset: int, length: int) -> bytes:
        answer = self.send(Command(0x00, 0xB0, offset >> 8, offset & 0xFF, le=length))
        if not answer.ok and answer.sw != 0x6282:  # 6282: end of file reached first
            raise ChipError(ChipErrorCode.UNKNOWN_DATA, f"READ BINARY at {offset} answered {answer.sw:04X}")
        return answer.data


def read_card(
    channel: CardChannel,
    *,
    can: str | None = None,
    mrz: MrzKey | None = None,
    read_face: bool = True,
    challenge: bytes | None = None,
    csca: list[x509.Certificate] | None = None,
    csca_dir: str | None = None,
    crls: list[x509.CertificateRevocationList] | None = None,
    now: datetime | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> ChipReadResult:
    if can is None and mrz is None:
        raise ChipError(ChipErrorCode.NO_ACCESS_KEY)
    if can is not None and not (can.isdigit() and len(can) == 6):
        raise ChipError(ChipErrorCode.WRONG_CAN, "the CAN is the 6 digits printed on the card")
    started = clock()
    timings: dict[str, float] = {}
    session = ChipSession(channel)
    access = _open(session, can, mrz)
    timings["access"] = clock() - started
    files: dict[str, bytes] = {}
    com = session.read_file("COM")
    if com is None:
        raise ChipError(ChipErrorCode.NOT_AN_ID_CARD, "no EF.COM")
    files["COM"] = com
    present = set(lds.parse_com(com))
    wanted = ["SOD", "DG1", "DG13", "DG14", "DG15"] + (["DG2"] if read_face else [])
    for name in wanted:
        if name != "SOD" and name not in present:
            continue
        mark = clock()
        data = session.read_file(name)
        timings[name] = clock() - mark
        if data is not None:
            files[name] = data
    if "SOD" not in files:
        raise ChipError(ChipErrorCode.UNKNOWN_DATA, "the card has no EF.SOD: its data cannot be checked")
    mark = clock()
    passive = verify(files, csca or [], csca_dir, crls=crls, now=now)
    active = active_authentication(session.send, files.get("DG15"), challenge)
    chip_auth = _chip_authentication(session, files)
    timings["checks"] = clock() - mark
    face, face_format = lds.parse_dg2(files["DG2"]) if "DG2" in files else (None, "")
    verdict, reasons = _overall(passive, active.check, chip_auth)
    return ChipReadResult(
        access=access,
        verdict=verdict,
        reasons=reasons,
        passive=passive,
        active=active.check,
        chip_authentication=chip_auth,
        mrz=lds.parse_dg1(files["DG1"]) if "DG1" in files else None,
        citizen=lds.parse_dg13(files["DG13"]) if "DG13" in files else None,
        face_image=face,
        face_format=face_format,
        files=files,
        read_seconds=clock() - started,
        timings=timings,
        active_challenge=active.challenge,
        active_signature=active.signature,
    )


def _open(session: ChipSession, can: str | None, mrz: MrzKey | None) -> str:
    card_access = session.card_access()
    chosen = choose_pace(lds.parse_card_access(card_access)) if card_access else None
    if chosen is not None:
        info, suite, curve = chosen
        reference, password = pace_password(can, mrz)
        session.sm = pace(session.send, info, suite, curve, reference, password)
        session.select_applet()
        return f"PACE-ECDH-GM-{suite.cipher.upper()}-{suite.key_bits if suite.cipher == 'aes' else 112} {curve.name}"
    session.select_applet()
    if mrz is None:
        raise ChipError(
            ChipErrorCode.UNSUPPORTED, "the card offers no PACE this reader speaks: give the MRZ data for BAC"
        )
    session.sm = bac(session.send, mrz)
    return "BAC"


def _overall(passive: Check, *anti_cloning: Check) -> tuple[Verdict, list[str]]:
    reasons = list(passive.reasons)
    verdict = passive.verdict
    for check, name in zip(anti_cloning, ("active authentication", "chip authentication"), strict=True):
        if check.performed:
            reasons.extend(f"{name}: {reason}" for reason in check.reasons)
            if check.verdict is Verdict.ALTERED:
                verdict = Verdict.ALTERED
    return verdict, reasons


def _chip_authentication(session: ChipSession, files: dict[str, bytes]) -> Check:
    """Chip authentication, then one read under the new keys: a clone cannot answer it."""

    def install(sm: SecureMessaging) -> None:
        session.sm = sm

    check = chip_authentication(session.send, install, files.get("DG14"))
    if not (check.performed and check.verdict is Verdict.GENUINE):
        return check
    try:
        again = session.read_file("COM")
    except ChipError as error:
        if error.code not in (ChipErrorCode.SECURE_MESSAGING, ChipErrorCode.UNKNOWN_DATA):
            raise
        again = None
    if again != files["COM"]:
        return Check(
            Verdict.ALTERED, ("the chip cannot talk under the keys agreed with its DG14 key: a clone?",)
        )
    return check
