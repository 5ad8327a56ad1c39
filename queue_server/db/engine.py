"""Engines and transactions.

SQLite: WAL, foreign keys, and every write transaction is `BEGIN IMMEDIATE` under a process-wide lock, so
concurrent writers queue in memory instead of spinning on SQLITE_BUSY. PostgreSQL: READ COMMITTED with
row locks and compare-and-set updates; see tickets/repository.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


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
        with self._write_lock:
            session = self._sessions()
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            yield from _transaction(session)

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
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
