"""The kiosk's HTTP client for the queue server (httpx.AsyncClient, device key, timeouts, clear errors).

Every failure is an `ApiError` carrying a Vietnamese and an English message for the citizen:
- `ServerUnavailable`: no answer (connection refused, timeout, 5xx) — the kiosk goes out of service;
- `ApiError` with the server's code for a 4xx — the screen shows the message (field problems in `fields`).
Listeners added with `on_availability` hear when the server stops or starts answering.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx

log = logging.getLogger(__name__)
API = "/api/v1"
UPLOAD_TIMEOUT_FACTOR = 4  # uploads and submitting a case wait this many times the usual timeout
# httpx logs every URL it requests at INFO, and a citizen's URLs carry the ID number: keep them out of logs.
logging.getLogger("httpx").setLevel(logging.WARNING)


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message_vi: str,
        message_en: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message_en}")
        self.status, self.code = status, code
        self.message_vi, self.message_en = message_vi, message_en
        self.details = details or {}

    @property
    def fields(self) -> dict[str, str]:
        """Field name → problem, for errors about a form (422 and the dossier API's field errors)."""
        found: dict[str, str] = {}
        for item in self.details.get("fields", []) or []:
            if isinstance(item, dict) and item.get("field"):
                found[str(item["field"]).removeprefix("form.")] = str(
                    item.get("message_vi") or item.get("problem") or ""
                )
        return found

    def message(self, language: str) -> str:
        return self.message_en if language == "en" else self.message_vi


class ServerUnavailable(ApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            0,
            "server_unavailable",
            "Máy chủ tạm thời không trả lời. Xin thử lại sau ít phút.",
            "The server is not answering right now. Please try again in a few minutes.",
            {"detail": detail},
        )


def _error_from(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return ApiError(
            response.status_code,
            str(error.get("code", "error")),
            str(error.get("message_vi") or "Có lỗi xảy ra."),
            str(error.get("message_en") or "Something went wrong."),
            error.get("details") if isinstance(error.get("details"), dict) else {},
        )
    return ApiError(
        response.status_code,
        f"http_{response.status_code}",
        f"Máy chủ trả lời lỗi {response.status_code}.",
        f"The server answered with error {response.status_code}.",
    )


class KioskApi:
    def __init__(
        self,
        base_url: str,
        device_key: str,
        *,
        timeout_s: float = 8.0,
        office: str = "",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.office = office
        # A page is megabytes the server checks and stores: a slow answer to it is no outage.
        self.upload_timeout = httpx.Timeout(
            max(timeout_s * UPLOAD_TIMEOUT_FACTOR, 30.0), connect=min(timeout_s, 3.0)
        )
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"X-Device-Key": device_key, "User-Agent": "motcua-kiosk"},
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0)),
            transport=transport,
        )
        self._listeners: list[Callable[[bool], None]] = []
        self.available = True

    def on_availability(self, listener: Callable[[bool], None]) -> None:
        self._listeners.append(listener)

    def _set_available(self, available: bool) -> None:
        if available != self.available:
            self.available = available
            for listener in list(self._listeners):
                listener(available)

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """JSON of a 2xx answer (None for 204); ApiError otherwise."""
        try:
            response = await self._send(method, path, **kwargs)
        except httpx.TransportError as error:
            log.warning("%s %s: no answer (%s)", method, path, type(error).__name__)
            self._set_available(False)
            raise ServerUnavailable(f"{type(error).__name__}: {error}") from error
        if response.status_code >= 500:
            log.warning("%s %s: server error %s", method, path, response.status_code)
            self._set_available(False)
            raise ServerUnavailable(f"HTTP {response.status_code}")
        self._set_available(True)
        if response.status_code >= 400:
            raise _error_from(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; sent again once when a kept-alive connection turned out closed under it.

        The server closes an idle connection after a few seconds; a request sent at that moment gets
        "disconnected without a response" though the server is fine. Requests that change something
        carry idempotency keys; page uploads (files) do not, so they are never sent twice.
        """
        try:
            return await self._client.request(method, API + path, **kwargs)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            if "files" in kwargs:
                raise
            log.info("%s %s: the connection closed under the request (%s); once more", method, path, error)
            return await self._client.request(method, API + path, **kwargs)

    def _office(self) -> dict[str, str]:
        return {"office": self.office} if self.office else {}

    # --- tickets and queues -----------------------------------------------------------------------

    async def health(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", "/health")
        return result

    async def offices(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self.request("GET", "/offices")
        return result

    async def queues(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self.request("GET", "/queues", params=self._office())
        return result

    async def priority_groups(self, birth_date: date | None = None) -> list[dict[str, Any]]:
        """The groups; with a birth date the server marks the age group to offer (`suggested`)."""
        params = {"birth_date": birth_date.isoformat()} if birth_date else None
        result: list[dict[str, Any]] = await self.request("GET", "/priority-groups", params=params)
        return result

    async def issue_ticket(
        self, queue: str, priority: str | None, idempotency_key: str, birth_date: date | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"queue": queue, "idempotency_key": idempotency_key, **self._office()}
        if priority:
            body["priority"] = priority
        if birth_date:
            body["birth_date"] = birth_date.isoformat()  # the server checks an age group against it
        result: dict[str, Any] = await self.request("POST", "/tickets", json=body)
        return result

    async def check_in(self, code: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("POST", f"/appointments/{code}/check-in")
        return result

    async def public_ticket(self, public_code: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", f"/public/tickets/{public_code}")
        return result

    # --- a staff member to the kiosk ("Gọi cán bộ hỗ trợ") -------------------------------------------

    async def call_help(self) -> dict[str, Any]:
        """Call a staff member to this kiosk; the server keeps one open call per kiosk."""
        answer: dict[str, Any] = await self.request("POST", "/kiosk/help")
        return answer

    async def withdraw_help(self, call_id: int) -> dict[str, Any]:
        """The citizen who called left before anyone came: the server closes that call ("người dân đã rời đi")."""
        answer: dict[str, Any] = await self.request(
            "POST", f"/kiosk/help/{call_id}/withdraw", json={"reason": "citizen_left"}
        )
        return answer

    async def help_call(self) -> dict[str, Any] | None:
        """This kiosk's latest call (its `answered_at` says someone went), or None."""
        answer: dict[str, Any] | None = await self.request("GET", "/kiosk/help")
        return answer

    async def aclose(self) -> None:
        await self._client.aclose()

    # --- cases (docs/api-dossiers.md) -----------------------------------------------------------------

    async def fields(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self.request("GET", "/fields")
        return result

    async def procedures(self, query: str = "", field: str = "") -> list[dict[str, Any]]:
        params = {key: value for key, value in (("q", query), ("field", field)) if value}
        result: list[dict[str, Any]] = await self.request(
            "GET", "/procedures", params={**params, **self._office()}
        )
        return result

    async def procedure(self, code: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", f"/procedures/{code}")
        return result

    async def register_citizen(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /citizens with {"qr": text} or the typed fields: answers the case's `claim` token."""
        result: dict[str, Any] = await self.request("POST", "/citizens", json=body)
        return result

    async def chip_challenge(self) -> bytes:
        """POST /citizens/chip/challenge: the one-time nonce the chip must sign during the next read."""
        result: dict[str, Any] = await self.request("POST", "/citizens/chip/challenge")
        return bytes.fromhex(str(result["challenge"]))

    async def claim_by_chip(self, files: dict[str, str]) -> dict[str, Any]:
        """POST /citizens/chip with the challenge and the chip's raw files (base64 sod, dg1, dg13, dg2, dg15,
        aa_signature): the server re-authenticates them and answers the claim with its source
        (chip-genuine, chip-genuine-data, chip-not-verifiable)."""
        result: dict[str, Any] = await self.request("POST", "/citizens/chip", json=files)
        return result

    async def checklist(self, personal_id: str, procedure: str, claim: str = "") -> dict[str, Any]:
        """Papers on file are offered only with the claim of a card read (QR), never a typed number."""
        # The number goes in the body: addresses end up in proxies' access logs.
        body = {"personal_id": personal_id, "procedure": procedure, **({"claim": claim} if claim else {})}
        result: dict[str, Any] = await self.request("POST", "/citizens/documents", json=body)
        return result

    async def upload_document(
        self, personal_id: str, doc_type: str, files: list[tuple[str, bytes, str]]
    ) -> dict[str, Any]:
        """POST /documents: files are (name, bytes, media type), the pages in order."""
        parts = [("files", (name, data, media)) for name, data, media in files]
        result: dict[str, Any] = await self.request(
            "POST",
            "/documents",
            data={"citizen_id": personal_id, "type": doc_type},
            files=parts,
            timeout=self.upload_timeout,
        )
        return result

    async def submit_dossier(self, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self.request(
            "POST", "/dossiers", json=body, timeout=self.upload_timeout
        )
        return result

    async def lookup_dossier(self, code: str, second_factor: dict[str, str]) -> dict[str, Any]:
        result: dict[str, Any] = await self.request(
            "POST", "/public/dossiers/lookup", json={"code": code, **second_factor}
        )
        return result

    async def lookup_by_card(self, qr: str) -> dict[str, Any]:
        """The latest cases of an ID card's holder (its QR as read); the kiosk's own route."""
        result: dict[str, Any] = await self.request("POST", "/dossiers/lookup-by-card", json={"qr": qr})
        return result

    async def rating_reasons(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", "/ratings/reasons")
        return result

    async def rate(
        self, public_code: str, score: int, reasons: list[str], comment: str = ""
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"ticket": public_code, "score": score, "reasons": reasons}
        if comment:
            body["comment"] = comment
        result: dict[str, Any] = await self.request("POST", "/ratings", json=body)
        return result
