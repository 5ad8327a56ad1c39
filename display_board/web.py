"""The browser side of motcua, served by the queue server: lobby board, counter console, phone page.

``board_part(services)`` is included by the server's composition root (``queue_server.app``). It adds:

- ``GET /board`` (the lobby TV), ``GET /counter`` (the staff console), ``GET /t/{public_code}`` (the
  citizen's phone, from the QR on the ticket; an unknown code gets a plain 404 page);
- ``/static/board/…`` (the pages' scripts and styles) and ``/voice/{name}.wav`` (the voice clips);
- ``GET /api/v1/board/config`` and ``GET /api/v1/board/announcement`` (what to say for a call);
- ``WS /api/v1/public/tickets/{public_code}/events``: the live view of ONE ticket for the phone page,
  without any key; it sends only that ticket's public fields.

Pages hold no state that matters: everything comes from the API and the event stream.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from display_board.board_config import BoardConfigError, BoardSettings, load_board_settings
from display_board.schemas import Announcement, BoardConfig
from display_board.voice.announce import AnnouncementError, build_announcement
from display_board.voice.clips import ClipError, ClipLibrary
from queue_server.api.errors import error_body
from queue_server.api.openapi import ErrorBody
from queue_server.domain.errors import NotFound
from queue_server.parts import StaticFolder, WebPart
from queue_server.services import Services
from queue_server.tickets.schemas import PublicTicketView

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
PUBLIC_CODE = re.compile(r"^[A-Za-z0-9_-]{8,32}$")
NO_CACHE = {"Cache-Control": "no-cache"}
PHONE_COALESCE_S = 0.2  # a burst of events in the phone's queue becomes one re-read


class BoardWeb:
    """The board settings of this server (or why they could not be read) and the voice clip library."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.problems: list[str] = []
        try:
            self.settings = load_board_settings(Path(services.ctx.settings.config_dir))
        except BoardConfigError as error:
            # The API and the kiosks keep working; the board shows the problem on screen for the IT person.
            self.problems = error.problems
            self.settings = BoardSettings()
            log.error("board.toml has problems; the board shows them:\n  %s", "\n  ".join(error.problems))
        self.clips = ClipLibrary(self.settings.voice_dir, self.settings.voice.clip_dir_override)

    def config_view(self, office_code: str | None) -> dict[str, Any]:
        office = self.services.tickets.office(office_code or self.settings.office)
        settings = self.settings
        seq = self.services.events.last_seq()
        return {
            "office": {"code": office.code, "name_vi": office.name_vi, "time_zone": office.zone.key},
            "title": settings.title or office.name_vi,
            "notice": office.notice_vi if settings.notice is None else settings.notice,
            "notice_speed": settings.notice_speed,
            "columns": settings.columns,
            "highlight_count": settings.highlight_count,
            "flash_seconds": settings.flash_seconds,
            "show_queues": settings.show_queues,
            "voice_enabled": settings.voice_enabled,
            "voice": {"queue_limit": settings.voice.queue_limit, "base_url": "/voice"},
            "wait_target_minutes": self.services.ctx.config.targets.wait.total_seconds() / 60,
            "last_seq": seq,
        }


def board_part(services: Services) -> WebPart:
    board = BoardWeb(services)
    return WebPart(
        name="board",
        routers=[_page_router(board), _api_router(board)],
        static=[StaticFolder("/static/board", STATIC_DIR, "board-static")],
        state=board,
    )


# ---- pages ---------------------------------------------------------------------------------------


def _page_router(board: BoardWeb) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/board")
    def board_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "board.html", headers=NO_CACHE)

    @router.get("/counter")
    def counter_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "counter.html", headers=NO_CACHE)

    @router.get("/ho-so")
    def follow_page() -> FileResponse:
        """Cases to their due date (supervisor; staff see their own)."""
        return FileResponse(STATIC_DIR / "follow.html", headers=NO_CACHE)

    @router.get("/tra-cuu")
    def lookup_page() -> FileResponse:
        """The citizen follows a case: code (from the receipt's QR) + last four digits of the ID number."""
        return FileResponse(STATIC_DIR / "lookup.html", headers={"Cache-Control": "no-store"})

    @router.get("/t/{public_code}", response_model=None)
    def phone_page(public_code: str) -> FileResponse | HTMLResponse:
        if not PUBLIC_CODE.match(public_code) or not _ticket_exists(board.services, public_code):
            return HTMLResponse(_not_found_page(), status_code=404, headers=NO_CACHE)
        return FileResponse(STATIC_DIR / "phone.html", headers=NO_CACHE)

    @router.get("/voice/{name}.wav")
    def voice_clip(name: str) -> FileResponse:
        try:
            path = board.clips.resolve(name)
        except ClipError as error:
            raise _NotFoundClip(name, str(error)) from None
        return FileResponse(path, media_type="audio/wav", headers={"Cache-Control": "max-age=3600"})

    return router


