"""The storage foundation: migrations, URL handling, timezone-aware times on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from digests.store.db import Database, async_database_url, upgrade_schema
from digests.store.models import Article, Subscriber


def test_heroku_postgres_url_is_accepted() -> None:
    url = async_database_url("postgres://u:p@db.example:5432/kpu")
    assert url == "postgresql+asyncpg://u:p@db.example:5432/kpu"


def test_plain_sqlite_url_gets_async_driver() -> None:
    assert async_database_url("sqlite:///kpu_digest.db") == "sqlite+aiosqlite:///kpu_digest.db"


@pytest.mark.db
def test_upgrade_is_idempotent(db_url: str) -> None:
    upgrade_schema(db_url)
    upgrade_schema(db_url)


@pytest.mark.db
async def test_times_come_back_aware_in_utc(database: Database) -> None:
    jakarta = timezone(timedelta(hours=7))
    published = datetime(2026, 11, 22, 7, 0, tzinfo=jakarta)
    async with database.session() as session:
        session.add(Article(url="https://kpu.go.id/a", content_hash="h", published_at=published))
        await session.commit()
    async with database.session() as session:
        article = (await session.exec(select(Article))).one()
    assert article.published_at == published
    assert article.published_at.tzinfo is not None
    assert article.published_at.utcoffset() == timedelta(0)
    assert article.first_seen_at <= datetime.now(UTC)


@pytest.mark.db
async def test_article_url_is_stored_once(database: Database) -> None:
    async with database.session() as session:
        session.add(Article(url="https://kpu.go.id/a", content_hash="h1"))
        await session.commit()
    async with database.session() as session:
        session.add(Article(url="https://kpu.go.id/a", content_hash="h2"))
        with pytest.raises(IntegrityError):
            await session.commit()


@pytest.mark.db
async def test_subscriber_lists_round_trip(database: Database) -> None:
    async with database.session() as session:
        session.add(
            Subscriber(
                chat_id=2**40, divisions=["data", "teknis"], delivery_times=["07:00", "17:30"]
            )
        )
        await session.commit()
    async with database.session() as session:
        sub = (await session.exec(select(Subscriber))).one()
    assert sub.chat_id == 2**40
    assert sub.divisions == ["data", "teknis"]
    assert sub.delivery_times == ["07:00", "17:30"]
