"""What a source's front page points at: article links (and the next page) or feed entries.

Listing pages are parsed with lxml in recover mode, feeds with feedparser, both on bytes we
fetched ourselves (bounded by the fetcher's size cap). Which links count as articles is data
(`digests/data/crawl_links.toml`) or the source's own `article_pattern`.
"""

from __future__ import annotations

import re
import tomllib
from calendar import timegm
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from importlib.resources import files
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.etree
import lxml.html

from digests.collect.urls import canonical_url, same_site

__all__ = [
    "FoundLink",
    "LinkRules",
    "Listing",
    "ListingError",
    "ListingProblem",
    "detect_kind",
    "parse_feed",
    "parse_html_listing",
]

MAX_ANCHORS_SCANNED = 20_000


class ListingProblem(StrEnum):
    """Why a listing page or feed gave no links to follow."""

    EMPTY = "empty"
    UNREADABLE = "unreadable"  # not parseable as HTML
    BROKEN_FEED = "broken_feed"  # XML a feed parser gives up on
    NOT_A_FEED = "not_a_feed"
    NO_ARTICLE_LINKS = "no_article_links"  # an HTML listing without one article link


class ListingError(ValueError):
    """A listing or feed we could not read at all: `reason`, and the parser's `detail`."""

    def __init__(self, reason: ListingProblem, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class FoundLink:
    url: str  # absolute, as linked (fragment removed): what we fetch
    canonical: str  # what we store and compare
    published: datetime | None = None  # the feed's date, a fallback for pages without one


@dataclass(slots=True)
class Listing:
    links: list[FoundLink] = field(default_factory=list)
    next_url: str | None = None


@dataclass(frozen=True, slots=True)
class LinkRules:
    article_paths: tuple[re.Pattern[str], ...]
    skip_paths: tuple[re.Pattern[str], ...]
    skip_extensions: tuple[str, ...]
    next_page_texts: frozenset[str]

    def with_pattern(self, pattern: str | None) -> LinkRules:
        """These rules, with a source's own article pattern in place of the defaults."""
        if not pattern:
            return self
        return LinkRules(
            (re.compile(pattern, re.IGNORECASE),),
            (),
            self.skip_extensions,
            self.next_page_texts,
        )

    def is_article(self, url: str) -> bool:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.path.lower().endswith(self.skip_extensions):
            return False
        if any(p.search(target) for p in self.skip_paths):
            return False
        return any(p.search(target) for p in self.article_paths)


@cache
def default_rules() -> LinkRules:
    data = tomllib.loads(files("digests").joinpath("data/crawl_links.toml").read_text("utf-8"))
    return LinkRules(
        tuple(re.compile(p, re.IGNORECASE) for p in data.get("article_paths", [])),
        tuple(re.compile(p, re.IGNORECASE) for p in data.get("skip_paths", [])),
        tuple(ext.lower() for ext in data.get("skip_extensions", [])),
        frozenset(text.lower() for text in data.get("next_page_texts", [])),
    )


def detect_kind(body: bytes, content_type: str) -> str:
    """`feed` for RSS/Atom/RDF, else `html` (a source's kind when the file leaves it out)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return "feed"
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    looks_xml = media.endswith("xml") or head.startswith(b"<?xml")
    if looks_xml and re.search(rb"<(rss|feed|rdf:rdf)[\s>]", head):
        return "feed"
    return "html"


def parse_html_listing(
    body: bytes,
    page_url: str,
    *,
    source_url: str,
    rules: LinkRules,
    max_links: int = 500,
    page_number: int = 1,
) -> Listing:
    """Article links on a listing page, in page order, plus the URL of its next page."""
    if not body.strip():
        raise ListingError(ListingProblem.EMPTY)
    try:
        parser = lxml.html.HTMLParser(remove_comments=True, no_network=True)
        doc = lxml.html.document_fromstring(body, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ListingError(ListingProblem.UNREADABLE, str(exc)) from exc
    base = page_url
    base_href = doc.find(".//base[@href]")
    if base_href is not None:
        base = urljoin(page_url, base_href.get("href", ""))
    skip = {canonical_url(page_url), canonical_url(source_url)}
    listing = Listing()
    seen: set[str] = set()
    scanned = 0
    next_candidates: list[tuple[int, str]] = []
    for anchor in doc.iter("a", "link"):
        scanned += 1
        if scanned > MAX_ANCHORS_SCANNED:
            break
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = _absolute(base, href)
        if url is None or not same_site(url, source_url):
            continue
        canonical = canonical_url(url)
        rank = _next_rank(anchor, rules, page_number)
        if rank is not None and canonical not in skip:
            next_candidates.append((rank, url))
            continue
        if anchor.tag != "a" or canonical in skip or canonical in seen:
            continue
        if len(listing.links) < max_links and rules.is_article(url):
            seen.add(canonical)
            listing.links.append(FoundLink(url=url, canonical=canonical))
    if next_candidates:
        next_candidates.sort(key=lambda item: item[0])
        listing.next_url = next_candidates[0][1]
    return listing


def _absolute(base: str, href: str) -> str | None:
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts._replace(fragment="").geturl()


def _next_rank(anchor: lxml.html.HtmlElement, rules: LinkRules, page_number: int) -> int | None:
    """0 for rel=next, 1 for a "Selanjutnya"-like text, 2 for the next page's number."""
    rel = (anchor.get("rel") or "").lower().split()
    if "next" in rel:
        return 0
    if anchor.tag != "a":
        return None
    texts = {
        " ".join(anchor.text_content().split()).lower(),
        (anchor.get("title") or "").strip().lower(),
        (anchor.get("aria-label") or "").strip().lower(),
    }
    if texts & rules.next_page_texts:
        return 1
    if str(page_number + 1) in texts:
        return 2
    return None


def parse_feed(body: bytes, page_url: str, *, max_links: int = 500) -> Listing:
    """Entry links of an RSS/Atom feed, de-duplicated (feeds repeat GUIDs and links)."""
    parsed = feedparser.parse(
        body, response_headers={"content-location": page_url, "content-type": "application/xml"}
    )
    if parsed.get("bozo") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise ListingError(ListingProblem.BROKEN_FEED, f"{type(reason).__name__}: {reason}")
    if not parsed.entries and not parsed.get("feed"):
        raise ListingError(ListingProblem.NOT_A_FEED)
    listing = Listing()
    seen: set[str] = set()
    for entry in parsed.entries:
        href = entry.get("link") or ""
        if not href and entry.get("guidislink"):
            href = entry.get("id", "")
        url = _absolute(page_url, href) if href else None
        if url is None:
            continue
        canonical = canonical_url(url)
        if canonical in seen:
            continue
        seen.add(canonical)
        listing.links.append(FoundLink(url, canonical, _entry_date(entry)))
        if len(listing.links) >= max_links:
            break
    if parsed.get("bozo") and not listing.links:
        reason = parsed.get("bozo_exception")
        raise ListingError(ListingProblem.BROKEN_FEED, f"{type(reason).__name__}: {reason}")
    return listing


def _entry_date(entry: feedparser.FeedParserDict) -> datetime | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not stamp:
        return None
    try:
        return datetime.fromtimestamp(timegm(stamp), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None
