"""voice.js over many calls: the JS heap must stay flat (the board runs for weeks without a reload).

Runs the real AnnouncementQueue in headless Chromium with an instant stand-in audio element (so 20,000
announcements take seconds, not hours), forces garbage collection through the DevTools protocol and
reads the used heap after a warm-up, after N more calls and after N more again. Baseline in the same
run: the same page, idle for as long, measured the same way (the heap's own drift).

    .venv/bin/python benchmarks/bench_voice_queue_heap.py [--calls 10000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

VOICE_JS = Path(__file__).resolve().parents[1] / "display_board" / "static" / "voice.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip
PAGE_SCRIPT = """
class InstantAudio extends EventTarget {   // ends each clip at once, like a very short real clip
  constructor() { super(); this.src = ""; this.preload = "auto"; this.error = null; }
  play() { queueMicrotask(() => this.dispatchEvent(new Event("ended"))); return Promise.resolve(); }
  pause() {}
}
window.queue = new MotcuaVoice.AnnouncementQueue({ audio: new InstantAudio(), gapMs: 0, pauseMs: 0 });
window.ended = 0;
queue.addEventListener("end", () => { ended++; });
window.runCalls = async (count) => {
  for (let done = 0; done < count; done += 5) {
    for (let i = 0; i < 5; i++) {
      const n = (done + i) % 1000;
      queue.enqueue([`/v/chime.wav`, `/v/letter_a.wav`, `/v/num_${n % 10}.wav`], { repeat: 1 + (n % 2) });
    }
    await queue.whenIdle();
  }
  return ended;
};
"""


def used_heap(cdp: Any) -> int:
    cdp.send("HeapProfiler.collectGarbage")
    usage: dict[str, int] = cdp.send("Runtime.getHeapUsage")
    return usage["usedSize"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    calls = parser.parse_args().calls
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        page.set_content("<!doctype html><title>heap</title>")
        page.add_script_tag(content=VOICE_JS.read_text(encoding="utf-8"))
        page.add_script_tag(content=PAGE_SCRIPT)
        cdp = page.context.new_cdp_session(page)
        page.evaluate("(n) => runCalls(n)", 1000)  # warm-up: JIT, caches
        idle_start = used_heap(cdp)
        started = time.perf_counter()
        time.sleep(2.0)
        idle_end = used_heap(cdp)
        warm = used_heap(cdp)
        page.evaluate("(n) => runCalls(n)", calls)
        after_first = used_heap(cdp)
        page.evaluate("(n) => runCalls(n)", calls)
        after_second = used_heap(cdp)
        elapsed = time.perf_counter() - started
        total = page.evaluate("() => ended")
        browser.close()
    print(f"{total} announcements played (warm-up 1000 + 2 x {calls}) in {elapsed:.1f} s")
    report("baseline: idle page, 2 s", idle_start, idle_end)
    report(f"{calls} calls", warm, after_first)
    report(f"{calls} more calls", after_first, after_second)
    print(f"growth over both rounds: {(after_second - warm) / (2 * calls):+.2f} bytes per call")


def report(label: str, before: int, after: int) -> None:
    change = (after - before) / 1024
    print(f"{label:28s} {before / 1024:9.1f} KiB -> {after / 1024:9.1f} KiB ({change:+.1f} KiB)")


if __name__ == "__main__":
    main()
