"""`FakeChipReader`: the chip reader port over an emulated card in memory, with fault injection.

    reader = FakeChipReader()                     # a genuine specimen card is on it (CAN 123456)
    reader.insert(EmulatedCard(build_card(alter_dg13=True)))
    reader.remove_card(); reader.unplug(); reader.replug()
    reader.remove_after(20)                       # the card is pulled out after 20 more APDUs

`fake://` puts the specimen card on it; `fake://?card=none` starts empty; `fake://?card=altered` an altered one.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

from devices.chip.emulated import EmulatedCard
from devices.chip.passive_auth import load_crls, load_csca_certificates
from devices.chip.ports import ChipError, ChipErrorCode, ChipReadResult, MrzKey
from devices.chip.reading import read_card
from devices.status import DeviceState, DeviceStatus

UNPLUGGED = ("unplugged", "Đầu đọc thẻ bị rút ra", "The card reader is unplugged")


class _MemoryChannel:
    def __init__(self, reader: FakeChipReader, card: EmulatedCard) -> None:
        self._reader, self._card = reader, card

    def transmit(self, apdu: bytes) -> bytes:
        reader = self._reader
        if reader._remove_after is not None:
            if reader._remove_after <= 0:
                reader.card = None
                reader._remove_after = None
            else:
                reader._remove_after -= 1
        if reader.card is not self._card or not reader.plugged:
            raise ChipError(ChipErrorCode.CARD_REMOVED, "the card left the reader")
        return self._card.process(apdu)


class FakeChipReader:
    def __init__(
        self,
        url: str = "fake://",
        card: EmulatedCard | None = None,
        csca_dir: str | None = None,
        now: datetime | None = None,
    ) -> None:
        self.url = url
        self.card = card
        self.csca_dir = csca_dir
        self.now = now  # the time certificates are checked at (None: the wall clock)
        self.plugged = True
        self._remove_after: int | None = None

    @classmethod
    def from_url(cls, url: str, csca_dir: str | None = None) -> FakeChipReader:
        from devices.chip.specimen import build_card

        options = dict(parse_qsl(urlsplit(url).query))
        kind = options.pop("card", "genuine")
        if options or kind not in ("genuine", "altered", "none"):
            raise ValueError(f"{url!r}: the fake takes card=genuine|altered|none")
        card = None if kind == "none" else EmulatedCard(build_card(alter_dg13=kind == "altered"))
        return cls(url, card, csca_dir)

    def status(self) -> DeviceStatus:
        return (
            DeviceStatus(DeviceState.READY) if self.plugged else DeviceStatus(DeviceState.OFFLINE, *UNPLUGGED)
        )

    def card_present(self) -> bool:
        return self.plugged and self.card is not None

    def read_card(
        self,
        *,
        can: str | None = None,
        mrz: MrzKey | None = None,
        read_face: bool = True,
        challenge: bytes | None = None,
    ) -> ChipReadResult:
        if not self.plugged:
            raise ChipError(ChipErrorCode.NO_READER, "the fake reader is unplugged")
        if self.card is None:
            raise ChipError(ChipErrorCode.NO_CARD)
        self.card.power_on()
        channel = _MemoryChannel(self, self.card)
        return read_card(channel, can=can, mrz=mrz, read_face=read_face, challenge=challenge,
                         csca=load_csca_certificates(self.csca_dir), csca_dir=self.csca_dir,
                         crls=load_crls(self.csca_dir), now=self.now)  # fmt: skip

    def close(self) -> None:
        self.card = None

    # --- what a test or demo does ----------------------------------------------------------------

    def insert(self, card: EmulatedCard) -> None:
        self.card = card

    def remove_card(self) -> None:
        self.card = None

    def remove_after(self, apdus: int) -> None:
        self._remove_after = apdus

    def unplug(self) -> None:
        self.plugged = False

    def replug(self) -> None:
        self.plugged = True
