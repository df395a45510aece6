"""Digest entries: a stored article as staff see it, and one entry per story.

A press release republished by several sites is one story (`Article.story_id`, set by
`collect/dedup.py`); `story_key` is that identity, used to collapse copies into one entry
(`entries_from_articles`) and to name a crawl's stories (`instant.batch_key`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from digests.model import Quote, as_utc


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One news item as shown to staff: a story, possibly republished by several sites.

    `site_names[i]` published the story at `site_urls[i]` when both are given; `url` is the
    copy the title links to (the first site's).
    """

    title: str
    url: str
    site_names: tuple[str, ...] = ()
    published: datetime | None = None
    lead: tuple[str, ...] = ()
    quote: Quote | None = None
    divisions: tuple[str, ...] = ()
    site_urls: tuple[str, ...] = ()
    seen_at: datetime | None = None
    article_id: int | None = None
    story_id: int | None = None
    regions: tuple[str, ...] = ()  # every copy's region ("nasional" or a province slug)
    division_scores: tuple[tuple[str, float], ...] = ()  # the tagger's stored scores

    def __post_init__(self) -> None:
        # Accept lists from callers; store tuples so entries stay hashable and immutable.
        for name in ("site_names", "lead", "divisions", "site_urls", "regions"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        scores = self.division_scores
        if isinstance(scores, Mapping):
            object.__setattr__(self, "division_scores", _score_pairs(scores))
        elif not isinstance(scores, tuple):
            object.__setattr__(self, "division_scores", tuple(scores))

    def score(self, slug: str) -> float | None:
        """The tagger's score of this story for `slug`; None when it was not stored."""
        for name, value in self.division_scores:
            if name == slug:
                return value
        return None

    @property
    def sort_time(self) -> datetime:
        when = self.published or self.seen_at
        return as_utc(when) if when is not None else datetime.min.replace(tzinfo=UTC)


def _score_pairs(scores: Mapping[str, Any] | None) -> tuple[tuple[str, float], ...]:
    """Stored scores as sorted (slug, score) pairs; unreadable values are left out."""
    pairs = []
    for slug, value in (scores or {}).items():
        try:
            pairs.append((str(slug), float(value)))
        except (TypeError, ValueError):
            continue
    return tuple(sorted(pairs))


def best_quote(quotes: Iterable[Quote | Mapping[str, Any]]) -> Quote | None:
    """The summariser orders quotes best first; prefer the first one with a known speaker."""
    normalised = [q for q in (_as_quote(q) for q in quotes) if q is not None]
    for q in normalised:
        if q.speaker:
            return q
    return normalised[0] if normalised else None


def _as_quote(value: Quote | Mapping[str, Any]) -> Quote | None:
    if isinstance(value, Quote):
        return value if value.text.strip() else None
    text = str(value.get("text") or "").strip()
    if not text:
        return None
    speaker = value.get("speaker")
    return Quote(text=text, speaker=str(speaker).strip() if speaker else None)


def entry_from_article(article: Any) -> DigestEntry:
    """A `DigestEntry` from anything shaped like the stored `Article` (duck-typed)."""
    return DigestEntry(
        title=(article.title or "").strip() or article.url,
        url=article.url,
        site_names=(article.source_name,) if article.source_name else (),
        site_urls=(article.url,) if article.source_name else (),
        published=article.published_at,
        lead=tuple(s.strip() for s in (article.lead or []) if s and s.strip()),
        quote=best_quote(article.quotes or []),
        divisions=tuple(article.divisions or ()),
        seen_at=article.first_seen_at,
        article_id=article.id,
        story_id=article.story_id,
        regions=(region,) if (region := getattr(article, "region", None)) else (),
        division_scores=_score_pairs(getattr(article, "division_scores", None)),
    )


def entries_from_articles(articles: Iterable[Any]) -> list[DigestEntry]:
    """One entry per story: republications of one press release collapse into the first copy.

    The copy seen first is shown; the other sites are listed after it. Divisions are the union,
    so a story reaches everyone any of its copies would have reached.
    """
    groups: dict[str, list[Any]] = {}
    for article in articles:
        groups.setdefault(story_key(article.story_id, article.id, article.url), []).append(article)
    entries = []
    for copies in groups.values():
        copies.sort(key=lambda a: (as_utc(a.first_seen_at), a.id or 0))
        entry = entry_from_article(copies[0])
        names, urls = list(entry.site_names), list(entry.site_urls)
        divisions = list(entry.divisions)
        regions = list(entry.regions)
        scores = dict(entry.division_scores)
        quote = entry.quote
        for other in copies[1:]:
            if other.source_name and other.source_name not in names:
                names.append(other.source_name)
                urls.append(other.url)
            divisions.extend(d for d in other.divisions or () if d not in divisions)
            region = getattr(other, "region", None)
            if region and region not in regions:
                regions.append(region)
            for slug, value in _score_pairs(getattr(other, "division_scores", None)):
                scores[slug] = max(value, scores.get(slug, value))
            if quote is None:
                quote = best_quote(other.quotes or [])
        entries.append(
            DigestEntry(
                title=entry.title,
                url=entry.url,
                site_names=tuple(names),
                site_urls=tuple(urls),
                published=entry.published,
                lead=entry.lead,
                quote=quote,
                divisions=tuple(divisions),
                seen_at=entry.seen_at,
                article_id=entry.article_id,
                story_id=entry.story_id,
                regions=tuple(regions),
                division_scores=tuple(sorted(scores.items())),
            )
        )
    return entries


def story_key(story_id: int | None, article_id: int | None, url: str) -> str:
    """What makes copies one story: their story id; an article not (yet) grouped is a story of
    its own, named by its id, or by its URL before it is stored."""
    if story_id is not None:
        return f"story:{story_id}"
    if article_id is not None:
        return f"article:{article_id}"
    return f"url:{url}"
