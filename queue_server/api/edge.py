"""What every answer gets at the edge of the server: size limits, security headers, clear 4xx for bad values.

`install_edge(app)` is the one call the composition root makes.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queue_server.api.errors import error_body
from queue_server.api.limits import BodyLimits, RequestLimits

# The pages load their scripts and styles from the server itself and talk to it over HTTP and WebSocket.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'{scripts}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' data: blob:; connect-src 'self' ws: wss:; "
    "font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_EVERY_ANSWER = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def install_edge(app: FastAPI) -> None:
    def upload_limit() -> int:
        return int(app.state.services.cases.catalogue.settings.max_document_bytes)

    def file_limit() -> int:
        return int(app.state.services.cases.catalogue.settings.max_file_bytes)

    app.add_middleware(RequestLimits, limits=BodyLimits(upload=upload_limit, file=file_limit))
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(DataError, _out_of_range)
    app.add_exception_handler(OverflowError, _out_of_range)


def page_policy(html: str) -> str:
    """The Content-Security-Policy of a page, allowing exactly its own inline scripts (by hash)."""
    hashes = "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
        for body in _INLINE_SCRIPT.findall(html)
    )
    return PAGE_POLICY.format(scripts=hashes)


class SecurityHeaders:
    """nosniff, no referrer and no framing on every answer; a Content-Security-Policy on HTML pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in _EVERY_ANSWER if name not in present]
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html") and b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", page_policy("").encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


async def _out_of_range(_: Request, error: Exception) -> JSONResponse:
    """A value the database cannot hold (a number beyond its integers, a NUL byte in text): the client's
    mistake, said the same way on SQLite and PostgreSQL (routes bound their values; this is the net)."""
    return JSONResponse(
        error_body(
            "value_out_of_range",
            "Một giá trị gửi lên nằm ngoài phạm vi cho phép (số quá lớn hoặc ký tự không hợp lệ).",
            "A value sent is out of range (a number too large or a character not allowed).",
        ),
        status_code=422,
    )
