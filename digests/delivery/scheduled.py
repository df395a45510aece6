"""Scheduled digests: when each reader's digest is due, and queueing the due ones.

The database decides what is due. `enqueue_due_digests` runs every minute; it claims due
subscribers with a compare-and-set UPDATE (two processes never both take one), renders each
distinct digest once, stores each distinct text once (`MessageBody`) and queues one outbox row
per recipient and part. Cost grows with distinct (divisions, scope, window) groups × articles,
not with subscribers × articles.

- No divisions selected means no digest: `/berhenti` empties the list, `/langganan semua`
  stores every slug.
- A bot that was down at 07:00 finds next_digest_at in the past when it comes back and sends
  that digest once; next_digest_at then jumps to the next delivery time after now.
- The daily digest notifies (the reader asked for it at that time).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from digests.config import Settings
from digests.delivery import pages
from digests.delivery.compose import (
    RenderedDigest,
)
from digests.delivery.instant import release_held_instant
from digests.delivery.schedule import (
    format_time,
    next_delivery,
    parse_time,
)
from digests.delivery.selection import (
    SUBSCRIBER_BATCH,
    NewsWindow,
    render_group,
    scope_key,
    window_start,
)
from digests.store import outbox
from digests.store.db import Database
from digests.store.models import Subscriber
from digests.store.outbox import run
from digests.store.subscribers import not_paused
from digests.store.tables import SUBSCRIBERS
from digests.store.types import utcnow

log = logging.getLogger(__name__)

# --- scheduling -------------------------------------------------------------------------------


def _times_of(delivery_times: Sequence[str] | None, settings: Settings) -> tuple[str, ...]:
    """The stored times that parse; the default time if none do (one bad row must not stop
    everyone's digests)."""
    times = []
    for label in delivery_times or ():
        try:
            times.append(format_time(parse_time(str(label))))
        except ValueError:
            log.warning("ignoring unreadable delivery time %r", label)
    return tuple(times) or (format_time(settings.default_digest_time),)


def next_digest_at_for(
    subscriber: Subscriber, settings: Settings, now: datetime | None = None
) -> datetime | None:
    """When this subscriber's next scheduled digest is due (None for instant mode)."""
    if subscriber.instant:
        return None
    return next_delivery(
        now or utcnow(), _times_of(subscriber.delivery_times, settings), settings.tz
    )


async def reschedule(
    db: Database, subscriber: Subscriber, settings: Settings, *, now: datetime | None = None
) -> datetime | None:
    """Store the next due time after a /time change (or on registration); returns it.

    Reads delivery_times and instant from `subscriber` as given (the caller has saved them).
    """
    due = next_digest_at_for(subscriber, settings, now)
    async with db.session() as session:
        await run(
            session,
            update(SUBSCRIBERS).where(SUBSCRIBERS.c.id == subscriber.id).values(next_digest_at=due),
        )
        await session.commit()
    subscriber.next_digest_at = due
    return due


async def _schedule_unscheduled(db: Database, settings: Settings, now: datetime) -> None:
    """Subscribers created without a due time (e.g. by an older handler) get one, not a send."""
    async with db.session() as session:
        rows = (
            await run(
                session,
                select(SUBSCRIBERS.c.id, SUBSCRIBERS.c.delivery_times)
                .where(SUBSCRIBERS.c.active.is_(True))
                .where(SUBSCRIBERS.c.instant.is_(False))
                .where(SUBSCRIBERS.c.next_digest_at.is_(None))
                .limit(SUBSCRIBER_BATCH * 10),
            )
        ).all()
        if not rows:
            return
        by_times: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for row in rows:
            by_times[_times_of(row.delivery_times, settings)].append(row.id)
        for times, ids in by_times.items():
            due = next_delivery(now, times, settings.tz)
            await run(
                session,
                update(SUBSCRIBERS)
                .where(SUBSCRIBERS.c.id.in_(ids))
                .where(SUBSCRIBERS.c.next_digest_at.is_(None))
                .values(next_digest_at=due),
            )
        await session.commit()


# --- scheduled digests ------------------------------------------------------------------------


async def enqueue_due_digests(db: Database, settings: Settings, now: datetime | None = None) -> int:
    """Claim every subscriber whose digest is due, queue their digests; returns messages queued.

    Works in batches of `SUBSCRIBER_BATCH` subscribers, each claimed and queued in one short
    transaction, so the event loop and the database stay available to everyone else.
    """
    now = now or utcnow()
    tz = settings.tz
    await _schedule_unscheduled(db, settings, now)
    window = NewsWindow(end=now)
    rendered: dict[_GroupKey, RenderedDigest] = {}
    # The daily digest notifies: it is what the reader asked for at that hour.
    bodies = pages.DigestBodies(disable_notification=False)
    queued = 0
    after_id = 0
    while True:
        async with db.session() as session:
            candidates = (
                await run(
                    session,
                    select(
                        SUBSCRIBERS.c.id,
                        SUBSCRIBERS.c.chat_id,
                        SUBSCRIBERS.c.divisions,
                        SUBSCRIBERS.c.regions,
                        SUBSCRIBERS.c.delivery_times,
                        SUBSCRIBERS.c.digest_watermark,
                        SUBSCRIBERS.c.next_digest_at,
                    )
                    .where(SUBSCRIBERS.c.active.is_(True))
                    .where(SUBSCRIBERS.c.instant.is_(False))
                    .where(SUBSCRIBERS.c.next_digest_at <= now)
                    .where(not_paused(now))  # a paused reader's digest waits for the pause
                    .where(SUBSCRIBERS.c.id > after_id)
                    .order_by(SUBSCRIBERS.c.id)
                    .limit(SUBSCRIBER_BATCH),
                )
            ).all()
            if not candidates:
                break
            after_id = candidates[-1].id
            starts = {c.id: window_start(c.digest_watermark, now, settings) for c in candidates}
            await window.cover(session, min(starts.values()))
        # Render outside any transaction: pure CPU, once per distinct group.
        for c in candidates:
            key = _group_key(c, starts)
            if key not in rendered:
                rendered[key] = render_group(
                    window, key[2], key[0], tz, now, settings.digest_items_per_division, key[1]
                )
                await asyncio.sleep(0)
        queued += await _claim_and_queue(db, settings, candidates, starts, rendered, bodies, now)
        await asyncio.sleep(0)
    # This job runs every minute: the instant pushes held overnight leave at 06.00 sharp.
    queued += await release_held_instant(db, settings, now=now)
    await pages.prune(db, settings, now=now)  # "Lainnya" pages older than the news horizon
    if queued:
        log.info("queued %d digest message(s)", queued)
    return queued


_GroupKey = tuple[frozenset[str], frozenset[str], datetime]  # divisions, scope, window start


def _group_key(candidate: Any, starts: dict[int, datetime]) -> _GroupKey:
    """Subscribers with the same key receive the same digest."""
    return (
        frozenset(candidate.divisions or ()),
        scope_key(candidate.regions),
        starts[candidate.id],
    )


async def _claim_and_queue(
    db: Database,
    settings: Settings,
    candidates: Sequence[Any],
    starts: dict[int, datetime],
    rendered: dict[_GroupKey, RenderedDigest],
    bodies: pages.DigestBodies,
    now: datetime,
) -> int:
    by_times: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for c in candidates:
        by_times[_times_of(c.delivery_times, settings)].append(c.id)
    async with db.session() as session:
        # The claim comes first so a SQLite transaction takes the write lock before reading.
        claimed: set[int] = set()
        for times, ids in by_times.items():
            due = next_delivery(now, times, settings.tz)
            result = await run(
                session,
                update(SUBSCRIBERS)
                .where(SUBSCRIBERS.c.id.in_(ids))
                .where(SUBSCRIBERS.c.next_digest_at <= now)
                .where(SUBSCRIBERS.c.active.is_(True))
                .where(SUBSCRIBERS.c.instant.is_(False))
                .values(next_digest_at=due, digest_watermark=now)
                .returning(SUBSCRIBERS.c.id),
            )
            claimed.update(result.scalars().all())
        winners = [c for c in candidates if c.id in claimed]
        await bodies.store(session, [rendered[_group_key(c, starts)] for c in winners], now=now)
        rows = []
        for c in winners:
            digest = rendered[_group_key(c, starts)]
            slot = c.next_digest_at.strftime("%Y%m%dT%H%M")
            rows += outbox.message_rows(
                c.chat_id,
                bodies.ids(digest),
                kind="digest",
                key=f"digest:{c.id}:{slot}",
                due=now,
            )
        queued = await outbox.enqueue(session, rows)
        await session.commit()
    return queued
