"""Which stored stories a reader's digest holds: the news window, the scope, the on-demand digest.

A digest's window is (digest_watermark, claim time]; a subscriber never served looks back
24 hours, and no window reaches further back than `NEWS_HORIZON_DAYS`. A story already shown in
an earlier window is not shown again when another site republishes it later. On-demand
`/digest` (`render_digest_for`) shows what the next scheduled digest would hold and does not move
the watermark, so the scheduled digest still arrives complete. Renders are shared per distinct
(divisions, scope, window).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from digests.config import Settings
from digests.delivery.entries import DigestEntry, entries_from_articles
from digests.delivery.render import RenderedDigest, render_entries_digest
from digests.model import as_utc
from digests.scope import SCOPE_ALL, in_scope, scope_everywhere
from digests.store import digests as store_digests
from digests.store.db import Database, Session
from digests.store.models import Subscriber
from digests.store.types import utcnow

FIRST_DIGEST_LOOKBACK = timedelta(hours=24)
SUBSCRIBER_BATCH = 1000


# --- windows and articles ---------------------------------------------------------------------


def window_start(watermark: datetime | None, now: datetime, settings: Settings) -> datetime:
    """Where a subscriber's next digest starts (exclusive)."""
    start = watermark if watermark is not None else now - FIRST_DIGEST_LOOKBACK
    horizon = now - timedelta(days=max(settings.news_horizon_days, 1))
    return max(start, horizon)


class NewsWindow:
    """News articles seen in (start, end], loaded once and sliced per subscriber group.

    Knows when each story was first seen, so a story republished inside the window but first
    shown before it is left out. Pure: `fill` gives it what `store.digests.news_window` read.
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

    def covers(self, start: datetime) -> bool:
        """Whether the loaded articles reach back to `start` already."""
        return self.start is not None and start >= self.start

    def fill(
        self, start: datetime, rows: Sequence[Any], story_first_seen: Mapping[int, datetime]
    ) -> None:
        """The news first seen in (start, end] and when each of its stories was first seen."""
        self.rows, self.story_first_seen, self.start = list(rows), dict(story_first_seen), start
        self._entries.clear()
        self._scoped.clear()

    async def cover(self, session: Session, start: datetime) -> None:
        """Load (once) the news from `start` on, reading it in `session`."""
        if not self.covers(start):
            self.fill(start, *await store_digests.news_window(session, start, self.end))

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
            if as_utc(row.first_seen_at) > start
            and (row.story_id is None or self.story_first_seen[row.story_id] > start)
        ]


def scope_key(regions: Collection[str] | None) -> frozenset[str]:
    """A reader's region scope as a grouping key: every spelling of "everything" is one key."""
    if scope_everywhere(regions):
        return frozenset({SCOPE_ALL})
    return frozenset(regions or ())


def render_group(
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


async def render_digest_for(
    db: Database,
    subscriber: Subscriber,
    settings: Settings,
    *,
    since: datetime | None = None,
    now: datetime | None = None,
) -> RenderedDigest:
    """The digest this subscriber would get now, without moving their watermark, with what
    its "Lainnya" buttons need (`digests.delivery.pages`).

    Instant subscribers have no pending digest (each article was pushed), so they get the last
    24 hours. No parts means nothing new.
    """
    now = now or utcnow()
    if since is None:
        watermark = None if subscriber.instant else subscriber.digest_watermark
        since = window_start(watermark, now, settings)
    window = NewsWindow(end=now)
    async with db.session() as session:
        await window.cover(session, since)
    return render_group(
        window,
        since,
        subscriber.divisions or [],
        settings.tz,
        now,
        settings.digest_items_per_division,
        scope_key(getattr(subscriber, "regions", None)),
    )
