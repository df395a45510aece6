"""Plain domain values shared by the core: no database, no network, no Telegram."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime


def as_utc(value: datetime | str) -> datetime:
    """A stored time as an aware UTC datetime: SQLite hands back naive ones, and aggregates
    (MIN) bypass the column type there and come back as ISO strings. Naive means UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quote and the person it is attributed to (None when unresolved).

    `text` is the whole quote as stored; a digest item shows `short_text`, so a five-sentence
    statement does not push the news off a phone screen.
    """

    text: str
    speaker: str | None

    @property
    def short_text(self) -> str:
        """At most two sentences and about 300 characters, cut at a sentence end with "…"."""
        from digests.text.sentences import shorten

        return shorten(self.text)


@dataclass(frozen=True, slots=True)
class Dateline:
    """The opening "Place, site –" / "Jakarta (22/9)," of a news body, parsed."""

    raw: str
    place: str | None = None
    day: int | None = None
    month: int | None = None
    year: int | None = None


@dataclass(slots=True)
class ExtractedArticle:
    """What extraction finds in one page: clean body paragraphs, no page furniture."""

    title: str | None
    paragraphs: list[str]
    published: datetime | None = None
    published_date: date | None = None
    dateline: Dateline | None = None
    url: str | None = None
    site_name: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """An extractive summary: lead sentences plus the quotes that say the most.

    `lead` is what a digest item shows; `summary` (1–3 sentences, the lead first) is what
    `/summary` and `summarize --json` show.
    """

    lead: list[str]
    quotes: list[Quote] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
