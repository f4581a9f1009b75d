"""The declarative base, naming convention and column types shared by every model."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, ClassVar

from sqlalchemy import JSON, ColumnElement, Connection, DateTime, MetaData, Table, TypeDecorator
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session

from models.clock import utcnow

#: Constraint names that Alembic can find again on PostgreSQL and in SQLite batch mode.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; SQLite's naive values come back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes and store everything in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime whatever the backend gave back."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Base of every model: one metadata with the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}
    #: Every model here maps one table (SQLAlchemy types it as any FromClause), for Core statements built once.
    __table__: ClassVar[Table]


__all__ = ["Base", "UTCDateTime", "connection_of", "utcnow"]


def connection_of(session: Session | Connection) -> Connection:
    """The connection of the session's transaction (`Database.transaction` opens the session on one),
    for Core statements built once that need none of the ORM's bookkeeping; a connection is its own."""
    if isinstance(session, Connection):
        return session
    bind = session.get_bind()
    return bind if isinstance(bind, Connection) else session.connection()


def insert_new(session: Session, table: Table, values: dict[str, Any], unique: list[str],
               returning: ColumnElement[Any] | None = None) -> Any:
    """Insert a row unless one with the same `unique` columns exists (`ON CONFLICT DO NOTHING`).

    Returns the `returning` column of the new row, or None when the row was there already. A
    concurrent insert of the same key waits for the other transaction, then does nothing: no
    IntegrityError, so no savepoint is needed and the caller's transaction stays usable.
    Column defaults apply as for any Core insert.
    """
    connection = connection_of(session)
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=unique)
    if returning is None:
        connection.execute(statement)
        return None
    return connection.execute(statement.returning(returning)).scalar()
