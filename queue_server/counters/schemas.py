"""What the API says about counters: the desk, who sits there (people only), its console's waiting list."""

from __future__ import annotations

from queue_server.answers import Answer, Timestamp


class CurrentTicket(Answer):
    id: int
    number: str
    status: str
    queue: str


class CounterView(Answer):
    office: str
    number: int
    name_vi: str
    name_en: str
    status: str
    queues: list[str]
    weights: dict[str, float]
    staff: str | None = None  # left out for boards and kiosks
    staff_name: str | None = None
    pause_reason: str | None
    since: Timestamp | None
    current_ticket: CurrentTicket | None


class WaitingRow(Answer):
    id: int
    number: str
    queue: str
    queue_name_vi: str
    status: str
    priority: str | None
    priority_name_vi: str | None
    issued_at: Timestamp
    waited_s: int
    appointment_at: Timestamp | None
    position: int | None
    next: bool
    dossier_code: str | None
    for_counter: int | None = None  # sent to that counter by a transfer


class CounterWaitingList(Answer):
    counter: int
    queues: list[str]
    total: int
    waiting: list[WaitingRow]
    on_hold: list[WaitingRow]
