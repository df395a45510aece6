"""Instant pushes: one silent message per crawl per reader with everything new in their
divisions and scope; none between 21.00 and 06.00 WIB (held, then sent at 06.00 as one).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.config import Settings
from digests.delivery.compose import (
    FULL_ITEMS_PER_DIVISION,
    DigestEntry,
    RenderedDigest,
    entries_from_articles,
    instant_header,
    render_entries_digest,
)
from digests.delivery.schedule import (
    QUIET_END,
    in_quiet_hours,
    quiet_hours_end,
)
from digests.delivery.selection import SUBSCRIBER_BATCH, as_utc, scope_key
from digests.store import outbox
from digests.store.db import Database
from digests.store.outage import retry_unavailable
from digests.store.outbox import run
from digests.store.subscribers import not_paused
from digests.store.tables import ARTICLE_COLUMNS, ARTICLES, SUBSCRIBERS
from digests.store.types import utcnow

log = logging.getLogger(__name__)

INSTANT_PATIENCE = 300.0  # seconds of database outage an instant push waits out

# --- instant pushes ---------------------------------------------------------------------------


async def enqueue_instant(
    db: Database,
    settings: Settings | Iterable[int],
    article_ids: Iterable[int] | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Queue what is new in `article_ids` for instant-mode subscribers; returns messages queued.

    Called right after the crawl that found the articles. Each subscriber gets one message
    (split only past 4096 UTF-16 units) holding every new story of their divisions and scope,
    sent silently. A story republished by a later crawl is not pushed again (only a story whose
    first copy is among `article_ids` is new). Between 21.00 and 06.00 the message falls due at
    06.00. `enqueue_instant(db, article_ids)` is accepted too and uses `Settings()`.

    Waits out a database outage (up to five minutes): the crawl report is the only record of
    which articles are new, so giving up would lose their pushes. Running again with the same
    articles is harmless (the dedupe key names the subscriber and the stories).
    """
    if article_ids is None:
        article_ids, settings = settings, Settings()  # type: ignore[assignment]
    assert isinstance(settings, Settings)
    ids = sorted(set(article_ids))
    if not ids:
        return 0
    moment = now or utcnow()
    return await retry_unavailable(
        db.outage,
        "instant push",
        lambda: _enqueue_instant(db, settings, ids, moment),
        patience=INSTANT_PATIENCE,
    )


async def enqueue_pending_instant(
    db: Database, settings: Settings, *, now: datetime | None = None
) -> int:
    """Queue the instant pushes of every article stored with `push_pending`, then clear it.

    The flag was set in the commit that stored the article, so articles whose pushes a crash
    (or an outage) kept from being queued are still found here by the next run, by the bot or
    by `kpu-digest crawl`. The flag is cleared only after every subscriber batch is queued;
    a run killed in between queues the same set next time and the dedupe keys skip what is
    there. Between 21.00 and 06.00 nothing is queued and the flags stay: the first run from
    06.00 (`release_held_instant`, called every minute) sends the night's news as one message.
    """
    moment = now or utcnow()
    if settings.instant_quiet_hours and in_quiet_hours(moment, settings.tz):
        return 0

    async def pending() -> list[int]:
        async with db.session() as session:
            rows = await run(
                session,
                select(ARTICLES.c.id)
                .where(ARTICLES.c.push_pending.is_(True))
                .order_by(ARTICLES.c.id),
            )
            return [row.id for row in rows.all()]

    async def clear(ids: list[int]) -> None:
        async with db.session() as session:
            await run(
                session,
                update(ARTICLES).where(ARTICLES.c.id.in_(ids)).values(push_pending=False),
            )
            await session.commit()

    ids = await retry_unavailable(db.outage, "instant push", pending, patience=INSTANT_PATIENCE)
    if not ids:
        return 0
    queued = await enqueue_instant(db, settings, ids, now=moment)
    await retry_unavailable(
        db.outage, "instant push", lambda: clear(ids), patience=INSTANT_PATIENCE
    )
    return queued


HELD_RELEASE_WINDOW = timedelta(minutes=10)


async def release_held_instant(
    db: Database, settings: Settings, *, now: datetime | None = None
) -> int:
    """At 06.00, queue the pushes held overnight, without waiting for the next crawl.

    Runs with the every-minute digest job; does anything only in the first minutes after the
    quiet hours end, so it never races an ordinary crawl's own pushes during the day.
    """
    moment = now or utcnow()
    if not settings.instant_quiet_hours:
        return 0
    local = moment.astimezone(settings.tz)
    opened = local.replace(hour=QUIET_END.hour, minute=QUIET_END.minute, second=0, microsecond=0)
    if not opened <= local < opened + HELD_RELEASE_WINDOW:
        return 0
    return await enqueue_pending_instant(db, settings, now=moment)


