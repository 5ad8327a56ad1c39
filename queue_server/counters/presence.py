"""Is the officer's console still there? A counter whose console has been gone for
`console_lost_after_minutes` (default 10) is paused with the reason "mất kết nối", so the board, the
dashboard and the estimates stop counting it as open.

A console is there while its WebSocket to the event stream is open. This process counts the open sockets
per staff member and stamps `counter_state.console_seen_at` (at connect, at disconnect and, while
connected, at least every `STAMP_EVERY`), so several server processes agree through the database: a
counter is paused only when no process has seen its console for the whole period. A counter opened by a
script, never by a console, has no stamp and is never paused this way.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

STAMP_EVERY = timedelta(minutes=1)
LOST_REASON = "mất kết nối"


class ConsolePresence:
    """The staff members whose console has a socket open to this process (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: Counter[int] = Counter()

    def connect(self, staff_id: int) -> None:
        with self._lock:
            self._sockets[staff_id] += 1

    def disconnect(self, staff_id: int) -> None:
        with self._lock:
            self._sockets[staff_id] -= 1
            if self._sockets[staff_id] <= 0:
                del self._sockets[staff_id]

    def connected(self) -> frozenset[int]:
        with self._lock:
            return frozenset(self._sockets)