class _NotFoundClip(NotFound):
    def __init__(self, name: str, detail: str) -> None:
        super().__init__("clip_not_found", f"Không có clip giọng đọc '{name}'.", detail)


def _ticket_exists(services: Services, public_code: str) -> bool:
    try:
        services.tickets.get_public(public_code)
    except NotFound:
        return False
    return True


def _not_found_page() -> str:
    return (STATIC_DIR / "not_found.html").read_text(encoding="utf-8")


# ---- board API -----------------------------------------------------------------------------------


def _api_router(board: BoardWeb) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["board"])

    @router.get(
        "/board/config",
        response_model=BoardConfig,
        responses={503: {"model": ErrorBody, "description": "board.toml has problems (listed in details)"}},
    )
    def board_config(
        office: Annotated[str | None, Query(max_length=16)] = None,
    ) -> Any:
        """What the lobby board shows: office, title, notice, layout, voice, and the seq to start from."""
        if board.problems:
            body = error_body(
                "board_config_invalid",
                "Tệp cấu hình bảng hiển thị (board.toml) có lỗi: " + "; ".join(board.problems),
                "board.toml has problems: " + "; ".join(board.problems),
                {"problems": board.problems},
            )
            return JSONResponse(body, status_code=503)
        return board.config_view(office)

    @router.get("/board/announcement", response_model=Announcement)
    def announcement(
        number: Annotated[str, Query(min_length=1, max_length=12)],
        counter: Annotated[int, Query(ge=1, le=999)],
        recall: Annotated[bool, Query()] = False,
    ) -> Any:
        """The words and clips of one call, as voice.js plays them (AnnouncementQueue.announce)."""
        try:
            spoken = build_announcement(number, counter, board.settings.voice, recall=recall)
        except AnnouncementError as error:
            vi, _, en = str(error).partition(" / ")
            return JSONResponse(error_body("bad_announcement", vi, en or vi), status_code=422)
        return spoken.as_dict()

    @router.websocket("/public/tickets/{public_code}/events")
    async def public_ticket_events(websocket: WebSocket, public_code: str) -> None:
        await _phone_stream(websocket, board.services, public_code)

    return router


# ---- the phone's live view -----------------------------------------------------------------------


async def _phone_stream(websocket: WebSocket, services: Services, public_code: str) -> None:
    """Send the ticket's public view at once and again whenever it may have changed; nothing else."""
    if not PUBLIC_CODE.match(public_code):
        await websocket.close(code=4404, reason="no such ticket")
        return
    try:
        ticket = await run_in_threadpool(services.tickets.get_public, public_code)
    except NotFound:
        await websocket.close(code=4404, reason="no such ticket")
        return
    await websocket.accept()
    subscription = services.ctx.hub.subscribe(office=ticket.office, maxsize=200)
    receiver = asyncio.ensure_future(_until_closed(websocket))
    try:
        last: dict[str, object] | None = None
        while not receiver.done():
            view = (await run_in_threadpool(_public_view, services, public_code)).model_dump(mode="json")
            if view != last:
                await websocket.send_json({"type": "ticket", "ticket": view})
                last = view
            if not await _next_relevant(
                subscription, receiver, ticket.id, waiting=view["status"] == "waiting"
            ):
                return
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        receiver.cancel()
        subscription.close()


def _public_view(services: Services, public_code: str) -> PublicTicketView:
    return PublicTicketView.of(services.tickets.get_public(public_code))


async def _next_relevant(
    subscription: Any, receiver: asyncio.Future[None], ticket_id: int, waiting: bool
) -> bool:
    """Wait for an event that may change this ticket's view; False when the phone has gone.

    While the ticket waits, any event of its office may move it (people ahead, expected wait); after
    that only its own events matter. Bursts are coalesced into one re-read.
    """
    queue: asyncio.Queue[Any] = subscription.queue
    while True:
        getter = asyncio.ensure_future(queue.get())
        done, _ = await asyncio.wait({getter, receiver}, return_when=asyncio.FIRST_COMPLETED)
        if getter not in done:
            getter.cancel()
            return False
        events = [getter.result()]
        await asyncio.sleep(PHONE_COALESCE_S)
        while not queue.empty():
            events.append(queue.get_nowait())
        subscription.overflowed = False  # dropped events do not matter: the view is read afresh
        if waiting or any(_is_about(event, ticket_id) for event in events):
            return True


def _is_about(event: dict[str, Any] | None, ticket_id: int) -> bool:
    if not event:
        return False
    ticket = (event.get("data") or {}).get("ticket") or {}
    return bool(ticket.get("id") == ticket_id)


async def _until_closed(websocket: WebSocket) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
