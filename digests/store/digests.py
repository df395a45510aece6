"""What scheduled digests and instant pushes read of the articles, and the push flags they clear.

Set-based Core statements over `ARTICLE_COLUMNS` (never an article's body text). The functions
take the caller's session and never commit: delivery decides where a transaction ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.model import as_utc
from digests.store.outbox import run
from digests.store.tables import ARTICLE_COLUMNS, ARTICLES

# Stories per IN (…) list: far below SQLite's and PostgreSQL's bound-parameter limits.
STORY_CHUNK = 1000


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), STORY_CHUNK):
        yield ids[start : start + STORY_CHUNK]


async def news_seen_between(session: AsyncSession, start: datetime, end: datetime) -> list[Any]:
    """News articles first seen in (start, end], oldest first."""
    result = await run(
        session,
        select(*ARTICLE_COLUMNS)
        .where(ARTICLES.c.is_news.is_(True))
        .where(ARTICLES.c.first_seen_at > start)
        .where(ARTICLES.c.first_seen_at <= end)
        .order_by(ARTICLES.c.first_seen_at, ARTICLES.c.id),
    )
    return list(result.all())


async def stories_first_seen(
    session: AsyncSession, story_ids: Iterable[int]
) -> dict[int, datetime]:
    """When each story's first news copy was seen, whenever that was."""
    firsts: dict[int, datetime] = {}
    for chunk in _chunks(sorted(set(story_ids))):
        result = await run(
            session,
            select(ARTICLES.c.story_id, func.min(ARTICLES.c.first_seen_at))
            .where(ARTICLES.c.story_id.in_(chunk))
            .where(ARTICLES.c.is_news.is_(True))
            .group_by(ARTICLES.c.story_id),
        )
        for story_id, first in result:
            firsts[story_id] = as_utc(first)
    return firsts


async def news_window(
    session: AsyncSession, start: datetime, end: datetime
) -> tuple[list[Any], dict[int, datetime]]:
    """A digest window's news (first seen in (start, end]) and when each of its stories was
    first seen, so a story republished inside the window but shown before it can be left out."""
    rows = await news_seen_between(session, start, end)
    firsts = await stories_first_seen(session, (r.story_id for r in rows if r.story_id is not None))
    return rows, firsts


async def news_articles(session: AsyncSession, article_ids: Sequence[int]) -> list[Any]:
    """The news among `article_ids` (an instant push's candidates)."""
    result = await run(
        session,
        select(*ARTICLE_COLUMNS)
        .where(ARTICLES.c.id.in_(article_ids))
        .where(ARTICLES.c.is_news.is_(True)),
    )
    return list(result.all())


async def stories_first_copy(
    session: AsyncSession, story_ids: Iterable[int]
) -> dict[int, tuple[datetime, int]]:
    """Each story's earliest copy of any kind: (first seen, article id)."""
    first: dict[int, tuple[datetime, int]] = {}
    for chunk in _chunks(sorted(set(story_ids))):
        result = await run(
            session,
            select(ARTICLES.c.story_id, ARTICLES.c.id, ARTICLES.c.first_seen_at).where(
                ARTICLES.c.story_id.in_(chunk)
            ),
        )
        for story_id, article_id, seen in result:
            candidate = (as_utc(seen), article_id)
            if story_id not in first or candidate < first[story_id]:
                first[story_id] = candidate
    return first


async def articles_awaiting_push(session: AsyncSession) -> list[int]:
    """Ids of the articles stored with `push_pending` (their instant pushes not queued yet)."""
    rows = await run(
        session,
        select(ARTICLES.c.id).where(ARTICLES.c.push_pending.is_(True)).order_by(ARTICLES.c.id),
    )
    return [row.id for row in rows.all()]


async def news_awaiting_push_count(session: AsyncSession) -> int:
    """News articles whose instant pushes are not queued yet (what the next push hands on)."""
    result = await run(
        session,
        select(func.count())
        .select_from(ARTICLES)
        .where(ARTICLES.c.push_pending.is_(True), ARTICLES.c.is_news.is_(True)),
    )
    return int(result.scalar_one())


async def clear_push_pending(session: AsyncSession, article_ids: Sequence[int]) -> None:
    await run(
        session,
        update(ARTICLES).where(ARTICLES.c.id.in_(article_ids)).values(push_pending=False),
    )
