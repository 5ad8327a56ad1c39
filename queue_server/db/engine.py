"""Engines and transactions.

SQLite: WAL, foreign keys, and every write transaction is `BEGIN IMMEDIATE` under a process-wide lock, so
concurrent writers queue in memory instead of spinning on SQLITE_BUSY. Code that must not wait (the event
loop, see db/writes.py) runs inside `refusing_when_busy()` and gets WriteBusy at once when another writer,
of this process or another, holds the database. PostgreSQL: READ COMMITTED with row locks and
compare-and-set updates; see tickets/repository.py.
"""

from __future__ import annotations

import contextvars
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 30_000
CHECKPOINT_EVERY_S = 1.0
CHECKPOINT_BUSY_MS = 1000
POSTGRES_POOL = (20, 20)  # connections kept open, and opened beyond them under load (settings: db_pool_size)
AUTO_CHECKPOINT_KEY = "motcua_auto_checkpoint"  # engine: False once a background checkpointer runs
# FULL: a commit is on disk when it returns (NORMAL may lose the last commits in a power cut, and ticket
# numbers already printed would be issued again); bench_issue.py measures what it costs.
SQLITE_SYNCHRONOUS = "FULL"
_refuse_when_busy: contextvars.ContextVar[bool] = contextvars.ContextVar("refuse_when_busy", default=False)


