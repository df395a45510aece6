"""Engine, sessions and migrations for SQLite (embedded default) and PostgreSQL (production).

Everything is async so the bot's event loop never blocks on the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import sqlite3
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
# PostgreSQL: one frozen connection or a stuck statement must not stall every command. A
# statement is cancelled after STATEMENT_TIMEOUT_S (on the server, and by the client if the
# server itself stops answering), a connect gives up after CONNECT_TIMEOUT_S, and a caller waits
# at most POOL_TIMEOUT_S for a free pooled connection; each surfaces as an outage
# (digests.store.outage), so the user hears "try again shortly" instead of silence.
STATEMENT_TIMEOUT_S = 20.0
CONNECT_TIMEOUT_S = 10.0
POOL_TIMEOUT_S = 10.0
IDLE_IN_TRANSACTION_TIMEOUT_S = 60.0
# Beside a SQLite file this project created: the file gone while its marker stays means the
# database was deleted or moved, and a fresh empty one must not silently take its place.
MARKER_SUFFIX = ".kpu-digest-instance"


# The session every store function takes: delivery and the crawler hold one across several
# store calls (one transaction) and name its type without importing SQLModel.
Session = AsyncSession


class DatabaseVanished(RuntimeError):
    """The configured SQLite file is gone although this project created it before."""


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
    if "poolclass" not in kwargs:  # migrations use NullPool, and may run long: not bounded
        kwargs.setdefault("pool_timeout", POOL_TIMEOUT_S)
        kwargs.setdefault("connect_args", postgres_timeouts(async_url))
    return create_async_engine(async_url, **kwargs)


def postgres_timeouts(async_url: str) -> dict[str, object]:
    """Connect arguments that bound a PostgreSQL connection, for asyncpg or psycopg."""
    statement_ms = int(STATEMENT_TIMEOUT_S * 1000)
    idle_ms = int(IDLE_IN_TRANSACTION_TIMEOUT_S * 1000)
    if make_url(async_url).drivername.endswith("asyncpg"):
        return {
            "timeout": CONNECT_TIMEOUT_S,
            # Client side: a server (or proxy) that stops answering mid-statement.
            "command_timeout": STATEMENT_TIMEOUT_S + 5,
            "server_settings": {
                "statement_timeout": str(statement_ms),
                "idle_in_transaction_session_timeout": str(idle_ms),
            },
        }
    return {
        "connect_timeout": int(CONNECT_TIMEOUT_S),
        "options": f"-c statement_timeout={statement_ms} "
        f"-c idle_in_transaction_session_timeout={idle_ms}",
    }


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


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL and in-memory databases."""
    parsed = make_url(async_database_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if str(parsed.database).startswith("file:"):
        return None  # a URI filename: the operator manages it
    return Path(str(parsed.database)).resolve()


def _instance_id(path: Path) -> int:
    """The instance number this project stored in the file (`PRAGMA user_version`), 0 if none."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return int(connection.execute("PRAGMA user_version").fetchone()[0])


def check_not_vanished(url: str) -> None:
    """Refuse to use a fresh SQLite database where one this project made has disappeared.

    The marker beside the file holds the instance number stored inside it. The file missing, or
    another (an empty file that a connection created after the deletion), means the database
    the operator had is gone: say so rather than start again from nothing.
    """
    path = sqlite_file(url)
    if path is None:
        return
    marker = path.with_name(path.name + MARKER_SUFFIX)
    if not marker.exists():
        return
    expected = marker.read_text(encoding="utf-8").strip()
    if path.exists() and str(_instance_id(path)) == expected:
        return
    raise DatabaseVanished(
        f"the database {path} is gone (it existed before: {marker.name} is beside it); "
        f"restore the file, or delete {marker} to start a new empty database"
    )


def _mark(url: str) -> None:
    path = sqlite_file(url)
    if path is None or not path.exists():
        return
    marker = path.with_name(path.name + MARKER_SUFFIX)
    if marker.exists():
        return
    instance = _instance_id(path)
    if not instance:
        instance = secrets.randbelow(2**31 - 1) + 1
        with contextlib.closing(sqlite3.connect(path)) as connection:
            connection.execute(f"PRAGMA user_version = {instance}")
            connection.commit()
    marker.write_text(f"{instance}\n", encoding="utf-8")


def upgrade_schema(url: str, revision: str = "head") -> None:
    """Run Alembic's upgrade (synchronously; call from a thread inside an event loop).

    A SQLite database that vanished (see `check_not_vanished`) is refused, not recreated.
    """
    from alembic import command

    check_not_vanished(url)
    command.upgrade(alembic_config(url), revision)
    _mark(url)
