"""From a page or a text to a stored-ready article: extract → summarise → tag.

The one place that chains the core's steps, so the crawler, `/summary` and the command line
all produce the same result for the same page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from digests.model import ExtractedArticle, Quote, Summary
from digests.summary.classify import explain
from digests.summary.extract import (
    MIN_ARTICLE_CHARS,
    NoArticleError,
    clean_paragraphs,
    extract_article,
    load_boilerplate,
)
from digests.summary.summarise import summarise
from digests.text.dateline import strip_dateline
from digests.text.dates import find_indonesian_date, settle_year

MAX_QUOTES = 3  # the digest shows the best one; /summary and the JSON output show all

__all__ = [
    "NoArticleError",
    "ProcessedArticle",
    "process_html",
    "process_text",
    "summarise_and_tag",
]


@dataclass(slots=True)
class ProcessedArticle:
    """An article with its summary and divisions, ready to store or show."""

    url: str | None
    title: str
    published: datetime | None
    place: str | None
    text: str
    lead: list[str]
    quotes: list[Quote] = field(default_factory=list)
    divisions: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)  # 1–3 sentences, the lead first
    division_scores: dict[str, float] = field(default_factory=dict)  # why: see classify.explain


def process_html(html: str | bytes, url: str | None = None) -> ProcessedArticle:
    """Extract the article from a page we fetched ourselves, then summarise and tag it."""
    return summarise_and_tag(extract_article(html, url=url))


def process_text(text: str, title: str | None = None) -> ProcessedArticle:
    """Summarise and tag plain text, e.g. an article copied from a page with its furniture.

    Paragraphs are lines; the page furniture of `digests/data/boilerplate.txt` is dropped as for
    HTML; short lines before the body give the title and (if it parses) the date.
    """
    rules = load_boilerplate()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    paragraphs = clean_paragraphs([("p", line) for line in lines], title, rules)
    found_date: tuple[date, bool] | None = None
    while len(paragraphs) > 1 and _is_heading_line(paragraphs[0]):
        line = paragraphs.pop(0)
        line_date = find_indonesian_date(line) if len(line) <= 40 else None
        if line_date and found_date is None:
            found_date = line_date
        elif title is None:
            title = line
    if not paragraphs or sum(len(p) for p in paragraphs) < MIN_ARTICLE_CHARS:
        raise NoArticleError("no article text was found")
    dateline, _ = strip_dateline(paragraphs[0])
    published_date = settle_year(*found_date, "\n".join(paragraphs)) if found_date else None
    published = datetime.combine(published_date, time(), tzinfo=UTC) if published_date else None
    return summarise_and_tag(
        ExtractedArticle(
            title=title,
            paragraphs=paragraphs,
            published=published,
            published_date=published_date,
            dateline=dateline,
        )
    )


def _is_heading_line(line: str) -> bool:
    return len(line) <= 160 and not line.rstrip().endswith((".", "!", "?", ":", ",", "”", '"'))


def summarise_and_tag(article: ExtractedArticle) -> ProcessedArticle:
    """Summarise and tag an extracted article. Its `dateline` is what `strip_dateline` found at
    the start of its first paragraph, as `extract_article` and `process_text` set it, so the
    summary does not look there again."""
    summary: Summary = summarise(
        article.title,
        article.paragraphs,
        max_quotes=MAX_QUOTES,
        dateline=article.dateline,
        first_searched=True,
    )
    body = "\n\n".join(article.paragraphs)
    tagging = explain(article.title, body, with_evidence=False)
    return ProcessedArticle(
        url=article.url,
        title=article.title or (summary.lead[0][:120] if summary.lead else ""),
        published=article.published,
        place=article.dateline.place if article.dateline else None,
        text=body,
        lead=summary.lead,
        quotes=list(summary.quotes),
        divisions=tagging.divisions,
        summary=summary.summary,
        division_scores={slug: round(value, 2) for slug, value in tagging.scores.items()},
    )
