"""Sign-in throttling: failed attempts counted per username and per client address (sliding windows, in
memory, injected clock). Past the limit the answer is 429 with Retry-After, before any password is hashed.

With several server processes each keeps its own counts; the reverse proxy adds a per-address limit too
(docs/security.md).
"""

from __future__ import annotations

import math
import threading

from queue_server.clock import Clock
from queue_server.domain.errors import DomainError
from queue_server.sliding_window import SlidingWindow

FAILURES_PER_USERNAME = 5
FAILURES_PER_ADDRESS = 20
WINDOW_S = 15 * 60


class TooManyLogins(DomainError):
    status_code = 429

    def __init__(self, retry_after_s: int) -> None:
        minutes = max(1, math.ceil(retry_after_s / 60))
        super().__init__(
            "too_many_logins",
            f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
            f"Too many failed sign-ins. Try again in {minutes} minute(s).",
            retry_after_s=retry_after_s,
        )
        self.retry_after_s = retry_after_s


class LoginThrottle:
    def __init__(
        self,
        clock: Clock,
        *,
        per_username: int = FAILURES_PER_USERNAME,
        per_address: int = FAILURES_PER_ADDRESS,
        window_s: float = WINDOW_S,
    ) -> None:
        self.clock = clock
        self._usernames = SlidingWindow(per_username, window_s)
        self._addresses = SlidingWindow(per_address, window_s)
        self._lock = threading.Lock()

    def admit(self, *, username: str, address: str) -> None:
        """Raise TooManyLogins when this username or this address failed too often lately."""
        now = self.clock()
        with self._lock:
            waits = [
                wait
                for wait in (
                    self._usernames.retry_after(username, now),
                    self._addresses.retry_after(address, now),
                )
                if wait
            ]
        if waits:
            raise TooManyLogins(max(waits))

    def failed(self, *, username: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            self._usernames.add(username, now)
            self._addresses.add(address, now)

    def succeeded(self, *, username: str) -> None:
        with self._lock:
            self._usernames.hits.pop(username, None)
