"""Rate limits for the public status lookup, so dossier codes cannot be walked.

Two sliding windows, kept in memory with the injected clock: every attempt per client address, and failed
attempts per dossier code from one address (a code that failed too often from there is locked for that address
until the window passes — not for its owner asking from elsewhere).
With several server processes each keeps its own counts; the reverse proxy should add its own limit.
"""

from __future__ import annotations

import math
import threading

from queue_server.clock import Clock
from queue_server.domain.errors import DomainError
from queue_server.sliding_window import SlidingWindow


class TooManyLookups(DomainError):
    status_code = 429

    def __init__(self, retry_after_s: int) -> None:
        minutes = max(1, math.ceil(retry_after_s / 60))
        super().__init__(
            "too_many_lookups",
            f"Tra cứu quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
            f"Too many lookups. Try again in {minutes} minute(s).",
            retry_after_s=retry_after_s,
        )
        self.retry_after_s = retry_after_s


class LookupLimiter:
    def __init__(
        self, clock: Clock, *, per_ip_per_minute: int, failures_per_code: int, failure_window_s: int
    ) -> None:
        self.clock = clock
        self._per_ip = SlidingWindow(per_ip_per_minute, 60.0)
        self._failures = SlidingWindow(failures_per_code, float(failure_window_s))
        self._lock = threading.Lock()

    def admit(self, client: str, code: str) -> None:
        """Count an attempt from `client` on `code`, or raise TooManyLookups with the wait."""
        now = self.clock()
        with self._lock:
            waits = [
                w
                for w in (
                    self._per_ip.retry_after(client, now),
                    self._failures.retry_after(_pair(client, code), now),
                )
                if w
            ]
            if waits:
                raise TooManyLookups(max(waits))
            self._per_ip.add(client, now)

    def failed(self, code: str, client: str) -> None:
        with self._lock:
            self._failures.add(_pair(client, code), self.clock())


def _pair(client: str, code: str) -> str:
    return f"{client} {code}"
