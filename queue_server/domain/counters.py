"""A desk's state. Written only by CounterService (counters/service.py); everything else reads it."""

from __future__ import annotations

import enum


class CounterStatus(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"
