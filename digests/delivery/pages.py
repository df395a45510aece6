"""'Lainnya': a busy division's next stories, page by page, from the digest the reader got.

A division with more stories than `DIGEST_ITEMS_PER_DIVISION` ends with an inline button
"Lainnya (n)". Its callback data is `more:<snapshot id>:<slug>:<offset>`: the stored digest
(`DigestSnapshot`, one per distinct rendered digest, shared by its readers), the division, and
where the next page starts in that division's ranked stories. A page is rendered by the same
item renderer as the digest and carries the next button while stories remain.

Buttons are Bot API JSON (`{"inline_keyboard": …}`) stored on the message body, so the outbox
sender sends them as they are; the bot turns them into its own objects only for direct replies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from digests import texts
from digests.config import Settings
from digests.delivery import selection
from digests.delivery.entries import entries_from_articles
from digests.delivery.ranking import division_short_name
from digests.delivery.render import RenderedDigest, render_page
from digests.store import outbox, snapshots
from digests.store.db import Database, Session
from digests.store.models import Subscriber
from digests.store.types import utcnow
from digests.summary.divisions import load_divisions

PREFIX = "more:"
PATTERN = r"^more:"
CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit
_DATA = re.compile(r"more:([1-9][0-9]{0,8}):([a-z0-9_-]{1,32}):([1-9][0-9]{0,5})")

Markup = dict[str, Any]
Message = tuple[str, Markup | None]  # text and its inline keyboard


@dataclass(frozen=True, slots=True)
class MorePress:
    """A valid press of a "Lainnya" button: which digest, division, and where to go on."""

    snapshot_id: int
    slug: str
    offset: int


def callback_data(snapshot_id: int, slug: str, offset: int) -> str:
    data = f"{PREFIX}{snapshot_id}:{slug}:{offset}"
    if len(data.encode()) > CALLBACK_DATA_LIMIT or _DATA.fullmatch(data) is None:
        raise ValueError(f"cannot make a button of {data!r}")
    return data


def parse_callback(data: str | None) -> MorePress | None:
    """The press a button's data stands for; None for anything no button of ours carries."""
    if not data or len(data.encode()) > CALLBACK_DATA_LIMIT:
        return None
    match = _DATA.fullmatch(data)
    if match is None or match.group(2) not in load_divisions():
        return None
    return MorePress(int(match.group(1)), match.group(2), int(match.group(3)))


def _button(snapshot_id: int, slug: str, offset: int, remaining: int) -> dict[str, str]:
    return {
        "text": texts.more_button(remaining, division_short_name(slug)),
        "callback_data": callback_data(snapshot_id, slug, offset),
    }


def digest_markups(digest: RenderedDigest, snapshot_id: int | None) -> list[Markup | None]:
    """One inline keyboard (or None) per part: each cut division's button under the part
    that ends it."""
    rows: list[list[list[dict[str, str]]]] = [[] for _ in digest.parts]
    if snapshot_id is not None:
        for link in digest.more:
            button = _button(snapshot_id, link.slug, link.shown, link.remaining)
            rows[link.part].append([button])
    return [{"inline_keyboard": r} if r else None for r in rows]


def without_button(markup: Markup | None, data: str) -> Markup | None:
    """`markup` less the button carrying `data` (a pressed "Lainnya" is spent); None if empty."""
    rows = [
        [b for b in row if b.get("callback_data") != data]
        for row in (markup or {}).get("inline_keyboard", [])
    ]
    rows = [row for row in rows if row]
    return {"inline_keyboard": rows} if rows else None


# --- storing digests ----------------------------------------------------------------------------


