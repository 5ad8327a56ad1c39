"""The health of a device, as every port reports it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime


class DeviceState(enum.StrEnum):
    READY = "ready"
    DEGRADED = "degraded"  # works, but needs attention soon (paper near end)
    OFFLINE = "offline"  # cannot work now (unplugged, paper out, cover open)


@dataclass(frozen=True)
class DeviceStatus:
    state: DeviceState
    reason: str = ""  # machine code, e.g. "paper_out", "unplugged"
    message_vi: str = ""
    message_en: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def ready(self) -> bool:
        return self.state is DeviceState.READY

    def as_dict(self) -> dict[str, str]:
        return {
            "state": self.state.value,
            "reason": self.reason,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "at": self.at.isoformat(),
        }


READY = DeviceStatus(DeviceState.READY)
