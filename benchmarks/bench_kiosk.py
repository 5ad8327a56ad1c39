"""The kiosk under Xvfb: cold start, screen changes, camera preview rate, memory over 100 citizens.

Each figure is measured beside a baseline from the same run:
- cold start to the drawn start screen (target <= 5 s) beside a bare Kivy app showing one label;
- a screen change, from the touch's handler to the next drawn frame (target: median <= 100 ms, p95
  shown) beside switching between two empty screens; first visits (layout built once) shown apart;
- the camera preview's rate of new frames on the identify screen while the camera thread decodes QR
  codes (target >= 15 fps) beside the camera's own capture rate;
- a screen change on a portrait 1080x1920 window (target: p95 <= 100 ms);
- taps and seconds to take a number (target <= 3 taps) and to submit a residence case with two
  photographed papers (printing and screenshots excluded), tapped into the real window by the UI
  driver (xdotool) on a 1920x1080 screen;
- resident memory while the camera scans (target <= 500 MB) and after each block of citizens: 100 in a
  row, each one read from the card, a page photographed, a number taken and printed, then wiped
  (target: flat, under 500 MB) beside the bare Kivy app's memory.

    .venv/bin/python benchmarks/bench_kiosk.py [--citizens 100]

Runs Xvfb itself when DISPLAY is unset; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# A baseline child runs an older commit's kiosk (extracted by `--baseline REV`) under this same bench.
CODE = Path(os.environ.get("MOTCUA_BENCH_CODE", str(ROOT)))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(CODE))

TARGET_START_S = 5.0
TARGET_CHANGE_MS = 100.0
TARGET_FPS = 15.0
TARGET_RSS_MB = 500.0
TARGET_TICKET_TAPS = 3
FLAT_MB = 40.0  # "flat": the last block may not sit more than this above the first


def rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss) / 2**20


def kivy_env(size: tuple[int, int] = (1280, 800)) -> None:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KCFG_KIVY_LOG_LEVEL", "warning")  # a failing child says why on stderr
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    from kiosk.display import Display, apply_display

    apply_display(Display(size[0], size[1], fullscreen=False))


def report(data: dict[str, Any]) -> None:
    print("RESULT " + json.dumps(data), flush=True)


# ------------------------------------------------------------------------------------- child: baseline


def child_bare(started: float) -> None:
    """A bare Kivy app: one label, then two empty screens switched back and forth."""
    kivy_env()
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.uix.label import Label
    from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

    class Bare(App):  # type: ignore[misc]
        def build(self) -> Any:
            manager = ScreenManager(transition=NoTransition())
            for name in ("a", "b"):
                screen = Screen(name=name)
                screen.add_widget(Label(text="Xin chào"))
                manager.add_widget(screen)
            return manager

        def on_start(self) -> None:
            Clock.schedule_once(self.first_frame, 0)

        def first_frame(self, _dt: float) -> None:
            ready = time.time() - started
            self.task = asyncio.ensure_future(self.measure(ready))

        async def measure(self, ready: float) -> None:
            changes = []
            for index in range(40):
                changes.append(
                    await change_then_flip(lambda i=index: setattr(self.root, "current", "ab"[i % 2]))
                )
            report({"cold_start_s": ready, "change_ms": changes, "rss_mb": rss_mb()})
            self.stop()

    asyncio.run(Bare().async_run(async_lib="asyncio"))
    del Window


def flip_waiter() -> tuple[asyncio.Event, Any]:
    """An event set at the end of the next drawn frame, and the call that stops watching."""
    from kivy.core.window import Window

    flipped = asyncio.Event()

    def on_flip(*_: Any) -> None:
        flipped.set()

    Window.bind(on_flip=on_flip)
    return flipped, lambda: Window.unbind(on_flip=on_flip)


async def change_then_flip(change: Any, calls: list[float] | None = None) -> float:
    """Milliseconds from a change to the end of the next drawn frame (`calls` gets the change's own
    synchronous part: the screen manager, kv rules bound to the screen)."""
    flipped, unbind = flip_waiter()
    start = time.perf_counter()
    change()
    if calls is not None:
        calls.append((time.perf_counter() - start) * 1000)
    try:
        await asyncio.wait_for(flipped.wait(), 60)
    except TimeoutError:
        raise SystemExit("a change drew nothing in 60 s") from None
    elapsed = (time.perf_counter() - start) * 1000
    unbind()
    await asyncio.sleep(0.03)
    return elapsed


# ---------------------------------------------------------------------------------------- child: kiosk


class CardOnCue:
    """The bench's camera: an empty desk (the camera's usual view, and its costliest frame to decode:
    every step runs and finds nothing) until `show_card()`, then the demo card's QR. Frames are kept as
    JPEG and decoded on each read, as a USB camera's MJPEG frames are."""

    paced = True

    def __init__(self) -> None:
        import cv2

        from devices.scanners.cccd import format_cccd
        from devices.scanners.synthetic import card_photo
        from kiosk.demo_frames import DEMO_CARD, FRAME_SIZE, desk

        def jpeg(image: Any) -> Any:
            return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 92])[1]

        payload = format_cccd(DEMO_CARD)
        self.desk = [jpeg(desk(FRAME_SIZE, seed)) for seed in range(4)]
        self.card = [
            jpeg(card_photo(payload, size=FRAME_SIZE, qr_side=300, angle_deg=5.0 + i, seed=i))
            for i in range(4)
        ]
        self.showing, self.index = False, 0
        self.first_card_at: float | None = None  # perf_counter of the first card frame captured
        self.drawn_at = 0.0  # perf_counter of the first frame drawn with the card read

    def show_card(self) -> None:
        self.showing, self.first_card_at = True, None

    def hide_card(self) -> None:
        self.showing = False

    async def hide_card_and_wait(self) -> None:
        """The card taken away, and a frame without it read: none with it is left to capture."""
        self.showing = False
        index = self.index
        for _ in range(200):  # unless the camera has stopped meanwhile
            if self.index >= index + 2:
                return
            await asyncio.sleep(0.01)

    def probe(self) -> Any:
        from devices.scanners.base import idle_status

        return idle_status()

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def read(self) -> Any:
        import cv2

        self.index += 1
        frames = self.card if self.showing else self.desk
        if self.showing and self.first_card_at is None:
            self.first_card_at = time.perf_counter()
        return cv2.imdecode(frames[self.index % len(frames)], cv2.IMREAD_COLOR)


