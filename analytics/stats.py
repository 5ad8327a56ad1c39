"""Small statistics the reports, the dashboard and the simulator share (standard library only)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], share: float, *, presorted: bool = False) -> float | None:
    """Nearest-rank percentile: an observed value, as offices read it (p90 = 90 % waited at most this)."""
    if not values:
        return None
    ordered = values if presorted else sorted(values)
    rank = max(1, math.ceil(len(ordered) * share))
    return float(ordered[rank - 1])


def mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


@dataclass(frozen=True)
class WaitSummary:
    count: int
    mean_s: float | None
    p50_s: float | None
    p90_s: float | None
    max_s: float | None
    share_within_target: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "count": self.count,
            "mean_s": self.mean_s,
            "p50_s": self.p50_s,
            "p90_s": self.p90_s,
            "max_s": self.max_s,
            "share_within_target": self.share_within_target,
        }


def summarise_waits(waits: Iterable[float], target_s: float) -> WaitSummary:
    ordered = sorted(waits)
    if not ordered:
        return WaitSummary(0, None, None, None, None, None)
    within = sum(1 for w in ordered if w <= target_s)
    return WaitSummary(
        count=len(ordered),
        mean_s=mean(ordered),
        p50_s=percentile(ordered, 0.5, presorted=True),
        p90_s=percentile(ordered, 0.9, presorted=True),
        max_s=ordered[-1],
        share_within_target=within / len(ordered),
    )
