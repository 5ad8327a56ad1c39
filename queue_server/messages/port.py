"""The notification port: what every adapter (SMPP, Zalo ZNS, SMTP, fake) offers the dispatcher.

The port imports nothing of its adapters; `urls.sender_for_url` picks one by the URL scheme.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

TRACKING_PREFIX = "motcua"


def tracking_id_for(message_id: int) -> str:
    """The id a gateway is told for one outbox row: the same on every attempt and after a restart, and
    short and plain as Zalo asks of a ZNS `tracking_id` (at most 48 characters, no special ones)."""
    return f"{TRACKING_PREFIX}{message_id}"


def message_id_from_tracking(tracking_id: str) -> int | None:
    digits = tracking_id.removeprefix(TRACKING_PREFIX)
    if tracking_id.startswith(TRACKING_PREFIX) and digits.isdigit() and len(digits) <= 18:
        return int(digits)
    return None


@dataclass(frozen=True)
class OutgoingMessage:
    key: str  # unique per event and kind (event:12:call …)
    to: str  # a phone number in national form (0xxxxxxxxx) or an e-mail address
    kind: str  # near, call, appointment_booked, appointment_reminder, case_received, …
    text: str  # already rendered (with or without diacritics, as the office's gateway wants)
    subject: str = ""  # e-mail only
    template_data: dict[str, str] = field(default_factory=dict)  # Zalo ZNS: the template's fields
    tracking_id: str = ""  # tracking_id_for(the row): what a gateway that takes one is given


@dataclass(frozen=True)
class Receipt:
    """A delivery report from the gateway (SMPP deliver_sm)."""

    provider_id: str
    delivered: bool
    detail: str


class SendFailed(Exception):
    """The gateway did not take the message (or did not say). `retry`: worth trying again later."""

    def __init__(self, reason: str, *, retry: bool, maybe_sent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.maybe_sent = maybe_sent  # cut off after handing it over: the citizen may have it already


ReceiptHandler = Callable[[Receipt], None]


class MessageSender(Protocol):
    """Hands one message to a gateway; answers the gateway's id for it or raises SendFailed."""

    channel: str  # "sms", "zalo", "email"

    def send(self, message: OutgoingMessage) -> str: ...

    def poll_receipts(self, handler: ReceiptHandler) -> None:
        """Hand any delivery reports that arrived to `handler` (without waiting)."""
        ...

    def close(self) -> None: ...