SCREENS = ("queues", "priority", "ticket", "identify", "confirm", "procedures", "lookup", "rate", "start")


def child_kiosk(
    started: float,
    server: str,
    key: str,
    work: Path,
    citizens: int,
    camera: bool,
    size: tuple[int, int] = (1280, 800),
    profile: str = "",
) -> None:
    kivy_env(size)
    from devices.scanners.cccd import format_cccd
    from kiosk.app import build_parts, make_app_class
    from kiosk.config import KioskConfig
    from kiosk.demo_frames import DEMO_CARD

    devices = work / f"devices-{os.getpid()}.toml"
    printer = f'[printers.ticket]\nurl = "file://{work / "ticket.bin"}?mode=overwrite"\n'
    camera_url = f'\n[scanners.camera]\nurl = "camera+file://{work / "frames"}/?fps=30"\n'
    (work / "frames").mkdir(exist_ok=True)
    devices.write_text(printer + (camera_url if camera else ""), encoding="utf-8")
    config = KioskConfig(
        server=server,
        device_key=key,
        devices=str(devices),
        idle_seconds=3600,
        display_width=size[0],
        display_height=size[1],
    )
    parts = build_parts(config)
    source = CardOnCue()
    if camera:
        parts.camera.source = source
    app = make_app_class()(parts, fullscreen=False)
    from kivy.clock import Clock

    results: dict[str, Any] = {}

    async def drive() -> None:
        while app.ready_at is None:
            await asyncio.sleep(0.01)
        flipped = asyncio.Event()
        Clock.schedule_once(lambda _dt: flipped.set(), 0)
        await flipped.wait()
        results["cold_start_s"] = time.time() - started
        await asyncio.sleep(1.0)
        results.update(await screen_changes(app, profile))
        if camera:
            results["qr_read"] = await qr_read_latency(app, source)
        if camera and size[0] > size[1]:
            results.update(await preview_rate(app, source))
        if camera and citizens:
            results["citizens_rss_mb"] = await many_citizens(app, citizens, format_cccd(DEMO_CARD))
        report(results)
        app.stop()

    async def main() -> None:
        try:
            await asyncio.gather(app.async_run(async_lib="asyncio"), drive())
        finally:
            await parts.api.aclose()
            parts.close()

    asyncio.run(main())


