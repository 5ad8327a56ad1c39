"""voice.js in a real headless Chromium: order, no overlap, recalls, burst cap, failing clips.

The page and real espeak-ng clips are served from a local http.server; the browser plays them for real
(headless Chromium sends the sound to a silent sink but keeps real time, so "ended" events are genuine).
"""

from __future__ import annotations

import functools
import http.server
import itertools
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from display_board.voice.announce import VoiceSettings, build_announcement, clip_inventory
from display_board.voice.clips import build_clips

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
)

pytestmark = [
    pytest.mark.ui,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        shutil.which("espeak-ng") is None, reason="espeak-ng is not installed: no clips to play"
    ),
]

VOICE_JS = Path(__file__).resolve().parents[2] / "display_board" / "static" / "voice.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip
SHORT_PHRASE = VoiceSettings(phrase="Số {ticket} quầy {counter}", chime=False, recall_repeat=2, pause_ms=300)
TEST_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>voice queue test</title>
<script>
  // Watch every media element the page plays: how many exist, and how many sound at once.
  window.elements = new Set();
  window.sounding = new Set();
  window.maxSounding = 0;
  const realPlay = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    if (!elements.has(this)) {
      elements.add(this);
      this.addEventListener("playing", () => {
        sounding.add(this);
        maxSounding = Math.max(maxSounding, sounding.size);
      });
      for (const type of ["pause", "ended", "error", "emptied"]) {
        this.addEventListener(type, () => sounding.delete(this));
      }
    }
    return realPlay.call(this);
  };
</script>
<script src="/voice.js"></script>
</head><body>
<script>
  window.log = [];
  window.makeQueue = (options) => {
    const queue = new MotcuaVoice.AnnouncementQueue(options);
    for (const type of ["start", "end", "drop", "clipstart", "clipend", "cliperror", "blocked"]) {
      queue.addEventListener(type, (event) => log.push(event.detail));
    }
    window.queue = queue;
    return true;
  };
</script>
</body></html>
"""
STALL_SECONDS = 3.0


class ClipServer(http.server.SimpleHTTPRequestHandler):
    """Static files, plus /stall.wav that answers headers and then never sends the body in time."""

    def do_GET(self) -> None:
        if self.path.startswith("/stall.wav"):
            self.send_response(200)
            self.send_header("Content-Type", "audio/wav")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            time.sleep(STALL_SECONDS)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output clean


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("board")
    (root / "index.html").write_text(TEST_PAGE, encoding="utf-8")
    shutil.copy(VOICE_JS, root / "voice.js")
    names = ["letter_a", "num_1", "num_2", "num_3", *clip_inventory(SHORT_PHRASE)]
    wanted = sorted({name for name in names if name.startswith(("letter_a", "num_", "phrase_"))})
    build_clips(root / "clips", SHORT_PHRASE, names=wanted)
    handler = functools.partial(ClipServer, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, site: str) -> Iterator[Any]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site}/index.html")
    yield page
    page.close()
    assert errors == []


def clip(name: str) -> str:
    return f"/clips/{name}.wav"


def run(page: Any, script: str, options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Make a queue, run ``script`` against it, wait until the queue is idle, return the event log."""
    page.evaluate("(options) => makeQueue(options)", options or {"gapMs": 100})
    page.evaluate(script)
    page.evaluate("() => queue.whenIdle()")
    log: list[dict[str, Any]] = page.evaluate("() => log")
    return log


