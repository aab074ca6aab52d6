"""Engine, sessions and the declarative Base, for SQLite + SpatiaLite and PostgreSQL + PostGIS."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from typing import Any

import sqlalchemy as sa
from geoalchemy2.admin.dialects.sqlite import init_spatialite
from sqlalchemy import event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from core.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def string_enum(enum: type[StrEnum], name: str, *, length: int = 16) -> sa.Enum:
    """An enum stored as its values in a VARCHAR with a CHECK constraint: the same on both
    dialects, and a new value is a migration of one constraint, not an ALTER TYPE."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC on both dialects (SQLite would otherwise hand back naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _prepare_sqlite_connection(dbapi_conn: Any, _record: Any, *, spatialite_path: str) -> None:
    # SQLAlchemy, not the driver, decides where transactions begin (see the "begin" hook);
    # otherwise pysqlite delays BEGIN and SAVEPOINT-based test isolation breaks.
    dbapi_conn.isolation_level = None
    dbapi_conn.enable_load_extension(True)
    dbapi_conn.load_extension(spatialite_path)
    dbapi_conn.enable_load_extension(False)
    dbapi_conn.execute("PRAGMA foreign_keys = ON")
    dbapi_conn.execute("PRAGMA busy_timeout = 30000")
    # Readers do not block the writer (a no-op for in-memory databases).
    dbapi_conn.execute("PRAGMA journal_mode = WAL")
    init_spatialite(dbapi_conn, transaction=True, init_mode="WGS84")


#: Execution option: on SQLite, this connection's transactions begin DEFERRED (no lock until the
#: first write) instead of IMMEDIATE (``_begin_sqlite``).
BEGIN_DEFERRED = "loomline_begin_deferred"
#: Execution option: this connection's transaction promised to only read (``read_session``).
READ_ONLY = "loomline_read_only"
#: The execution options of a connection that only reads.
READ_ONLY_OPTIONS: dict[str, Any] = {BEGIN_DEFERRED: True, READ_ONLY: True}
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteInReadSession(RuntimeWarning):
    """A statement that writes ran in a ``read_session``: on SQLite it fails with "database is
    locked" whenever another connection writes meanwhile. (The test suite turns it into an error.)"""


def _begin_sqlite(conn: Connection) -> None:
    # A DEFERRED transaction that reads and then writes cannot wait for the write lock: SQLite
    # answers SQLITE_BUSY ("database is locked") at once, whatever busy_timeout says, because
    # waiting could deadlock or its snapshot is already stale. BEGIN IMMEDIATE takes the write
    # lock first and waits for it up to busy_timeout; in WAL mode readers still go on meanwhile.
    deferred = conn.get_execution_options().get(BEGIN_DEFERRED, False)
    conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def _warn_of_writes(conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    if conn.get_execution_options().get(READ_ONLY) and statement.lstrip()[:7].upper().startswith(_WRITES):
        warnings.warn(f"a write in a read_session: {statement[:80]}", WriteInReadSession, stacklevel=2)


def create_engine(settings: Settings) -> Engine:
    """The engine for ``settings.database_url``; SQLite gets SpatiaLite loaded on every connection."""
    url = settings.database_url
    if not settings.is_sqlite:
        return sa.create_engine(url, pool_pre_ping=True)
    # The stdlib sqlite3 of pyenv-built CPython cannot load extensions; sqlean.py can, everywhere.
    import sqlean

    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, module=sqlean, connect_args={"check_same_thread": False})
    event.listen(
        engine,
        "connect",
        partial(_prepare_sqlite_connection, spatialite_path=settings.spatialite_path),
    )
    event.listen(engine, "begin", _begin_sqlite)
    event.listen(engine, "before_cursor_execute", _warn_of_writes)
    return engine


def create_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error. On SQLite it holds the write
    lock from its start (BEGIN IMMEDIATE), waiting for it up to busy_timeout."""
    with factory() as session, session.begin():
        yield session


@contextmanager
def read_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work that only reads: on SQLite its transaction begins DEFERRED, so it takes no
    lock and never waits for a writer (WAL). A write in it would fail with "database is locked"
    when another connection writes meanwhile, so it warns (``WriteInReadSession``): work that
    may write belongs in ``transaction``."""
    with factory() as session, session.begin():
        session.connection(execution_options=READ_ONLY_OPTIONS)
        yield session
