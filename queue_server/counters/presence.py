"""Is the officer's console still there? A counter whose console has given no sign of life for
`console_lost_after_minutes` (default 10) is paused with the reason "mất kết nối", so the board, the
dashboard and the estimates stop counting it as open.

A sign of life is a heartbeat the console page's own script sends over its event WebSocket (every
`HEARTBEAT_S` by its timer, and when the socket opens). An open socket alone proves nothing: a tab whose
script froze, or a machine asleep with its socket held, keeps the connection but sends no heartbeat.
Each process keeps the time (its injected clock) of the last heartbeat per staff member; the sweep writes
it to `counter_state.console_seen_at`, so several processes agree through the database: a counter is
paused only when no process has had a heartbeat for the whole period. A counter opened by a script, never
by a console, has no stamp and is never paused this way. Once paused, it stays paused until the officer
resumes it (P): a page that wakes up does not mean the officer is back at the desk.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType

HEARTBEAT_S = 20  # the console page's timer (display_board/static/counter.js sends it)
HEARTBEAT_MESSAGE = "heartbeat"
LOST_REASON = "mất kết nối"


class ConsolePresence:
    """The last heartbeat each staff member's console sent to this process (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._beats: dict[int, datetime] = {}

    def hear(self, staff_id: int, message: str, at: datetime) -> None:
        """A message from the staff member's socket: a heartbeat counts, anything else is ignored."""
        if message == HEARTBEAT_MESSAGE:
            self.beat(staff_id, at)

    def beat(self, staff_id: int, at: datetime) -> None:
        with self._lock:
            last = self._beats.get(staff_id)
            if last is None or at > last:
                self._beats[staff_id] = at

    def beats(self) -> Mapping[int, datetime]:
        with self._lock:
            return MappingProxyType(dict(self._beats))
