"""The unit of work (db/unit_of_work.py) on a real database: events leave only after the commit, a failure
leaves nothing behind, one clock reading, a cache per transaction, one retry policy."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from queue_server.clock import ManualClock
from queue_server.db.unit_of_work import Slot, StorageParts, Transaction, UnitOfWork, first_won
from queue_server.domain.errors import DomainError
from queue_server.tables.events import EventLog
from queue_server.tables.tickets import TicketSequence
from tests.support import make_server

START = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


class RecordingHub:
    def __init__(self) -> None:
        self.published: list[list[dict[str, Any]]] = []

    def publish(self, events: list[dict[str, Any]]) -> None:
        self.published.append(list(events))


@pytest.fixture
def parts(database_url: str) -> StorageParts:
    clock = ManualClock(START)
    server = make_server(database_url, clock)
    return StorageParts(db=server.ctx.db, clock=clock, hub=RecordingHub(), outbox=server.ctx.new_outbox)


def events_stored(parts: StorageParts) -> int:
    with parts.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(EventLog)) or 0)


def test_events_are_published_after_the_commit_with_their_sequence(parts: StorageParts) -> None:
    hub = parts.hub
    assert isinstance(hub, RecordingHub)
    before = events_stored(parts)
    with UnitOfWork(parts) as tx:
        tx.outbox.add(type="test.one", office="DEMO", at=tx.now, data={"n": 1})
        tx.outbox.add(type="test.two", office="DEMO", at=tx.now, data={"n": 2})
        assert hub.published == []  # nothing leaves before the commit
    assert [[e["type"] for e in batch] for batch in hub.published] == [["test.one", "test.two"]]
    seqs = [e["seq"] for e in hub.published[0]]
    assert seqs == sorted(seqs) and len(set(seqs)) == 2
    assert events_stored(parts) == before + 2


def test_a_failure_rolls_everything_back_and_publishes_nothing(parts: StorageParts) -> None:
    hub = parts.hub
    assert isinstance(hub, RecordingHub)
    before = events_stored(parts)
    with pytest.raises(RuntimeError, match="boom"), UnitOfWork(parts) as tx:
        tx.outbox.add(type="test.lost", office="DEMO", at=tx.now, data={})
        tx.session.add(
            TicketSequence(office="DEMO", queue_prefix="Z", business_day=date(2026, 3, 10), last_number=1)
        )
        tx.session.flush()
        raise RuntimeError("boom")
    assert hub.published == []
    assert events_stored(parts) == before
    with parts.db.read() as session:
        assert session.scalar(select(func.count()).select_from(TicketSequence)) == 0


def test_a_failing_before_commit_hook_rolls_back_too(parts: StorageParts) -> None:
    def fail(_: Transaction) -> None:
        raise ValueError("hook failed")

    with pytest.raises(ValueError, match="hook failed"), UnitOfWork(parts) as tx:
        tx.outbox.add(type="test.lost", office="DEMO", at=tx.now, data={})
        tx.before_commit(fail)
    assert isinstance(parts.hub, RecordingHub) and parts.hub.published == []


def test_one_clock_reading_and_a_fresh_cache_per_transaction(parts: StorageParts) -> None:
    clock = parts.clock
    assert isinstance(clock, ManualClock)
    seen = Slot("seen", list[int])
    with UnitOfWork(parts, read_only=True) as tx:
        first = tx.now
        clock.advance(minutes=5)
        assert tx.now == first  # every row and event of the use case carries the same time
        tx.cached(seen).append(1)
        assert tx.cached(seen) == [1]
        tx.drop(seen)
        assert tx.peek(seen) is None
        with pytest.raises(RuntimeError):
            tx.before_commit(lambda _: None)  # a read has nothing to commit
    with UnitOfWork(parts, read_only=True) as tx:
        assert tx.now == first.replace(minute=5)
        assert tx.cached(seen) == []


def test_retrying_runs_the_transaction_again_after_a_lost_unique_key_race(parts: StorageParts) -> None:
    key = {"office": "DEMO", "queue_prefix": "R", "business_day": date(2026, 3, 10)}
    with parts.db.write() as other:  # another kiosk committed its row just after our first look
        other.add(TicketSequence(**key, last_number=7))
    runs: list[int] = []

    def take_number(tx: Transaction) -> int:
        runs.append(1)
        # The first run looked before the other kiosk committed (on PostgreSQL both run side by side).
        row = tx.session.scalar(select(TicketSequence).filter_by(**key)) if len(runs) > 1 else None
        if row is not None:
            return row.last_number
        tx.session.add(TicketSequence(**key, last_number=1))
        tx.session.flush()
        return 1

    assert UnitOfWork.retrying(parts, take_number) == 7
    assert len(runs) == 2
    with pytest.raises(IntegrityError):  # without a second attempt the race is the caller's
        UnitOfWork.retrying(parts, _insert_duplicate, attempts=1)


def _insert_duplicate(tx: Transaction) -> None:
    key = {"office": "DEMO", "queue_prefix": "R", "business_day": date(2026, 3, 10)}
    tx.session.add(TicketSequence(**key, last_number=2))
    tx.session.flush()


def test_first_won_chooses_again_only_when_the_chosen_one_was_taken() -> None:
    offers = iter([1, 2, 3])
    taken = {1, 2}

    def take(choice: int) -> None:
        if choice in taken:
            raise DomainError("ticket_taken", "đã có quầy khác", "taken")

    busy = DomainError("busy", "bận", "busy")
    assert first_won(lambda: next(offers), take, busy=busy) == 3
    assert first_won(lambda: None, take, busy=busy) is None

    def refuse(_: int) -> None:
        raise DomainError("counter_not_open", "đóng", "closed")

    with pytest.raises(DomainError, match="closed"):
        first_won(lambda: 5, refuse, busy=busy)
    with pytest.raises(DomainError) as raised:
        first_won(lambda: 1, take, busy=busy)
    assert raised.value.code == "busy"


def test_a_storage_without_an_outbox_refuses_an_event_and_stores_nothing(parts: StorageParts) -> None:
    silent = StorageParts(db=parts.db, clock=parts.clock)  # as auth builds it: nothing to publish
    with pytest.raises(RuntimeError, match="no outbox"), UnitOfWork(silent) as tx:
        tx.outbox.add(type="test.nowhere", office="CAXTP", at=tx.now, data={})
    assert events_stored(parts) == 0


def test_what_listens_to_written_events_runs_inside_the_transaction(parts: StorageParts) -> None:
    """The composition root hands the outbox its listeners (the message planner); events/ imports none."""
    from queue_server.events.outbox import Outbox

    heard: list[tuple[bool, list[str]]] = []
    storage = StorageParts(
        db=parts.db,
        clock=parts.clock,
        hub=parts.hub,
        outbox=lambda: Outbox(
            after_write=[lambda tx, events: heard.append((tx.writable, [e["type"] for e in events]))]
        ),
    )
    with UnitOfWork(storage) as tx:
        tx.outbox.add(type="test.heard", office="CAXTP", at=tx.now, data={})
        assert heard == []  # not before the outbox is written, at the end
    assert heard == [(True, ["test.heard"])]
