"""What every presenter shares: Kivy properties, an error message, a busy flag, a reset that forgets all.

Presenters hold a screen's logic and state as Kivy properties (the .kv files bind to them) and do their
work in async methods on the app's asyncio loop. They never touch a widget, so tests drive them without
a window.
"""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any, TypeVar

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ObjectProperty

from kiosk.api import ApiError
from kiosk.text import Text

log = logging.getLogger(__name__)
R = TypeVar("R")


class Session:
    """One citizen's visit: a random key, made once, from which every idempotency key is derived."""

    def __init__(self) -> None:
        self.key = uuid.uuid4().hex
        self.started_at = datetime.now(UTC)

    def idempotency_key(self, purpose: str) -> str:
        return f"kiosk-{self.key}-{purpose}"


class Presenter(EventDispatcher):  # type: ignore[misc]
    busy = BooleanProperty(False)
    error = ObjectProperty(None, allownone=True)  # a Text for the citizen, or None

    def reset(self) -> None:
        """Every property back to its default: nothing of the last citizen stays."""
        for name, prop in self.properties().items():
            setattr(self, name, copy.copy(prop.defaultvalue))

    def fail(self, text: Text) -> None:
        self.error = text

    async def call(self, awaitable: Awaitable[R]) -> R | None:
        """Await an API call with the busy flag up; an ApiError becomes `error` and None."""
        self.busy, self.error = True, None
        try:
            return await awaitable
        except ApiError as error:
            log.info("%s: %s", type(self).__name__, error.code)
            self.error = Text(error.message_vi, error.message_en)
            return None
        finally:
            self.busy = False

    def snapshot(self) -> dict[str, Any]:
        """Every property's value (tests check that no personal data remains after a wipe)."""
        return {name: getattr(self, name) for name in self.properties()}
