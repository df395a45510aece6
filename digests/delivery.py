"""From stored articles to queued messages: scheduled digests, instant pushes, broadcasts.

The database decides what is due. `enqueue_due_digests` runs every minute; it claims due
subscribers with a compare-and-set UPDATE (two processes never both take one), renders each
distinct digest once, stores each distinct text once (`MessageBody`) and queues one outbox row
per recipient and part. Cost grows with distinct (divisions, window) groups × articles, not
with subscribers × articles.

Decisions worth knowing:
- No divisions selected means no digest: `/berhenti` empties the list, `/langganan semua`
  stores every slug.
- The digest window is (digest_watermark, claim time]; a subscriber never served looks back
  24 hours, and no window reaches further back than `NEWS_HORIZON_DAYS`.
- A story already shown in an earlier window is not shown again when another site republishes
  it later.
- On-demand `/digest` (`build_digest_for`) shows what the next scheduled digest would hold and
  does not move the watermark, so the scheduled digest still arrives complete.
- A bot that was down at 07:00 finds next_digest_at in the past when it comes back and sends
  that digest once; next_digest_at then jumps to the next delivery time after now.
- Digests and instant pushes honour the reader's region scope (`Subscriber.regions`); renders
  are shared per distinct (divisions, scope, window).
- The daily digest notifies (the reader asked for it at that time); instant pushes are silent,
  one message per crawl per reader, and none between 21.00 and 06.00 (held until 06.00).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.compose import (
    FULL_ITEMS_PER_DIVISION,
    SCOPE_ALL,
    DigestEntry,
    RenderedDigest,
    entries_from_articles,
    in_scope,
    instant_header,
    render_announcement,
    render_broadcast_report,
    render_entries_digest,
    scope_everywhere,
)
from digests.config import Settings
from digests.schedule import (
    QUIET_END,
    format_time,
    in_quiet_hours,
    next_delivery,
    parse_time,
    quiet_hours_end,
)
from digests.store import outbox
from digests.store.db import Database
from digests.store.models import Article, Broadcast, OutboxItem, Subscriber
from digests.store.outage import retry_unavailable
from digests.store.outbox import run, scalar
from digests.store.types import utcnow

log = logging.getLogger(__name__)

FIRST_DIGEST_LOOKBACK = timedelta(hours=24)
# Part n of a multi-part message becomes due n seconds after part 0: Telegram's per-chat pace
# anyway, and since the sender claims oldest-due first, a batch holds the first parts of many
# chats instead of every part of a few (whose pace would then cap the whole send).
PART_SPACING = timedelta(seconds=1)
SUBSCRIBER_BATCH = 1000
INSTANT_PATIENCE = 300.0  # seconds of database outage an instant push waits out

_subs = Subscriber.__table__  # type: ignore[attr-defined]
_articles = Article.__table__  # type: ignore[attr-defined]
_broadcasts = Broadcast.__table__  # type: ignore[attr-defined]
_outbox = OutboxItem.__table__  # type: ignore[attr-defined]

_ARTICLE_COLUMNS = (
    _articles.c.id,
    _articles.c.url,
    _articles.c.source_name,
    _articles.c.story_id,
    _articles.c.title,
    _articles.c.published_at,
    _articles.c.lead,
    _articles.c.quotes,
    _articles.c.divisions,
    _articles.c.first_seen_at,
    _articles.c.region,
    _articles.c.division_scores,
)


@dataclass(frozen=True, slots=True)
class BroadcastReport:
    """How a broadcast went, counted per recipient (a multi-part message counts once)."""

    sent: int
    failed: int
    blocked: int
    pending: int

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.blocked + self.pending


# --- windows and articles ---------------------------------------------------------------------


def window_start(watermark: datetime | None, now: datetime, settings: Settings) -> datetime:
    """Where a subscriber's next digest starts (exclusive)."""
    start = watermark if watermark is not None else now - FIRST_DIGEST_LOOKBACK
    horizon = now - timedelta(days=max(settings.news_horizon_days, 1))
    return max(start, horizon)


