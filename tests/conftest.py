"""Shared fixtures: an injected clock, real SQLite files and real PostgreSQL databases, servers.

Databases at the current schema are copies of a template migrated once per test session: a file copy on
SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL (the template is named after this session, so two
test sessions running at once never share or drop each other's). The `empty_…` fixtures give a database
with no schema at all, for the tests of migrations themselves.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "config" / "demo"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"
POSTGRES_ENV = "MOTCUA_TEST_POSTGRES_URL"

# Tuesday 10 March 2026, 09:00 in Hà Nội (02:00 UTC).
T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module", autouse=True)
def _close_servers_of_the_module() -> Iterator[None]:
    yield
    support = sys.modules.get("tests.support")
    if support is not None:
        support.dispose_built()


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the current schema, once per session."""
    from queue_server.db.engine import Database
    from queue_server.db.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "motcua.sqlite3"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()  # the last connection closed: the write-ahead log is folded into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A SQLite file of its own for one test, at the current schema (a copy of the template)."""
    path = tmp_path / "motcua.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet: no schema."""
    return f"sqlite:///{tmp_path / 'empty.sqlite3'}"


def _admin_engine(admin: str) -> Any:
    from sqlalchemy import create_engine

    return create_engine(admin, isolation_level="AUTOCOMMIT")


def _database_url(admin: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """A PostgreSQL database migrated once per session, named after this session; None without PostgreSQL."""
    admin = postgres_admin_url()
    if admin is None:
        yield None
        return
    from sqlalchemy import text

    from queue_server.db.engine import Database
    from queue_server.db.migrate import upgrade

    name = f"motcua_tpl_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = _admin_engine(admin)
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        database = Database(_database_url(admin, name))
        upgrade(database)
        database.dispose()  # a template must have no connections when it is copied
        yield name
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@contextmanager
def _fresh_postgres(template: str | None) -> Iterator[str]:
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip(f"PostgreSQL tests skipped: {POSTGRES_ENV} is not set")
    from sqlalchemy import text

    name = f"motcua_t_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    engine = _admin_engine(admin)
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield _database_url(admin, name)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture
def postgres_url(postgres_template: str | None) -> Iterator[str]:
    """A PostgreSQL database of its own for one test, at the current schema; dropped afterwards."""
    with _fresh_postgres(postgres_template) as url:
        yield url


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A PostgreSQL database of its own with no schema; dropped afterwards."""
    with _fresh_postgres(None) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Both backends: the numbering and calling guarantees must hold on each."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@contextmanager
def _sqlite_copy(source: Path, folder: Path) -> Iterator[str]:
    """A copy of a SQLite file in a folder of its own (its page files go beside it), removed afterwards."""
    assert not source.with_name(source.name + "-wal").exists(), f"{source} is still open"
    home = folder / f"copy-{uuid.uuid4().hex[:10]}"
    home.mkdir()
    shutil.copyfile(source, home / "motcua.sqlite3")
    try:
        yield f"sqlite:///{home / 'motcua.sqlite3'}"
    finally:
        shutil.rmtree(home, ignore_errors=True)


DatabaseCopies = Callable[[str | None], AbstractContextManager[str]]


@pytest.fixture(params=["sqlite", "postgres"])
def database_copies(request: pytest.FixtureRequest, tmp_path: Path) -> DatabaseCopies:
    """Both backends, for a test that needs many databases that start the same: each call gives a fresh
    copy of the template at the current schema, or of the database a URL names (closed: nothing may be
    connected to it), removed when its block ends. About 10 ms on SQLite, 100–500 ms on PostgreSQL."""
    from sqlalchemy.engine import make_url

    if request.param == "postgres" and postgres_admin_url() is None:
        pytest.skip(f"PostgreSQL tests skipped: {POSTGRES_ENV} is not set")
    template = request.getfixturevalue(f"{request.param}_template")

    def copy(source: str | None = None) -> AbstractContextManager[str]:
        name = make_url(source).database if source else template
        if request.param == "sqlite":
            return _sqlite_copy(Path(name), tmp_path)
        return _fresh_postgres(name)

    return copy


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest) -> str:
    """Both backends, without schema: for the tests of migrations."""
    fixture = "empty_sqlite_url" if request.param == "sqlite" else "empty_postgres_url"
    return str(request.getfixturevalue(fixture))
