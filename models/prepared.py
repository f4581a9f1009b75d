"""Core statements compiled once per dialect and run straight on the DBAPI cursor, for the message path.

Every message runs the same three statements (the dialog read, the dedup record, the dialog's
compare-and-set). Through `Connection.execute` each costs about as much Python as the rest of a
short message's handling: the cache-key walk, the execution context, the result metadata, the
events (issue 15, bench/README.md). A `Prepared` statement is compiled by SQLAlchemy itself, once
per dialect, to the very SQL and parameter order `Connection.execute` would send, with the same
type processing on the way in and out (JSON, UTC datetimes); each run is then one DBAPI
`cursor.execute`. What stays as before:

- it runs on the SQLAlchemy connection's own DBAPI connection, inside its transaction (one is
  begun, with the engine's `begin` events, if none is open), so it commits or rolls back with
  everything else the message did;
- the engine's `before_cursor_execute` listeners see the statement (the read-only guard of
  `bot.database.Database.reading` refuses a write as it would any other);
- a DBAPI error goes through SQLAlchemy's own error handling: wrapped as `Connection.execute`
  would wrap it, `handle_error` listeners called, the connection invalidated on a disconnect.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    """One statement's SQL for one dialect, its parameters in order, and the type processors."""

    sql: str
    #: Values of the binds the statement itself fills (a literal such as the 1 of `version + 1`).
    defaults: dict[str, Any]
    #: Parameter names in the order of a positional paramstyle; None for a named one (psycopg2's pyformat).
    order: tuple[str, ...] | None
    binds: tuple[tuple[str, Processor], ...]
    results: tuple[Processor | None, ...]


class Prepared:
    """A Core statement (select, insert, update or text with typed binds) run on the DBAPI cursor."""

    def __init__(self, statement: ClauseElement, result_types: Sequence[TypeEngine[Any]] = ()) -> None:
        """Prepare `statement`; `result_types` types the columns of a text statement's RETURNING."""
        self.statement = statement
        self.result_types = tuple(result_types)
        self._by_dialect: dict[tuple[str, str], _Compiled] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        """The statement compiled for this dialect (once; a race compiles it twice, to the same)."""
        key = (dialect.name, dialect.driver)
        compiled = self._by_dialect.get(key)
        if compiled is None:
            compiled = self._by_dialect[key] = self._compile(dialect)
        return compiled

    def _compile(self, dialect: Dialect) -> _Compiled:
        """Compile with SQLAlchemy and collect the processors `Connection.execute` would apply."""
        compiled = cast(SQLCompiler, self.statement.compile(dialect=dialect))
        binds = []
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                binds.append((name, processor))
        columns = getattr(self.statement, "selected_columns", None)
        if columns is None:  # an insert or update: its RETURNING columns, if any
            columns = getattr(compiled, "returning", None) or ()
        types = self.result_types or tuple(column.type for column in columns)
        results = tuple(t.dialect_impl(dialect).result_processor(dialect, None) for t in types)
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        defaults = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
        return _Compiled(compiled.string, defaults, order, tuple(binds), results)

    def execute(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """Run the statement in the connection's transaction; return the DBAPI cursor (rows unprocessed)."""
        compiled = self._compiled(connection.dialect)
        values = {**compiled.defaults, **params}
        for name, processor in compiled.binds:
            values[name] = processor(values[name])
        parameters: Any = values if compiled.order is None else tuple(values[name] for name in compiled.order)
        if not connection.in_transaction():
            connection.begin()  # as Connection.execute's autobegin would: the engine's begin events run
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            for listener in connection.dispatch.before_cursor_execute:
                listener(connection, cursor, compiled.sql, parameters, None, False)
            cursor.execute(compiled.sql, parameters)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy's handling: wrap, events, invalidate, re-raise
            if isinstance(exc, connection.dialect.loaded_dbapi.Error):
                connection._handle_dbapi_exception(exc, compiled.sql, parameters, cursor, None)
            cursor.close()
            raise
        return cursor

    def first(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row, its values processed by their types, or None when there is none."""
        cursor = self.execute(connection, params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        results = self._compiled(connection.dialect).results
        if not results:  # a text statement without result_types: the values as the driver gave them
            return tuple(row)
        return tuple(value if processor is None else processor(value)
                     for value, processor in zip(row, results, strict=True))

    def rowcount(self, connection: Connection, params: Mapping[str, Any]) -> int:
        """Run a statement that writes and return how many rows it matched."""
        cursor = self.execute(connection, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()