class NewsWindow:
    """News articles seen in (start, end], loaded once and sliced per subscriber group.

    Knows when each story was first seen, so a story republished inside the window but first
    shown before it is left out.
    """

    def __init__(self, end: datetime) -> None:
        self.end = end
        self.start: datetime | None = None
        self.rows: list[Any] = []
        self.story_first_seen: dict[int, datetime] = {}
        # Entries per window start: every division selection with that start shares them, so
        # 500 articles become entries once, not once per distinct selection.
        self._entries: dict[datetime, list[DigestEntry]] = {}
        # ... and per (start, region scope): thousands of selections share a few scopes.
        self._scoped: dict[tuple[datetime, frozenset[str]], list[DigestEntry]] = {}

    async def cover(self, session: AsyncSession, start: datetime) -> None:
        if self.start is not None and start >= self.start:
            return
        rows = (
            await run(
                session,
                select(*_ARTICLE_COLUMNS)
                .where(_articles.c.is_news.is_(True))
                .where(_articles.c.first_seen_at > start)
                .where(_articles.c.first_seen_at <= self.end)
                .order_by(_articles.c.first_seen_at, _articles.c.id),
            )
        ).all()
        story_ids = sorted({r.story_id for r in rows if r.story_id is not None})
        firsts: dict[int, datetime] = {}
        for chunk_start in range(0, len(story_ids), 1000):
            chunk = story_ids[chunk_start : chunk_start + 1000]
            result = await run(
                session,
                select(_articles.c.story_id, func.min(_articles.c.first_seen_at))
                .where(_articles.c.story_id.in_(chunk))
                .where(_articles.c.is_news.is_(True))
                .group_by(_articles.c.story_id),
            )
            for story_id, first in result:
                firsts[story_id] = _utc(first)
        self.rows, self.story_first_seen, self.start = rows, firsts, start
        self._entries.clear()
        self._scoped.clear()

    def entries_after(self, start: datetime) -> list[DigestEntry]:
        entries = self._entries.get(start)
        if entries is None:
            entries = self._entries[start] = entries_from_articles(self.articles_after(start))
        return entries

    def entries_in_scope(self, start: datetime, scope: frozenset[str]) -> list[DigestEntry]:
        key = (start, scope)
        entries = self._scoped.get(key)
        if entries is None:
            entries = [e for e in self.entries_after(start) if in_scope(e.regions, scope)]
            self._scoped[key] = entries
        return entries

    def articles_after(self, start: datetime) -> list[Any]:
        return [
            row
            for row in self.rows
            if _utc(row.first_seen_at) > start
            and (row.story_id is None or self.story_first_seen[row.story_id] > start)
        ]


def _utc(value: datetime) -> datetime:
    """Aggregates (MIN) bypass the column type on SQLite and come back as naive strings."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def scope_key(regions: Collection[str] | None) -> frozenset[str]:
    """A reader's region scope as a grouping key: every spelling of "everything" is one key."""
    if scope_everywhere(regions):
        return frozenset({SCOPE_ALL})
    return frozenset(regions or ())


def _render_group(
    window: NewsWindow,
    start: datetime,
    divisions: Collection[str],
    tz: tzinfo,
    when: datetime,
    max_per_division: int | None,
    scope: Collection[str] | None = None,
) -> RenderedDigest:
    if not divisions:
        return RenderedDigest()
    entries = (
        window.entries_after(start)
        if scope is None
        else window.entries_in_scope(start, frozenset(scope))
    )
    return render_entries_digest(
        entries,
        selected=divisions,
        tz=tz,
        when=when,
        max_per_division=max_per_division,
        scope=scope,
    )


# --- on demand --------------------------------------------------------------------------------


