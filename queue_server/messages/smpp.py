"""SMS through an SMPP 3.4 gateway (the brand-name SMS gateways of Vietnamese carriers), with smpplib.

One transceiver session, bound on first use and again after any connection failure. Each part of a
message is a submit_sm answered by a submit_sm_resp; delivery receipts come back as deliver_sm.
"""

from __future__ import annotations

import contextlib
import re
import time
from typing import Any

import smpplib.client
import smpplib.consts
import smpplib.exceptions
import smpplib.gsm

from queue_server.messages.port import OutgoingMessage, Receipt, ReceiptHandler, SendFailed

# Answers worth sending again later: throttled, the gateway's queue full, its system error.
RETRY_STATUSES = {
    smpplib.consts.SMPP_ESME_RTHROTTLED,
    smpplib.consts.SMPP_ESME_RMSGQFUL,
    smpplib.consts.SMPP_ESME_RSYSERR,
}
TON_ALPHANUMERIC, TON_INTERNATIONAL, NPI_ISDN = 5, 1, 1
_RECEIPT = re.compile(r"id:(?P<id>\S+).*?stat:(?P<stat>\w+)", re.S)


def international(phone: str) -> str:
    """0912345678 → 84912345678 (the form SMPP destination addresses take in Vietnam)."""
    digits = re.sub(r"\D", "", phone)
    return "84" + digits[1:] if digits.startswith("0") else digits


class SmppMessageSender:
    channel = "sms"

    def __init__(
        self, *, host: str, port: int, system_id: str, password: str, source: str, timeout_s: float = 5.0
    ) -> None:
        self.host, self.port = host, port
        self.system_id, self.password, self.source = system_id, password, source
        self.timeout_s = timeout_s
        self._client: Any = None
        self._answers: dict[int, Any] = {}
        self._receipts: list[Receipt] = []

    def send(self, message: OutgoingMessage) -> str:
        client = self._bound()
        parts, coding, esm_class = smpplib.gsm.make_parts(message.text)
        first_id = ""
        for index, part in enumerate(parts):
            try:
                pdu = client.send_message(
                    source_addr_ton=TON_ALPHANUMERIC,
                    source_addr=self.source,
                    dest_addr_ton=TON_INTERNATIONAL,
                    dest_addr_npi=NPI_ISDN,
                    destination_addr=international(message.to),
                    short_message=part,
                    data_coding=coding,
                    esm_class=esm_class,
                    registered_delivery=1,
                )
            except smpplib.exceptions.ConnectionError:
                self._drop()
                # Nothing of this message reached the gateway yet only if this was its first part.
                raise SendFailed("SMPP connection lost", retry=index == 0, maybe_sent=index > 0) from None
            answer = self._answer(pdu.sequence)
            if answer.status != smpplib.consts.SMPP_ESME_ROK:
                name = smpplib.consts.DESCRIPTIONS.get(answer.status, "unknown")
                retry = answer.status in RETRY_STATUSES and index == 0
                raise SendFailed(f"SMPP 0x{answer.status:08X} {name}", retry=retry, maybe_sent=index > 0)
            if index == 0:
                first_id = _text(answer.message_id)
        return first_id

    def poll_receipts(self, handler: ReceiptHandler) -> None:
        if self._client is not None:
            try:
                self._client.poll()
            except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError):
                self._drop()
        receipts, self._receipts = self._receipts, []
        for receipt in receipts:
            handler(receipt)

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(
                smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError
            ):
                self._client.unbind()
            self._drop()

    # ---- internals -----------------------------------------------------------------------------

    def _bound(self) -> Any:
        if self._client is not None:
            return self._client
        client = smpplib.client.Client(
            self.host, self.port, timeout=self.timeout_s, allow_unknown_opt_params=True
        )
        client.set_message_sent_handler(self._on_answer)
        client.set_error_pdu_handler(self._on_answer)
        client.set_message_received_handler(self._on_deliver)
        try:
            client.connect()
            client.bind_transceiver(system_id=self.system_id, password=self.password)
        except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError) as error:
            with contextlib.suppress(Exception):
                client.disconnect()
            client._socket = None  # closed: no "was not closed" warning
            raise SendFailed(f"SMPP gateway unreachable: {error}", retry=True) from None
        self._client = client
        return client

    def _answer(self, sequence: int) -> Any:
        deadline = time.monotonic() + self.timeout_s
        while sequence not in self._answers:
            if time.monotonic() > deadline:
                self._drop()
                raise SendFailed("SMPP gateway did not answer", retry=False, maybe_sent=True)
            try:
                self._client.read_once()
            except (smpplib.exceptions.ConnectionError, OSError):
                self._drop()
                raise SendFailed("SMPP connection lost", retry=False, maybe_sent=True) from None
        return self._answers.pop(sequence)

    def _on_answer(self, pdu: Any, **_: Any) -> None:
        self._answers[pdu.sequence] = pdu

    def _on_deliver(self, pdu: Any, **_: Any) -> int:
        if int(getattr(pdu, "esm_class", 0) or 0) & 0x04:  # a delivery receipt, not a mobile-originated SMS
            text = _text(pdu.short_message)
            match = _RECEIPT.search(text)
            provider_id = _text(getattr(pdu, "receipted_message_id", None)) or (match["id"] if match else "")
            stat = match["stat"] if match else "UNKNOWN"
            if provider_id:
                self._receipts.append(Receipt(provider_id, stat == "DELIVRD", stat))
        return int(smpplib.consts.SMPP_ESME_ROK)

    def _drop(self) -> None:
        client, self._client = self._client, None
        self._answers.clear()
        if client is not None:
            with contextlib.suppress(Exception):
                client.disconnect()
            client._socket = None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("ascii", "replace").rstrip("\x00")
    return str(value)
