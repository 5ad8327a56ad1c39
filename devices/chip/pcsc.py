"""`PcscChipReader`: a contactless reader through PC/SC (pcscd on Linux, through pyscard).

The reader is used on demand (`read_card`), not polled in a thread: a kiosk asks when a citizen puts a
card down. When pcscd or the reader is missing, the status says so and the next attempt to reach them
waits a capped backoff, so a kiosk asking in a loop does not hammer a dead service.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from devices.backoff import Backoff
from devices.chip.passive_auth import load_crls, load_csca_certificates
from devices.chip.ports import ChipError, ChipErrorCode, ChipReadResult, MrzKey
from devices.chip.reading import read_card
from devices.status import DeviceState, DeviceStatus

# PC/SC return codes (winscard), as unsigned numbers.
_NO_SERVICE = (0x8010001D, 0x8010001E)
_NO_READERS = (0x8010002E, 0x80100009, 0x80100017)
_NO_CARD = (0x8010000C, 0x80100069, 0x80100067, 0x80100066)
_CARD_GONE = (0x80100069, 0x8010000C, 0x80100068, 0x80100016, 0x8010002F, 0x80100013, 0x80100067)


def _scard() -> Any:
    try:
        from smartcard import scard
    except ImportError as error:  # pyscard missing or libpcsclite not installed
        raise ChipError(ChipErrorCode.PCSC_UNAVAILABLE, f"pyscard cannot load: {error}") from None
    return scard


class _PcscChannel:
    def __init__(self, scard: Any, card: Any, protocol: Any) -> None:
        self._scard, self._card, self._protocol = scard, card, protocol

    def transmit(self, apdu: bytes) -> bytes:
        result, response = self._scard.SCardTransmit(self._card, self._protocol, list(apdu))
        if result != self._scard.SCARD_S_SUCCESS:
            code = result & 0xFFFFFFFF
            reason = ChipErrorCode.CARD_REMOVED if code in _CARD_GONE else ChipErrorCode.SECURE_MESSAGING
            raise ChipError(reason, self._scard.SCardGetErrorMessage(result))
        raw = bytes(response)
        if len(raw) < 2:  # the reader lost the card between command and answer
            raise ChipError(ChipErrorCode.CARD_REMOVED, "no answer from the card")
        if len(raw) == 2 and raw[0] == 0x6C:  # wrong Le: send again with the length the card asked for
            return self.transmit(apdu[:-1] + raw[1:])
        data = b""
        while len(raw) >= 2 and raw[-2] == 0x61:  # more data waiting (T=0 readers)
            data += raw[:-2]
            raw = self.transmit(bytes([0x00, 0xC0, 0x00, 0x00, raw[-1]]))
        return data + raw


class PcscChipReader:
    def __init__(self, url: str, reader_filter: str = "", csca_dir: str | None = None) -> None:
        self.url = url
        self.reader_filter = reader_filter
        self.csca_dir = csca_dir
        self._lock = threading.Lock()
        self._backoff = Backoff(initial_s=0.5, cap_s=30.0)
        self._retry_at = 0.0
        self._last_error = ChipErrorCode.PCSC_UNAVAILABLE
        self._status = DeviceStatus(
            DeviceState.OFFLINE, "not_checked", "Chưa kiểm tra đầu đọc", "Reader not checked yet"
        )

    @classmethod
    def from_url(cls, url: str, csca_dir: str | None = None) -> PcscChipReader:
        parts = urlsplit(url)
        options = dict(parse_qsl(parts.query))
        reader = options.pop("reader", "") or unquote(parts.netloc + parts.path).strip("/")
        csca = options.pop("csca", "") or csca_dir
        if options:
            raise ValueError(
                f"unknown option(s) {', '.join(sorted(options))} in {url!r}; allowed: reader, csca"
            )
        return cls(url, reader, csca or None)

    # --- the port -------------------------------------------------------------------------------

    def status(self) -> DeviceStatus:
        if time.monotonic() >= self._retry_at:
            try:
                with self._context() as (scard, context):
                    self._pick_reader(scard, context)
            except ChipError:
                pass  # _fail has set the status
        return self._status

    def card_present(self) -> bool:
        try:
            with self._context() as (scard, context):
                reader = self._pick_reader(scard, context)
                result, states = scard.SCardGetStatusChange(context, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
                return result == scard.SCARD_S_SUCCESS and bool(states[0][1] & scard.SCARD_STATE_PRESENT)
        except ChipError:
            return False

    def read_card(
        self,
        *,
        can: str | None = None,
        mrz: MrzKey | None = None,
        read_face: bool = True,
        challenge: bytes | None = None,
    ) -> ChipReadResult:
        with self._lock, self._context() as (scard, context):
            reader = self._pick_reader(scard, context)
            result, card, protocol = scard.SCardConnect(
                context,
                reader,
                scard.SCARD_SHARE_EXCLUSIVE,
                scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
            )
            if result != scard.SCARD_S_SUCCESS:
                code = result & 0xFFFFFFFF
                if code in _NO_CARD:
                    raise ChipError(ChipErrorCode.NO_CARD, reader)
                raise self._fail(ChipErrorCode.NO_READER, scard.SCardGetErrorMessage(result))
            try:
                return read_card(
                    _PcscChannel(scard, card, protocol),
                    can=can,
                    mrz=mrz,
                    read_face=read_face,
                    challenge=challenge,
                    csca=load_csca_certificates(self.csca_dir),
                    csca_dir=self.csca_dir,
                    crls=load_crls(self.csca_dir),
                )
            finally:  # reset: the secure-messaging session must not outlive this read
                scard.SCardDisconnect(card, scard.SCARD_RESET_CARD)

    def close(self) -> None:
        pass  # no handle is kept between reads

    # --- plumbing -------------------------------------------------------------------------------

    @contextmanager
    def _context(self) -> Iterator[tuple[Any, Any]]:
        scard = _scard()
        if time.monotonic() < self._retry_at:
            raise ChipError(self._last_error, f"{self._status.message_en}; next try in a moment")
        result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if result != scard.SCARD_S_SUCCESS:
            raise self._fail(ChipErrorCode.PCSC_UNAVAILABLE, scard.SCardGetErrorMessage(result))
        try:
            yield scard, context
        finally:
            scard.SCardReleaseContext(context)

    def _pick_reader(self, scard: Any, context: Any) -> str:
        result, readers = scard.SCardListReaders(context, [])
        if result != scard.SCARD_S_SUCCESS and (result & 0xFFFFFFFF) not in _NO_READERS:
            raise self._fail(ChipErrorCode.PCSC_UNAVAILABLE, scard.SCardGetErrorMessage(result))
        names = [name for name in readers or [] if self.reader_filter.lower() in name.lower()]
        if not names:
            wanted = f" named like {self.reader_filter!r}" if self.reader_filter else ""
            raise self._fail(ChipErrorCode.NO_READER, f"no PC/SC reader{wanted}; readers: {readers or []}")
        self._ready()
        if len(names) > 1:
            _, states = scard.SCardGetStatusChange(
                context, 0, [(name, scard.SCARD_STATE_UNAWARE) for name in names]
            )
            with_card = [state[0] for state in states if state[1] & scard.SCARD_STATE_PRESENT]
            return str(with_card[0]) if with_card else str(names[0])
        return str(names[0])

    def _ready(self) -> None:
        self._backoff.reset()
        self._retry_at = 0.0
        self._status = DeviceStatus(DeviceState.READY)

    def _fail(self, code: ChipErrorCode, detail: str) -> ChipError:
        error = ChipError(code, detail)
        self._last_error = code
        self._retry_at = time.monotonic() + self._backoff.next_delay()
        self._status = DeviceStatus(
            DeviceState.OFFLINE, code.value, error.message_vi, f"{error.message_en}: {detail}"
        )
        return error
