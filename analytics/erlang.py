"""Erlang C: the textbook M/M/c queue the simulator is checked against."""

from __future__ import annotations


def erlang_c(counters: int, offered_load: float) -> float:
    """Probability that an arrival waits, for `counters` servers and offered load a = λ/μ (a < c).

    Computed through the Erlang B recursion, which stays stable for hundreds of servers.
    """
    if counters < 1:
        raise ValueError("at least one counter is needed")
    if offered_load < 0:
        raise ValueError("the offered load must not be negative")
    if offered_load >= counters:
        return 1.0  # unstable: everyone waits, and the line grows without end
    blocking = 1.0
    for k in range(1, counters + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    rho = offered_load / counters
    return blocking / (1 - rho + rho * blocking)


def erlang_c_mean_wait_s(arrivals_per_hour: float, mean_service_s: float, counters: int) -> float:
    """Mean wait in line of an M/M/c queue in seconds (infinite when the counters cannot keep up)."""
    rate = arrivals_per_hour / 3600.0
    load = rate * mean_service_s
    if load >= counters:
        return float("inf")
    probability = erlang_c(counters, load)
    return probability * mean_service_s / (counters - load)


def erlang_c_share_within(
    arrivals_per_hour: float, mean_service_s: float, counters: int, target_s: float
) -> float:
    """Share of arrivals called within `target_s` (the service-level formula)."""
    import math

    rate = arrivals_per_hour / 3600.0
    load = rate * mean_service_s
    if load >= counters:
        return 0.0
    probability = erlang_c(counters, load)
    return 1 - probability * math.exp(-(counters - load) * target_s / mean_service_s)
