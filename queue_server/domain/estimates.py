"""A first wait estimate: people ahead shared over the counters serving the queue, at recent service pace."""

from __future__ import annotations

from collections.abc import Mapping


def estimate_wait_s(
    *,
    people_ahead: int,
    mean_service_s: float,
    counter_shares: Mapping[int, float],
) -> int:
    """Seconds until a new ticket is called.

    `counter_shares` maps each open counter serving this queue to the share of its time it gives this queue
    (its weight for the queue over the sum of its weights). With no counter open, the estimate assumes one
    counter so the kiosk still shows something honest rather than nothing.
    """
    capacity = sum(counter_shares.values()) or 1.0
    return round(people_ahead * mean_service_s / capacity)