def of_type(log: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [event for event in log if event["type"] == kind]


def test_announcements_play_in_order_one_at_a_time(page: Any) -> None:
    script = f"""() => {{
        queue.enqueue({[clip("letter_a"), clip("num_1")]});
        queue.enqueue({[clip("letter_a"), clip("num_2")]});
        queue.enqueue({[clip("letter_a"), clip("num_3")]});
    }}"""
    log = run(page, script)
    starts, ends = of_type(log, "start"), of_type(log, "end")
    assert [event["id"] for event in starts] == [1, 2, 3]
    assert [event["id"] for event in ends] == [1, 2, 3]
    for previous_end, next_start in zip(ends, starts[1:], strict=False):
        assert previous_end["at"] <= next_start["at"]  # the next starts only after the previous ended
    expected = [clip(name) for number in (1, 2, 3) for name in ("letter_a", f"num_{number}")]
    assert [event["url"] for event in of_type(log, "clipstart")] == expected
    clip_events = [event for event in log if event["type"] in ("clipstart", "clipend")]
    assert [event["type"] for event in clip_events] == ["clipstart", "clipend"] * 6  # never two clips at once
    assert all(b["at"] >= a["at"] for a, b in itertools.pairwise(clip_events))
    played_ms = [
        end["at"] - begin["at"] for begin, end in zip(clip_events[::2], clip_events[1::2], strict=True)
    ]
    assert min(played_ms) > 150  # the clips really sounded (espeak words last 0.3-0.6 s), not ended at once
    assert of_type(log, "cliperror") == []
    assert page.evaluate("() => [elements.size, maxSounding]") == [1, 1]


def test_recall_enqueues_the_call_again_and_repeats_with_a_pause(page: Any) -> None:
    clips = [clip("num_1"), clip("num_2")]
    script = f"""() => {{
        queue.enqueue({clips}, {{ repeat: 1 }});          // the call
        queue.enqueue({clips}, {{ repeat: 2, pauseMs: 400 }});  // the recall
    }}"""
    log = run(page, script)
    assert [event["url"] for event in of_type(log, "clipstart")] == clips * 3
    assert [event["repeat"] for event in of_type(log, "start")] == [1, 2]
    recall = [event for event in log if event.get("id") == 2 and event["type"] in ("clipstart", "clipend")]
    first_pass_end = next(
        e for e in recall if e["type"] == "clipend" and e["pass"] == 0 and e["url"] == clips[1]
    )
    second_pass_start = next(e for e in recall if e["type"] == "clipstart" and e["pass"] == 1)
    assert second_pass_start["at"] - first_pass_end["at"] >= 400 - 5  # the pause between repetitions


def test_a_missing_clip_is_skipped_and_the_queue_goes_on(page: Any) -> None:
    script = f"""() => {{
        queue.enqueue({[clip("num_1"), clip("no_such_clip"), clip("num_2")]});
        queue.enqueue({[clip("num_3")]});
    }}"""
    log = run(page, script)
    errors = of_type(log, "cliperror")
    assert [event["url"] for event in errors] == [clip("no_such_clip")]
    assert errors[0]["reason"]
    assert [event["url"] for event in of_type(log, "clipend")] == [
        clip("num_1"),
        clip("num_2"),
        clip("num_3"),
    ]
    assert [(event["id"], event["failedClips"]) for event in of_type(log, "end")] == [(1, 1), (2, 0)]


def test_a_stalled_clip_is_skipped_after_the_timeout(page: Any) -> None:
    log = run(page, f"() => queue.enqueue({['/stall.wav', clip('num_1')]})", {"clipTimeoutMs": 500})
    assert [(event["url"], event["reason"]) for event in of_type(log, "cliperror")] == [
        ("/stall.wav", "timeout")
    ]
    assert [event["url"] for event in of_type(log, "clipend")] == [clip("num_1")]


def test_a_burst_drops_the_oldest_waiting_announcements(page: Any) -> None:
    script = """() => {
        for (const number of [1, 2, 3, 1, 2]) queue.enqueue([`/clips/num_${number}.wav`]);
    }"""
    log = run(page, script, {"maxPending": 2, "gapMs": 50})
    assert [(event["id"], event["reason"]) for event in of_type(log, "drop")] == [
        (2, "queue-full"),
        (3, "queue-full"),
    ]
    assert [event["id"] for event in of_type(log, "end")] == [1, 4, 5]  # the playing one is never dropped
    assert [event["url"] for event in of_type(log, "clipstart")] == [
        clip("num_1"),
        clip("num_1"),
        clip("num_2"),
    ]


def test_announcement_from_the_server_plays_its_clips(page: Any) -> None:
    announcement = build_announcement("A2", 3, SHORT_PHRASE, recall=True).as_dict()
    page.evaluate("(options) => makeQueue(options)", {})
    page.evaluate("([announcement]) => queue.announce(announcement, '/clips/')", [announcement])
    page.evaluate("() => queue.whenIdle()")
    log = page.evaluate("() => log")
    assert [event["url"] for event in of_type(log, "clipstart")] == [
        clip(n) for n in announcement["clips"]
    ] * 2
    assert of_type(log, "start")[0]["label"] == "Số A hai quầy ba"
    assert of_type(log, "cliperror") == []


def test_bad_enqueue_calls_throw_clear_errors(page: Any) -> None:
    page.evaluate("(options) => makeQueue(options)", {})
    messages = page.evaluate(
        """() => [[], [1, 2], "x.wav"].map((clips) => { try { queue.enqueue(clips); return "accepted"; }
                                            catch (error) { return error.name + ": " + error.message; } })
              .concat([0, 2.5, 9].map((repeat) => { try { queue.enqueue(["/clips/num_1.wav"], { repeat });
                                                       return "accepted"; }
                                                     catch (error) { return error.name; } }))"""
    )
    assert messages[:3] == ["TypeError: enqueue needs a non-empty array of clip URLs"] * 3
    assert messages[3:] == ["RangeError"] * 3
    assert page.evaluate("() => [queue.pendingCount, queue.playing]") == [0, False]
