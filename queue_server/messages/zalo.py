"""Zalo Notification Service (ZNS): template messages over HTTP.

POST {base}/message/template with the header `access_token` and the body `phone` (84…), `template_id`,
`template_data` (the template's fields) and `tracking_id`; success is `"error": 0` with `data.msg_id`.
The documented error codes (-100 … -1xx) say whether trying again can help.

The tracking_id is the outbox row's (`tracking_id_for`): every attempt of one message carries the same
one, so Zalo's delivery report (the webhook, messages/zns_webhook.py) finds the message whichever attempt
reached the phone, and a message reported received is never sent again.
"""

from __future__ import annotations

from typing import Any

import httpx

from queue_server.messages.port import OutgoingMessage, ReceiptHandler, SendFailed
from queue_server.messages.smpp import international

# Codes documented by Zalo that no retry can fix: the app, the template, the data or the recipient.
PERMANENT_ERRORS: dict[int, str] = {
    -101: "application invalid",
    -102: "application not existed",
    -103: "application not activated",
    -104: "app secret key invalid",
    -105: "application not linked to any OA",
    -106: "method unsupported",
    -107: "message id invalid",
    -108: "phone number invalid",
    -109: "template id invalid",
    -110: "Zalo version unsupported by the recipient",
    -111: "template data empty",
    -112: "template data invalid",
}
# Worth trying again: unknown error (-100), and any code not known here (quota, token refresh, limits).
RETRY_ERRORS: dict[int, str] = {-100: "unknown error"}


class ZaloZnsMessageSender:
    channel = "zalo"

    def __init__(
        self, *, base_url: str, access_token: str, templates: dict[str, str], timeout_s: float = 10.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.templates = templates
        self._http = httpx.Client(timeout=timeout_s, headers={"access_token": access_token})

    def send(self, message: OutgoingMessage) -> str:
        template_id = self.templates.get(message.kind)
        if not template_id:
            raise SendFailed(f"no ZNS template for '{message.kind}' in phone.toml", retry=False)
        body = {
            "phone": international(message.to),
            "template_id": template_id,
            "template_data": message.template_data,
            "tracking_id": message.tracking_id or message.key,
        }
        try:
            answer = self._http.post(f"{self.base_url}/message/template", json=body)
        except httpx.ConnectError as error:
            raise SendFailed(f"ZNS unreachable: {error}", retry=True) from None
        except httpx.HTTPError as error:  # sent, then cut off: Zalo may have taken it
            raise SendFailed(f"ZNS did not answer: {error}", retry=False, maybe_sent=True) from None
        if answer.status_code == 429 or answer.status_code >= 500:
            raise SendFailed(f"ZNS HTTP {answer.status_code}", retry=True)
        try:
            reply: dict[str, Any] = answer.json()
            code = int(reply["error"])
        except (ValueError, KeyError, TypeError):
            raise SendFailed(
                f"ZNS answered HTTP {answer.status_code} without an error code", retry=True
            ) from None
        if code == 0:
            return str((reply.get("data") or {}).get("msg_id", ""))
        if code in PERMANENT_ERRORS:
            raise SendFailed(f"ZNS {code} {PERMANENT_ERRORS[code]}", retry=False)
        detail = RETRY_ERRORS.get(code) or str(reply.get("message", ""))[:80]
        raise SendFailed(f"ZNS {code} {detail}", retry=True)

    def poll_receipts(self, handler: ReceiptHandler) -> None:
        """ZNS reports delivery through its webhook (POST /api/v1/public/zns/events), not by polling."""

    def close(self) -> None:
        self._http.close()
