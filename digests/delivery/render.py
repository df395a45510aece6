"""Digest items and whole digests as Telegram HTML messages.

Pure functions over `DigestEntry` values (no database, no Telegram): one item
(`render_article`, `render_headline`), a digest cut into parts with its "Lainnya" links
(`layout_digest`), and the one renderer the scheduler, instant pushes, /digest and
`kpu-digest preview` share (`render_entries_digest`). The words come from `digests/texts.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from digests import texts
from digests.delivery.entries import DigestEntry
from digests.delivery.ranking import division_name, group_by_division
from digests.delivery.telegram_html import (
    BLOCK_SEPARATOR,
    MESSAGE_LIMIT,
    escape,
    escape_href,
    link_text,
    trim_html,
    utf16_len,
)
from digests.model import Quote

# Items of a division shown in full (title, source · date, lead, quote); the rest of the shown
# items are one-line headlines, so a busy division costs one phone screen, not five.
FULL_ITEMS_PER_DIVISION = 3


def render_article(entry: DigestEntry, tz: tzinfo, *, limit: int = MESSAGE_LIMIT) -> str:
    """One item: linked bold title, sites and date, lead, best quote in italics.

    Used for digest items, instant pushes and the replies of /latest, /search and /summary.
    Never longer than `limit`: an over-long item is trimmed without breaking a tag.
    """
    title = link_text(entry.title, entry.url)
    lines = [f'<b><a href="{escape_href(entry.url)}">{escape(title)}</a></b>']
    meta = []
    if entry.site_names:
        meta.append(_render_sites(entry))
    if entry.published is not None:
        meta.append(escape(texts.show_date(entry.published, tz)))
    if meta:
        lines.append(" · ".join(meta))
    if entry.lead:
        lines.append(escape(" ".join(entry.lead)))
    if entry.quote is not None:
        lines.append(_render_quote(entry.quote))
    return trim_html("\n".join(lines), limit)


@lru_cache(maxsize=8192)
def _cached_article(entry: DigestEntry, tz: tzinfo, limit: int) -> str:
    """Digests for thousands of selections show the same items: render each once."""
    return render_article(entry, tz, limit=limit)


@lru_cache(maxsize=8192)
def _cached_headline(entry: DigestEntry) -> str:
    return render_headline(entry)


def render_headline(entry: DigestEntry, *, limit: int = MESSAGE_LIMIT) -> str:
    """One line: linked title and the site (and how many others carried it)."""
    title = link_text(entry.title, entry.url)
    line = f'▪️ <a href="{escape_href(entry.url)}">{escape(title)}</a>'
    if entry.site_names:
        line += f" · <i>{escape(entry.site_names[0])}</i>"
        if len(entry.site_names) > 1:
            line += escape(texts.more_sites(len(entry.site_names) - 1))
    return trim_html(line, limit)


def _render_sites(entry: DigestEntry) -> str:
    names = entry.site_names
    urls = entry.site_urls if len(entry.site_urls) == len(names) else ()
    rendered = [f"<i>{escape(names[0])}</i>"]
    for i, name in enumerate(names[1:], start=1):
        if urls:
            shown = link_text(name, urls[i])
            rendered.append(f'<a href="{escape_href(urls[i])}">{escape(shown)}</a>')
        else:
            rendered.append(escape(name))
    return ", ".join(rendered)


def _render_quote(quote: Quote) -> str:
    text = quote.short_text.strip().strip('"“”').strip()  # the full quote stays stored
    said = f"“{text}”"
    if quote.speaker:
        said += f" — {quote.speaker}"
    return f"<i>{escape(said)}</i>"


def digest_header(when: datetime, tz: tzinfo, count: int) -> str:
    """The first lines of a scheduled digest: its day and how many stories it holds."""
    return texts.digest_header(texts.show_date(when, tz, weekday=True), count)


def instant_header(when: datetime, tz: tzinfo, count: int) -> str:
    """The first line of an instant push holding everything new from one crawl."""
    return texts.instant_header(count)


def division_heading(slug: str, *, continued: bool = False) -> str:
    """A division's heading; `continued` when a message picks the division up again."""
    return texts.division_heading(division_name(slug), continued=continued)


def division_counts(entries_by_division: Mapping[str, Sequence[DigestEntry]]) -> str:
    """The lines under a digest's header: how many stories each division has."""
    return "\n".join(
        texts.division_count(division_name(slug), len(entries))
        for slug, entries in entries_by_division.items()
        if entries
    )


@dataclass(frozen=True, slots=True)
class _Block:
    slug: str | None  # the division it belongs to (None: the header)
    text: str
    joiner: str  # what separates it from the block before it in the same message
    opens_division: bool = False  # carries the division's heading itself


@dataclass(frozen=True, slots=True)
class MoreLink:
    """A division cut at the cap: its "Lainnya" button goes under message part `part`.

    `shown` stories of `total` were shown; the next page starts at index `shown`.
    """

    part: int
    slug: str
    shown: int
    total: int

    @property
    def remaining(self) -> int:
        return self.total - self.shown


@dataclass(frozen=True, slots=True)
class DigestLayout:
    """Message parts, and the divisions whose rest waits behind a "Lainnya" button."""

    parts: list[str] = field(default_factory=list)
    more: tuple[MoreLink, ...] = ()


def render_digest(
    entries_by_division: Mapping[str, Sequence[DigestEntry]], **options: Any
) -> list[str]:
    """A whole digest as message parts, without its "Lainnya" buttons: `layout_digest`'s parts
    (it takes the same keywords)."""
    return layout_digest(entries_by_division, **options).parts


