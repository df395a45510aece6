"""`kpu-digest preview` and the end of `kpu-digest demo`: each division's digest as plain text.

Rendered by the bot's own code (`delivery.render.render_entries_digest`), so what an operator
previews is what staff receive: layout, ranking, counts and the parts a message splits into.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from digests import texts
from digests.config import Settings
from digests.delivery.entries import entries_from_articles
from digests.delivery.render import render_entries_digest
from digests.store import queries
from digests.store.db import Database
from digests.store.models import Article
from digests.store.types import utcnow
from digests.summary.divisions import load_divisions

_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_since(text: str) -> timedelta:
    """'90m', '24h', '7d' → a timedelta; anything else is a ValueError with an example."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"cannot read --since {text!r}; use e.g. 90m, 24h or 7d")
    return timedelta(**{_UNITS[match[2].lower()]: int(match[1])})


async def recent_articles(db: Database, since: timedelta) -> list[Article]:
    """News articles first seen within `since`, newest first, one per story."""
    articles = await queries.articles_seen_since(db, utcnow() - since)
    seen_stories: set[int] = set()
    unique: list[Article] = []
    for article in articles:
        if article.story_id is not None:
            if article.story_id in seen_stories:
                continue
            seen_stories.add(article.story_id)
        unique.append(article)
    return unique


def print_division_digests(
    articles: Sequence[Article],
    slugs: Sequence[str],
    tz: ZoneInfo,
    out: TextIO,
    *,
    max_per_division: int | None = None,
    now: datetime | None = None,
) -> None:
    """Print, for each division, the digest a reader following only it would receive.

    The messages are rendered by `render_entries_digest`, exactly as the bot renders them, and
    only turned into terminal text here (tags dropped, each link's address after its text).
    """
    catalog = load_divisions()
    entries = entries_from_articles(articles)
    when = now or utcnow()
    for slug in slugs:
        digest = render_entries_digest(
            entries, selected=[slug], tz=tz, when=when, max_per_division=max_per_division
        )
        out.write(f"\n=== {texts.preview_heading(catalog.name(slug), slug, digest.count)}\n")
        if not digest.parts:
            out.write(texts.PREVIEW_NOTHING_NEW + "\n")
        for number, part in enumerate(digest.parts, start=1):
            if len(digest.parts) > 1:
                out.write(f"\n--- {texts.preview_part(number, len(digest.parts))} ---\n")
            out.write("\n" + telegram_html_to_text(part) + "\n")


_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def telegram_html_to_text(markup: str) -> str:
    """A message in Telegram HTML as a terminal shows it: text, and each link's address."""
    linked = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", markup)
    return html.unescape(_TAG.sub("", linked))


async def run_preview(settings: Settings, *, division: str | None, since: str) -> int:
    try:
        window = parse_since(since)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    catalog = load_divisions()
    if division is not None and division not in catalog.slugs:
        print(f"unknown division {division!r}; valid: {', '.join(catalog.slugs)}", file=sys.stderr)
        return 2
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        articles = await recent_articles(db, window)
    finally:
        await db.dispose()
    slugs = [division] if division else list(catalog.slugs)
    print_division_digests(
        articles,
        slugs,
        settings.tz,
        sys.stdout,
        max_per_division=settings.digest_items_per_division,
    )
    return 0
