"""Fan-out of committed events to the WebSocket clients of this process.

Publishing may happen from a worker thread (sync endpoints); delivery hops onto the event loop.
With several server processes on PostgreSQL, each process listens for NOTIFY and reads new rows from
the event log, so every client sees every event once, in seq order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

Event = dict[str, Any]


class Subscription:
    def __init__(self, hub: EventHub, offices: frozenset[str] | None, maxsize: int) -> None:
        self.hub = hub
        self.offices = offices  # None: every office
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize=maxsize)
        self.overflowed = False

    def offer(self, event: Event) -> None:
        if self.offices is not None and event["office"] not in self.offices:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # A client too slow to keep up is cut off; it reconnects and catches up from the log.
            self.overflowed = True

    def close(self) -> None:
        self.hub.unsubscribe(self)


class EventHub:
    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last_delivered = 0
        self._listeners: list[Callable[[Event], None]] = []
        self._reader: Callable[[int], list[Event]] | None = None
        self._catching_up = False
        self._catch_up_wanted = False
        self._catch_up_task: asyncio.Future[None] | None = None

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(
        self, office: str | None = None, maxsize: int = 10_000, *, offices: frozenset[str] | None = None
    ) -> Subscription:
        """Events of one office, of a set of offices (a supervisor's subtree), or of all."""
        subscription = Subscription(self, frozenset({office}) if office is not None else offices, maxsize)
        self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscribers.discard(subscription)

    def add_listener(self, listener: Callable[[Event], None]) -> None:
        """In-process listeners (alerts, metrics) called on the event loop for each event."""
        self._listeners.append(listener)

    @property
    def client_count(self) -> int:
        return len(self._subscribers)

    def set_reader(self, reader: Callable[[int], list[Event]]) -> None:
        """How to read committed events after a seq from the log (used when a batch arrives out of order)."""
        self._reader = reader

    def publish(self, events: Iterable[Event]) -> None:
        """Hand over events that have just been committed; safe to call from any thread."""
        batch = sorted(events, key=lambda e: e["seq"])
        loop = self._loop
        if not batch or loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._receive(batch)
        else:
            loop.call_soon_threadsafe(self._receive, batch)

    def wake(self) -> None:
        """Something was committed elsewhere (another process): read the log."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._schedule_catch_up)

    def _receive(self, batch: list[Event]) -> None:
        fresh = [e for e in batch if e["seq"] > self._last_delivered]
        if not fresh:
            return
        if fresh[0]["seq"] == self._last_delivered + 1 and not self._catching_up:
            self._deliver(fresh)
        else:
            # Commits finished in one order and reached us in another (or another process wrote):
            # the log, whose seq order is commit order, settles it.
            self._schedule_catch_up()

    def _schedule_catch_up(self) -> None:
        self._catch_up_wanted = True
        if not self._catching_up:
            self._catching_up = True
            self._catch_up_task = asyncio.ensure_future(self._catch_up())

    async def _catch_up(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._catch_up_wanted:
                self._catch_up_wanted = False
                if self._reader is None:
                    return
                events = await loop.run_in_executor(None, self._reader, self._last_delivered)
                self._deliver([e for e in events if e["seq"] > self._last_delivered])
        except Exception:
            log.exception("reading the event log failed")
        finally:
            self._catching_up = False

    def start_from(self, seq: int) -> None:
        self._last_delivered = seq

    def _deliver(self, batch: list[Event]) -> None:
        for event in batch:
            self._last_delivered = max(self._last_delivered, event["seq"])
            for subscription in list(self._subscribers):
                subscription.offer(event)
            for listener in self._listeners:
                try:
                    listener(event)
                except Exception:  # a broken listener must not stop the stream
                    log.exception("event listener failed")
