"""Request-size limits enforced while the body is read, with credentials checked before any of it is read.

A body is counted as it arrives (not trusted from Content-Length): the request that goes over its route's
limit gets a JSON 413 at once and the app never sees the rest. An upload's parts are followed as they arrive
too (a second multipart parser beside the app's): a file past the per-file cap is refused the moment it
passes it, naming the limit, and the app's parser drops what it spooled. A request that carries credentials has them
checked first (a wrong key or token: 401 before the body is read); a request without credentials may only
write to the public paths, with a small body.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queue_server.api.errors import error_body
from queue_server.domain.errors import DomainError

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Paths that answer without credentials and take a body (sign-in, public lookups, the rating page).
ANONYMOUS_WRITES = ("/api/v1/auth/login", "/api/v1/ratings", "/api/v1/public/")
UPLOAD_PATHS = ("/api/v1/documents",)
MULTIPART_OVERHEAD = 256 * 1024  # boundaries and form fields around the files


@dataclass(frozen=True)
class BodyLimits:
    anonymous: int = 8 * 1024  # a sign-in, a lookup, a rating
    json: int = 256 * 1024  # the largest declaration form of a dossier is a few kilobytes
    upload: Callable[[], int] = lambda: 40 * 1024 * 1024  # read when asked: the office's config says
    file: Callable[[], int] = lambda: 10 * 1024 * 1024  # one file of an upload

    def for_path(self, path: str, *, anonymous: bool) -> int:
        if anonymous:
            return self.anonymous
        if path.startswith(UPLOAD_PATHS):
            return self.upload() + MULTIPART_OVERHEAD
        return self.json


class _BodyRefused(Exception):
    pass


class RequestLimits:
    """ASGI middleware: credentials before the body, and the body counted against its limit."""

    def __init__(self, app: ASGIApp, limits: BodyLimits | None = None) -> None:
        self.app = app
        self.limits = limits or BodyLimits()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if _has_nul(scope.get("raw_path") or b"") or _has_nul(scope.get("query_string", b"")):
            if scope["type"] == "websocket":
                await send(
                    {"type": "websocket.close", "code": 4400, "reason": "NUL character in the address"}
                )
            else:
                await _answer(send, 422, _nul_refused())
            return
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path: str = scope["path"]
        refusal = self._check_credentials(scope, headers, path)
        if refusal is not None:
            await _answer(send, *refusal)
            return
        anonymous = not _has_credentials(scope, headers)
        limit = self.limits.for_path(path, anonymous=anonymous)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _answer(send, 413, _too_large(limit))
            return
        content_type = headers.get("content-type", "")
        is_json = content_type.startswith("application/json")
        files = (
            _FileSizes.for_request(content_type, self.limits.file())
            if path.startswith(UPLOAD_PATHS)
            else None
        )
        await self._run_counting(scope, receive, send, limit, refuse_nul=is_json, files=files)

    def _check_credentials(self, scope: Scope, headers: Headers, path: str) -> tuple[int, Any] | None:
        if not _has_credentials(scope, headers):
            if path.startswith(ANONYMOUS_WRITES):
                return None
            return 401, error_body(
                "unauthorized",
                "Cần đăng nhập (Bearer) hoặc khóa thiết bị (X-Device-Key).",
                "A bearer token or an X-Device-Key is needed.",
            )
        from queue_server.api.deps import resolve_principal

        services = scope["app"].state.services
        try:
            resolve_principal(
                services,
                headers.get("authorization"),
                headers.get("x-device-key") or QueryParams(scope.get("query_string", b"")).get("key"),
            )
        except DomainError as error:
            return error.status_code, error_body(
                error.code, error.message_vi, error.message_en, error.details
            )
        return None

    async def _run_counting(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        limit: int,
        *,
        refuse_nul: bool,
        files: _FileSizes | None = None,
    ) -> None:
        received = 0
        refusal: tuple[int, dict[str, Any]] | None = None
        started = False
        tail = b""  # the end of the previous chunk, so an escape split between chunks is still seen

        async def counting_receive() -> Message:
            nonlocal received, refusal, tail
            message = await receive()
            if message["type"] == "http.request":
                body = message.get("body", b"")
                received += len(body)
                if received > limit:
                    refusal = 413, _too_large(limit)
                elif refuse_nul and _has_nul(tail + body):
                    refusal = 422, _nul_refused()
                elif files is not None:
                    refusal = files.feed(body)
                tail = body[-6:]
                if refusal is not None:
                    raise _BodyRefused
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refusal is not None:
                return  # whatever the app makes of a body cut short is not the answer
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if refusal is None:
                raise
        if refusal is not None and not started:
            await _answer(send, *refusal)


class _FileSizes:
    """Follows the parts of a multipart body as it streams in and refuses the first file over the cap."""

    def __init__(self, boundary: bytes, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.index = -1
        self.name = ""
        self.is_file = False
        self._disposition = b""
        self._header = b""
        self._value = b""
        self._over = False
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_part_data": self._data,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
            },
        )

    @classmethod
    def for_request(cls, content_type: str, limit: int) -> _FileSizes | None:
        kind, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            return None  # the app answers what is wrong with it
        return cls(boundary, limit)

    def feed(self, chunk: bytes) -> tuple[int, dict[str, Any]] | None:
        if chunk:
            try:
                self._parser.write(chunk)
            except FormParserError:
                return None  # malformed: the app's own parser says so
        return (413, self._refusal()) if self._over else None

    def _begin(self) -> None:
        self.size, self.is_file, self._disposition = 0, False, b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        if self._header.lower() == b"content-disposition":
            self._disposition = self._value
        self._header = self._value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self.is_file = b"filename" in options
        if self.is_file:
            self.index += 1
            self.name = options[b"filename"].decode("utf-8", "replace")[:100]

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self.is_file:
            self.size += end - start
            self._over = self._over or self.size > self.limit

    def _refusal(self) -> dict[str, Any]:
        mb = f"{self.limit / 1024 / 1024:.3g} MB"
        shown = self.name or f"#{self.index + 1}"
        return error_body(
            "file_too_large",
            f"Tệp '{shown}' quá lớn (tối đa {mb} mỗi tệp).",
            f"The file '{shown}' is too large (at most {mb} per file).",
            {"limit_bytes": self.limit, "file": self.name, "index": self.index},
        )


def _has_credentials(scope: Scope, headers: Headers) -> bool:
    if headers.get("authorization") or headers.get("x-device-key"):
        return True
    return "key" in QueryParams(scope.get("query_string", b""))


def _has_nul(data: bytes) -> bool:
    """A NUL character, raw, URL-encoded or JSON-escaped: PostgreSQL text cannot hold one, so it is refused
    everywhere, the same on SQLite."""
    lowered = data.lower()
    return b"\x00" in data or b"%00" in data or b"\\u0000" in lowered


def _nul_refused() -> dict[str, Any]:
    return error_body(
        "nul_character",
        "Dữ liệu gửi lên chứa ký tự NUL (mã 0), không được phép.",
        "The request holds a NUL character (code 0), which is not allowed.",
    )


def _too_large(limit: int) -> dict[str, Any]:
    shown = f"{limit / 1024 / 1024:.3g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:.3g} KB"
    return error_body(
        "request_too_large",
        f"Dữ liệu gửi lên quá lớn (tối đa {shown} cho địa chỉ này).",
        f"The request body is too large (at most {shown} here).",
        {"limit_bytes": limit},
    )


async def _answer(send: Send, status: int, body: Any) -> None:
    import json

    payload = json.dumps(body, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    if status == 413:
        headers.append((b"connection", b"close"))  # the rest of the body is not read
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
