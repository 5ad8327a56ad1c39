"""Engines and transactions.

SQLite: WAL, foreign keys, and every write transaction is `BEGIN IMMEDIATE` under a process-wide lock, so
concurrent writers queue in memory instead of spinning on SQLITE_BUSY. Code that must not wait (the event
loop, see api/writes.py) runs inside `refusing_when_busy()` and gets WriteBusy at once when another writer,
of this process or another, holds the database. PostgreSQL: READ COMMITTED with row locks and
compare-and-set updates; see tickets/repository.py.
"""

from __future__ import annotations

import contextvars
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 30_000
_refuse_when_busy: contextvars.ContextVar[bool] = contextvars.ContextVar("refuse_when_busy", default=False)


class WriteBusy(Exception):
    """Another transaction is writing right now and the caller asked not to wait; nothing was done."""


@contextmanager
def refusing_when_busy() -> Iterator[None]:
    """In this block the first write transaction raises WriteBusy rather than wait for another writer.

    Only the first: once one has committed, giving up would leave the work half done.
    """
    token = _refuse_when_busy.set(True)
    try:
        yield
    finally:
        _refuse_when_busy.reset(token)


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = _create(url, echo) if not self.is_sqlite else _create_sqlite(url, echo)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write_lock = threading.Lock() if self.is_sqlite else None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commits on success, rolls back on any error."""
        if self._write_lock is None:
            yield from _transaction(self._sessions())
            return
        wait = not _refuse_when_busy.get()
        _refuse_when_busy.set(False)
        if not self._write_lock.acquire(blocking=wait):
            raise WriteBusy
        try:
            session = self._sessions()
            try:
                session.connection(execution_options={"sqlite_begin": "IMMEDIATE" if wait else "NOWAIT"})
            except WriteBusy:
                session.close()
                raise
            yield from _transaction(session)
        finally:
            self._write_lock.release()

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
        finally:
            session.close()  # ends the transaction; loaded objects stay readable (not expired)

    def dispose(self) -> None:
        self.engine.dispose()


def before_commit_hooks(session: Session) -> list[Callable[[Session], None]]:
    """Work to do at the very end of a write transaction, just before it commits (e.g. the outbox)."""
    hooks: list[Callable[[Session], None]] = session.info.setdefault("before_commit", [])
    return hooks


def _transaction(session: Session) -> Iterator[Session]:
    try:
        yield session
        for hook in session.info.pop("before_commit", []):
            hook(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _create(url: str, echo: bool) -> Engine:
    return create_engine(url, echo=echo, pool_size=20, max_overflow=20, pool_pre_ping=True)


def _create_sqlite(url: str, echo: bool) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=40,
        max_overflow=10,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (pysqlite's is broken)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode == "NOWAIT":
            _begin_without_waiting(connection.connection.dbapi_connection)
        else:
            connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _begin_without_waiting(dbapi_connection: Any) -> None:
    """BEGIN IMMEDIATE that raises WriteBusy at once if another process is writing."""
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        dbapi_connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise WriteBusy from error
        raise
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