class DigestBodies:
    """Message bodies of rendered digests, each distinct (text, buttons) stored once, and one
    snapshot per distinct digest that has a "Lainnya" button (shared by all its readers).

    `store` writes what a batch of digests needs that is not stored yet; `ids` then gives a
    digest's body ids in part order.
    """

    def __init__(self, *, disable_notification: bool) -> None:
        self.disable_notification = disable_notification
        self._snapshots: dict[tuple[tuple[str, tuple[int, ...]], ...], int] = {}
        self._bodies: dict[tuple[str, str], int] = {}
        # Per rendered digest (the object, kept alive here so its id() stays its own): its
        # body ids. Thousands of readers share one digest; its keys are worked out once.
        self._ids: dict[int, tuple[RenderedDigest, list[int]]] = {}

    async def store(
        self, session: Session, digests: Sequence[RenderedDigest], *, now: datetime
    ) -> None:
        fresh = list({id(d): d for d in digests if id(d) not in self._ids}.values())
        new_pages = list(dict.fromkeys(d.pages for d in fresh if d.pages))
        new_pages = [p for p in new_pages if p not in self._snapshots]
        ids = await snapshots.save(session, [dict(p) for p in new_pages], now=now)
        self._snapshots.update(zip(new_pages, ids, strict=True))
        keyed = [(digest, self._keys(digest)) for digest in fresh]
        new = {key: markup for _, keys in keyed for key, markup in keys if key not in self._bodies}
        order = sorted(new)
        body_ids = await outbox.insert_bodies(
            session,
            [text for text, _ in order],
            disable_notification=self.disable_notification,
            now=now,
            reply_markups=[new[k] for k in order],
        )
        self._bodies.update(zip(order, body_ids, strict=True))
        for digest, keys in keyed:
            self._ids[id(digest)] = (digest, [self._bodies[key] for key, _ in keys])

    def ids(self, digest: RenderedDigest) -> list[int]:
        """The body ids of a digest passed to `store`, in part order."""
        return self._ids[id(digest)][1]

    def _keys(self, digest: RenderedDigest) -> list[tuple[tuple[str, str], Markup | None]]:
        snapshot_id = self._snapshots.get(digest.pages) if digest.pages else None
        markups = digest_markups(digest, snapshot_id)
        return [
            ((part, json.dumps(markup, sort_keys=True) if markup else ""), markup)
            for part, markup in zip(digest.parts, markups, strict=True)
        ]


async def prune(db: Database, settings: Settings, *, now: datetime) -> int:
    """Forget snapshots older than the news horizon: their buttons then get a polite answer."""
    return await snapshots.prune(
        db, before=now - timedelta(days=max(settings.news_horizon_days, 1))
    )


# --- on demand ----------------------------------------------------------------------------------


async def digest_messages_for(
    db: Database, subscriber: Subscriber, settings: Settings, *, now: datetime | None = None
) -> list[Message]:
    """`/ringkasan`: the digest `selection.render_digest_for` renders, with its "Lainnya" buttons
    (and the snapshot they page through). An empty list means nothing new."""
    now = now or utcnow()
    digest = await selection.render_digest_for(db, subscriber, settings, now=now)
    snapshot_id = None
    if digest.pages:
        async with db.session() as session:
            [snapshot_id] = await snapshots.save(session, [dict(digest.pages)], now=now)
            await session.commit()
    return list(zip(digest.parts, digest_markups(digest, snapshot_id), strict=True))


# --- a press ------------------------------------------------------------------------------------


async def next_page(db: Database, press: MorePress, settings: Settings) -> list[Message] | None:
    """The messages of the page a press asks for; None when its digest is gone (pruned, never
    stored, or the division or offset is not in it), [] when its stories are gone."""
    snapshot = await snapshots.load(db, press.snapshot_id)
    if snapshot is None:
        return None
    ranked = snapshot.entries.get(press.slug)
    if not ranked or press.offset >= len(ranked):
        return None
    size = max(settings.digest_items_per_division, 1)
    wanted = ranked[press.offset : press.offset + size]
    articles = await snapshots.page_articles(db, wanted)
    stored = {e.article_id: e for e in entries_from_articles(articles)}
    page = [stored[i] for i in wanted if i in stored]
    if not page:
        return []
    end = press.offset + len(wanted)
    header = texts.more_page_header(
        texts.show_date(snapshot.created_at, settings.tz, weekday=True),
        press.offset + 1,
        end,
        len(ranked),
    )
    parts = render_page(page, press.slug, tz=settings.tz, header=header)
    markups: list[Markup | None] = [None] * len(parts)
    if end < len(ranked):
        button = _button(press.snapshot_id, press.slug, end, len(ranked) - end)
        markups[-1] = {"inline_keyboard": [[button]]}
    return list(zip(parts, markups, strict=True))
