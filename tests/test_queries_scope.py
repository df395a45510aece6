"""/terbaru and /cari within a reader's region scope, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from digests.store import queries
from digests.store.db import Database
from digests.store.models import Article

pytestmark = pytest.mark.db

NOON = datetime(2026, 11, 22, 5, 0, tzinfo=UTC)


def article(n: int, region: str | None) -> Article:
    return Article(
        url=f"https://example.kpu.go.id/berita/{n}",
        source_name=f"KPU {region}",
        title=f"Rekapitulasi suara tahap {n}",
        text="Rapat pleno rekapitulasi hasil penghitungan suara.",
        content_hash=f"h{n}",
        region=region,
        divisions=["teknis"],
        published_at=NOON - timedelta(minutes=n),
        first_seen_at=NOON - timedelta(minutes=n),
    )


async def seed(db: Database) -> None:
    async with db.session() as session:
        session.add_all(
            [
                article(1, "jawa-timur"),
                article(2, "jawa-barat"),
                article(3, "nasional"),
                article(4, None),
                article(5, "aceh"),
            ]
        )
        await session.commit()


def numbers(articles: list[Article]) -> list[int]:
    return [int(a.url.rsplit("/", 1)[1]) for a in articles]


async def test_latest_within_my_provinces_and_kpu_ri(database: Database) -> None:
    await seed(database)
    assert numbers(await queries.latest_articles(database, 10, ["teknis"], ["jawa-timur"])) == [
        1,
        3,
    ]
    assert numbers(await queries.latest_articles(database, 10, None, ["nasional"])) == [3]
    both = ["jawa-timur", "aceh", "nasional"]
    assert numbers(await queries.latest_articles(database, 10, None, both)) == [1, 3, 5]
    assert numbers(await queries.latest_articles(database, 10, None, ["semua"])) == [1, 2, 3, 4, 5]
    assert numbers(await queries.latest_articles(database, 10)) == [1, 2, 3, 4, 5]


async def test_search_within_my_scope(database: Database) -> None:
    await seed(database)
    found = await queries.search_articles(database, "rekapitulasi", 10, ["jawa-barat"])
    assert numbers(found) == [2, 3]
    assert len(await queries.search_articles(database, "rekapitulasi", 10)) == 5