async def screen_changes(app: Any, profile: str = "", rounds: int = 6) -> dict[str, Any]:
    """Each screen in turn, `rounds` times; the first visit of a screen (its layout and text textures
    built once) apart from the kiosk's everyday life."""
    flow, screens, calls = app.flow, SCREENS, []
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    count = len(screens) * rounds
    changes = [
        await change_then_flip(lambda s=screens[i % len(screens)]: flow.go(s), calls) for i in range(count)
    ]
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    first = len(screens)
    return {
        "first_change_ms": changes[:first],
        "change_ms": changes[first:],
        "change_call_ms": calls[first:],
        "change_by_screen": [[screens[i % len(screens)], ms] for i, ms in enumerate(changes) if i >= first],
    }


async def qr_read_latency(app: Any, source: CardOnCue, times: int = 12) -> list[float]:
    """Milliseconds from the first camera frame holding the card to the confirm screen drawn: the
    identify screen open on an empty desk, then the card put under the camera at a random moment."""
    import random

    from kivy.core.window import Window

    flow, latencies = app.flow, []
    randomness = random.Random(7)
    for _ in range(times):
        flow.wipe()
        await flow.begin("case")
        await asyncio.sleep(0.6 + randomness.random() * 0.4)  # the desk only, the decoder busy with it
        drawn = asyncio.Event()

        def on_flip(*_: Any, drawn: asyncio.Event = drawn) -> None:
            if flow.screen == "confirm" and not drawn.is_set():
                source.drawn_at = time.perf_counter()
                drawn.set()

        Window.bind(on_flip=on_flip)
        source.show_card()
        try:
            await asyncio.wait_for(drawn.wait(), 60)
        except TimeoutError:
            raise SystemExit(f"no card read in 60 s: {flow.screen} {flow.identify.error}") from None
        finally:
            Window.unbind(on_flip=on_flip)
        assert source.first_card_at is not None
        latencies.append((source.drawn_at - source.first_card_at) * 1000)
        await source.hide_card_and_wait()
    flow.wipe()
    return latencies


async def preview_rate(app: Any, source: CardOnCue, seconds: float = 5.0) -> dict[str, Any]:
    """The identify screen's preview while the camera decodes frames with the card in them.

    The demo frames hold a card: read, it takes the kiosk on to the confirm screen, where the preview
    stops — the earlier runs measured that (0 fps). Here the flow takes no code read before a moment
    after the measurement ends (its rule against another citizen's card), so the decoder does all its
    work, codes found included, and the screen stays up.
    """
    from datetime import UTC, datetime, timedelta

    flow, camera = app.flow, app.parts.camera
    flow.wipe()
    await flow.begin("case")
    flow.identify_opened_at = datetime.now(UTC) + timedelta(hours=1)
    source.show_card()
    preview = app.find("identify_preview")
    await asyncio.sleep(1.0)
    shown, captured, decoded = preview.frames_shown, camera.frames_captured, camera.frames_decoded
    peak = rss_mb()
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        await asyncio.sleep(0.25)
        peak = max(peak, rss_mb())
    elapsed = time.perf_counter() - start
    if flow.screen != "identify":
        raise SystemExit(f"the preview was measured off the identify screen ({flow.screen})")
    source.hide_card()
    flow.wipe()
    return {
        "preview_fps": (preview.frames_shown - shown) / elapsed,
        "camera_fps": (camera.frames_captured - captured) / elapsed,
        "decoded_fps": (camera.frames_decoded - decoded) / elapsed,
        "scanning_rss_mb": peak,
    }


