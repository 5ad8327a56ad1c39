"""Zalo's delivery reports for ZNS messages (its webhook): authenticate a call and read the event.

As Zalo documents it, each call carries `X-ZEvent-Signature: mac=<sha256 hex of app_id + data + timestamp
+ OA secret key>`, where data is the JSON body exactly as sent and timestamp its "timestamp" field; the
header `X-ZEvent-Server: ZNS` marks ZNS events. The delivery report:

    {"event_name": "user_received_message", "app_id": "…", "timestamp": "1602560967477",
     "sender": {"id": "<OA>"}, "recipient": {"id": "84…"},
     "message": {"msg_id": "…", "tracking_id": "…", "delivery_time": "1602960467432"}}

`delivery_time` (milliseconds) is when the phone received it, not `timestamp`. A signed call whose
`timestamp` is more than MAX_CLOCK_SKEW from the server's clock is refused: a captured call cannot be
played back later. Pure functions: no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from queue_server.domain.errors import DomainError, InvalidInput

RECEIVED = "user_received_message"
MAX_CLOCK_SKEW = timedelta(minutes=5)  # either way: Zalo calls at once, and both clocks keep to NTP


class BadWebhookBody(DomainError):
    status_code = 400


class WebhookNotSigned(DomainError):
    status_code = 401


class WebhookStale(WebhookNotSigned):
    """Signed, but sent too long ago (or 'from the future'): a replayed or badly delayed call."""


@dataclass(frozen=True)
class Envelope:
    body: dict[str, Any]
    app_id: str
    timestamp: str
    event: str


@dataclass(frozen=True)
class Received:
    msg_id: str
    tracking_id: str
    delivered_at: datetime


def open_envelope(raw: bytes) -> Envelope:
    """The fields the signature needs; anything else is read only once the call is authenticated."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadWebhookBody(
            "zns_not_json", "Nội dung gọi lại không phải JSON.", "The webhook body is not JSON."
        ) from None
    if not isinstance(body, dict):
        raise BadWebhookBody(
            "zns_not_object",
            "Nội dung gọi lại phải là một đối tượng JSON.",
            "The body must be a JSON object.",
        )
    missing = [name for name in ("app_id", "timestamp", "event_name") if not _text(body.get(name))]
    if missing:
        names = ", ".join(missing)
        raise BadWebhookBody("zns_fields_missing", f"Thiếu trường: {names}.", f"Missing fields: {names}.")
    timestamp = str(body["timestamp"])
    if not timestamp.isdigit() or len(timestamp) > 15:
        raise BadWebhookBody(
            "zns_bad_timestamp",
            "Trường timestamp phải là thời điểm gửi tính bằng mili giây.",
            "'timestamp' must be the time of the call in milliseconds.",
        )
    return Envelope(body, str(body["app_id"]), timestamp, str(body["event_name"]))


def check_fresh(envelope: Envelope, now: datetime) -> None:
    """Refuse a call whose `timestamp` is more than MAX_CLOCK_SKEW away from `now`."""
    sent = datetime.fromtimestamp(int(envelope.timestamp) / 1000, UTC)
    if abs(now - sent) > MAX_CLOCK_SKEW:
        minutes = int(MAX_CLOCK_SKEW.total_seconds() // 60)
        raise WebhookStale(
            "zns_stale",
            f"Lời gọi gửi lúc {sent:%Y-%m-%d %H:%M:%S} UTC, lệch quá {minutes} phút so với đồng hồ máy chủ "
            f"({now.astimezone(UTC):%H:%M:%S} UTC): không nhận.",
            f"The call was sent at {sent:%Y-%m-%d %H:%M:%S} UTC, more than {minutes} minutes from the "
            f"server's clock ({now.astimezone(UTC):%H:%M:%S} UTC): refused.",
            sent_at=sent.isoformat(),
            max_skew_s=int(MAX_CLOCK_SKEW.total_seconds()),
        )


def expected_mac(app_id: str, raw: bytes, timestamp: str, oa_secret_key: str) -> str:
    digest = hashlib.sha256()
    digest.update(app_id.encode())
    digest.update(raw)
    digest.update(timestamp.encode())
    digest.update(oa_secret_key.encode())
    return digest.hexdigest()


def signed_by(header: str | None, envelope: Envelope, raw: bytes, oa_secret_key: str) -> bool:
    """Whether `X-ZEvent-Signature` ("mac=<hex>", spaces around "=" allowed) fits this secret."""
    if not header:
        return False
    name, _, value = header.partition("=")
    given = value.strip() if name.strip().lower() == "mac" else header.strip()
    wanted = expected_mac(envelope.app_id, raw, envelope.timestamp, oa_secret_key)
    return hmac.compare_digest(given.lower().encode(), wanted.encode())


def read_received(envelope: Envelope) -> Received:
    message = envelope.body.get("message")
    if not isinstance(message, dict):
        raise InvalidInput("zns_no_message", "Thiếu trường message.", "The event has no 'message'.")
    msg_id, tracking_id, delivery = (message.get(k) for k in ("msg_id", "tracking_id", "delivery_time"))
    missing = [k for k, v in (("msg_id", msg_id), ("tracking_id", tracking_id)) if not _text(v)]
    if missing:
        names = ", ".join(f"message.{k}" for k in missing)
        raise InvalidInput("zns_fields_missing", f"Thiếu trường: {names}.", f"Missing fields: {names}.")
    if not _text(delivery) or not str(delivery).isdigit() or len(str(delivery)) > 15:
        raise InvalidInput(
            "zns_bad_delivery_time",
            "message.delivery_time phải là thời điểm tính bằng mili giây.",
            "message.delivery_time must be a time in milliseconds.",
        )
    at = datetime.fromtimestamp(int(str(delivery)) / 1000, UTC)
    return Received(str(msg_id)[:80], str(tracking_id)[:64], at)


def _text(value: object) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) != ""
