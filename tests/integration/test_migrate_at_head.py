"""A database at the newest migration is left alone without starting Alembic; any other is migrated."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from queue_server.db.engine import Database
from queue_server.db.migrate import alembic_config, at_head, head_revision, upgrade


def test_only_a_database_at_the_newest_migration_counts_as_at_head(empty_database_url: str) -> None:
    database = Database(empty_database_url)
    try:
        assert not at_head(database)  # no schema at all
        with database.engine.begin() as connection:
            config = alembic_config(database)
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
        assert not at_head(database)  # an older schema
        upgrade(database)
        assert at_head(database)
        with database.engine.connect() as connection:
            stored = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        assert stored == head_revision()
        upgrade(database)  # again: nothing to do, and nothing breaks
        assert at_head(database)
    finally:
        database.dispose()
