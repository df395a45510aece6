"""Instant pushes: one silent message per crawl per reader with everything new in their
divisions and scope; none between 21.00 and 06.00 WIB (held, then sent at 06.00 as one).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from digests.config import Settings
from digests.delivery.entries import DigestEntry, entries_from_articles, story_key
from digests.delivery.render import (
    FULL_ITEMS_PER_DIVISION,
    RenderedDigest,
    instant_header,
    render_entries_digest,
)
from digests.delivery.schedule import (
    QUIET_END,
    in_quiet_hours,
    quiet_hours_end,
)
from digests.delivery.selection import SUBSCRIBER_BATCH, scope_key
from digests.store import digests as store_digests
from digests.store import outbox
from digests.store import subscribers as store_subscribers
from digests.store.db import Database
from digests.store.outage import retry_unavailable
from digests.store.subscribers import Reader
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
            return await store_digests.articles_awaiting_push(session)

    async def clear(ids: list[int]) -> None:
        async with db.session() as session:
            await store_digests.clear_push_pending(session, ids)
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


# --- planning: which stories are new, who receives which selection ------------------------------


def new_stories(rows: Sequence[Any], first_copy: Mapping[int, tuple[datetime, int]]) -> list[Any]:
    """The rows of stories first seen in this batch: a republication of a story stored before
    (pushed then, or found old) is not new. `first_copy` holds each story's earliest copy,
    (first seen, article id), as `store.digests.stories_first_copy` reads it."""
    in_batch = {row.id for row in rows}
    return [row for row in rows if row.story_id is None or first_copy[row.story_id][1] in in_batch]


def instant_due(now: datetime, settings: Settings) -> datetime:
    """When a push found at `now` falls due: at once, or at 06.00 after the quiet hours."""
    return quiet_hours_end(now, settings.tz) if settings.instant_quiet_hours else now


def batch_key(entries: Iterable[DigestEntry]) -> str:
    """Names a crawl's stories: a rerun with the same articles finds its rows already queued."""
    return hashlib.sha1(
        "|".join(sorted(story_key(e.story_id, e.article_id, e.url) for e in entries)).encode()
    ).hexdigest()


_SelectionKey = tuple[frozenset[str], frozenset[str]]  # divisions, scope


@dataclass(slots=True)
class InstantGroup:
    """Instant readers who receive the same push: one division selection and region scope."""

    divisions: frozenset[str]
    scope: frozenset[str]
    readers: list[Reader] = field(default_factory=list)

    @property
    def key(self) -> _SelectionKey:
        return (self.divisions, self.scope)


def plan_instant(readers: Iterable[Reader]) -> list[InstantGroup]:
    """Group instant readers by what they receive of one crawl's stories, in order of their
    first reader (each group's push is rendered once)."""
    groups: dict[_SelectionKey, InstantGroup] = {}
    for reader in readers:
        key = (frozenset(reader.divisions or ()), scope_key(reader.regions))
        group = groups.get(key)
        if group is None:
            group = groups[key] = InstantGroup(divisions=key[0], scope=key[1])
        group.readers.append(reader)
    return list(groups.values())


async def _enqueue_instant(db: Database, settings: Settings, ids: list[int], now: datetime) -> int:
    async with db.session() as session:
        rows = await store_digests.news_articles(session, ids)
        if rows:
            first_copy = await store_digests.stories_first_copy(
                session, (row.story_id for row in rows if row.story_id is not None)
            )
            rows = new_stories(rows, first_copy)
    entries = entries_from_articles(rows)
    if not entries:
        return 0
    due = instant_due(now, settings)
    batch = batch_key(entries)
    # One render per distinct (divisions, scope).
    rendered: dict[_SelectionKey, RenderedDigest] = {}
    body_ids: dict[str, int] = {}
    queued = 0
    after_id = 0
    while True:
        async with db.session() as session:
            readers = await store_subscribers.instant_readers(
                session, now, after_id=after_id, limit=SUBSCRIBER_BATCH
            )
            if not readers:
                await session.rollback()
                break
            after_id = readers[-1].id
            plan = []
            for group in plan_instant(readers):
                if group.key not in rendered:
                    rendered[group.key] = _render_instant(entries, group.key, settings.tz, now)
                if rendered[group.key].parts:
                    plan += [(reader, rendered[group.key]) for reader in group.readers]
            plan.sort(key=lambda pair: pair[0].id)  # the outbox sends in the order queued
            new_texts = sorted({p for _, d in plan for p in d.parts if p not in body_ids})
            if new_texts:
                new_ids = await outbox.insert_bodies(
                    session, new_texts, disable_notification=True, now=now
                )
                body_ids.update(zip(new_texts, new_ids, strict=True))
            rows_out = [
                row
                for reader, digest in plan
                for row in outbox.message_rows(
                    reader.chat_id,
                    [body_ids[part] for part in digest.parts],
                    kind="instant",
                    key=f"instant:{reader.id}:{batch[:16]}",
                    due=due,
                )
            ]
            queued += await outbox.enqueue(session, rows_out)
            # Pushed news is not news for a later digest if they switch back to fixed times.
            await store_subscribers.advance_watermarks(session, [r.id for r in readers], now)
            await session.commit()
        await asyncio.sleep(0)
    return queued


def _render_instant(
    entries: Sequence[DigestEntry],
    key: _SelectionKey,
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
        header=instant_header,
        scope=scope,
        full_items=FULL_ITEMS_PER_DIVISION,  # every story listed, the best in full
    )
