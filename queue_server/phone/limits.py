"""Rate limits of the public phone pages: requests per client address per minute (in memory, with the
injected clock; each server process keeps its own, the reverse proxy should add one of its own)."""

from __future__ import annotations

import math
import threading
from collections import defaultdict, deque
from datetime import datetime

from queue_server.clock import Clock
from queue_server.domain.errors import DomainError

MAX_TRACKED = 50_000


class TooManyRequests(DomainError):
    status_code = 429

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            "too_many_requests",
            f"Ông/Bà thao tác quá nhanh. Vui lòng thử lại sau {retry_after_s} giây.",
            f"Too many requests. Try again in {retry_after_s} s.",
            retry_after_s=retry_after_s,
        )
        self.retry_after_s = retry_after_s


class AddressLimiter:
    def __init__(self, clock: Clock, *, per_minute: int) -> None:
        self.clock = clock
        self.per_minute = per_minute
        self._hits: defaultdict[str, deque[datetime]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, address: str) -> None:
        now = self.clock()
        with self._lock:
            hits = self._hits[address]
            while hits and (now - hits[0]).total_seconds() >= 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                raise TooManyRequests(max(1, math.ceil(60 - (now - hits[0]).total_seconds())))
            hits.append(now)
            if len(self._hits) > MAX_TRACKED:
                self._hits.pop(next(iter(self._hits)))
