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
