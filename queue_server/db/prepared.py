"""Statements of the hottest path, compiled once per dialect and run straight on the DB-API cursor.

Issuing a ticket runs seven short statements. For each, SQLAlchemy's own execution (cache key, execution
context, parameter and result objects) costs several times what SQLite spends running it. A Prepared
statement keeps what matters from SQLAlchemy (the SQL it compiles for the dialect, and the dialect's own
bind and result conversions of each column type) and skips the rest. It runs inside the current transaction of
a unit of work (db/unit_of_work.py) or a session, which still begin and commit it.

Only public SQLAlchemy API is used (the compiler's documented attributes, `TypeEngine.dialect_impl` and its
bind/result processors); pyproject.toml bounds the SQLAlchemy versions this was tested with, and
tests/integration/test_storage_paths.py checks both the bound and that a round trip through a Prepared
statement reads back what SQLAlchemy's own execution writes and reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None
# Both dialects' inserts have on_conflict_do_update, with the same arguments.
_UPSERT_INSERTS: dict[str, Callable[[Table], Any]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


class InTransaction(Protocol):
    """A unit of work's transaction (it keeps its connection at hand) or a plain Session."""

    def connection(self) -> Connection: ...


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # bind names, in placeholder order for positional dialects
    defaults: dict[str, Any]  # values written into the statement itself (literals)
    binders: tuple[Processor, ...]
    positional: bool
    readers: tuple[Processor, ...]  # one per result column


class Prepared:
    def __init__(
        self,
        statement: ClauseElement | Callable[[str], ClauseElement],
        *,
        column_keys: Sequence[str] | None = None,
    ) -> None:
        """`statement`, or a function building it for a dialect's name (SQL that differs by backend)."""
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._compiled: dict[str, _Compiled] = {}

    @classmethod
    def upsert(
        cls,
        table: Table,
        *,
        values: dict[str, Any],
        keys: list[str],
        set_: dict[str, Any],
        returning: ColumnElement[Any] | None = None,
    ) -> Prepared:
        """INSERT … ON CONFLICT (keys) DO UPDATE SET …, in the SQLite or PostgreSQL form of the session."""

        def build(dialect_name: str) -> ClauseElement:
            upsert = _UPSERT_INSERTS[dialect_name](table).values(values)
            upsert = upsert.on_conflict_do_update(index_elements=keys, set_=set_)
            statement: ClauseElement = upsert if returning is None else upsert.returning(returning)
            return statement

        return cls(build)

    def rows(self, tx: InTransaction, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        connection = tx.connection()
        compiled = self._for(connection.dialect)
        dbapi = connection.dialect.loaded_dbapi
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        arguments = _arguments(compiled, params)
        try:
            cursor.execute(compiled.sql, arguments)
            rows = cursor.fetchall() if cursor.description is not None else []
        except dbapi.Error as error:
            # The same exceptions SQLAlchemy raises (IntegrityError, OperationalError…), so callers
            # handle a duplicate key or a lost connection alike whichever way the statement ran.
            lost = connection.dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
            if lost:
                connection.invalidate(error)
            raise DBAPIError.instance(
                compiled.sql, arguments, error, dbapi.Error, connection_invalidated=lost
            ) from error
        finally:
            cursor.close()
        readers = compiled.readers
        return [
            tuple(read(value) if read else value for read, value in zip(readers, row, strict=True))
            for row in rows
        ]

    def scalar(self, tx: InTransaction, params: dict[str, Any]) -> Any:
        rows = self.rows(tx, params)
        if len(rows) != 1:
            raise LookupError(f"expected one row, got {len(rows)}")
        return rows[0][0]

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            statement = (
                self.statement if isinstance(self.statement, ClauseElement) else self.statement(dialect.name)
            )
            compiled = self._compiled[dialect.name] = _compile(statement, dialect, self.column_keys)
        return compiled


def _compile(statement: ClauseElement, dialect: Dialect, column_keys: list[str] | None) -> _Compiled:
    compiler = statement.compile(dialect=dialect, column_keys=column_keys)
    assert isinstance(compiler, SQLCompiler)
    binds = compiler.binds  # rendered name → bind parameter
    if any(bind.expanding for bind in binds.values()):
        raise ValueError("IN (…) lists are expanded per call; write the statement without them")
    if dialect.positional:
        names = tuple(compiler.positiontup or ())
    else:
        names = tuple(key for key in binds if f"%({key})s" in compiler.string)
    defaults = {name: binds[name].value for name in names if not binds[name].required}
    binders = tuple(binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
    # DML: what RETURNING brings back, asked for or added by the dialect (the new key, on PostgreSQL).
    returning = compiler.effective_returning if compiler.isinsert or compiler.isupdate else None
    columns: Sequence[Any] = returning or getattr(statement, "exported_columns", None) or ()
    readers = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
    return _Compiled(compiler.string, names, defaults, binders, dialect.positional, readers)


def _arguments(compiled: _Compiled, params: dict[str, Any]) -> Any:
    defaults = compiled.defaults
    values = []
    for name, bind in zip(compiled.names, compiled.binders, strict=True):
        value = params[name] if name in params else defaults[name]
        values.append(bind(value) if bind is not None else value)
    return values if compiled.positional else dict(zip(compiled.names, values, strict=True))
