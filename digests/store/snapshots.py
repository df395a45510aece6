"""Digest snapshots: the ranked stories behind a digest's "Lainnya" buttons.

A snapshot is written once per distinct rendered digest (every reader of that digest shares it)
and read when a reader presses "Lainnya", so the next page comes from the digest as it was
ranked, not from a new query that could shift. Snapshots older than the news horizon are pruned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.store.db import Database
from digests.store.models import DigestSnapshot
from digests.store.outbox import run
from digests.store.tables import ARTICLE_COLUMNS, ARTICLES

SNAPSHOTS = DigestSnapshot.__table__  # type: ignore[attr-defined]
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One stored digest: each cut division's article ids in digest order, and when."""

    id: int
    entries: dict[str, list[int]]
    created_at: datetime


async def save(
    session: AsyncSession, snapshots: Sequence[Mapping[str, Sequence[int]]], *, now: datetime
) -> list[int]:
    """Store snapshots (slug → article ids) in one statement; their ids in the same order."""
    if not snapshots:
        return []
    rows = [
        {"entries": {slug: list(ids) for slug, ids in entries.items()}, "created_at": now}
        for entries in snapshots
    ]
    result = await run(
        session, insert(SNAPSHOTS).returning(SNAPSHOTS.c.id, sort_by_parameter_order=True), rows
    )
    return list(result.scalars().all())


async def load(db: Database, snapshot_id: int) -> Snapshot | None:
    """The snapshot, or None when it never existed or was pruned."""
    async with db.session() as session:
        row = (
            await run(
                session,
                select(SNAPSHOTS.c.id, SNAPSHOTS.c.entries, SNAPSHOTS.c.created_at).where(
                    SNAPSHOTS.c.id == snapshot_id
                ),
            )
        ).first()
    if row is None or not isinstance(row.entries, dict):
        return None
    entries = {
        str(slug): [int(i) for i in ids if isinstance(i, int)]
        for slug, ids in row.entries.items()
        if isinstance(ids, list)
    }
    return Snapshot(row.id, entries, row.created_at)


async def page_articles(db: Database, article_ids: Iterable[int]) -> list[Any]:
    """The stored articles shown for these ids, with the later copies of their stories (other
    sites that republished them), oldest copy first; ids no longer stored are left out."""
    ids = sorted(set(article_ids))
    shown: list[Any] = []
    async with db.session() as session:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            shown += (
                await run(session, select(*ARTICLE_COLUMNS).where(ARTICLES.c.id.in_(chunk)))
            ).all()
        stories = sorted({r.story_id for r in shown if r.story_id is not None})
        copies: list[Any] = []
        for start in range(0, len(stories), _CHUNK):
            chunk = stories[start : start + _CHUNK]
            copies += (
                await run(
                    session,
                    select(*ARTICLE_COLUMNS)
                    .where(ARTICLES.c.story_id.in_(chunk))
                    .where(ARTICLES.c.is_news.is_(True))
                    .where(ARTICLES.c.id.not_in(ids)),
                )
            ).all()
    # A copy seen before the one the digest showed would take its place: leave it out.
    first = {r.story_id: (r.first_seen_at, r.id) for r in shown if r.story_id is not None}
    later = [c for c in copies if (c.first_seen_at, c.id) > first[c.story_id]]
    return sorted(shown + later, key=lambda r: (r.first_seen_at, r.id))


async def prune(db: Database, *, before: datetime) -> int:
    """Delete snapshots created before `before`; how many went."""
    async with db.session() as session:
        result = await run(session, delete(SNAPSHOTS).where(SNAPSHOTS.c.created_at < before))
        await session.commit()
    return result.rowcount or 0
