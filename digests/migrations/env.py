"""Alembic environment: async engines, SQLModel metadata, batch mode for SQLite."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import digests.store.models  # noqa: F401  (registers the tables)
from digests.store.db import async_database_url, create_engine

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    """The URL handed in by `digests.store.db`, else DATABASE_URL (plain `alembic upgrade head`)."""
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from digests.config import Settings

        url = Settings().database_url
    return async_database_url(url)


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_engine(_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
