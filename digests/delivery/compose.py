"""Turning articles into Telegram HTML messages: digest items, whole digests, announcements.

Pure functions over plain values (no database, no Telegram). The output is Telegram's HTML
parse mode: only the tags Telegram knows, text escaped with `escape`, links with `escape_href`,
and every message at most 4096 UTF-16 code units. Lengths are measured on the HTML source,
which is never shorter than what Telegram counts after parsing entities, so a part that fits
here always fits there.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from digests.model import Quote
from digests.summary.divisions import load_divisions

MESSAGE_LIMIT = 4096
BLOCK_SEPARATOR = "\n\n"
ELLIPSIS = "…"

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


# --- escaping and measuring -------------------------------------------------------------------


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def escape(text: str) -> str:
    """Escape text for Telegram HTML (`<`, `>`, `&`; quotes are fine outside attributes).

    A lone surrogate (a str can hold one, e.g. from a page's JSON "\\ud800") cannot be sent as
    UTF-8 and would fail the whole message: it is shown as U+FFFD instead.
    """
    return html.escape(_LONE_SURROGATE.sub("\ufffd", text), quote=False)


# Control characters and blanks inside a URL: Telegram refuses a NUL in an href outright, and a
# link must stay one word; percent-encoded they reach the same page.
_HREF_UNSAFE = re.compile(r"[\x00-\x20\x7f]")
# What Telegram shows as nothing (TDLib's blank characters, zero-width ones, fillers): a link
# text or a message made only of these is invisible, or refused as empty.
_BLANK = re.compile(
    "^[\\s\x00-\x20\u115f\u1160\u1680\u180e\u2000-\u200f\u202e\u202f\u205f\u2060"
    "\u2800\u3000\u3164\ufeff\uffa0\ufffc]*$"
)


def escape_href(url: str) -> str:
    """Escape a URL for an `href="…"` attribute (control characters percent-encoded)."""
    safe = _HREF_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)
    return html.escape(_LONE_SURROGATE.sub("\ufffd", safe), quote=True)


def is_blank(text: str) -> bool:
    """Nothing a reader would see: empty, or only blank and zero-width characters."""
    return _BLANK.match(text) is not None


def link_text(text: str, url: str) -> str:
    """A link's visible words: `text`, or the URL's host when `text` would show nothing."""
    if not is_blank(text):
        return text
    host = urlsplit(url).hostname if "://" in url else None
    return host or url.strip() or "tautan"


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


# --- dates ------------------------------------------------------------------------------------


def format_date(when: datetime, tz: tzinfo) -> str:
    """ "22 November 2026", the day as seen in `tz`."""
    local = _aware(when).astimezone(tz)
    return f"{local.day} {MONTHS_ID[local.month - 1]} {local.year}"


def format_day(when: datetime, tz: tzinfo) -> str:
    """ "Senin, 22 November 2026"."""
    local = _aware(when).astimezone(tz)
    return f"{WEEKDAYS_ID[local.weekday()]}, {format_date(local, tz)}"


def format_datetime(when: datetime, tz: tzinfo) -> str:
    """ "22 November 2026 pukul 07.00 WIB" (Indonesian writes times with a dot)."""
    local = _aware(when).astimezone(tz)
    zone = local.tzname() or ""
    return f"{format_date(local, tz)} pukul {local.hour:02d}.{local.minute:02d} {zone}".rstrip()


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


# --- divisions --------------------------------------------------------------------------------


def division_name(slug: str) -> str:
    """The display name of a division slug; the slug itself if the catalog does not know it
    (a stored article may carry a slug retired since)."""
    division = load_divisions().get(slug)
    return division.name if division is not None else slug


def division_order() -> tuple[str, ...]:
    """Slugs in display order: the catalog's (data/divisions.toml lists them in that order)."""
    return tuple(load_divisions().slugs)


def fallback_division() -> str:
    """Where an untagged story goes: the catalog's `fallback` slug (`umum`)."""
    return load_divisions().settings.fallback


# --- entries ----------------------------------------------------------------------------------


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
        return _aware(when) if when is not None else datetime.min.replace(tzinfo=UTC)


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
    groups: dict[object, list[Any]] = {}
    for article in articles:
        key = ("story", article.story_id) if article.story_id is not None else ("a", article.id)
        if key == ("a", None):
            key = ("url", article.url)
        groups.setdefault(key, []).append(article)
    entries = []
    for copies in groups.values():
        copies.sort(key=lambda a: (_aware(a.first_seen_at), a.id or 0))
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


SCOPE_ALL = "semua"
NASIONAL = "nasional"
# Items of a division shown in full (title, source · date, lead, quote); the rest of the shown
# items are one-line headlines, so a busy division costs one phone screen, not five.
FULL_ITEMS_PER_DIVISION = 3


def scope_everywhere(scope: Collection[str] | None) -> bool:
    """No scope stored, or `semua`: every region."""
    return not scope or SCOPE_ALL in scope


def scope_provinces(scope: Collection[str] | None) -> frozenset[str]:
    """The provinces a scope names (without `semua` and `nasional`)."""
    return frozenset(r for r in scope or () if r not in (SCOPE_ALL, NASIONAL))


def in_scope(entry_regions: Collection[str], scope: Collection[str] | None) -> bool:
    """Whether a story reaches a reader with this region scope (PRODUCT.md "Regions").

    `semua` takes everything; otherwise KPU RI (`nasional`) always, plus the scope's provinces.
    A story whose region is unknown reaches only `semua` readers: it might be any province's.
    """
    allowed = _allowed_regions(scope)
    return allowed is None or not allowed.isdisjoint(entry_regions)


def _allowed_regions(scope: Collection[str] | None) -> frozenset[str] | None:
    """The regions a scope takes; None for everything."""
    if scope_everywhere(scope):
        return None
    return scope_provinces(scope) | {NASIONAL}


def matches_divisions(entry_divisions: Collection[str], selected: Collection[str] | None) -> bool:
    """`selected=None` means no filter; an empty selection matches nothing.

    A subscriber with no divisions has unsubscribed from everything (`/berhenti`), so they get
    no digest; "all divisions" is stored as every slug (`/langganan semua`). An untagged
    article counts as the catalog's fallback (`umum`).
    """
    if selected is None:
        return True
    return bool(set(entry_divisions or (fallback_division(),)) & set(selected))


def home_division(
    entry: DigestEntry, selected: Collection[str] | None, rank: Mapping[str, int] | None = None
) -> str | None:
    """The one division a story is listed under for a reader: among its tags the reader
    follows, the one the tagger scored best; catalogue order breaks ties and stands in for
    missing scores. None when the reader follows none of its tags."""
    rank = rank if rank is not None else {slug: i for i, slug in enumerate(division_order())}
    tags = list(entry.divisions) or [fallback_division()]
    candidates = [d for d in tags if selected is None or d in selected]
    if not candidates:
        return None

    def key(slug: str) -> tuple[float, int, str]:
        score = entry.score(slug)
        return (-(score if score is not None else float("-inf")), rank.get(slug, len(rank)), slug)

    return min(candidates, key=key)


def ranking_key(entry: DigestEntry, preferred: Collection[str]) -> tuple[int, int, float, int]:
    """Order inside a division: KPU RI and the reader's provinces first, then stories carried
    by more sites, then the newest."""
    near = 0 if set(entry.regions) & set(preferred) else 1
    sites = max(len(entry.site_names), 1)
    return (near, -sites, -entry.sort_time.timestamp(), -(entry.article_id or 0))


def group_by_division(
    entries: Iterable[DigestEntry],
    selected: Collection[str] | None = None,
    *,
    scope: Collection[str] | None = None,
) -> dict[str, list[DigestEntry]]:
    """Entries under their home division (display order), ranked; each story once.

    `selected=None` keeps every entry (/latest, /search); otherwise only the selected divisions,
    and an empty selection gives nothing (see `matches_divisions`). `scope` is the reader's
    region scope (None or `semua`: everything), see `in_scope`.
    """
    order = division_order()
    rank = {slug: i for i, slug in enumerate(order)}
    wanted = None if selected is None else set(selected)
    preferred = scope_provinces(scope) | {NASIONAL}
    allowed = _allowed_regions(scope)
    groups: dict[str, list[DigestEntry]] = {}
    for entry in entries:
        if allowed is not None and allowed.isdisjoint(entry.regions):
            continue
        home = home_division(entry, wanted, rank)
        if home is not None:
            groups.setdefault(home, []).append(entry)
    ordered = sorted(groups, key=lambda d: (rank.get(d, len(rank)), d))
    return {slug: sorted(groups[slug], key=lambda e: ranking_key(e, preferred)) for slug in ordered}


# --- rendering --------------------------------------------------------------------------------


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
        meta.append(escape(format_date(entry.published, tz)))
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
            line += escape(f" +{len(entry.site_names) - 1} situs")
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
    """The first line of a scheduled digest."""
    noun = "berita baru"
    return f"🗞 <b>Ringkasan Berita KPU</b>\n{escape(format_day(when, tz))} · {count} {noun}"


def instant_header(count: int) -> str:
    """The first line of an instant push holding everything new from one crawl."""
    return f"🔔 <b>Berita KPU terbaru</b> · {count} berita baru"


def division_heading(slug: str, *, continued: bool = False) -> str:
    """A division's heading; `continued` when a message picks the division up again."""
    suffix = " (lanjutan)" if continued else ""
    return f"<b>📂 {escape(division_name(slug))}{escape(suffix)}</b>"


def division_counts(entries_by_division: Mapping[str, Sequence[DigestEntry]]) -> str:
    """The lines under a digest's header: how many stories each division has."""
    return "\n".join(
        f"📂 {escape(division_name(slug))}: {len(entries)}"
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
    entries_by_division: Mapping[str, Sequence[DigestEntry]],
    *,
    tz: tzinfo,
    header: str,
    limit: int = MESSAGE_LIMIT,
    max_per_division: int | None = None,
    full_items: int | None = None,
    counts: bool = False,
) -> list[str]:
    """A whole digest as message parts: header, then each division's items in the given order.

    Items come ranked (`group_by_division`). The first `full_items` of a division are shown in
    full and the rest as one-line headlines (None: all in full). With `counts`, the header is
    followed by the number of stories per division. Parts break only between items; a division
    heading always travels with its first item, and a part that continues a division opens
    with its heading marked "(lanjutan)". With `max_per_division`, a busy division shows its
    best items and a line counting the rest. Empty input gives no parts.
    """
    return layout_digest(
        entries_by_division,
        tz=tz,
        header=header,
        limit=limit,
        max_per_division=max_per_division,
        full_items=full_items,
        counts=counts,
    ).parts


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
    """`render_digest`, also telling which part ends each division cut at the cap (where its
    "Lainnya" button belongs). `continued` marks every division heading "(lanjutan)": a page
    of a division the reader has seen the start of."""
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
            blocks.append(_Block(slug, more_in_division(len(entries) - len(shown)), "\n"))
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


def more_in_division(count: int) -> str:
    """The line that stands for a division's items beyond the digest's cap."""
    return f"<i>… dan {count} berita lain di divisi ini.</i>"


def render_broadcast_report(
    broadcast_id: int, *, sent: int, failed: int, blocked: int, pending: int = 0
) -> str:
    """What the admin reads once a broadcast has gone out."""
    lines = [
        f"📢 <b>Laporan siaran #{broadcast_id}</b>",
        f"Terkirim: {sent:,}".replace(",", "."),
        f"Gagal: {failed:,}".replace(",", "."),
        f"Memblokir bot / nonaktif: {blocked:,}".replace(",", "."),
    ]
    if pending:
        lines.append(f"Masih antre: {pending:,}".replace(",", "."))
    return "\n".join(lines)


# --- splitting and trimming -------------------------------------------------------------------

_TOKEN = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[^<&]+|[<&]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")


def _tokens(markup: str) -> Iterable[tuple[str, str]]:
    """(kind, token) with kind in open/close/entity/text; entities and tags are atomic."""
    for match in _TOKEN.finditer(markup):
        token = match.group(0)
        if token.startswith("</"):
            yield "close", token
        elif token.startswith("<") and len(token) > 1:
            yield "open", token
        elif token.startswith("&") and len(token) > 1:
            yield "entity", token
        else:
            yield "text", token


def _tag_name(tag: str) -> str:
    match = _TAG_NAME.match(tag)
    return match.group(1).lower() if match else ""


def trim_html(markup: str, limit: int = MESSAGE_LIMIT, *, ellipsis: str = ELLIPSIS) -> str:
    """Cut `markup` to at most `limit` UTF-16 units, never inside a tag or an entity.

    Tags still open at the cut are closed, and the cut prefers a word boundary.
    """
    if utf16_len(markup) <= limit:
        return markup
    budget = limit - utf16_len(ellipsis)
    out: list[str] = []
    used = 0
    stack: list[str] = []

    def closing_cost(names: list[str]) -> int:
        return sum(len(name) + 3 for name in names)

    for kind, token in _tokens(markup):
        if kind == "close":
            name = _tag_name(token)
            if name in stack:
                while stack:
                    top = stack.pop()
                    out.append(f"</{top}>")
                    used += len(top) + 3
                    if top == name:
                        break
            continue
        if kind == "open":
            name = _tag_name(token)
            cost = utf16_len(token) + len(name) + 3
            if used + cost + closing_cost(stack) > budget:
                break
            out.append(token)
            used += utf16_len(token)
            stack.append(name)
            continue
        room = budget - used - closing_cost(stack)
        size = utf16_len(token)
        if size <= room:
            out.append(token)
            used += size
            continue
        if kind == "text" and room > 0:
            out.append(_cut_text(token, room))
        break
    while out and out[-1].startswith("<") and not out[-1].startswith("</"):
        # drop tags opened right before the cut: an empty link or bold adds nothing
        out.pop()
        stack.pop()
    text = "".join(out).rstrip()
    return text + ellipsis + "".join(f"</{name}>" for name in reversed(stack))


def _cut_text(text: str, room: int) -> str:
    """The longest prefix of `text` within `room` UTF-16 units, backed off to a space."""
    cut = text.encode("utf-16-le")[: room * 2].decode("utf-16-le", errors="ignore")
    space = cut.rfind(" ")
    if space > len(cut) * 0.6:
        cut = cut[:space]
    return cut


def _top_level_breaks(markup: str, separator: str) -> list[int]:
    """Offsets just after each `separator` that lies outside every tag pair."""
    positions: list[int] = []
    depth = 0
    offset = 0
    for kind, token in _tokens(markup):
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "text" and depth == 0:
            start = 0
            while (found := token.find(separator, start)) != -1:
                positions.append(offset + found + len(separator))
                start = found + len(separator)
        offset += len(token)
    return positions


def _split_block(block: str, limit: int) -> list[str]:
    """Split an over-long block at top-level line breaks, then spaces, then (plain text only)
    anywhere; trim markup that still won't fit."""
    for separator in ("\n", " "):
        cuts = [c for c in _top_level_breaks(block, separator) if c < len(block)]
        if not cuts:
            continue
        pieces, start = [], 0
        for cut in cuts:
            pieces.append(block[start:cut])
            start = cut
        pieces.append(block[start:])
        packed = _pack(pieces, limit, joiner="")
        out: list[str] = []
        for piece in packed:
            piece = piece.strip()
            if not piece:
                continue
            out.extend([piece] if utf16_len(piece) <= limit else _split_block(piece, limit))
        return out
    if "<" not in block:  # plain escaped text: a long word is split, not cut short
        return _hard_split(block, limit)
    return [trim_html(block, limit)]


def _hard_split(text: str, limit: int) -> list[str]:
    """Markup-free text with nowhere to break (one huge word, Thai, a run of emoji) in pieces
    of at most `limit` UTF-16 units, cut between characters and never inside an entity."""
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for kind, token in _tokens(text):
        for piece in [token] if kind == "entity" else token:
            size = utf16_len(piece)
            if current and used + size > limit:
                parts.append("".join(current))
                current, used = [], 0
            current.append(piece)
            used += size
    if current:
        parts.append("".join(current))
    return parts


def _pack(pieces: Sequence[str], limit: int, joiner: str) -> list[str]:
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = current + joiner + piece if current else piece
        if current and utf16_len(candidate.rstrip()) > limit:
            parts.append(current)
            current = piece
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def split_message(
    blocks: Sequence[str],
    limit: int = MESSAGE_LIMIT,
    *,
    separator: str = BLOCK_SEPARATOR,
    oversize: str = "trim",
) -> list[str]:
    """Pack blocks (items) into as few messages as fit, breaking only between blocks.

    A block longer than `limit` on its own is trimmed (`oversize="trim"`, for digest items) or
    split at its own top-level line breaks (`oversize="split"`, for long announcements).
    """
    if oversize not in ("trim", "split"):
        raise ValueError("oversize must be 'trim' or 'split'")
    fitted: list[str] = []
    for block in blocks:
        block = block.strip()
        if not block:
            continue
        if utf16_len(block) <= limit:
            fitted.append(block)
        elif oversize == "trim":
            fitted.append(trim_html(block, limit))
        else:
            fitted.extend(_split_block(block, limit))
    return _pack(fitted, limit, joiner=separator)


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
