"""Where write use cases of the HTTP API run.

SQLite lets one transaction write at a time, and a short one (issuing a ticket: about a millisecond) costs
less than handing it to a worker thread and back. So on SQLite, write use cases coming through the event
loop take turns in arrival order and run on the loop itself while the database is free. When another writer
holds it (a worker thread of this process, or another process such as the `motcua` command), the one whose
turn it is waits in the worker pool instead, so the loop never blocks, and the rest keep their place behind
it. On PostgreSQL writes run in the worker pool side by side; row locks keep them apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from queue_server.db.engine import Database, WriteBusy, refusing_when_busy

P = ParamSpec("P")
T = TypeVar("T")


class WriteRunner:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._turn = asyncio.Lock()  # fair: waiters are woken in arrival order
        self._in_line = 0  # writes holding or awaiting the turn
        self.ran_on_loop = 0
        self.ran_in_pool = 0

    async def run(self, use_case: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        if not self.db.is_sqlite:
            return await run_in_threadpool(use_case, *args, **kwargs)
        if self._in_line == 0:  # nobody ahead: no need to take a turn
            try:
                return self._on_loop(use_case, *args, **kwargs)
            except WriteBusy:
                pass
        self._in_line += 1
        try:
            async with self._turn:
                try:
                    return self._on_loop(use_case, *args, **kwargs)
                except WriteBusy:
                    pass  # nothing was written; wait for the database where waiting blocks no one
                self.ran_in_pool += 1
                return await run_in_threadpool(use_case, *args, **kwargs)
        finally:
            self._in_line -= 1

    def _on_loop(self, use_case: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        with refusing_when_busy():
            result = use_case(*args, **kwargs)
        self.ran_on_loop += 1
        return result
