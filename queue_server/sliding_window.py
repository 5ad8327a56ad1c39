"""Hits per key in a sliding window of time, kept in memory: the login throttle (auth/throttle.py) and the
public lookup's limits (dossiers/limiter.py) count with it."""

from __future__ import annotations

import math
from collections import defaultdict, deque
from datetime import datetime

MAX_TRACKED_KEYS = 100_000  # memory bound: the oldest keys are dropped first


class SlidingWindow:
    """Hits per key in the last `seconds`; `retry_after` says how long until one more is allowed."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self.hits: defaultdict[str, deque[datetime]] = defaultdict(deque)

    def retry_after(self, key: str, now: datetime) -> int | None:
        hits = self.hits.get(key)
        if not hits:
            return None
        while hits and (now - hits[0]).total_seconds() >= self.seconds:
            hits.popleft()
        if len(hits) < self.limit:
            return None
        return max(1, math.ceil(self.seconds - (now - hits[0]).total_seconds()))

    def add(self, key: str, now: datetime) -> None:
        if key not in self.hits and len(self.hits) >= MAX_TRACKED_KEYS:
            self.hits.pop(next(iter(self.hits)))
        self.hits[key].append(now)
