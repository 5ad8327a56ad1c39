"""Help at the kiosk without a window: the flow against a real server ("Gọi cán bộ hỗ trợ" and the
staff's answer), the 🔊 guide speaking through real espeak-ng into a speaker in memory, and the speaker
port's URLs."""

from __future__ import annotations

import asyncio
import os
import shutil
import wave
from collections.abc import Awaitable, Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")

import httpx
import pytest

from devices.audio import SpeakerUrlError, SpeechSynth, SpokenClip, open_speaker
from devices.audio.speakers import FolderSpeaker, MemorySpeaker
from devices.config import DevicesConfigError, parse_devices_config
from kiosk.api import KioskApi
from kiosk.config import KioskConfig
from kiosk.flow import KioskFlow
from kiosk.guidance import spoken_number
from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.integration.test_kiosk_flow import TODAY, Clock
from tests.support import KIOSK_KEY, PASSWORD, make_server, running_server

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = make_server(f"sqlite:///{tmp_path_factory.mktemp('help') / 'db.sqlite3'}", ManualClock(T0))
    with running_server(server) as url:
        yield url


def run(base: str, scenario: Callable[[KioskFlow, Clock], Awaitable[Any]], speaker: Any = None) -> Any:
    async def main() -> Any:
        settings = KioskConfig(server=base, device_key=KIOSK_KEY)
        api = KioskApi(settings.server, settings.device_key, timeout_s=5.0)
        clock = Clock()
        synth = SpeechSynth() if speaker is not None else None
        flow = KioskFlow(api, settings, None, today=lambda: TODAY, now=clock, speaker=speaker, synth=synth)
        try:
            await flow.startup()
            return await scenario(flow, clock)
        finally:
            flow.health.stop()
            await api.aclose()

    return asyncio.run(main())


async def until(condition: Callable[[], Any], what: str) -> None:
    for _ in range(400):
        if condition():
            return
        await asyncio.sleep(0.025)
    raise AssertionError(f"waited for {what}")


