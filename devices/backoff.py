"""Capped exponential backoff for reconnecting devices."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Backoff:
    initial_s: float = 0.2
    factor: float = 2.0
    cap_s: float = 10.0
    _next: float = 0.0

    def next_delay(self) -> float:
        """The delay before the next attempt; grows by `factor` up to `cap_s`."""
        self._next = self.initial_s if self._next == 0.0 else min(self._next * self.factor, self.cap_s)
        return self._next

    @property
    def last_delay_s(self) -> float:
        """The delay last handed out (0 before the first attempt or after a reset)."""
        return self._next

    def reset(self) -> None:
        self._next = 0.0
