"""Source rows: which sites to crawl now, and their health after each crawl."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.store.models import Source
from digests.store.types import utcnow

MAX_BACKOFF = timedelta(hours=24)
# A backoff slightly shorter than whole intervals, so the tick after it is not missed by seconds.
BACKOFF_SLACK = 0.9
MAX_ERROR_CHARS = 500


async def get_source(session: AsyncSession, source_id: int) -> Source | None:
    return await session.get(Source, source_id)


async def all_sources(session: AsyncSession) -> list[Source]:
    return list((await session.exec(select(Source).order_by(Source.id))).all())


async def active_sources(session: AsyncSession) -> list[Source]:
    statement = select(Source).where(Source.enabled == True).order_by(Source.id)  # noqa: E712
    return list((await session.exec(statement)).all())


async def sources_not_removed(session: AsyncSession) -> list[Source]:
    """Every source an admin has not removed (enabled or not)."""
    statement = select(Source).where(Source.removed_at == None).order_by(Source.id)  # noqa: E711
    return list((await session.exec(statement)).all())


async def sources_by_name(session: AsyncSession, *, include_disabled: bool = False) -> list[Source]:
    """Sources by name; enabled ones only unless asked."""
    statement = select(Source).order_by(Source.name)
    if not include_disabled:
        statement = statement.where(Source.enabled == True)  # noqa: E712
    return list((await session.exec(statement)).all())


async def due_sources(session: AsyncSession, now: datetime | None = None) -> list[Source]:
    """Enabled sources that are not backing off."""
    now = now or utcnow()
    statement = (
        select(Source)
        .where(Source.enabled == True)  # noqa: E712
        .where(or_(Source.next_attempt_at == None, Source.next_attempt_at <= now))  # noqa: E711
        .order_by(Source.id)
    )
    return list((await session.exec(statement)).all())


def backoff_delay(failures: int, interval: timedelta) -> timedelta | None:
    """No wait after one failure (the next tick retries); then doubling intervals, capped."""
    if failures <= 1:
        return None
    return min(interval * (2 ** (failures - 1)), MAX_BACKOFF) * BACKOFF_SLACK


def record_success(session: AsyncSession, source: Source, now: datetime) -> None:
    """Mark a good visit (the caller commits)."""
    source.last_crawled_at = now
    source.last_success_at = now
    source.consecutive_failures = 0
    source.last_error = None
    source.next_attempt_at = None
    source.first_crawl_done = True
    session.add(source)


def record_failure(
    session: AsyncSession, source: Source, error: str, now: datetime, interval: timedelta
) -> None:
    """Count a failed visit and back off (the caller commits)."""
    source.last_crawled_at = now
    source.consecutive_failures += 1
    source.last_error = error[:MAX_ERROR_CHARS]
    delay = backoff_delay(source.consecutive_failures, interval)
    source.next_attempt_at = now + delay if delay is not None else None
    session.add(source)


def save_source(session: AsyncSession, source: Source) -> None:
    """Stage a new or changed source row for the caller's commit."""
    session.add(source)


async def save_source_now(session: AsyncSession, source: Source) -> Source:
    """Store a new or changed source row at once, read back with its id and defaults."""
    session.add(source)
    await session.commit()
    await session.refresh(source)
    return source