def open_calls(base: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    return list(httpx.get(f"{base}/api/v1/kiosk-help", headers=headers).json())


def staff(base: str) -> dict[str, str]:
    answer = httpx.post(f"{base}/api/v1/auth/login", json={"username": "canbo2", "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_a_call_for_help_reaches_the_staff_and_their_answer_comes_back(base_url: str) -> None:
    headers = staff(base_url)

    async def scenario(flow: KioskFlow, clock: Clock) -> None:
        await flow.begin("ticket")
        await flow.call_help()
        assert flow.help.showing and flow.help.called and flow.help.error is None
        calls = open_calls(base_url, headers)
        assert [(c["id"], c["presses"]) for c in calls] == [(flow.help.call_id, 1)]
        flow.close_help()
        clock.t += 3
        await flow.call_help()  # again, soon after: the confirmation only
        assert flow.help.showing and open_calls(base_url, headers)[0]["presses"] == 1
        httpx.post(f"{base_url}/api/v1/kiosk-help/{flow.help.call_id}/answer", headers=headers)
        clock.t += 6
        flow.tick()  # the kiosk asks whether someone went
        await until(lambda: flow.help.answered, "the answer")
        assert not flow.help.called
        flow.wipe()
        assert flow.help.snapshot() == {"busy": False, "error": None, "called": False, "answered": False,
                                        "showing": False, "call_id": 0}  # fmt: skip

    run(base_url, scenario)
    assert open_calls(base_url, headers) == []


def test_a_call_nobody_answered_closes_when_the_citizen_leaves(base_url: str) -> None:
    """ "Về đầu" or the idle wipe: the open call closes on the server ("Người dân đã rời đi"); the next
    citizen's kiosk shows no call, and their own press is a new call."""
    headers = staff(base_url)

    async def scenario(flow: KioskFlow, _clock: Clock) -> None:
        await flow.begin("ticket")
        await flow.call_help()
        first = int(flow.help.call_id)
        flow.wipe()
        assert not flow.help.called and not flow.help.answered and not flow.help.showing
        await until(lambda: not flow.help.left_open and not open_calls(base_url, headers), "the call closed")
        mine = httpx.get(f"{base_url}/api/v1/kiosk/help", headers={"X-Device-Key": KIOSK_KEY}).json()
        assert (mine["id"], mine["withdrawn_words"]) == (first, "Người dân đã rời đi")
        # A press still on its way when the citizen leaves: closed as soon as its answer comes.
        pressing = asyncio.ensure_future(flow.call_help())
        await asyncio.sleep(0)
        flow.wipe()
        await pressing
        assert not flow.help.called and flow.help.error is None
        await until(
            lambda: not flow.help.left_open and not open_calls(base_url, headers), "the late call closed"
        )
        await flow.call_help()  # the next citizen's own call
        assert flow.help.called and flow.help.call_id not in (0, first)
        assert [c["id"] for c in open_calls(base_url, headers)] == [flow.help.call_id]
        flow.wipe()
        await until(lambda: not open_calls(base_url, headers), "the last call closed")

    run(base_url, scenario)


def test_a_call_that_cannot_reach_the_server_sends_the_citizen_to_a_counter() -> None:
    async def scenario(flow: KioskFlow, _clock: Clock) -> None:
        await flow.call_help()
        assert flow.help.showing and not flow.help.called
        assert flow.help.error is not None and "quầy gần nhất" in flow.help.error.vi

    run("http://127.0.0.1:9", scenario)


@needs_espeak
def test_the_guide_reads_each_screen_in_the_boards_voice_until_the_citizen_leaves(base_url: str) -> None:
    speaker = MemorySpeaker()

    async def scenario(flow: KioskFlow, _clock: Clock) -> None:
        assert flow.voice.available and not flow.voice.enabled
        flow.toggle_voice()
        await until(lambda: speaker.said, "the start screen's words")
        await flow.begin("ticket")
        await until(lambda: len(speaker.said) == 2, "the queues' words")
        flow.choose_queue("A")
        await until(lambda: len(speaker.said) == 3, "the priority words")
        await flow.take_ticket()
        await until(lambda: len(speaker.said) == 4, "the ticket's words")
        flow.toggle_language()
        await until(lambda: len(speaker.said) == 5, "the ticket's words in English")
        flow.wipe()
        assert not flow.voice.enabled
        await flow.begin("ticket")  # the next citizen: nothing is said
        await asyncio.sleep(0)

    run(base_url, scenario, speaker)
    texts = [clip.text for clip in speaker.said]
    assert texts[0].startswith("Kính chào Ông/Bà.") and "chọn việc cần làm" in texts[1]
    assert "diện ưu tiên" in texts[2] and texts[3].startswith("Số thứ tự của Ông/Bà là a không")
    assert texts[4].startswith("Your number is A zero") and speaker.said[4].language == "en"
    assert len(speaker.said) == 5
    with wave.open(BytesIO(speaker.said[0].wav)) as clip:  # real speech, several seconds of it
        assert clip.getframerate() == 22050 and clip.getnframes() / clip.getframerate() > 3


def test_without_a_speaker_the_guide_is_not_offered(base_url: str) -> None:
    async def scenario(flow: KioskFlow, _clock: Clock) -> None:
        assert not flow.voice.available
        flow.toggle_voice()
        assert not flow.voice.enabled

    run(base_url, scenario)


def test_ticket_numbers_are_read_as_the_board_calls_them() -> None:
    assert spoken_number("A023") == ("a không hai ba", "A zero two three")
    assert spoken_number("Đ105").vi == "đờ một không năm"


def test_speaker_urls(tmp_path: Path) -> None:
    assert isinstance(open_speaker("dummy://"), MemorySpeaker)
    folder = open_speaker(f"file://{tmp_path / 'spoken'}")
    assert isinstance(folder, FolderSpeaker)
    folder.say(SpokenClip("Xin chào", "vi", b"RIFF0000WAVE"))
    assert (tmp_path / "spoken" / "0001.txt").read_text("utf-8") == "vi\nXin chào\n"
    assert (tmp_path / "spoken" / "0001.wav").read_bytes() == b"RIFF0000WAVE"
    with pytest.raises(SpeakerUrlError, match="unknown speaker URL 'usb://1'"):
        open_speaker("usb://1")
    with pytest.raises(DevicesConfigError, match=r"speakers\.hall\.url: unknown speaker URL"):
        parse_devices_config('[speakers.hall]\nurl = "mp3://x"\n')
    with pytest.raises(DevicesConfigError, match=r"speakers\.hall\.speed_wpm"):
        parse_devices_config('[speakers.hall]\nurl = "dummy://"\nspeed_wpm = 5\n')
    assert parse_devices_config('[speakers.hall]\nurl = "dummy://"\n').speakers["hall"].voice == "vi"