def _story_key(entry: DigestEntry) -> str:
    if entry.story_id is not None:
        return f"story:{entry.story_id}"
    return f"article:{entry.article_id}"


async def _new_stories(session: AsyncSession, rows: Sequence[Any]) -> list[Any]:
    """The rows of stories first seen in this batch: a republication of a story stored before
    (pushed then, or found old) is not new."""
    in_batch = {row.id for row in rows}
    story_ids = sorted({row.story_id for row in rows if row.story_id is not None})
    first: dict[int, tuple[datetime, int]] = {}
    for chunk_start in range(0, len(story_ids), 1000):
        chunk = story_ids[chunk_start : chunk_start + 1000]
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
    return [row for row in rows if row.story_id is None or first[row.story_id][1] in in_batch]


async def _enqueue_instant(db: Database, settings: Settings, ids: list[int], now: datetime) -> int:
    async with db.session() as session:
        rows = (
            await run(
                session,
                select(*ARTICLE_COLUMNS)
                .where(ARTICLES.c.id.in_(ids))
                .where(ARTICLES.c.is_news.is_(True)),
            )
        ).all()
        rows = await _new_stories(session, rows) if rows else []
    entries = entries_from_articles(rows)
    if not entries:
        return 0
    due = quiet_hours_end(now, settings.tz) if settings.instant_quiet_hours else now
    # Names this crawl's stories: a rerun with the same articles finds its rows already queued.
    batch = hashlib.sha1("|".join(sorted(_story_key(e) for e in entries)).encode()).hexdigest()
    # One render per distinct (divisions, scope).
    rendered: dict[tuple[frozenset[str], frozenset[str]], RenderedDigest] = {}
    body_ids: dict[str, int] = {}
    queued = 0
    after_id = 0
    while True:
        async with db.session() as session:
            subscribers = (
                await run(
                    session,
                    select(
                        SUBSCRIBERS.c.id,
                        SUBSCRIBERS.c.chat_id,
                        SUBSCRIBERS.c.divisions,
                        SUBSCRIBERS.c.regions,
                    )
                    .where(SUBSCRIBERS.c.active.is_(True))
                    .where(SUBSCRIBERS.c.instant.is_(True))
                    .where(not_paused(now))
                    .where(SUBSCRIBERS.c.id > after_id)
                    .order_by(SUBSCRIBERS.c.id)
                    .limit(SUBSCRIBER_BATCH),
                )
            ).all()
            if not subscribers:
                await session.rollback()
                break
            after_id = subscribers[-1].id
            plan = []
            for sub in subscribers:
                key = (frozenset(sub.divisions or ()), scope_key(sub.regions))
                if key not in rendered:
                    rendered[key] = _render_instant(entries, key, settings.tz, now)
                if rendered[key].parts:
                    plan.append((sub, rendered[key]))
            new_texts = sorted({p for _, d in plan for p in d.parts if p not in body_ids})
            if new_texts:
                new_ids = await outbox.insert_bodies(
                    session, new_texts, disable_notification=True, now=now
                )
                body_ids.update(zip(new_texts, new_ids, strict=True))
            rows_out = [
                row
                for sub, digest in plan
                for row in outbox.message_rows(
                    sub.chat_id,
                    [body_ids[part] for part in digest.parts],
                    kind="instant",
                    key=f"instant:{sub.id}:{batch[:16]}",
                    due=due,
                )
            ]
            queued += await outbox.enqueue(session, rows_out)
            # Pushed news is not news for a later digest if they switch back to fixed times.
            await run(
                session,
                update(SUBSCRIBERS)
                .where(SUBSCRIBERS.c.id.in_([s.id for s in subscribers]))
                .values(digest_watermark=now),
            )
            await session.commit()
        await asyncio.sleep(0)
    return queued


def _render_instant(
    entries: Sequence[DigestEntry],
    key: tuple[frozenset[str], frozenset[str]],
    tz: tzinfo,
    now: datetime,
) -> RenderedDigest:
    """One crawl's news for one (divisions, scope): every story, laid out as in a digest."""
    divisions, scope = key
    if not divisions:
        return RenderedDigest()
    return render_entries_digest(
        entries,
        selected=divisions,
        tz=tz,
        when=now,
        header=lambda _when, _tz, count: instant_header(count),
        scope=scope,
        full_items=FULL_ITEMS_PER_DIVISION,  # every story listed, the best in full
    )
