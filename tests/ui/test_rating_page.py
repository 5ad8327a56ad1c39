"""The counter tablet (/rate/{counter}) in headless Chromium: asks for the visit just finished, sends the
rating, thanks, and goes back to idle by itself. The page's timers run on Playwright's fake clock."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import DISPLAY_KEY, KIOSK, PASSWORD, make_server, running_server
from tests.ui.conftest import bearer, new_page, screenshot

pytestmark = pytest.mark.ui


def shown(page: Any, section: str) -> None:
    """Wait until a section shows. Playwright's own waits poll on animation frames, which the fake clock
    holds, so this asks the page directly between short real-time pauses (the fetches are real)."""
    for _ in range(200):
        if page.evaluate(f"!document.getElementById('{section}').hidden"):
            return
        page.wait_for_timeout(25)
    raise AssertionError(f"#{section} did not show")


def finish_next(base: str, staff: dict[str, str]) -> dict[str, Any]:
    httpx.post(f"{base}/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
    ticket = httpx.post(f"{base}/api/v1/counters/1/call-next", headers=staff).json()
    httpx.post(f"{base}/api/v1/tickets/{ticket['id']}/start", headers=staff)
    done = httpx.post(f"{base}/api/v1/tickets/{ticket['id']}/finish", headers=staff).json()
    assert done["status"] == "done"
    return done  # type: ignore[no-any-return]


def test_the_tablet_asks_sends_and_returns_to_idle(
    chromium: Any, page_errors: list[str], tmp_path: Path
) -> None:
    server = make_server(f"sqlite:///{tmp_path / 'rate.sqlite3'}", ManualClock(T0))
    with running_server(server) as base:
        staff = bearer(base, "canbo1", PASSWORD)
        httpx.post(f"{base}/api/v1/counters/1/open", headers=staff)
        page = new_page(chromium, page_errors, 1280, 800)
        page.clock.install()
        page.goto(f"{base}/rate/1?key={DISPLAY_KEY}")
        shown(page, "idle")
        assert "Quầy 1" in page.inner_text("#idle")

        first = finish_next(base, staff)
        page.clock.run_for(2500)  # the next poll sees the finished visit
        shown(page, "ask")
        assert page.inner_text("#number") == first["number"]
        # One polite form of address, as on the kiosk and the ticket: "Ông/Bà", never "bạn" or "quý khách".
        asked = page.inner_text("#ask")
        assert asked.startswith("Ông/Bà có hài lòng") and not re.search(r"(?i)\bbạn\b|quý khách", asked)
        page.click("#faces button[data-score='2']")
        shown(page, "why")
        assert page.is_disabled("#send")  # a low score needs a reason first
        page.click("#reasons button[data-reason='wait']")
        assert page.get_attribute("#reasons button[data-reason='wait']", "aria-pressed") == "true"
        screenshot(page, "rating-tablet.png")
        page.click("#send")
        shown(page, "thanks")
        assert page.inner_text("#thanks").startswith("Xin cảm ơn Ông/Bà!")
        page.clock.run_for(4500)
        shown(page, "idle")

        stats = httpx.get(f"{base}/api/v1/ratings/stats", headers=staff).json()
        assert (stats["ratings"], stats["by_reason"], stats["by_counter"][0]["counter"]) == (
            1,
            {"wait": 1},
            1,
        )

        # A citizen who walks away: the question stays 30 s, then the tablet is idle and does not ask again.
        second = finish_next(base, staff)
        page.clock.run_for(2500)
        shown(page, "ask")
        assert page.inner_text("#number") == second["number"]
        page.clock.run_for(31_000)
        shown(page, "idle")
        page.clock.run_for(6000)
        assert page.is_hidden("#ask")
        assert httpx.get(f"{base}/api/v1/ratings/stats", headers=staff).json()["ratings"] == 1
    assert page_errors == []
