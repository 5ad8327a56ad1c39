"""The kiosk's composition root: config → devices → API client → flow and presenters → Kivy app.

The app runs on asyncio (`App.async_run`); device threads hand scans to the loop through
`AsyncScanQueue`; every presenter call that waits on the network is a task on that loop.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devices.audio import SpeechSynth
from devices.config import DevicesConfig, load_devices_config
from devices.printers import TicketPrinter
from devices.registry import DeviceRegistry, open_devices
from devices.scanners import AsyncScanQueue
from kiosk.api import KioskApi
from kiosk.config import KioskConfig
from kiosk.flow import KioskFlow, task_name
from kiosk.text import T, say

log = logging.getLogger(__name__)
KV_DIR = Path(__file__).parent / "kv"


def kv_files() -> list[Path]:
    """The shared rules first, then one file per screen, then the root that holds them."""
    return [KV_DIR / "base.kv", *sorted((KV_DIR / "screens").glob("*.kv")), KV_DIR / "root.kv"]


@dataclass
class KioskParts:
    """Everything the kiosk is made of, built once; tests build it without a window too."""

    config: KioskConfig
    api: KioskApi
    registry: DeviceRegistry
    flow: KioskFlow
    emulated: bool = False
    scanners: list[Any] = field(default_factory=list)

    @property
    def printer(self) -> TicketPrinter | None:
        return next(iter(self.registry.printers.values()), None)

    frames_floor: int = 0  # frames captured before the camera last started: never shown or used

    @property
    def camera(self) -> Any:
        return next((s for s in self.scanners if hasattr(s, "latest_frame")), None)

    def start_camera(self, on_scan: Callable[[Any], None]) -> None:
        camera = self.camera
        if camera is not None and not camera.running:
            self.frames_floor = camera.frames_captured
            camera.start(on_scan)

    def forget_frames(self) -> None:
        """Frames and codes captured until now are never shown or used again (a wipe, a new identify)."""
        camera = self.camera
        if camera is not None:
            self.frames_floor = camera.frames_captured
            forget = getattr(camera, "forget", None)
            if forget is not None:
                forget()

    def fresh_frame(self) -> Any:
        """The camera's newest frame; never one from before it last started (another citizen's card)."""
        camera = self.camera
        if camera is None or not camera.running or camera.frames_captured <= self.frames_floor:
            return None
        return camera.latest_frame()

    def close(self) -> None:
        self.registry.close()


def emulated_devices(config: KioskConfig) -> DevicesConfig:
    """No devices configured: a camera reading a folder of images and a printer writing a file."""
    from kiosk.demo_frames import write_demo_frames

    frames = Path(config.emulated_frames)
    if not frames.is_dir() or not any(frames.iterdir()):
        write_demo_frames(frames)
    return DevicesConfig.model_validate(
        {
            "printers": {"ticket": {"url": f"file://{config.emulated_ticket_file}", "paper": "80mm"}},
            "scanners": {"camera": {"url": f"camera+file://{frames}?fps=15"}},
        }
    )


def fill_empty_frame_folders(devices: DevicesConfig) -> None:
    """A camera emulated by a folder of images (camera+file://DIR/) that has none gets the demo frames."""
    from kiosk.demo_frames import write_demo_frames

    for name, scanner in devices.scanners.items():
        if not scanner.url.startswith("camera+file://"):
            continue
        folder = Path(scanner.url.removeprefix("camera+file://").split("?")[0])
        if folder.suffix or (folder.is_dir() and any(folder.iterdir())):
            continue  # a video file, or a folder with frames already
        log.info("camera %s: writing demo frames to the empty folder %s", name, folder)
        write_demo_frames(folder)


def keep_memory_flat() -> None:
    """glibc: hand big buffers (camera frames, page photos) back to the system when freed, few arenas.

    Without this, glibc raises its mmap threshold after the first freed frame and keeps every later
    frame-sized buffer in per-thread arenas: a kiosk's memory would creep up citizen after citizen.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (musl, …): nothing to tune
        return
    m_mmap_threshold, m_arena_max = -3, -8
    libc.mallopt(m_mmap_threshold, 1 << 20)
    libc.mallopt(m_arena_max, 2)


def build_parts(config: KioskConfig, transport: Any = None) -> KioskParts:
    keep_memory_flat()
    devices = load_devices_config(config.devices) if config.devices else DevicesConfig()
    emulated = not devices.printers and not devices.scanners
    if emulated:
        devices = emulated_devices(config)
    fill_empty_frame_folders(devices)
    registry = open_devices(devices)
    scanners = [s for s in registry.scanners.values()]
    speaker_config = next(iter(devices.speakers.values()), None)
    synth = SpeechSynth(speaker_config.voice, speaker_config.speed_wpm) if speaker_config else None
    api = KioskApi(
        config.server,
        config.device_key,
        timeout_s=config.request_timeout_seconds,
        office=config.office,
        transport=transport,
    )
    holder: list[KioskParts] = []
    flow = KioskFlow(
        api,
        config,
        next(iter(registry.printers.values()), None),
        frames=lambda: holder[0].fresh_frame(),
        forget_frames=lambda: holder[0].forget_frames(),
        device_statuses=lambda: [device.as_dict() for device in registry.devices],
        chip_reader=next(iter(registry.chip_readers.values()), None),
        speaker=next(iter(registry.speakers.values()), None),
        synth=synth,
    )
    holder.append(KioskParts(config, api, registry, flow, emulated, scanners))
    return holder[0]


def make_app_class() -> type:
    """The Kivy App class; defined in a function so that importing this module opens no window.

    The app only wires: presenters hold screen logic, kv files hold layout, widgets draw.
    """
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.lang import Builder
    from kivy.properties import BooleanProperty, ObjectProperty
    from kivy.uix.floatlayout import FloatLayout
    from kivy.uix.image import Image
    from kivy.uix.textinput import TextInput

    from kiosk.presenters.camera import CameraDuty
    from kiosk.presenters.identify import grouped_id as group_digits
    from kiosk.ui import views
    from kiosk.ui.widgets import Theme, bgr_texture

    class KioskRoot(FloatLayout):  # type: ignore[misc]
        def on_touch_down(self, touch: Any) -> bool:
            App.get_running_app().flow.user_touch()
            return bool(super().on_touch_down(touch))

    class KioskApp(App):  # type: ignore[misc]
        flow = ObjectProperty(None)
        theme = ObjectProperty(None)
        portrait = BooleanProperty(
            False
        )  # the layout: portrait screens stack what landscape puts side by side

        def __init__(
            self, parts: KioskParts, fullscreen: bool = True, orientation: str = "auto", **kwargs: Any
        ) -> None:
            super().__init__(**kwargs)
            self.parts, self.flow, self.theme = parts, parts.flow, Theme()
            self.fullscreen, self.orientation = fullscreen, orientation
            self.title = "motcua kiosk"
            self.tasks: set[asyncio.Task[Any]] = set()
            self.started_at = time.perf_counter()
            self.ready_at: float | None = None
            self.camera_duty = CameraDuty(parts, lambda: self.flow.screen, self.run)

        # --- building ------------------------------------------------------------------------

        def build(self) -> Any:
            from kivy.factory import Factory

            Factory.register("KioskRoot", cls=KioskRoot)
            Window.bind(size=self._follow_window)
            self._follow_window(Window, Window.size)
            self._restyle()
            self.flow.bind(high_contrast=self._restyle, large_text=self._restyle, on_wipe=self._on_wipe)
            self.flow.scan.bind(taken_count=self._refresh_thumbs, page_counts=self._refresh_thumbs)
            self.flow.scan.bind(index=self._refresh_thumbs)
            for kv in kv_files():
                Builder.load_file(str(kv))
            root = Builder.load_string("KioskRoot:\n")
            screens = root.ids.screens
            screens.current = self.flow.screen
            self.flow.bind(screen=lambda _flow, name: setattr(screens, "current", name))
            return root

        def _follow_window(self, _window: Any, size: tuple[int, int]) -> None:
            if self.orientation in ("portrait", "landscape"):
                self.portrait = self.orientation == "portrait"
            else:
                self.portrait = size[1] > size[0]
            self._restyle()

        def on_start(self) -> None:
            self.ready_at = time.perf_counter()
            Clock.schedule_interval(lambda _dt: self.flow.tick(), 1.0)
            Clock.schedule_interval(self._look_for_page, 0.05)
            self.run(self.flow.startup())
            self.run(self._scan_loop())

        def on_stop(self) -> None:
            self.flow.health.stop()
            for scanner in self.parts.scanners:
                scanner.stop()
            for task in list(self.tasks):
                task.cancel()

        def _restyle(self, *_: Any) -> None:
            width, height = Window.size
            self.theme.apply(self.flow.high_contrast, self.flow.large_text, min(width, height))
            Window.clearcolor = self.theme.bg  # every screen's background, at no drawing cost

        # --- async plumbing ------------------------------------------------------------------

        def run(self, awaitable: Awaitable[Any]) -> None:
            """Run a presenter coroutine as a task on the app's loop (from a kv handler)."""
            task = asyncio.ensure_future(awaitable)
            self.tasks.add(task)
            task.add_done_callback(self._task_done)

        def _task_done(self, task: asyncio.Task[Any]) -> None:
            """A step the citizen started (a tap) that broke unexpectedly: logged, said, recovered from."""
            self.tasks.discard(task)
            if not task.cancelled() and task.exception() is not None:
                self.flow.task_failed(task_name(task), task.exception())

        async def _scan_loop(self) -> None:
            queue = AsyncScanQueue(asyncio.get_running_loop())
            for scanner in self.parts.scanners:
                if scanner is not self.parts.camera:
                    scanner.start(queue.put_threadsafe)
            self.camera_duty.on_scan = queue.put_threadsafe
            self.flow.bind(screen=lambda *_: self.camera_duty.screen_changed())
            Clock.schedule_interval(lambda _dt: self.camera_duty.check(), 1.0)
            self.camera_duty.check()
            while True:
                event = await queue.get()
                try:
                    await self.flow.on_scan(event.text, event.at)
                except Exception as error:  # one bad code must not stop every scanner
                    self.flow.task_failed("KioskFlow.on_scan", error)

        def frames(self) -> Any:
            return self.parts.fresh_frame()

        def _look_for_page(self, _dt: float) -> None:
            scan = self.flow.scan
            if self.flow.screen == "scan" and not scan.busy and not scan.looking:
                self.run(scan.look())

        def looked_at(self) -> Any:
            """The frame the scan presenter last looked at: the preview and its outline agree."""
            return self.flow.scan.looked_at

        # --- wipe ----------------------------------------------------------------------------

        def _on_wipe(self, *_: Any) -> None:
            """Forget what the screens show, shown or not: text inputs, camera pictures, thumbnails."""
            if self.root is None:
                return
            for widget in self.root.walk(restrict=True):
                if isinstance(widget, TextInput):
                    widget.text = ""
                if hasattr(widget, "drop"):
                    widget.drop()
            thumbs = self.find("thumbs")
            if thumbs is not None:
                thumbs.clear_widgets()

        def _refresh_thumbs(self, *_: Any) -> None:
            thumbs = self.find("thumbs")
            paper = self.flow.scan.current
            if thumbs is None:
                return
            thumbs.clear_widgets()
            if paper is None:
                return
            for page in self.flow.scan.pages_of(paper["type"])[-6:]:
                import cv2

                small = cv2.resize(page, (page.shape[1] * 200 // page.shape[0], 200))
                thumbs.add_widget(Image(texture=bgr_texture(small), fit_mode="contain"))

        def find(self, widget_id: str) -> Any:
            """The widget with this id anywhere in the tree (ids of nested rules included)."""
            if self.root is None:
                return None
            for widget in self.root.walk(restrict=True):
                found = getattr(widget, "ids", {}).get(widget_id)
                if found is not None:
                    return found
            return None

        # --- texts for the .kv ---------------------------------------------------------------

        def t(self, key: str, language: str) -> str:
            return T[key](language)

        def say(self, text: Any, language: str) -> str:
            return say(text, language)

        grouped_id = staticmethod(group_digits)
        queue_items = staticmethod(views.queue_items)
        priority_items = staticmethod(views.priority_items)
        procedure_facts = staticmethod(views.procedure_facts)
        papers_text = staticmethod(views.papers_text)
        pick = staticmethod(views.pick)
        pages_text = staticmethod(views.pages_text)
        checklist_text = staticmethod(views.checklist_text)
        form_items = staticmethod(views.form_items)
        scan_title = staticmethod(views.scan_title)
        paper_name = staticmethod(views.paper_name)
        review_text = staticmethod(views.review_text)
        lookup_text = staticmethod(views.lookup_text)
        device_text = staticmethod(views.device_text)
        fault_text = staticmethod(views.fault_text)
        question_label = staticmethod(views.question_label)
        answer_text = staticmethod(views.answer_text)
        choice_items = staticmethod(views.choice_items)
        review_answers = staticmethod(views.review_answers)
        review_papers = staticmethod(views.review_papers)

    return KioskApp


def run_kiosk(config: KioskConfig, fullscreen: bool = True) -> int:
    """Open the window (the whole screen, or 1280×800) and run until it is closed."""
    from kivy.config import Config

    from kiosk.display import apply_display, choose_display

    display = choose_display(config, fullscreen)
    log.info(
        "kiosk window %dx%d (%s)",
        display.width,
        display.height,
        "portrait" if display.portrait else "landscape",
    )
    apply_display(display)
    Config.set("kivy", "exit_on_escape", "0" if fullscreen else "1")
    parts = build_parts(config)
    app = make_app_class()(parts, fullscreen=fullscreen, orientation=config.orientation)
    try:
        asyncio.run(run_app(app))
    finally:
        parts.close()
    return 0


async def run_app(app: Any) -> None:
    try:
        await app.async_run(async_lib="asyncio")
    finally:
        await app.parts.api.aclose()
