"""`kpu-digest preview` and the end of `kpu-digest demo`: each division's digest as plain text."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from datetime import timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from digests.config import Settings
from digests.divisions import load_divisions
from digests.store.db import Database
from digests.store.models import Article
from digests.store.types import utcnow

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
    cutoff = utcnow() - since
    async with db.session() as session:
        rows = await session.exec(
            select(Article)
            .where(Article.first_seen_at >= cutoff)
            .order_by(col(Article.published_at).desc(), col(Article.id).desc())
        )
        articles = list(rows)
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
    articles: Sequence[Article], slugs: Sequence[str], tz: ZoneInfo, out: TextIO
) -> None:
    """Print, for each division, the digest its subscribers would receive."""
    catalog = load_divisions()
    for slug in slugs:
        items = [a for a in articles if slug in a.divisions]
        out.write(f"\n=== {catalog.name(slug)} [{slug}] — {len(items)} artikel\n")
        if not items:
            out.write("(tidak ada berita baru untuk divisi ini)\n")
        for article in items:
            out.write(_render(article, tz) + "\n")


def _render(article: Article, tz: ZoneInfo) -> str:
    when = article.published_at.astimezone(tz).strftime("%d-%m-%Y") if article.published_at else "-"
    lines = [f"\n• {article.title}", f"  {article.source_name} · {when} · {article.url}"]
    lines.extend(f"  {sentence}" for sentence in article.lead)
    if article.quotes:
        quote = article.quotes[0]
        speaker = f" — {quote['speaker']}" if quote.get("speaker") else ""
        lines.append(f"  “{quote['text']}”{speaker}")
    return "\n".join(lines)


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
    print_division_digests(articles, slugs, settings.tz, sys.stdout)
    return 0
