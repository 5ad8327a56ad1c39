"""The lookup limiter: per client per minute, failures per code per window, with the wait to announce."""

from __future__ import annotations

import pytest

from queue_server.clock import ManualClock
from queue_server.dossiers.limiter import LookupLimiter, TooManyLookups
from tests.conftest import T0


def limiter(clock: ManualClock) -> LookupLimiter:
    return LookupLimiter(clock, per_ip_per_minute=3, failures_per_code=2, failure_window_s=900)


def test_a_client_gets_its_quota_per_minute_then_a_wait() -> None:
    clock = ManualClock(T0)
    gate = limiter(clock)
    for index in range(3):
        gate.admit("10.0.0.1", f"CODE-{index}")
        clock.advance(seconds=10)
    with pytest.raises(TooManyLookups) as caught:
        gate.admit("10.0.0.1", "CODE-9")
    assert caught.value.status_code == 429 and caught.value.retry_after_s == 30
    gate.admit("10.0.0.2", "CODE-9")  # another client is not affected
    clock.advance(seconds=30)
    gate.admit("10.0.0.1", "CODE-9")  # the oldest attempt left the window


def test_failures_lock_a_code_for_the_client_that_failed_not_for_its_owner() -> None:
    clock = ManualClock(T0)
    gate = limiter(clock)
    for _ in range(2):
        gate.admit("guesser", "CAXTP-260310-0001")
        gate.failed("CAXTP-260310-0001", "guesser")
    with pytest.raises(TooManyLookups) as caught:
        gate.admit("guesser", "CAXTP-260310-0001")
    assert caught.value.retry_after_s == 900
    assert "15 phút" in caught.value.message_vi
    gate.admit("owner", "CAXTP-260310-0001")  # a stranger's guesses never lock the citizen out
    clock.advance(seconds=901)
    gate.admit("guesser", "CAXTP-260310-0001")


def test_refused_attempts_do_not_extend_the_wait() -> None:
    clock = ManualClock(T0)
    gate = limiter(clock)
    for _ in range(3):
        gate.admit("x", "C")
    for _ in range(10):
        with pytest.raises(TooManyLookups):
            gate.admit("x", "C")
    clock.advance(seconds=60)
    gate.admit("x", "C")
