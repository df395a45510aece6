"""Article rows, stories and per-URL HTTP validators, as the crawler needs them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.store.models import Article, HttpCacheEntry, Story

# SQLite allows 32k bound parameters, PostgreSQL 65k; stay far below both.
_CHUNK = 500


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


async def known_urls(session: AsyncSession, urls: Iterable[str]) -> set[str]:
    """URLs already handled: stored as an article, or fetched before (not an article, gone)."""
    wanted = sorted(set(urls))
    known: set[str] = set()
    for chunk in _chunks(wanted):
        known.update(
            (await session.exec(select(Article.url).where(col(Article.url).in_(chunk)))).all()
        )
        known.update(
            (
                await session.exec(
                    select(HttpCacheEntry.url).where(col(HttpCacheEntry.url).in_(chunk))
                )
            ).all()
        )
    return known


async def article_counts_by_source(session: AsyncSession) -> dict[int | None, int]:
    """How many articles each source has given us."""
    statement = select(Article.source_id, func.count()).group_by(Article.source_id)
    return {source_id: count for source_id, count in (await session.exec(statement)).all()}


async def get_validators(session: AsyncSession, url: str) -> HttpCacheEntry | None:
    return await session.get(HttpCacheEntry, url)


async def save_validators(
    session: AsyncSession,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    content_hash: str | None,
    checked_at: datetime,
) -> None:
    """Remember a URL's validators (adds to the session; the caller commits)."""
    entry = await session.get(HttpCacheEntry, url)
    if entry is None:
        entry = HttpCacheEntry(url=url)
    entry.etag = etag
    entry.last_modified = last_modified
    entry.content_hash = content_hash
    entry.checked_at = checked_at
    session.add(entry)


async def touch_validators(session: AsyncSession, url: str, checked_at: datetime) -> None:
    entry = await session.get(HttpCacheEntry, url)
    if entry is not None:
        entry.checked_at = checked_at
        session.add(entry)


async def article_by_url(session: AsyncSession, url: str) -> Article | None:
    return (await session.exec(select(Article).where(Article.url == url))).first()


async def articles_with_hash(session: AsyncSession, content_hash: str) -> list[Article]:
    statement = select(Article).where(Article.content_hash == content_hash).order_by(Article.id)
    return list((await session.exec(statement)).all())


async def article_text(session: AsyncSession, article_id: int) -> str:
    return (await session.exec(select(Article.text).where(Article.id == article_id))).first() or ""


async def recent_simhashes(
    session: AsyncSession, since: datetime
) -> list[tuple[int, int | None, int]]:
    """(id, story_id, simhash) of articles first seen since `since`, for the dedup index."""
    statement = select(Article.id, Article.story_id, Article.simhash).where(
        Article.first_seen_at >= since
    )
    return [(a_id, story, sim) for a_id, story, sim in (await session.exec(statement)).all()]


async def new_story(session: AsyncSession) -> int:
    story = Story()
    session.add(story)
    await session.flush()
    assert story.id is not None
    return story.id


async def validators_for(session: AsyncSession, urls: Iterable[str]) -> dict[str, HttpCacheEntry]:
    """Stored validators of many URLs in few queries (a crawl preloads its listings')."""
    found: dict[str, HttpCacheEntry] = {}
    for chunk in _chunks(sorted(set(urls))):
        statement = select(HttpCacheEntry).where(col(HttpCacheEntry.url).in_(chunk))
        found.update((entry.url, entry) for entry in (await session.exec(statement)).all())
    return found


async def stale_articles_by_source(
    session: AsyncSession,
    *,
    seen_since: datetime,
    checked_before: datetime,
    per_source: int,
) -> dict[int, list[tuple[str, str | None, str | None, str | None]]]:
    """Recent articles not revalidated lately, per source: (url, etag, last_modified, hash).

    Newest first, at most `per_source` each; one query for the whole crawl.
    """
    statement = (
        select(
            Article.source_id,
            Article.url,
            HttpCacheEntry.etag,
            HttpCacheEntry.last_modified,
            HttpCacheEntry.content_hash,
        )
        .join(HttpCacheEntry, HttpCacheEntry.url == Article.url)
        .where(Article.first_seen_at >= seen_since)
        .where(col(HttpCacheEntry.checked_at) < checked_before)
        .order_by(col(Article.first_seen_at).desc())
    )
    grouped: dict[int, list[tuple[str, str | None, str | None, str | None]]] = {}
    for source_id, url, etag, modified, body_hash in (await session.exec(statement)).all():
        if source_id is None:
            continue
        rows = grouped.setdefault(source_id, [])
        if len(rows) < per_source:
            rows.append((url, etag, modified, body_hash))
    return grouped


def save_article(session: AsyncSession, article: Article) -> None:
    """Stage a new or changed article for the caller's commit (its id is set at the flush)."""
    session.add(article)
