"""/metrics in the Prometheus text format (version 0.0.4), written by hand: a few lines of text.

Counters come from the database (all processes agree; a restart does not reset them). The wait
histogram is fed by this process's event stream: each first call adds its wait. Devices report through
DEVICE_SOURCES: a kiosk or board status collector appends a function returning DeviceReading rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from queue_server.domain.calendar import business_day
from queue_server.readmodels import called_waits_of_day, first_waits, issued_counts, served_counts
from queue_server.services import Services

WAIT_BUCKETS_S = (60, 300, 600, 900, 1200, 1800, 2700, 3600, 7200)


@dataclass(frozen=True)
class DeviceReading:
    device: str
    kind: str  # printer, scanner, kiosk, board
    state: str  # ready, degraded, offline (devices/status.py)
    office: str = ""


# Hook for device status: append a function returning the devices' latest statuses.
DEVICE_SOURCES: list[Callable[[], Iterable[DeviceReading]]] = []


class WaitHistogram:
    """Waits of first calls seen on the event stream since this process started."""

    def __init__(self) -> None:
        self._pending: list[int] = []
        self._counts: dict[tuple[str, str], list[int]] = {}
        self._sums: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def on_event(self, event: dict[str, Any]) -> None:
        if event.get("type") != "ticket.called":
            return
        data = event.get("data") or {}
        if (data.get("transition") or {}).get("from") != "waiting":
            return  # a recall or a resume is not a new wait
        ticket = data.get("ticket") or {}
        if isinstance(ticket.get("id"), int):
            with self._lock:
                self._pending.append(ticket["id"])

    def resolve(self, services: Services) -> None:
        """Read the waits of the calls seen since the last scrape (one query)."""
        with self._lock:
            pending, self._pending = self._pending, []
        if not pending:
            return
        waits = first_waits(services.ctx.db, pending)
        with self._lock:
            for first in waits:
                wait = first.wait_s
                key = (first.office, first.queue)
                counts = self._counts.setdefault(key, [0] * (len(WAIT_BUCKETS_S) + 1))
                for index, bound in enumerate(WAIT_BUCKETS_S):
                    if wait <= bound:
                        counts[index] += 1
                counts[-1] += 1
                self._sums[key] = self._sums.get(key, 0.0) + wait

    def lines(self) -> list[str]:
        out = [
            "# HELP motcua_wait_seconds Wait from issue to first call, of calls seen by this process.",
            "# TYPE motcua_wait_seconds histogram",
        ]
        with self._lock:
            for (office, queue), counts in sorted(self._counts.items()):
                labels = f'office="{_esc(office)}",queue="{_esc(queue)}"'
                for bound, count in zip(WAIT_BUCKETS_S, counts, strict=False):
                    out.append(f'motcua_wait_seconds_bucket{{{labels},le="{bound}"}} {count}')
                out.append(f'motcua_wait_seconds_bucket{{{labels},le="+Inf"}} {counts[-1]}')
                out.append(f"motcua_wait_seconds_sum{{{labels}}} {self._sums[(office, queue)]:.3f}")
                out.append(f"motcua_wait_seconds_count{{{labels}}} {counts[-1]}")
        return out


def render_metrics(services: Services, histogram: WaitHistogram, alert_checks: int = 0) -> str:
    histogram.resolve(services)
    lines: list[str] = []
    _ticket_totals(services, lines)
    _live(services, lines)
    _estimate_errors(services, lines)
    lines.extend(histogram.lines())
    _metric(lines, "motcua_event_stream_clients", "gauge", "WebSocket clients of the event stream.")
    lines.append(f"motcua_event_stream_clients {services.ctx.hub.client_count}")
    _metric(lines, "motcua_alert_checks_total", "counter", "Alert checks this process has finished.")
    lines.append(f"motcua_alert_checks_total {alert_checks}")
    _devices(lines)
    return "\n".join(lines) + "\n"


def _ticket_totals(services: Services, lines: list[str]) -> None:
    issued = issued_counts(services.ctx.db)
    served = served_counts(services.ctx.db)
    _metric(
        lines, "motcua_tickets_issued_total", "counter", "Tickets issued, by the queue that numbered them."
    )
    for row in issued:
        labels = f'office="{_esc(row.office)}",queue="{_esc(row.queue)}"'
        lines.append(f"motcua_tickets_issued_total{{{labels}}} {row.count}")
    _metric(lines, "motcua_tickets_served_total", "counter", "Tickets finished at a desk, by queue.")
    for row in served:
        labels = f'office="{_esc(row.office)}",queue="{_esc(row.queue)}"'
        lines.append(f"motcua_tickets_served_total{{{labels}}} {row.count}")


def _live(services: Services, lines: list[str]) -> None:
    waiting, estimate, desks = [], [], []
    for office in services.ctx.config.offices:
        for queue in services.queues.list(office=office):
            labels = f'office="{_esc(office)}",queue="{_esc(queue["code"])}"'
            waiting.append(f"motcua_waiting{{{labels}}} {queue['waiting']}")
            estimate.append(f"motcua_estimated_wait_seconds{{{labels}}} {queue['estimated_wait_s']}")
        counts = {"open": 0, "paused": 0, "closed": 0}
        for counter in services.counters.list(office=office):
            counts[counter["status"]] = counts.get(counter["status"], 0) + 1
        for status, count in counts.items():
            desks.append(f'motcua_counters{{office="{_esc(office)}",status="{status}"}} {count}')
    _metric(lines, "motcua_waiting", "gauge", "Tickets waiting now, by queue.")
    lines.extend(waiting)
    _metric(lines, "motcua_estimated_wait_seconds", "gauge", "Expected wait of a ticket issued now.")
    lines.extend(estimate)
    _metric(lines, "motcua_counters", "gauge", "Desks by status (open, paused, closed).")
    lines.extend(desks)


def _estimate_errors(services: Services, lines: list[str]) -> None:
    """Today's mean absolute error of the estimate printed at issue against the wait that followed."""
    _metric(
        lines,
        "motcua_estimate_error_seconds",
        "gauge",
        "Mean absolute error today of the wait estimate given at issue (called tickets).",
    )
    for office in services.ctx.config.offices.values():
        today = business_day(services.ctx.clock(), office.zone)
        errors: dict[str, list[float]] = {}
        for called in called_waits_of_day(services.ctx.db, office=office.code, day=today):
            assert called.estimated_wait_s is not None  # only those given an estimate
            errors.setdefault(called.queue, []).append(abs(called.estimated_wait_s - called.wait_s))
        for queue, values in sorted(errors.items()):
            labels = f'office="{_esc(office.code)}",queue="{_esc(queue)}"'
            lines.append(f"motcua_estimate_error_seconds{{{labels}}} {sum(values) / len(values):.1f}")


def _devices(lines: list[str]) -> None:
    _metric(lines, "motcua_device_up", "gauge", "1 when a device reports ready or degraded, 0 when offline.")
    readings = [r for source in DEVICE_SOURCES for r in source()]
    for reading in readings:
        labels = (
            f'office="{_esc(reading.office)}",device="{_esc(reading.device)}",kind="{_esc(reading.kind)}"'
        )
        lines.append(f"motcua_device_up{{{labels}}} {0 if reading.state == 'offline' else 1}")
    _metric(lines, "motcua_device_state", "gauge", "The state a device reports (1 for its current state).")
    for reading in readings:
        labels = (
            f'office="{_esc(reading.office)}",device="{_esc(reading.device)}",kind="{_esc(reading.kind)}",'
            f'state="{_esc(reading.state)}"'
        )
        lines.append(f"motcua_device_state{{{labels}}} 1")


def _metric(lines: list[str], name: str, kind: str, help_text: str) -> None:
    lines.append(f"# HELP {name} {help_text}")
    lines.append(f"# TYPE {name} {kind}")


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
