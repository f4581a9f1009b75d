"""The calendar day in Shanghai of a stored (UTC) time, computed by the database so figures group in SQL.

SQLite keeps times as UTC text and has no time zones; Shanghai has no summer time, so adding
eight hours is exact there. PostgreSQL converts the `timestamptz` with the zone's name.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class shanghai_date(FunctionElement[date]):  # noqa: N801 - a SQL function, named like one
    """`shanghai_date(column)`: the day in Asia/Shanghai of a UTC timestamp column."""

    type = Date()
    name = "shanghai_date"
    inherit_cache = True


@compiles(shanghai_date, "sqlite")
def _sqlite(element: shanghai_date, compiler: SQLCompiler, **kw: Any) -> str:
    """SQLite: the UTC text plus eight hours, as a date string."""
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(shanghai_date, "postgresql")
def _postgresql(element: shanghai_date, compiler: SQLCompiler, **kw: Any) -> str:
    """PostgreSQL: the timestamptz in the zone, cut to its date."""
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Shanghai' AS DATE)"


def as_date(value: date | str) -> date:
    """A day as the driver gave it back (SQLite answers text) as a `date`."""
    return value if isinstance(value, date) else date.fromisoformat(value)
