"""Storage: SQLAlchemy 2 models, engines (SQLite WAL by default, PostgreSQL by URL) and Alembic migrations."""
