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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from digests.config import Settings
from digests.delivery import pages, selection
from digests.delivery.entries import DigestEntry
from digests.delivery.instant import release_held_instant
from digests.delivery.render import RenderedDigest
from digests.delivery.schedule import format_time, next_delivery, parse_time
from digests.delivery.selection import SUBSCRIBER_BATCH, NewsWindow, scope_key, window_start
from digests.store import outbox
from digests.store import subscribers as store_subscribers
from digests.store.db import Database
from digests.store.models import Subscriber
from digests.store.subscribers import Reader
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


def plan_next_due(
    readers: Iterable[Reader], now: datetime, settings: Settings
) -> dict[datetime, list[int]]:
    """The readers' ids by their next due time after `now` (from their delivery times), so a
    whole batch moves on in one statement per distinct time."""
    by_times: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for reader in readers:
        by_times[_times_of(reader.delivery_times, settings)].append(reader.id)
    planned: dict[datetime, list[int]] = defaultdict(list)
    for times, ids in by_times.items():
        planned[next_delivery(now, times, settings.tz)] += ids
    return dict(planned)


async def reschedule(
    db: Database, subscriber: Subscriber, settings: Settings, *, now: datetime | None = None
) -> datetime | None:
    """Store the next due time after a /time change (or on registration); returns it.

    Reads delivery_times and instant from `subscriber` as given (the caller has saved them).
    """
    due = next_digest_at_for(subscriber, settings, now)
    assert subscriber.id is not None
    await store_subscribers.set_next_digest_at(db, subscriber.id, due)
    subscriber.next_digest_at = due
    return due


async def _schedule_unscheduled(db: Database, settings: Settings, now: datetime) -> None:
    """Subscribers created without a due time (e.g. by an older handler) get one, not a send."""
    async with db.session() as session:
        readers = await store_subscribers.unscheduled_readers(session, SUBSCRIBER_BATCH * 10)
        if not readers:
            return
        for due, ids in plan_next_due(readers, now, settings).items():
            await store_subscribers.schedule_unscheduled(session, ids, due)
        await session.commit()


# --- planning: who receives which selection ----------------------------------------------------

_GroupKey = tuple[frozenset[str], frozenset[str], datetime]  # divisions, scope, window start


@dataclass(slots=True)
class DigestGroup:
    """Readers who receive the same digest: one division selection, region scope and window.

    `entries` are the window's stories in that scope; the digest shows those of `divisions`
    (a reader without divisions is claimed, and gets no message).
    """

    divisions: frozenset[str]
    scope: frozenset[str]
    start: datetime
    entries: list[DigestEntry]
    readers: list[Reader] = field(default_factory=list)

    @property
    def key(self) -> _GroupKey:
        return (self.divisions, self.scope, self.start)


def plan_groups(
    readers: Iterable[Reader], window: NewsWindow, now: datetime, settings: Settings
) -> list[DigestGroup]:
    """Group due readers by the digest they receive, in order of their first reader.

    Each reader's window starts at their watermark (24 hours back if never served, never past
    the news horizon); `window` must cover the earliest start (`NewsWindow.covers`).
    """
    groups: dict[_GroupKey, DigestGroup] = {}
    for reader in readers:
        start = window_start(reader.digest_watermark, now, settings)
        key = (frozenset(reader.divisions or ()), scope_key(reader.regions), start)
        group = groups.get(key)
        if group is None:
            group = groups[key] = DigestGroup(
                divisions=key[0],
                scope=key[1],
                start=start,
                entries=window.entries_in_scope(start, key[1]),
            )
        group.readers.append(reader)
    return list(groups.values())


def earliest_start(readers: Iterable[Reader], now: datetime, settings: Settings) -> datetime:
    """How far back the news window must reach for these readers."""
    return min(window_start(r.digest_watermark, now, settings) for r in readers)


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
            candidates = await store_subscribers.due_readers(
                session, now, after_id=after_id, limit=SUBSCRIBER_BATCH
            )
            if not candidates:
                break
            after_id = candidates[-1].id
            await window.cover(session, earliest_start(candidates, now, settings))
        groups = plan_groups(candidates, window, now, settings)
        # Render outside any transaction: pure CPU, once per distinct group.
        for group in groups:
            if group.key not in rendered:
                rendered[group.key] = selection.render_group(
                    window,
                    group.start,
                    group.divisions,
                    tz,
                    now,
                    settings.digest_items_per_division,
                    group.scope,
                )
                await asyncio.sleep(0)
        queued += await _claim_and_queue(db, settings, groups, rendered, bodies, now)
        await asyncio.sleep(0)
    # This job runs every minute: the instant pushes held overnight leave at 06.00 sharp.
    queued += await release_held_instant(db, settings, now=now)
    await pages.prune(db, settings, now=now)  # "Lainnya" pages older than the news horizon
    if queued:
        log.info("queued %d digest message(s)", queued)
    return queued


async def _claim_and_queue(
    db: Database,
    settings: Settings,
    groups: Sequence[DigestGroup],
    rendered: dict[_GroupKey, RenderedDigest],
    bodies: pages.DigestBodies,
    now: datetime,
) -> int:
    readers = [reader for group in groups for reader in group.readers]
    async with db.session() as session:
        # The claim comes first so a SQLite transaction takes the write lock before reading.
        claimed: set[int] = set()
        for due, ids in plan_next_due(readers, now, settings).items():
            claimed |= await store_subscribers.claim_due_readers(session, ids, now, due)
        # In id order, as they were read: the outbox sends in the order rows are queued.
        winners = sorted(
            (
                (reader, rendered[group.key])
                for group in groups
                for reader in group.readers
                if reader.id in claimed
            ),
            key=lambda pair: pair[0].id,
        )
        await bodies.store(session, [digest for _, digest in winners], now=now)
        rows = []
        for reader, digest in winners:
            assert reader.next_digest_at is not None  # due readers have one
            slot = reader.next_digest_at.strftime("%Y%m%dT%H%M")
            rows += outbox.message_rows(
                reader.chat_id,
                bodies.ids(digest),
                kind="digest",
                key=f"digest:{reader.id}:{slot}",
                due=now,
            )
        queued = await outbox.enqueue(session, rows)
        await session.commit()
    return queued
