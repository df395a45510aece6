"""From a page or a text to a stored-ready article: extract → summarise → tag.

The one place that chains the core's steps, so the crawler, `/summary` and the command line
all produce the same result for the same page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from digests.classify import classify
from digests.extract import NoArticleError, extract_article
from digests.model import ExtractedArticle, Quote, Summary
from digests.summarise import summarise
from digests.text.dateline import strip_dateline

__all__ = ["NoArticleError", "ProcessedArticle", "process_html", "process_text"]


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


def process_html(html: str | bytes, url: str | None = None) -> ProcessedArticle:
    """Extract the article from a page we fetched ourselves, then summarise and tag it."""
    return _process(extract_article(html, url=url))


def process_text(text: str, title: str | None = None) -> ProcessedArticle:
    """Summarise and tag plain text: paragraphs are separated by blank lines or line breaks."""
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    if not paragraphs:
        raise NoArticleError("teks kosong")
    if title is None and len(paragraphs) > 1 and _looks_like_title(paragraphs[0]):
        title, paragraphs = paragraphs[0], paragraphs[1:]
    dateline, _ = strip_dateline(paragraphs[0])
    return _process(ExtractedArticle(title=title, paragraphs=paragraphs, dateline=dateline))


def _looks_like_title(line: str) -> bool:
    return len(line) <= 160 and not line.rstrip().endswith((".", "!", "?", ":", "”", '"'))


def _process(article: ExtractedArticle) -> ProcessedArticle:
    summary: Summary = summarise(article.title, article.paragraphs)
    body = "\n\n".join(article.paragraphs)
    return ProcessedArticle(
        url=article.url,
        title=article.title or (summary.lead[0][:120] if summary.lead else ""),
        published=article.published,
        place=article.dateline.place if article.dateline else None,
        text=body,
        lead=summary.lead,
        quotes=list(summary.quotes),
        divisions=classify(article.title, body),
    )