async def build_digest_for(
    db: Database,
    subscriber: Subscriber,
    settings: Settings,
    *,
    since: datetime | None = None,
    now: datetime | None = None,
) -> list[str]:
    """The digest this subscriber would get now, without moving their watermark.

    Instant subscribers have no pending digest (each article was pushed), so they get the last
    24 hours. An empty list means nothing new.
    """
    now = now or utcnow()
    if since is None:
        watermark = None if subscriber.instant else subscriber.digest_watermark
        since = window_start(watermark, now, settings)
    window = NewsWindow(end=now)
    async with db.session() as session:
        await window.cover(session, since)
    return _render_group(
        window,
        since,
        subscriber.divisions or [],
        settings.tz,
        now,
        settings.digest_items_per_division,
        scope_key(getattr(subscriber, "regions", None)),
    ).parts


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
            session, update(_subs).where(_subs.c.id == subscriber.id).values(next_digest_at=due)
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
                select(_subs.c.id, _subs.c.delivery_times)
                .where(_subs.c.active.is_(True))
                .where(_subs.c.instant.is_(False))
                .where(_subs.c.next_digest_at.is_(None))
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
                update(_subs)
                .where(_subs.c.id.in_(ids))
                .where(_subs.c.next_digest_at.is_(None))
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
    body_ids: dict[str, int] = {}
    queued = 0
    after_id = 0
    while True:
        async with db.session() as session:
            candidates = (
                await run(
                    session,
                    select(
                        _subs.c.id,
                        _subs.c.chat_id,
                        _subs.c.divisions,
                        _subs.c.regions,
                        _subs.c.delivery_times,
                        _subs.c.digest_watermark,
                        _subs.c.next_digest_at,
                    )
                    .where(_subs.c.active.is_(True))
                    .where(_subs.c.instant.is_(False))
                    .where(_subs.c.next_digest_at <= now)
                    .where(_subs.c.id > after_id)
                    .order_by(_subs.c.id)
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
                rendered[key] = _render_group(
                    window, key[2], key[0], tz, now, settings.digest_items_per_division, key[1]
                )
                await asyncio.sleep(0)
        queued += await _claim_and_queue(db, settings, candidates, starts, rendered, body_ids, now)
        await asyncio.sleep(0)
    # This job runs every minute: the instant pushes held overnight leave at 06.00 sharp.
    queued += await release_held_instant(db, settings, now=now)
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
    body_ids: dict[str, int],
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
                update(_subs)
                .where(_subs.c.id.in_(ids))
                .where(_subs.c.next_digest_at <= now)
                .where(_subs.c.active.is_(True))
                .where(_subs.c.instant.is_(False))
                .values(next_digest_at=due, digest_watermark=now)
                .returning(_subs.c.id),
            )
            claimed.update(result.scalars().all())
        winners = [c for c in candidates if c.id in claimed]
        new_texts = sorted(
            {
                part
                for c in winners
                for part in rendered[_group_key(c, starts)].parts
                if part not in body_ids
            }
        )
        # The daily digest notifies: it is what the reader asked for at that hour.
        ids = await outbox.insert_bodies(session, new_texts, disable_notification=False, now=now)
        body_ids.update(zip(new_texts, ids, strict=True))
        rows = []
        for c in winners:
            digest = rendered[_group_key(c, starts)]
            slot = c.next_digest_at.strftime("%Y%m%dT%H%M")
            for index, part in enumerate(digest.parts):
                rows.append(
                    {
                        "chat_id": c.chat_id,
                        "body_id": body_ids[part],
                        "kind": "digest",
                        "dedupe_key": f"digest:{c.id}:{slot}:{index}",
                        "next_attempt_at": now + PART_SPACING * index,
                    }
                )
        queued = await outbox.enqueue(session, rows)
        await session.commit()
    return queued


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
                select(_articles.c.id)
                .where(_articles.c.push_pending.is_(True))
                .order_by(_articles.c.id),
            )
            return [row.id for row in rows.all()]

    async def clear(ids: list[int]) -> None:
        async with db.session() as session:
            await run(
                session,
                update(_articles).where(_articles.c.id.in_(ids)).values(push_pending=False),
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
            select(_articles.c.story_id, _articles.c.id, _articles.c.first_seen_at).where(
                _articles.c.story_id.in_(chunk)
            ),
        )
        for story_id, article_id, seen in result:
            candidate = (_utc(seen), article_id)
            if story_id not in first or candidate < first[story_id]:
                first[story_id] = candidate
    return [row for row in rows if row.story_id is None or first[row.story_id][1] in in_batch]


