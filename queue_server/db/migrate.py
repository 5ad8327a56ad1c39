"""Bring any database (empty or older) up to the current schema with Alembic."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from queue_server.db.engine import Database
from queue_server.sealing import IdVault

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database.url.render_as_string(hide_password=False))
    return config


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest migration; read from the scripts once per process."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def at_head(database: Database) -> bool:
    """Whether the database is at the newest migration already (one small query, no Alembic run)."""
    with database.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return versions == [head_revision()]


def upgrade(database: Database, ids: IdVault | None = None) -> None:
    """`ids`: the keys that seal clear ID numbers found in an older database (0004). A database already at
    the newest migration is left alone without starting Alembic (every start of a server, every test)."""
    if at_head(database):
        return
    config = alembic_config(database)
    config.attributes["id_vault"] = ids
    if not database.is_sqlite:
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        return
    # SQLite rebuilds a table to change it (batch mode): dropping the old copy must not trip, or cascade
    # through, the foreign keys of rows that point at it. The switch works only outside a transaction.
    with database.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration left {len(broken)} broken references")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
