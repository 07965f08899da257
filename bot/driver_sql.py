"""The answer path's few statements, run on the database driver's cursor.

SQLAlchemy Core caches a statement's compiled SQL, but each `Connection.execute` still
looks the statement up by its cache key, builds an execution context, runs the type
processors and wraps the cursor in a result: measured with py-spy under
bench/bot_throughput.py, that cost about as much CPU as SQLite running the statement.
A `DriverStatement` is a Core statement compiled once per dialect (so the SQL is still
SQLAlchemy's, e.g. FOR UPDATE OF … on PostgreSQL and none on SQLite), then run with the
driver's own `cursor.execute`, which is what SQLAlchemy calls in the end, on the same
connection and in the same transaction. The bind values go through the columns' types as
SQLAlchemy would (e.g. datetimes as SQLite stores them); results come back as the driver
gives them (on SQLite booleans are 0/1), so callers read only plain columns.

Errors are the driver's (e.g. sqlite3.IntegrityError), not SQLAlchemy's wrappers: only
use these for statements whose callers do not catch database errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

_Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # the parameters in order (positional paramstyles), or None
    fixed: dict[str, Any]  # the statement's own values (literals in the WHERE clause …)
    processors: dict[str, _Processor]  # bind processors by parameter name

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        merged = {**self.fixed, **values}
        for name, process in self.processors.items():
            merged[name] = process(merged[name])
        if self.names is None:
            return merged
        return [merged[name] for name in self.names]


def _compile(statement: ClauseElement, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    sql = str(compiled)
    if "POSTCOMPILE" in sql:  # an expanding IN: its SQL depends on the values
        raise ValueError("a DriverStatement cannot have an expanding IN parameter")
    processors: dict[str, _Processor] = {}
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
    fixed = {name: value for name, value in compiled.params.items() if value is not None}
    names = tuple(compiled.positiontup or ()) if dialect.positional else None
    return _Compiled(sql, names, fixed, processors)


class DriverStatement:
    """A Core statement run on the driver's cursor; compiled on first use per dialect."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        key = (dialect.name, dialect.driver)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = _compile(self.statement, dialect)
        return compiled

    @contextmanager
    def _cursor(self, connection: Connection) -> Iterator[tuple[Any, _Compiled]]:
        cursor = connection.connection.cursor()
        try:
            yield cursor, self._for(connection.dialect)
        finally:
            cursor.close()

    def all(self, connection: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run it; every row it returns, as the driver's tuples."""
        with self._cursor(connection) as (cursor, compiled):
            cursor.execute(compiled.sql, compiled.parameters(values))
            return list(cursor.fetchall())

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> None:
        """Run it once, for what it writes."""
        with self._cursor(connection) as (cursor, compiled):
            cursor.execute(compiled.sql, compiled.parameters(values))

    def execute_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run it once per row of values."""
        with self._cursor(connection) as (cursor, compiled):
            parameters: Any = [compiled.parameters(row) for row in rows]
            cursor.executemany(compiled.sql, parameters)
