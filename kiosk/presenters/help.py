"""Help at the kiosk: "Gọi cán bộ hỗ trợ" calls a staff member (the console and the dashboard show which kiosk)
and the 🔊 guide reads each screen's instruction aloud, in the board's voice, until the citizen leaves."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from devices.audio import Speaker, SpeechError, SpeechSynth, SpokenClip
from kiosk.api import ApiError, KioskApi
from kiosk.presenters.base import Presenter
from kiosk.text import T, Text

log = logging.getLogger(__name__)
RESEND_AFTER_S = 30.0  # a second press sooner only shows the confirmation again (the server absorbs it too)
POLL_EVERY_S = 5.0  # while a call is open: has someone said they went?


class HelpPresenter(Presenter):
    called = BooleanProperty(False)  # this citizen called and nobody has said they went yet
    answered = BooleanProperty(False)  # a staff member said they went
    showing = BooleanProperty(False)  # the confirmation over the screen
    call_id = NumericProperty(0)

    def __init__(self, api: KioskApi, now: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.api, self.now = api, now
        self._sent_at: float | None = None
        self._polled_at = 0.0
        self._visit = 0  # one per citizen: an answer arriving after its citizen left is not the next one's
        self.left_open: set[int] = set()  # calls whose citizen left, not yet closed on the server
        self._closing = False

    async def press(self) -> None:
        """The button: the confirmation at once; a request unless one was just sent for this citizen."""
        self.showing = True
        recent = self._sent_at is not None and self.now() - self._sent_at < RESEND_AFTER_S
        if self.busy or (self.called and recent):
            return
        await self.close_left_calls()  # else the server would count this press on the last citizen's call
        visit = self._visit
        answer = await self.call(self.api.call_help())
        if visit != self._visit:  # the citizen left while the call was on its way
            if answer is not None:
                self.left_open.add(int(answer["id"]))
                await self.close_left_calls()
            self.busy, self.error = False, None
            return
        if answer is None:
            self.error = T["help.failed"]
            return
        self.called, self.answered, self.call_id = True, False, int(answer["id"])
        self._sent_at = self._polled_at = self.now()

    def citizen_left(self) -> None:
        """The wipe: a call nobody answered is to be closed on the server ("người dân đã rời đi")."""
        if self.called and self.call_id:
            self.left_open.add(int(self.call_id))
        self._visit += 1

    async def close_left_calls(self) -> None:
        """Close the calls of citizens who left; one the server could not take now is tried again later."""
        if self._closing:
            return
        self._closing = True
        try:
            await self._close_each()
        finally:
            self._closing = False

    async def _close_each(self) -> None:
        for call_id in sorted(self.left_open):
            try:
                await self.api.withdraw_help(call_id)
            except ApiError as error:
                if error.status != 404:  # gone from the server: nothing left to close
                    log.info("help call %s not closed yet: %s", call_id, error.code)
                    continue
            self.left_open.discard(call_id)

    async def poll(self) -> None:
        """Called every second by the flow; asks the server at most every POLL_EVERY_S while a call is open."""
        if not self.called or self.busy or self.now() - self._polled_at < POLL_EVERY_S:
            return
        self._polled_at = self.now()
        visit = self._visit
        try:
            answer = await self.api.help_call()
        except ApiError as error:
            log.info("help call: %s", error.code)
            return
        if visit != self._visit:
            return  # the citizen left meanwhile: this answer is not the next citizen's
        if answer and int(answer["id"]) == self.call_id and answer.get("answered_at"):
            self.called, self.answered = False, True

    def close(self) -> None:
        self.showing = False

    def reset(self) -> None:
        super().reset()
        self._sent_at, self._polled_at = None, 0.0


class SpokenGuide(Presenter):
    """🔊: off for every new citizen; on, each screen's instruction is read aloud once, in the board's voice."""

    enabled = BooleanProperty(False)
    available = BooleanProperty(False)  # a speaker and a voice: the button shows only then
    spoken = StringProperty("")  # the last sentence sent to the speaker

    def __init__(self, speaker: Speaker | None, synth: SpeechSynth | None) -> None:
        super().__init__()
        self.speaker, self.synth = speaker, synth
        self.available = speaker is not None and synth is not None and synth.available
        self._turn = 0  # a newer sentence makes an older one, still being made, stay silent
        self._lock = threading.Lock()
        self._last: tuple[str, str] = ("", "")

    def toggle(self) -> bool:
        """On or off; off stops what is being said. True when the guide is now on."""
        self.enabled = self.available and not self.enabled
        if not self.enabled:
            self.silence()
        self._last = ("", "")
        return bool(self.enabled)

    async def say(self, words: Text | None, language: str, again: bool = False) -> None:
        """Read the words aloud (when the guide is on); the same words twice in a row only when `again`."""
        if not self.enabled or words is None or self.speaker is None or self.synth is None:
            return
        text = words(language)
        if not text or (not again and self._last == (language, text)):
            return
        self._last = (language, text)
        with self._lock:
            self._turn += 1
            turn = self._turn
        try:
            if await asyncio.to_thread(self._speak, text, language, turn):
                self.spoken = text  # on the loop: Kivy properties are not for worker threads
        except (SpeechError, OSError) as error:
            log.warning("spoken guidance: %s", error)

    def _speak(self, text: str, language: str, turn: int) -> bool:
        """In a worker thread: make the sentence, then play it unless a newer one came meanwhile."""
        wav = self.synth.wav(text, language) if self.synth is not None else b""
        with self._lock:
            if turn != self._turn or self.speaker is None:
                return False  # the citizen moved on while the sentence was being made
            self.speaker.say(SpokenClip(text, language, wav))
            return True

    def silence(self) -> None:
        with self._lock:
            self._turn += 1
        if self.speaker is not None:
            try:
                self.speaker.stop()
            except OSError as error:
                log.warning("speaker stop: %s", error)

    def reset(self) -> None:
        """The citizen left: the guide goes off and quiet."""
        self.silence()
        available = self.available
        super().reset()
        self.available = available
        self._last = ("", "")
