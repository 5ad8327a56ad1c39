"""A page upload that takes longer than an ordinary request is no outage: the kiosk waits for it (a slow
answer to a small request still is one). A real HTTP server that answers slowly, on purpose."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from kiosk.api import KioskApi, ServerUnavailable
from tests.support import running_server

SLOW_S = 1.5
TIMEOUT_S = 0.5  # the kiosk's usual timeout, shorter than the server's answer


async def health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def slow(request: Request) -> JSONResponse:
    await request.body()
    await asyncio.sleep(SLOW_S)
    return JSONResponse({"id": 7} if request.method == "POST" else [], status_code=201)


APP = Starlette(
    routes=[
        Route("/api/v1/health", health),
        Route("/api/v1/documents", slow, methods=["POST"]),
        Route("/api/v1/queues", slow),
    ]
)


def test_an_upload_slower_than_a_request_is_waited_for_and_a_slow_request_is_an_outage() -> None:
    async def scenario(base: str) -> tuple[dict[str, object], bool, bool]:
        api = KioskApi(base, "key", timeout_s=TIMEOUT_S)
        try:
            document = await api.upload_document(
                "001099004567", "GTCMCHO", [("p1.jpg", b"x" * 4096, "image/jpeg")]
            )
            still_available = api.available
            with pytest.raises(ServerUnavailable):
                await api.queues()
            return document, still_available, api.available
        finally:
            await api.aclose()

    with running_server(SimpleNamespace(app=APP)) as base:  # type: ignore[arg-type]
        document, after_upload, after_slow_request = asyncio.run(scenario(base))
    assert document == {"id": 7} and after_upload is True
    assert after_slow_request is False


def test_a_connection_the_server_closed_under_a_request_is_no_outage() -> None:
    """The server closes an idle kept-alive connection just as the kiosk sends on it: the answer never
    comes on that connection. The kiosk asks again on a new one instead of going out of service."""
    answer = b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n{"status":"ok"}'

    async def scenario() -> tuple[object, bool, int]:
        connections = 0

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections
            connections += 1
            await reader.readuntil(b"\r\n\r\n")
            if connections > 1:  # the first connection is closed without an answer
                writer.write(answer)
                await writer.drain()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        api = KioskApi(f"http://127.0.0.1:{port}", "key", timeout_s=TIMEOUT_S)
        try:
            found = await api.health()
            return found, api.available, connections
        finally:
            await api.aclose()
            server.close()

    found, available, connections = asyncio.run(scenario())
    assert found == {"status": "ok"} and available is True and connections == 2
