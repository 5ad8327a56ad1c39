"""The one way an ID number is shown anywhere — kiosk screen, printed receipt, server answers, log lines:
the first 3 and the last 3 digits, the rest hidden ("001******567" for a 12-digit CCCD, "123***789" for a
9-digit CMND). Devices, the kiosk and the server all import it from here; it imports nothing."""

from __future__ import annotations

SHOWN = 3  # digits shown at each end
MAX_SHOWN_DIGITS = 2 * SHOWN


def mask_id(number: str) -> str:
    """The masked form of an ID number; anything shorter than a 9-digit CMND is hidden whole."""
    text = number.strip()
    if len(text) < 9:
        return "*" * len(text)
    return text[:SHOWN] + "*" * (len(text) - 2 * SHOWN) + text[-SHOWN:]


def shows_too_much(masked: str) -> bool:
    """True when text meant to be masked still shows more digits than a masked ID may."""
    return sum(ch.isdigit() for ch in masked) > MAX_SHOWN_DIGITS