async def many_citizens(app: Any, count: int, card: str) -> list[tuple[int, float]]:
    """Citizen after citizen: card read, a page photographed, a number taken and printed, wiped."""
    import cv2

    from kiosk.demo_frames import page_photo

    flow = app.flow
    page = page_photo()
    flow.scan.frames = lambda: page  # the page lies under the camera for the photo step
    samples: list[tuple[int, float]] = []
    for citizen in range(1, count + 1):
        await flow.begin("case")
        await flow.on_scan(card)
        assert flow.screen == "confirm", flow.screen
        flow.scan.start([{"type": "GTCMCHO", "name_vi": "Giấy tờ"}])
        flow.go("scan")
        assert await flow.scan.look(force=True), flow.scan.reason
        flow.go("queues")
        await flow.take_number.load(flow.today())
        flow.choose_queue("A")
        assert await flow.take_ticket(), flow.take_number.error
        await asyncio.sleep(0.05)  # let the screens draw what they show
        flow.wipe()
        await asyncio.sleep(0.02)
        if citizen % 10 == 0:
            samples.append((citizen, rss_mb()))
    del cv2
    return samples


# ---------------------------------------------------------------------------------------------- parent


def run_child(args: list[str], env: dict[str, str], *options: str) -> dict[str, Any]:
    started = time.time()
    answer = subprocess.run(
        [sys.executable, __file__, *options, "--started", repr(started), "--child", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    for line in answer.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[7:])
            return result
    raise SystemExit(
        f"child {args} failed ({answer.returncode}):\n{answer.stdout[-2000:]}\n{answer.stderr[-4000:]}"
    )


def start_display(size: tuple[int, int] = (1920, 1920), own: bool = False) -> subprocess.Popen[bytes] | None:
    """An Xvfb screen (big enough for a portrait 1080x1920 window too) unless DISPLAY is set."""
    if os.environ.get("DISPLAY") and not own:
        return None
    number = 150 + (os.getpid() + size[1]) % 50
    while Path(f"/tmp/.X11-unix/X{number}").exists():
        number += 1
    process = subprocess.Popen(
        # -noreset: it would reset (and refuse clients) each time its last client leaves
        ["Xvfb", f":{number}", "-screen", "0", f"{size[0]}x{size[1]}x24", "-nolisten", "tcp", "-noreset"]
    )
    for _ in range(100):
        if Path(f"/tmp/.X11-unix/X{number}").exists():
            break
        time.sleep(0.05)
    if not own:
        os.environ["DISPLAY"] = f":{number}"
    return process


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--citizens", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="screen changes and QR reads only")
    parser.add_argument("--baseline", default="", help="also run this git revision's kiosk, same run")
    parser.add_argument("--busy-core", action="store_true", help="a busy loop on the other core throughout")
    parser.add_argument("--profile", default="", help="cProfile the UI thread's screen changes into DIR")
    parser.add_argument("--child", nargs="*")
    parser.add_argument("--started", type=float, default=0.0)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "bare":
            child_bare(args.started)
        else:
            server, key, work = rest
            size = (1080, 1920) if "portrait" in kind else (1280, 800)
            camera = "no-camera" not in kind
            citizens = args.citizens if kind == "kiosk" else 0
            profile = str(Path(args.profile) / f"{kind}.pstats") if args.profile else ""
            child_kiosk(args.started, server, key, Path(work), citizens, camera, size, profile)
        return 0

    display = start_display()
    from queue_server.clock import ManualClock
    from tests.conftest import T0
    from tests.support import KIOSK_KEY, make_server, running_server

    work = Path(tempfile.mkdtemp(prefix="bench-kiosk-"))
    env = {**os.environ, "KIVY_HOME": str(work / "kivy-home")}
    citizens = ["--citizens", "0" if args.quick else str(args.citizens)]
    profile = ["--profile", args.profile] if args.profile else []
    codes = {"now": env}
    if args.baseline:
        codes["baseline"] = {**env, "MOTCUA_BENCH_CODE": str(extract(args.baseline, work / "baseline"))}
    busy = busy_core() if args.busy_core else None
    runs: dict[str, dict[str, Any]] = {}
    try:
        server = make_server(f"sqlite:///{work / 'db.sqlite3'}", ManualClock(T0))
        with running_server(server) as url:
            runs["bare"] = run_child(["bare"], env)
            # now and baseline one after the other for each measure: the machine's load hits both alike
            for kind in ("kiosk-no-camera", "kiosk-portrait", "kiosk"):
                for code, code_env in codes.items():
                    options = (*citizens, *profile) if code == "now" else citizens
                    runs[f"{code}:{kind}"] = run_child([kind, url, KIOSK_KEY, str(work)], code_env, *options)
            touches: dict[str, Any] = {}
            if not args.quick:
                try:
                    touches = by_touch(url, work / "touch")
                except SystemExit as error:  # the other figures still count; say what went wrong
                    print(f"touch journeys not measured: {error}", file=sys.stderr)
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
        if display is not None:
            display.terminate()
        shutil.rmtree(work, ignore_errors=True)
    return show(runs, touches, busy is not None)


def extract(revision: str, folder: Path) -> Path:
    """The code of a git revision in a folder (the baseline's kiosk, run under this bench)."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def busy_core() -> subprocess.Popen[bytes]:
    """A process spinning on one core for the whole run: the kiosk's other work, a second app, …"""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def by_touch(url: str, work: Path) -> dict[str, Any]:
    """Taps and seconds as a citizen spends them: the UI driver taps the real window (xdotool) on a
    1920x1080 screen of its own; a number, then a residence case with two photographed papers."""
    from tests.support import KIOSK_KEY

    screen = start_display(size=(1920, 1080), own=True)
    assert screen is not None
    work.mkdir(parents=True, exist_ok=True)  # Kivy makes KIVY_HOME, not its parents
    try:
        env = {**os.environ, "DISPLAY": screen.args[1], "KIVY_HOME": str(work / "kivy-home")}
        driver = ROOT / "tests" / "fixtures" / "kiosk" / "driver.py"
        answer = subprocess.run(
            [sys.executable, str(driver), "--server", url, "--key", KIOSK_KEY, "--work", str(work),
             "--journeys", "ticket,case", "--no-shots"],
            env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        if not (work / "result.json").exists():
            raise SystemExit(
                f"the UI driver wrote no result:\n{answer.stdout[-2000:]}\n{answer.stderr[-3000:]}"
            )
        result: dict[str, Any] = json.loads((work / "result.json").read_text("utf-8"))
    finally:
        screen.terminate()
    facts: dict[str, Any] = result["facts"]
    if facts.get("error") or result["failures"]:
        raise SystemExit(f"the touch journeys failed: {facts.get('error')} {result['failures']}")
    return facts


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} / {p(values, 0.95):.0f}"


def show(runs: dict[str, Any], touches: dict[str, Any], busy: bool) -> int:
    bare, kiosk, standing, still = (
        runs["bare"],
        runs["now:kiosk"],
        runs["now:kiosk-portrait"],
        runs["now:kiosk-no-camera"],
    )
    has_baseline = "baseline:kiosk" in runs

    def both(kind: str, figure: Any) -> tuple[str, str]:
        baseline = runs.get(f"baseline:{kind}")
        return figure(runs[f"now:{kind}"]), (figure(baseline) if baseline else "")

    rows: list[tuple[str, str, str, bool]] = [
        (
            "cold start to start screen (s)",
            f"{kiosk['cold_start_s']:.2f}",
            f"bare Kivy app {bare['cold_start_s']:.2f}",
            kiosk["cold_start_s"] <= TARGET_START_S,
        ),
        (
            "screen change, landscape, camera on, median / p95 (ms)",
            *both("kiosk", lambda run: spread(run["change_ms"])),
            p(kiosk["change_ms"], 0.95) <= TARGET_CHANGE_MS,
        ),
        (
            "screen change, portrait 1080x1920, camera on (ms)",
            *both("kiosk-portrait", lambda run: spread(run["change_ms"])),
            p(standing["change_ms"], 0.95) <= TARGET_CHANGE_MS,
        ),
        (
            "screen change, landscape, camera off (ms)",
            *both("kiosk-no-camera", lambda run: spread(run["change_ms"])),
            True,
        ),
        ("  two empty screens, bare Kivy app (ms)", spread(bare["change_ms"]), "", True),
        (
            "  the change's own call, portrait (ms)",
            *both("kiosk-portrait", lambda run: spread(run["change_call_ms"])),
            True,
        ),
        (
            "  first visit of each screen, portrait, median / max",
            *both(
                "kiosk-portrait",
                lambda run: (
                    f"{statistics.median(run['first_change_ms']):.0f} / {max(run['first_change_ms']):.0f}"
                ),
            ),
            True,
        ),
        (
            "QR card read to confirm drawn, landscape (ms)",
            *both("kiosk", lambda run: spread(run["qr_read"])),
            True,
        ),
        (
            "QR card read to confirm drawn, portrait (ms)",
            *both("kiosk-portrait", lambda run: spread(run["qr_read"])),
            True,
        ),
    ]
    rows.append(
        (
            "camera preview while decoding (fps)",
            f"{kiosk['preview_fps']:.1f} (camera {kiosk['camera_fps']:.0f}, decoded {kiosk['decoded_fps']:.0f})",
            both("kiosk", lambda run: f"{run['preview_fps']:.1f} (decoded {run['decoded_fps']:.0f})")[1],
            kiosk["preview_fps"] >= TARGET_FPS,
        )
    )
    if kiosk.get("citizens_rss_mb"):
        samples = kiosk["citizens_rss_mb"]
        growth = samples[-1][1] - samples[0][1]
        rows += [
            (
                "resident memory while scanning (MB)",
                f"{kiosk['scanning_rss_mb']:.0f}",
                f"bare app {bare['rss_mb']:.0f}",
                kiosk["scanning_rss_mb"] <= TARGET_RSS_MB,
            ),
            (
                f"memory after {samples[0][0]} / {samples[-1][0]} citizens (MB)",
                f"{samples[0][1]:.0f} / {samples[-1][1]:.0f} (+{growth:.0f})",
                "",
                samples[-1][1] <= TARGET_RSS_MB and growth <= FLAT_MB,
            ),
        ]
    if touches:
        rows += [
            (
                "take a number: taps / seconds",
                f"{touches['ticket_taps']} / {touches['ticket_seconds']:.1f}",
                "",
                touches["ticket_taps"] <= TARGET_TICKET_TAPS,
            ),
            (
                "residence case, 2 papers: taps / seconds",
                f"{touches['case_taps']} / {touches['case_seconds']:.1f}",
                f"camera {touches['case_waiting_for_camera_s']:.1f} s of it",
                True,
            ),
        ]
    print(f"{'measure':54} {'kiosk now':>28} {'baseline' if has_baseline else '':>30}  target")
    for name, value, baseline, ok in rows:
        print(f"{name:54} {value:>28} {baseline:>30}  {'ok' if ok else 'MISSED'}")
    print(
        f"load average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
        + (", a busy loop on one core throughout" if busy else "")
    )
    for name, run in (("landscape", kiosk), ("portrait", standing), ("camera off", still)):
        by_screen: dict[str, list[float]] = {}
        for screen, ms in run.get("change_by_screen", []):
            by_screen.setdefault(screen, []).append(ms)
        slowest = sorted(by_screen.items(), key=lambda item: -statistics.median(item[1]))[:3]
        print(
            f"slowest screens to show, {name}, median ms:",
            ", ".join(f"{k} {statistics.median(v):.0f}" for k, v in slowest),
        )
    if kiosk.get("citizens_rss_mb"):
        print("memory by citizens:", ", ".join(f"{n}: {mb:.0f} MB" for n, mb in kiosk["citizens_rss_mb"]))
    return 0 if all(row[3] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