async def _enqueue_instant(db: Database, settings: Settings, ids: list[int], now: datetime) -> int:
    async with db.session() as session:
        rows = (
            await run(
                session,
                select(*_ARTICLE_COLUMNS)
                .where(_articles.c.id.in_(ids))
                .where(_articles.c.is_news.is_(True)),
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
                    select(_subs.c.id, _subs.c.chat_id, _subs.c.divisions, _subs.c.regions)
                    .where(_subs.c.active.is_(True))
                    .where(_subs.c.instant.is_(True))
                    .where(_subs.c.id > after_id)
                    .order_by(_subs.c.id)
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
                {
                    "chat_id": sub.chat_id,
                    "body_id": body_ids[part],
                    "kind": "instant",
                    "dedupe_key": f"instant:{sub.id}:{batch[:16]}:{index}",
                    "next_attempt_at": due + PART_SPACING * index,
                }
                for sub, digest in plan
                for index, part in enumerate(digest.parts)
            ]
            queued += await outbox.enqueue(session, rows_out)
            # Pushed news is not news for a later digest if they switch back to fixed times.
            await run(
                session,
                update(_subs)
                .where(_subs.c.id.in_([s.id for s in subscribers]))
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


# --- broadcasts -------------------------------------------------------------------------------


def _broadcast_reaches(subscriber_divisions: Collection[str], wanted: Collection[str]) -> bool:
    """No divisions on the broadcast: every active subscriber; else those following any."""
    if not wanted:
        return True
    return bool(set(subscriber_divisions or ()) & set(wanted))


async def _broadcast_recipients(
    session: AsyncSession, divisions: Collection[str]
) -> list[tuple[int, int]]:
    """(subscriber id, chat id) of everyone a broadcast to `divisions` reaches."""
    rows = await run(
        session,
        select(_subs.c.id, _subs.c.chat_id, _subs.c.divisions)
        .where(_subs.c.active.is_(True))
        .order_by(_subs.c.id),
    )
    return [(r.id, r.chat_id) for r in rows if _broadcast_reaches(r.divisions or (), divisions)]


async def count_broadcast_recipients(db: Database, divisions: Collection[str]) -> int:
    """How many active subscribers a broadcast to `divisions` (empty: everyone) would reach."""
    async with db.session() as session:
        return len(await _broadcast_recipients(session, divisions))


async def enqueue_broadcast(db: Database, broadcast_id: int, *, now: datetime | None = None) -> int:
    """Queue a confirmed broadcast for every recipient; returns the number of recipients.

    One transaction: the sender sees all of the broadcast's rows or none, so it cannot mistake
    a half-queued broadcast for a finished one. Calling it again is harmless (dedupe keys), and
    a cancelled broadcast queues nothing.
    """
    now = now or utcnow()
    async with db.session() as session:
        # Take the write lock first (SQLite) and re-read the row under it.
        await run(
            session,
            update(_broadcasts)
            .where(_broadcasts.c.id == broadcast_id)
            .where(_broadcasts.c.status.in_(("preview", "sending")))
            .values(status="sending", confirmed_at=func.coalesce(_broadcasts.c.confirmed_at, now)),
        )
        row = (
            await run(session, select(_broadcasts).where(_broadcasts.c.id == broadcast_id))
        ).one_or_none()
        if row is None or row.status != "sending":
            await session.rollback()
            return 0
        if row.recipients and await _has_items(session, broadcast_id):
            await session.rollback()
            return row.recipients
        recipients = await _broadcast_recipients(session, row.divisions or ())
        parts = render_announcement(row.text)
        body_ids = await outbox.insert_bodies(session, parts, disable_notification=False, now=now)
        items = [
            {
                "chat_id": chat_id,
                "body_id": body_id,
                "kind": "announcement",
                "broadcast_id": broadcast_id,
                "dedupe_key": f"broadcast:{broadcast_id}:{subscriber_id}:{index}",
                "next_attempt_at": now + PART_SPACING * index,
            }
            for subscriber_id, chat_id in recipients
            for index, body_id in enumerate(body_ids)
        ]
        await outbox.enqueue(session, items)
        await run(
            session,
            update(_broadcasts)
            .where(_broadcasts.c.id == broadcast_id)
            .values(recipients=len(recipients)),
        )
        await session.commit()
    if not recipients:
        await finish_broadcast_if_done(db, broadcast_id, now=now, allow_empty=True)
    return len(recipients)


async def _has_items(session: AsyncSession, broadcast_id: int) -> bool:
    found = await scalar(
        session, select(_outbox.c.id).where(_outbox.c.broadcast_id == broadcast_id).limit(1)
    )
    return found is not None


async def broadcast_report(db: Database, broadcast_id: int) -> BroadcastReport:
    """Per recipient: blocked if any part was skipped (blocked/deactivated), else failed if any
    part failed, else pending while any part waits, else sent."""
    async with db.session() as session:
        return await _broadcast_report(session, broadcast_id)


async def _broadcast_report(session: AsyncSession, broadcast_id: int) -> BroadcastReport:
    rows = await run(
        session,
        select(_outbox.c.chat_id, _outbox.c.status, func.count())
        .where(_outbox.c.broadcast_id == broadcast_id)
        .group_by(_outbox.c.chat_id, _outbox.c.status),
    )
    per_chat: dict[int, set[str]] = defaultdict(set)
    for chat_id, status, _count in rows:
        per_chat[chat_id].add(status)
    sent = failed = blocked = pending = 0
    for statuses in per_chat.values():
        if outbox.SKIPPED in statuses:
            blocked += 1
        elif outbox.FAILED in statuses:
            failed += 1
        elif statuses & set(outbox.OPEN_STATUSES):
            pending += 1
        else:
            sent += 1
    return BroadcastReport(sent=sent, failed=failed, blocked=blocked, pending=pending)


async def finish_broadcast_if_done(
    db: Database,
    broadcast_id: int,
    *,
    now: datetime | None = None,
    queue_report: bool = True,
    allow_empty: bool = False,
) -> BroadcastReport | None:
    """Close a broadcast whose messages are all settled; exactly once across processes.

    Returns the report to whoever won the race (None otherwise). With `queue_report` the admin's
    report message goes into the outbox in the same transaction, so it is sent like any other
    message and survives a crash. A broadcast with no rows yet is being queued right now, not
    finished, unless `allow_empty` (it reached nobody).
    """
    now = now or utcnow()
    async with db.session() as session:
        if await outbox.open_count(session, broadcast_id=broadcast_id):
            return None
        if not allow_empty and not await _has_items(session, broadcast_id):
            return None
        result = await run(
            session,
            update(_broadcasts)
            .where(_broadcasts.c.id == broadcast_id)
            .where(_broadcasts.c.report_sent.is_(False))
            .where(_broadcasts.c.status == "sending")
            .values(report_sent=True, status="done", finished_at=now)
            .returning(_broadcasts.c.admin_chat_id),
        )
        admin_chat = result.scalar_one_or_none()
        if admin_chat is None:
            await session.rollback()
            return None
        # Re-check under the lock: a row may have been requeued between the count and the claim.
        if await outbox.open_count(session, broadcast_id=broadcast_id):
            await session.rollback()
            return None
        report = await _broadcast_report(session, broadcast_id)
        if queue_report:
            await queue_broadcast_report(session, broadcast_id, admin_chat, report, now=now)
        await session.commit()
    return report


async def queue_broadcast_report(
    session: AsyncSession,
    broadcast_id: int,
    admin_chat_id: int,
    report: BroadcastReport,
    *,
    now: datetime,
) -> None:
    text = render_broadcast_report(
        broadcast_id,
        sent=report.sent,
        failed=report.failed,
        blocked=report.blocked,
        pending=report.pending,
    )
    (body_id,) = await outbox.insert_bodies(session, [text], disable_notification=False, now=now)
    await outbox.enqueue(
        session,
        [
            {
                "chat_id": admin_chat_id,
                "body_id": body_id,
                "kind": "report",
                "dedupe_key": f"broadcast-report:{broadcast_id}",
                "next_attempt_at": now,
            }
        ],
    )


async def queue_report_for(
    db: Database, broadcast_id: int, report: BroadcastReport, *, now: datetime | None = None
) -> None:
    """Queue the admin's report for a closed broadcast (when a report hook could not send it)."""
    now = now or utcnow()
    async with db.session() as session:
        admin_chat = await scalar(
            session,
            select(_broadcasts.c.admin_chat_id).where(_broadcasts.c.id == broadcast_id),
        )
        if admin_chat is None:
            return
        await queue_broadcast_report(session, broadcast_id, admin_chat, report, now=now)
        await session.commit()


async def unfinished_broadcasts(db: Database) -> list[int]:
    """Broadcasts still sending (for a sweep after a restart)."""
    async with db.session() as session:
        rows = await run(
            session,
            select(_broadcasts.c.id)
            .where(_broadcasts.c.status == "sending")
            .where(_broadcasts.c.report_sent.is_(False)),
        )
        return list(rows.scalars().all())