def layout_digest(
    entries_by_division: Mapping[str, Sequence[DigestEntry]],
    *,
    tz: tzinfo,
    header: str,
    limit: int = MESSAGE_LIMIT,
    max_per_division: int | None = None,
    full_items: int | None = None,
    counts: bool = False,
    continued: bool = False,
) -> DigestLayout:
    """A whole digest as message parts: header, then each division's items in the given order;
    and which part ends each division cut at the cap (where its "Lainnya" button belongs).

    Items come ranked (`group_by_division`). The first `full_items` of a division are shown in
    full and the rest as one-line headlines (None: all in full). With `counts`, the header is
    followed by the number of stories per division. Parts break only between items; a division
    heading always travels with its first item, and a part that continues a division opens
    with its heading marked "(lanjutan)". With `max_per_division`, a busy division shows its
    best items and a line counting the rest. `continued` marks every division heading
    "(lanjutan)": a page of a division the reader has seen the start of. Empty input gives no
    parts.
    """
    blocks: list[_Block] = []
    cut: dict[int, tuple[str, int, int]] = {}  # block index of a "more" line → its division
    for slug, entries in entries_by_division.items():
        if not entries:
            continue
        shown = list(entries[:max_per_division] if max_per_division else entries)
        heading = division_heading(slug, continued=continued)
        room = limit - utf16_len(division_heading(slug, continued=True)) - 1
        for index, entry in enumerate(shown):
            full = full_items is None or index < full_items
            text = _cached_article(entry, tz, room) if full else _cached_headline(entry)
            joiner = "\n" if not full and index > 0 else BLOCK_SEPARATOR
            if index == 0:
                blocks.append(_Block(slug, f"{heading}\n{text}", BLOCK_SEPARATOR, True))
            else:
                blocks.append(_Block(slug, text, joiner))
        if len(entries) > len(shown):
            cut[len(blocks)] = (slug, len(shown), len(entries))
            blocks.append(_Block(slug, texts.more_in_division(len(entries) - len(shown)), "\n"))
    if not blocks:
        return DigestLayout()
    if counts:
        header = "\n".join(p for p in (header, division_counts(entries_by_division)) if p)
    offset = 0
    if header:
        blocks.insert(0, _Block(None, trim_html(header.strip(), limit), ""))
        offset = 1
    parts, part_of = _pack_blocks(blocks, limit)
    more = tuple(
        MoreLink(part_of[index + offset], slug, shown, total)
        for index, (slug, shown, total) in cut.items()
    )
    return DigestLayout(parts, more)


def _pack_blocks(blocks: Sequence[_Block], limit: int) -> tuple[list[str], list[int]]:
    """Fill messages block by block; a message that starts inside a division repeats its
    heading, marked "(lanjutan)". Returns the parts and, per block, the part it went into."""
    parts: list[str] = []
    part_of: list[int] = []
    current = ""
    for block in blocks:
        text = block.text.strip()
        if not text:
            part_of.append(max(len(parts) - (0 if current else 1), 0))
            continue
        if current:
            candidate = current + block.joiner + text
            if utf16_len(candidate) <= limit:
                current = candidate
                part_of.append(len(parts))
                continue
            parts.append(current)
        if block.slug is not None and not block.opens_division:
            text = f"{division_heading(block.slug, continued=True)}\n{text}"
        current = trim_html(text, limit)
        part_of.append(len(parts))
    if current:
        parts.append(current)
    return parts, part_of


@dataclass(frozen=True, slots=True)
class RenderedDigest:
    """The parts of one digest and how many stories they hold.

    `more` says which divisions were cut at the cap and under which part their "Lainnya"
    button goes; `pages` holds, for each of them, the ids of all its stories in digest order
    (what a `DigestSnapshot` stores, so the next pages never shift).
    """

    parts: list[str] = field(default_factory=list)
    count: int = 0
    more: tuple[MoreLink, ...] = ()
    pages: tuple[tuple[str, tuple[int, ...]], ...] = ()


def render_entries_digest(
    entries: Sequence[DigestEntry],
    *,
    selected: Collection[str] | None,
    tz: tzinfo,
    when: datetime,
    header: Callable[[datetime, tzinfo, int], str] = digest_header,
    max_per_division: int | None = None,
    scope: Collection[str] | None = None,
    full_items: int | None = FULL_ITEMS_PER_DIVISION,
) -> RenderedDigest:
    """Filter, group, rank and render in one go: what one group of subscribers receives.

    The one renderer of digests: the scheduler, `/digest` and `kpu-digest preview` call it.
    """
    groups = group_by_division(entries, selected, scope=scope)
    count = sum(len(v) for v in groups.values())
    if not count:
        return RenderedDigest()
    layout = layout_digest(
        groups,
        tz=tz,
        header=header(when, tz, count),
        max_per_division=max_per_division,
        full_items=full_items,
        counts=True,
    )
    pages = tuple(
        (link.slug, tuple(e.article_id for e in groups[link.slug] if e.article_id is not None))
        for link in layout.more
    )
    return RenderedDigest(layout.parts, count, layout.more, pages)


def render_page(
    entries: Sequence[DigestEntry],
    slug: str,
    *,
    tz: tzinfo,
    header: str,
    full_items: int | None = FULL_ITEMS_PER_DIVISION,
) -> list[str]:
    """One "Lainnya" page: the next stories of one division, laid out as in the digest (the
    same item renderer, best in full, the rest as headlines), under `header`."""
    return layout_digest(
        {slug: entries}, tz=tz, header=header, full_items=full_items, continued=True
    ).parts
