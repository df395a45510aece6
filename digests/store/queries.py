"""Read-only questions staff and admins ask of the stored articles and subscribers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import col, select

from digests.scope import NASIONAL, scope_everywhere, scope_provinces
from digests.store.db import Database
from digests.store.models import Article, OutboxItem, Source, Subscriber
from digests.store.subscribers import is_blocked
from digests.store.types import utcnow

__all__ = [
    "Stats",
    "articles_seen_since",
    "latest_articles",
    "like_pattern",
    "search_articles",
    "stats",
]

LIKE_ESCAPE = "\\"
# How many newest articles /latest looks through when filtering by division in Python:
# divisions are a JSON list, and a portable JSON "contains" differs between SQLite and PostgreSQL.
LATEST_WINDOW = 500


def like_pattern(word: str) -> str:
    """`%word%` with the user's own `%`, `_` and `\\` taken literally."""
    escaped = (
        word.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped.lower()}%"


def _newest_first():  # type: ignore[no-untyped-def]
    return (
        col(Article.published_at).is_(None),
        col(Article.published_at).desc(),
        col(Article.first_seen_at).desc(),
        col(Article.id).desc(),
    )


def _in_scope(stmt, regions: Collection[str] | None):  # type: ignore[no-untyped-def]
    """Only articles a reader with region scope `regions` receives (None or `semua`: all)."""
    if scope_everywhere(regions):
        return stmt
    allowed = sorted(scope_provinces(regions) | {NASIONAL})
    return stmt.where(col(Article.region).in_(allowed))


async def search_articles(
    db: Database, query: str, limit: int, regions: Collection[str] | None = None
) -> list[Article]:
    """Articles whose title or text holds every word of `query` (case-insensitive), newest first,
    within the reader's region scope when given."""
    words = query.split()
    if not words:
        return []
    stmt = _in_scope(select(Article), regions)
    for word in words:
        pattern = like_pattern(word)
        stmt = stmt.where(
            or_(
                func.lower(Article.title).like(pattern, escape=LIKE_ESCAPE),
                func.lower(Article.text).like(pattern, escape=LIKE_ESCAPE),
            )
        )
    stmt = stmt.order_by(*_newest_first()).limit(limit)
    async with db.session() as session:
        return list((await session.exec(stmt)).all())


async def latest_articles(
    db: Database,
    limit: int,
    divisions: Sequence[str] | None = None,
    regions: Collection[str] | None = None,
) -> list[Article]:
    """The newest summarised articles, only those tagged with one of `divisions` when given and
    within the region scope `regions` (None or `semua`: everywhere)."""
    wanted = set(divisions or ())
    stmt = _in_scope(select(Article).where(func.length(Article.title) > 0), regions)
    stmt = stmt.order_by(*_newest_first())
    stmt = stmt.limit(LATEST_WINDOW if wanted else limit)
    async with db.session() as session:
        articles = list((await session.exec(stmt)).all())
    if wanted:
        articles = [a for a in articles if wanted.intersection(a.divisions)]
    return articles[:limit]


async def articles_seen_since(db: Database, cutoff: datetime) -> list[Article]:
    """Articles first seen from `cutoff` on, the latest published first (`kpu-digest preview`)."""
    stmt = (
        select(Article)
        .where(Article.first_seen_at >= cutoff)
        .order_by(col(Article.published_at).desc(), col(Article.id).desc())
    )
    async with db.session() as session:
        return list((await session.exec(stmt)).all())


@dataclass(slots=True)
class Stats:
    """A snapshot for /stats."""

    subscribers_active: int = 0
    subscribers_inactive: int = 0
    subscribers_blocked: int = 0
    subscribers_instant: int = 0
    per_division: Counter[str] = field(default_factory=Counter)
    articles_total: int = 0
    articles_last_day: int = 0
    outbox: Counter[str] = field(default_factory=Counter)
    sent_last_day: int = 0
    sources_total: int = 0
    sources_failing: int = 0
    last_crawl: datetime | None = None


async def stats(db: Database, now: datetime | None = None) -> Stats:
    now = now or utcnow()
    day_ago = now - timedelta(days=1)
    result = Stats()
    async with db.session() as session:
        for sub in (await session.exec(select(Subscriber))).all():
            if sub.active:
                result.subscribers_active += 1
                result.subscribers_instant += int(sub.instant)
                result.per_division.update(sub.divisions)
            elif is_blocked(sub.inactive_reason):
                result.subscribers_blocked += 1
            else:
                result.subscribers_inactive += 1
        result.articles_total = (await session.exec(select(func.count(Article.id)))).one()
        result.articles_last_day = (
            await session.exec(
                select(func.count(Article.id)).where(Article.first_seen_at >= day_ago)
            )
        ).one()
        rows = await session.exec(
            select(OutboxItem.status, func.count(OutboxItem.id)).group_by(OutboxItem.status)
        )
        result.outbox = Counter({status: count for status, count in rows.all()})
        result.sent_last_day = (
            await session.exec(
                select(func.count(OutboxItem.id)).where(
                    OutboxItem.status == "sent", col(OutboxItem.sent_at) >= day_ago
                )
            )
        ).one()
        sources = (await session.exec(select(Source).where(Source.enabled == True))).all()  # noqa: E712
        result.sources_total = len(sources)
        result.sources_failing = sum(1 for s in sources if s.consecutive_failures > 0)
        crawled = [s.last_crawled_at for s in sources if s.last_crawled_at]
        result.last_crawl = max(crawled) if crawled else None
    return result
