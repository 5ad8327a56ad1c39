"""When a kiosk's "Gọi cán bộ hỗ trợ" tells the staff again: one open call per kiosk, and presses in a burst
(an anxious citizen tapping again and again) are one call, not a flood of alerts. A call nobody answered
closes when its citizen leaves the kiosk, with the reason said in words."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

REMIND_AFTER = timedelta(seconds=60)  # a press this long after the last alert alerts the staff again


class Press(enum.StrEnum):
    NEW = "new"  # no open call: a new one, staff alerted
    REMIND = "remind"  # still open and the last alert is old: staff alerted again
    ABSORBED = "absorbed"  # still open and just alerted: counted, nobody alerted


def press_outcome(last_alert_at: datetime | None, now: datetime) -> Press:
    """What a press does, given when the kiosk's open call last alerted the staff (None: no open call)."""
    if last_alert_at is None:
        return Press.NEW
    return Press.REMIND if now - last_alert_at >= REMIND_AFTER else Press.ABSORBED


class Withdrawal(enum.StrEnum):
    """Why a call closed without a staff member going (the kiosk says so when its citizen leaves)."""

    CITIZEN_LEFT = "citizen_left"

    @property
    def words(self) -> str:
        return WITHDRAWAL_WORDS[self]


WITHDRAWAL_WORDS = {Withdrawal.CITIZEN_LEFT: "Người dân đã rời đi"}
