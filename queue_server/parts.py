"""The seam between the server and the programs whose pages and APIs it serves (board, console, dashboard).

Each such program builds a WebPart from the server's services; the composition root (queue_server/app.py)
includes its routers, serves its static folders and runs its background jobs for as long as the app runs.
A program never changes the app itself.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter


@dataclass(frozen=True)
class StaticFolder:
    url: str  # e.g. "/static/board"
    folder: Path
    name: str


@dataclass
class WebPart:
    name: str  # app.state.<name> holds `state`, for tests and operators
    routers: list[APIRouter]
    static: list[StaticFolder] = field(default_factory=list)
    # Started with the app's lifespan and cancelled when it ends.
    background: list[Callable[[], Coroutine[object, object, None]]] = field(default_factory=list)
    state: object | None = None
