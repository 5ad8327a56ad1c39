"""PostgreSQL LISTEN/NOTIFY between server processes: a NOTIFY wakes the hub, which reads the log."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


class PostgresListener:
    def __init__(self, database_url: str, on_notify: Callable[[], None]) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._on_notify = on_notify
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            try:
                self._listen()
                delay = 0.5
            except Exception:
                log.exception("LISTEN connection lost; retrying in %.1fs", delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)

    def _listen(self) -> None:
        import psycopg

        with psycopg.connect(self._dsn, autocommit=True) as connection:
            connection.execute("LISTEN motcua_events")
            self._on_notify()  # catch up on anything committed while we were away
            while not self._stop.is_set():
                for _ in connection.notifies(timeout=1.0, stop_after=50):
                    self._on_notify()
