"""Engine, sessions and migrations for SQLite (embedded default) and PostgreSQL (production).

Everything is async so the bot's event loop never blocks on the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.store.outage import OutageLog

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# How long a SQLite statement waits for another connection's write lock before failing with
# "database is locked" (then the caller's outage handling retries). `?timeout=SECONDS` in the
# URL overrides it, as for Python's sqlite3.connect.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def async_database_url(url: str) -> str:
    """Map a configured URL to an async driver URL.

    Heroku hands out `postgres://…`, which SQLAlchemy refuses; plain `postgresql://` and
    `sqlite://` get the async drivers this project installs.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername in ("postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif backend == "sqlite" and parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(async_database_url(url)).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: object) -> AsyncEngine:
    """An async engine; SQLite gets WAL, a busy timeout and foreign keys on every connection."""
    async_url = async_database_url(url)
    if is_sqlite(url):
        busy_ms = sqlite_busy_timeout_ms(url)
        engine = create_async_engine(async_url, connect_args={"timeout": busy_ms / 1000}, **kwargs)
        _configure_sqlite(engine, busy_ms)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(async_url, **kwargs)


def sqlite_busy_timeout_ms(url: str) -> int:
    """The busy timeout for a SQLite URL: its `?timeout=` in seconds, else the default."""
    value = make_url(async_database_url(url)).query.get("timeout")
    if isinstance(value, tuple):
        value = value[-1]
    try:
        return max(0, int(float(value) * 1000)) if value else SQLITE_BUSY_TIMEOUT_MS
    except ValueError:
        return SQLITE_BUSY_TIMEOUT_MS


def _configure_sqlite(engine: AsyncEngine, busy_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


class Database:
    """The engine and session factory of one configured database, and its outage log (shared
    by everything that retries through an outage, so one outage is logged once)."""

    def __init__(self, url: str, **engine_kwargs: object) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        self.sessions = session_factory(self.engine)
        self.outage = OutageLog()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def upgrade(self) -> None:
        """Bring the schema to the newest migration (idempotent)."""
        await asyncio.to_thread(upgrade_schema, self.url)

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", async_database_url(url).replace("%", "%%"))
    return config


def upgrade_schema(url: str, revision: str = "head") -> None:
    """Run Alembic's upgrade (synchronously; call from a thread inside an event loop)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
