"""The open_alert rows decide which process raises or clears an alert: the answer must say whether this
call's insert or delete took effect, on both databases (psycopg reports -1 rows for an insert that met
its row, which was read as "raised": two processes both raised the same alert)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from queue_server.events.alerts import _open, close_if_open, open_if_absent

ALERT = {"kind": "counter_paused_long", "key": "2"}
NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_only_the_call_that_wrote_the_row_says_so(database_url: str) -> None:
    engine = create_engine(database_url)
    answers = []
    try:
        for step in ("open", "open", "close", "close", "open"):
            with Session(engine) as session, session.begin():
                if step == "open":
                    answers.append(open_if_absent(session, "CAXBM", ALERT, NOW))
                else:
                    answers.append(close_if_open(session, "CAXBM", ALERT["kind"], ALERT["key"]))
        with Session(engine) as session:
            rows = session.scalar(select(func.count()).select_from(_open))
    finally:
        engine.dispose()
    assert answers == [True, False, True, False, True]
    assert rows == 1