class _NoRowsInLogs(logging.Filter):
    """SQLAlchemy logs every fetched row at DEBUG (names, ID hashes, addresses): never let one through.
    Statements stay (their parameters are hidden by `hide_parameters`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "Row %r"


_NO_ROWS = _NoRowsInLogs()
logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NO_ROWS)


class WriteBusy(Exception):
    """Another transaction is writing right now and the caller asked not to wait; nothing was done."""


class refusing_when_busy:
    """In this block the first write transaction raises WriteBusy rather than wait for another writer.

    Only the first: once one has committed, giving up would leave the work half done.
    """

    def __enter__(self) -> None:
        self._token = _refuse_when_busy.set(True)

    def __exit__(self, *_: object) -> None:
        _refuse_when_busy.reset(self._token)


class Database:
    def __init__(self, url: str, *, echo: bool = False, pool: tuple[int, int] = POSTGRES_POOL) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        # A commit waits for the disk (fsync): better not on the event loop (api/writes.py).
        self.commits_wait_for_disk = self.is_sqlite and SQLITE_SYNCHRONOUS == "FULL"
        self.engine = _create(url, echo, pool) if not self.is_sqlite else _create_sqlite(url, echo)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write_lock = threading.Lock() if self.is_sqlite else None
        self._checkpointer: _Checkpointer | None = None
        self._writer_connection: Connection | None = None

    def checkpoint_in_background(self, every_s: float = CHECKPOINT_EVERY_S) -> None:
        """SQLite: copy the write-ahead log into the database from a thread of its own, not in the
        commit that happens to fill it (a long-running server calls this; short commands need not)."""
        if self.is_sqlite and self._checkpointer is None:
            assert self._write_lock is not None
            self._checkpointer = _Checkpointer(self.engine, self._write_lock, every_s)
            self._checkpointer.start()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commits on success, rolls back on any error. Use cases write through
        db/unit_of_work.py, which adds the outbox, the transaction's cache and publishing after commit."""
        if self._write_lock is None:
            yield from _transaction(self._sessions())
            return
        wait = not _refuse_when_busy.get()
        _refuse_when_busy.set(False)
        if not self._write_lock.acquire(blocking=wait):
            raise WriteBusy
        try:
            session = self._sessions(bind=self._writer())
            try:
                begin = "IMMEDIATE" if wait else "NOWAIT"
                session.connection(execution_options={"sqlite_begin": begin})
            except WriteBusy:
                session.close()
                raise
            yield from _transaction(session)
        finally:
            self._write_lock.release()

    def _writer(self) -> Connection:
        """SQLite takes one writer at a time, so writes share one connection, kept across transactions
        (no pool checkout and reset for each); a broken one is replaced. Only under the write lock."""
        if self._writer_connection is None or self._writer_connection.invalidated:
            if self._writer_connection is not None:
                self._writer_connection.close()
            self._writer_connection = self.engine.connect()
        return self._writer_connection

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
        finally:
            session.close()  # ends the transaction; loaded objects stay readable (not expired)

    def background_checkpoints(self) -> tuple[bool, int, int]:
        """Whether the checkpointer runs, its rounds done, and its failed rounds in a row (for /metrics)."""
        worker = self._checkpointer
        if worker is None:
            return False, 0, 0
        return worker.is_alive(), worker.succeeded, worker.failures

    def stop_background_checkpoints(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None

    def dispose(self) -> None:
        self.stop_background_checkpoints()
        if self._write_lock is not None:
            with self._write_lock:
                if self._writer_connection is not None:
                    self._writer_connection.close()
                    self._writer_connection = None
        self.engine.dispose()


def _transaction(session: Session) -> Iterator[Session]:
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _create(url: str, echo: bool, pool: tuple[int, int]) -> Engine:
    # hide_parameters: a failed statement's error (and its log line) never carries the citizen's data.
    size, overflow = pool
    return create_engine(
        url, echo=echo, pool_size=size, max_overflow=overflow, pool_pre_ping=True, hide_parameters=True
    )


def _create_sqlite(url: str, echo: bool) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=40,
        max_overflow=10,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (pysqlite's is broken)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        _follow_checkpoint_mode(engine, connection.connection)
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode == "NOWAIT":
            _begin_without_waiting(connection.connection.dbapi_connection)
        else:
            connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _follow_checkpoint_mode(engine: Engine, pooled: Any) -> None:
    """Automatic checkpoints in commits off while a background checkpointer runs, on again after."""
    wanted = getattr(engine, AUTO_CHECKPOINT_KEY, True)
    if pooled.info.get("auto_checkpoint", True) != wanted:
        pooled.dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={1000 if wanted else 0}")
        pooled.info["auto_checkpoint"] = wanted


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


class _Checkpointer(threading.Thread):
    """A checkpoint every second, on a connection of its own.

    Commits then only append to the log. Here the pages written since the last checkpoint are copied
    once each (the busy ones, such as the last page of every index, are written by most commits) and the
    log starts again from its beginning (RESTART), so it stays the size of one second of writes. Writers
    of this process wait only for the restart, off the event loop (db/writes.py). A failed round is logged
    and retried; when the thread stops, commits take the work back: the pool's connections turn automatic
    checkpoints on again.
    """

    def __init__(self, engine: Engine, write_lock: threading.Lock, every_s: float) -> None:
        super().__init__(name="sqlite-checkpoint", daemon=True)
        self.engine = engine
        self.write_lock = write_lock
        self.every_s = every_s
        self._stop_event = threading.Event()
        self._connection: Connection | None = None
        self.failures = 0  # in a row
        self.succeeded = 0

    def run(self) -> None:
        setattr(self.engine, AUTO_CHECKPOINT_KEY, False)
        try:
            while not self._stop_event.wait(self.every_s):
                self._checkpoint_once()
            self._checkpoint_once(final=True)
        finally:
            self._close()
            setattr(self.engine, AUTO_CHECKPOINT_KEY, True)

    def _checkpoint_once(self, *, final: bool = False) -> None:
        """One round; an error (a locked database, a full disk) is logged and the next round tries again
        on a fresh connection. Meanwhile the log only grows, so nothing is lost by waiting."""
        try:
            dbapi_connection = self._dbapi()
            if final:  # stopping: leave an empty log behind
                with self.write_lock:
                    dbapi_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
                return
            # Copy while writers go on (a passive checkpoint blocks no one: ~25 ms for a busy
            # second here), then, between two writes, the few frames added meanwhile and the
            # restart of the log (~3 ms instead of ~30 ms of writers waiting).
            dbapi_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            with self.write_lock:
                busy, _, _ = dbapi_connection.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
            if busy:  # a reader kept its transaction open past the busy timeout: the log grows meanwhile
                raise sqlite3.OperationalError("a reader kept the log from restarting (busy)")
        except Exception as error:
            self.failures += 1
            self._close()
            if self.failures == 1 or self.failures % 60 == 0:  # not one line a second for ever
                log.warning("background checkpoint failed (%s), %d in a row; retrying", error, self.failures)
            return
        if self.failures:
            log.warning("background checkpoints resumed after %d failures", self.failures)
            self.failures = 0
        self.succeeded += 1

    def _dbapi(self) -> Any:
        if self._connection is None:
            self._connection = self.engine.connect()
            dbapi_connection = self._connection.connection.dbapi_connection
            assert dbapi_connection is not None
            # Waiting for a lock here may hold the write lock: give up soon and retry next round.
            dbapi_connection.execute(f"PRAGMA busy_timeout={CHECKPOINT_BUSY_MS}")
        return self._connection.connection.dbapi_connection

    def _close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()  # its busy timeout is not the pool's: never reuse it
                self._connection.close()
            except Exception:
                log.debug("closing the checkpoint connection failed", exc_info=True)
            self._connection = None

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)
