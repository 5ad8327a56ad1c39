"""The storage plumbing of the issue path: prepared statements, writes from the event loop, background
checkpoints and the waiting-count migration — each on a real database."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, bindparam, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from queue_server.db.base import UtcDateTime
from queue_server.db.engine import Database, WriteBusy, refusing_when_busy
from queue_server.db.migrate import alembic_config
from queue_server.db.prepared import Prepared
from queue_server.db.writes import WriteRunner
from queue_server.tables.tickets import Ticket, WaitingCount
from tests.support import KIOSK_KEY, make_server

metadata = MetaData()
sample = Table(
    "prepared_sample",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(8), unique=True),
    Column("day", Date),
    Column("at", UtcDateTime()),
    Column("note", String(40)),
)
INSERT = Prepared(sample.insert().returning(sample.c.id), column_keys=["code", "day", "at", "note"])
READ = Prepared(select(sample.c.code, sample.c.day, sample.c.at).where(sample.c.code == bindparam("wanted")))


@pytest.fixture(params=["sqlite_url", "postgres_url"])
def database(request: pytest.FixtureRequest) -> Any:
    db = Database(str(request.getfixturevalue(request.param)))
    metadata.create_all(db.engine)
    yield db
    db.dispose()


def test_prepared_statements_convert_types_both_ways(database: Database) -> None:
    at = datetime(2026, 3, 10, 2, 30, 15, 123456, tzinfo=UTC)
    with database.write() as session:
        first = INSERT.scalar(session, {"code": "A001", "day": date(2026, 3, 10), "at": at, "note": None})
        second = INSERT.scalar(session, {"code": "A002", "day": date(2026, 3, 11), "at": at, "note": "x"})
    assert second == first + 1
    with database.write() as session:
        assert READ.rows(session, {"wanted": "A001"}) == [("A001", date(2026, 3, 10), at)]
        assert READ.rows(session, {"wanted": "none"}) == []
    with database.read() as session:  # what SQLAlchemy itself reads back is the same
        assert session.execute(select(sample.c.at, sample.c.day).where(sample.c.code == "A002")).one() == (
            at,
            date(2026, 3, 11),
        )


def test_the_installed_sqlalchemy_is_one_the_prepared_statements_were_tested_with() -> None:
    """db/prepared.py compiles statements with SQLAlchemy and runs them itself: a release outside the
    range pinned in pyproject.toml must be tested (the round trips above) before the pin moves."""
    import tomllib

    import sqlalchemy
    from packaging.requirements import Requirement
    from packaging.version import Version

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text("utf-8"))
    server = pyproject["project"]["optional-dependencies"]["server"]
    pins = [Requirement(line) for line in server if Requirement(line).name == "sqlalchemy"]
    assert len(pins) == 1 and pins[0].specifier.filter(["99"]) != ["99"], "SQLAlchemy needs an upper bound"
    assert Version(sqlalchemy.__version__) in pins[0].specifier, (
        f"SQLAlchemy {sqlalchemy.__version__} is outside {pins[0].specifier}"
    )


def test_prepared_statements_raise_sqlalchemy_errors_and_roll_back(database: Database) -> None:
    with database.write() as session:
        INSERT.scalar(session, {"code": "B001", "day": None, "at": None, "note": None})
    with pytest.raises(IntegrityError), database.write() as session:
        INSERT.scalar(session, {"code": "B002", "day": None, "at": None, "note": None})
        INSERT.scalar(session, {"code": "B001", "day": None, "at": None, "note": None})  # duplicate
    with database.read() as session:  # the whole transaction was undone, the first row kept
        assert session.scalar(select(func.count()).select_from(sample)) == 1


def test_prepared_statements_refuse_what_they_cannot_run(database: Database) -> None:
    with database.write() as session:
        with pytest.raises(KeyError):
            INSERT.scalar(session, {"code": "C001"})  # a missing value is an error, not a NULL
        with pytest.raises(ValueError, match="IN"):
            Prepared(select(sample.c.id).where(sample.c.code.in_(["a", "b"]))).rows(session, {})


def test_a_write_refusing_to_wait_gets_write_busy_while_another_process_writes(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    metadata.create_all(db.engine)
    other = sqlite3.connect(db.url.database or "", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(WriteBusy), refusing_when_busy(), db.write() as session:
            INSERT.scalar(session, {"code": "D001", "day": None, "at": None, "note": None})
    finally:
        other.execute("ROLLBACK")
    with refusing_when_busy():  # free again: goes through, and only the first write may refuse
        with db.write() as session:
            INSERT.scalar(session, {"code": "D002", "day": None, "at": None, "note": None})
        with db.write() as session:
            INSERT.scalar(session, {"code": "D003", "day": None, "at": None, "note": None})
    with db.read() as session:
        assert session.scalars(select(sample.c.code).order_by(sample.c.code)).all() == ["D002", "D003"]
    other.close()
    db.dispose()


def test_the_write_runner_waits_off_the_loop_when_the_database_is_held(sqlite_url: str) -> None:
    server = make_server(sqlite_url)
    server.ctx.db.commits_wait_for_disk = False  # the on-loop path (synchronous=NORMAL)
    runner = WriteRunner(server.ctx.db)
    kiosk = server.services.auth.principal_for_device_key(KIOSK_KEY)
    other = sqlite3.connect(server.ctx.db.url.database or "", isolation_level=None)

    async def issue_three() -> list[Any]:
        return list(
            await asyncio.gather(
                *(runner.run(server.services.tickets.issue, actor=kiosk, queue="A") for _ in range(3))
            )
        )

    async def scenario() -> tuple[int, int, list[str]]:
        first = await runner.run(server.services.tickets.issue, actor=kiosk, queue="A")
        assert runner.ran_on_loop == 1
        other.execute("BEGIN IMMEDIATE")
        ticks = 0
        held = asyncio.create_task(issue_three())
        while ticks < 20:  # the loop keeps running while the three wait for the database
            await asyncio.sleep(0.01)
            ticks += 1
        assert not held.done()
        other.execute("COMMIT")
        later = await held
        return ticks, first[0].id, [view.number for view, _ in later]

    ticks, first_id, numbers = asyncio.run(scenario())
    assert ticks == 20 and first_id == 1
    assert numbers == ["A002", "A003", "A004"]  # in arrival order, none lost, none doubled
    assert runner.ran_in_pool >= 1
    other.close()
    server.ctx.db.dispose()


def test_with_synchronous_full_writes_wait_for_the_disk_off_the_loop(sqlite_url: str) -> None:
    server = make_server(sqlite_url)
    assert server.ctx.db.commits_wait_for_disk
    runner = WriteRunner(server.ctx.db)
    kiosk = server.services.auth.principal_for_device_key(KIOSK_KEY)

    async def issue_five() -> list[str]:
        answers = await asyncio.gather(
            *(runner.run(server.services.tickets.issue, actor=kiosk, queue="A") for _ in range(5))
        )
        return sorted(view.number for view, _ in answers)

    assert asyncio.run(issue_five()) == ["A001", "A002", "A003", "A004", "A005"]  # none lost, none doubled
    assert runner.ran_on_loop == 0 and runner.ran_in_pool == 5
    server.ctx.db.dispose()


def test_background_checkpoints_keep_the_log_short(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'ck.sqlite3'}")
    metadata.create_all(db.engine)
    db.checkpoint_in_background(every_s=0.05)
    wal = tmp_path / "ck.sqlite3-wal"
    for batch in range(30):
        with db.write() as session:
            for n in range(50):
                INSERT.scalar(
                    session, {"code": f"{batch:03d}{n:03d}", "day": None, "at": None, "note": "x" * 40}
                )
        if batch % 10 == 9:
            threading.Event().wait(0.2)  # let a checkpoint run
    with db.write() as session:  # connections of the pool no longer checkpoint in their commits
        assert session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
    size_during = wal.stat().st_size
    db.stop_background_checkpoints()
    assert wal.stat().st_size == 0  # stopping leaves an empty log
    with db.write() as session:  # and commits checkpoint again
        assert session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(sample)) == 1500
    assert size_during < 4 * 2**20
    db.dispose()


def test_the_migration_counts_the_tickets_already_waiting(empty_sqlite_url: str) -> None:
    db = Database(empty_sqlite_url)
    config = alembic_config(db)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    day = date(2026, 3, 10)
    at = datetime(2026, 3, 10, 2, tzinfo=UTC)
    rows = [
        {
            "public_code": f"code{n:08d}",
            "office": "CAXTP",
            "queue": queue,
            "issued_queue": queue,
            "queue_prefix": queue,
            "business_day": day,
            "sequence": n,
            "number": f"{queue}{n:03d}",
            "status": status,
            "issued_by": "test",
            "issued_at": at,
            "place_at": at,
            "recall_count": 0,
        }
        for n, (queue, status) in enumerate(
            [("A", "waiting"), ("A", "waiting"), ("A", "done"), ("B", "waiting"), ("C", "called")], start=1
        )
    ]
    with db.engine.begin() as connection:
        connection.execute(insert(Ticket.__table__), rows)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with db.read() as session:
        counts = {row.queue: row.waiting for row in session.scalars(select(WaitingCount))}
    assert counts == {"A": 2, "B": 1}
    db.dispose()


def test_a_new_ticket_record_has_every_column_of_the_ticket_table() -> None:
    """Issuing writes a NewTicket's attributes as the row: a column added to one must be added to the other."""
    from dataclasses import fields

    from queue_server.tables.tickets import NewTicket

    assert {field.name for field in fields(NewTicket)} == {column.key for column in Ticket.__table__.columns}
