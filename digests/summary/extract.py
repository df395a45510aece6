"""Turn one fetched KPU news page into clean body paragraphs, a title and a publication date.

trafilatura finds the main text; what it lets through on KPU templates (login widgets, captchas,
"Baca juga" links, photo captions, editor initials) is removed with the operator-editable markers
in `digests/data/boilerplate.txt`. Pages are never downloaded here: callers pass HTML they have.

Input larger than `MAX_INPUT_BYTES` (5 MB) is cut to its first 5 MB before parsing, and a parsed
page with more than `MAX_ELEMENTS` (20,000) HTML elements is cut after its first 20,000 in document
order: real KPU article pages are under 1 MB and a few thousand elements, while trafilatura's time
grows with the element count (about 0.1 ms each), so the caps bound what one hostile page costs
(about two seconds) and keep the article, which comes before sidebars and comment threads.
"""

from __future__ import annotations

import copy
import itertools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from html import unescape
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.etree
import lxml.html
from htmldate import find_date
from trafilatura import bare_extraction
from trafilatura.core import determine_returnstring
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Extractor
from trafilatura.utils import detect_encoding, line_processing

from digests.model import ExtractedArticle
from digests.text.dateline import strip_dateline
from digests.text.dates import find_indonesian_date, settle_year
from digests.text.sniff import binary_kind

MAX_INPUT_BYTES = 5_000_000
MAX_ELEMENTS = 20_000
MIN_ARTICLE_CHARS = 80

_CHARSET_DECL = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_STOP = re.compile(r"\s+([.,;:!?])(?=\s|$)")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # C0 controls but tab, LF, FF, CR
# Characters XML cannot hold: one stray backspace in a paragraph makes trafilatura's XML step
# fail, and it then reports no text at all for the whole page.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")  # lxml refuses it in a str (XHTML pages)
_PUBLISHED_XPATH = lxml.etree.XPath(
    "//meta[@property='article:published_time' or @name='article:published_time'"
    " or @itemprop='datePublished' or @name='pubdate' or @name='date']/@content"
    " | //*[@itemprop='datePublished']/@datetime"
)
_TIME_XPATH = lxml.etree.XPath("//time/@datetime")
_WIB = ZoneInfo("Asia/Jakarta")
# Elements whose name XML refuses: the HTML parser reads a raw "<i<b>KPU" as an element "i<b",
# and trafilatura's XML step then fails on the whole page. Their text is kept, the tag dropped.
_NOT_XML_NAMED = lxml.etree.XPath(
    "//*[translate(name(), 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.',"
    " '') != '']"
)
_DATE_HINT = re.compile(r"date|time|tanggal|tgl|posted|meta|published|waktu", re.IGNORECASE)


class NoArticleError(ValueError):
    """The input is not a page with a news article in it (empty, binary, a listing, ...)."""


@dataclass(frozen=True, slots=True)
class BoilerplateRules:
    """Compiled markers from boilerplate.txt; see that file for what each kind means."""

    cut: tuple[re.Pattern[str], ...]
    drop: tuple[re.Pattern[str], ...]
    prefixes: tuple[str, ...]
    tail: tuple[re.Pattern[str], ...]
    inline: tuple[re.Pattern[str], ...]
    strip_end: tuple[re.Pattern[str], ...]
    title: tuple[re.Pattern[str], ...]
    teaser: tuple[re.Pattern[str], ...] = ()
    start: tuple[re.Pattern[str], ...] = ()
    page_drop: tuple[re.Pattern[str], ...] = ()
    related: tuple[re.Pattern[str], ...] = ()
    site_titles: tuple[re.Pattern[str], ...] = ()


_KINDS = (
    "cut", "drop", "page-drop", "prefix", "related", "tail", "inline", "strip-end", "title",
    "teaser", "start",
)  # fmt: skip


def load_boilerplate(path: Path | None = None, site_titles: Path | None = None) -> BoilerplateRules:
    """Read boilerplate markers and news sites' title suffixes; the bundled files when None."""
    data = files("digests").joinpath("data")
    text = (
        path.read_text(encoding="utf-8")
        if path
        else data.joinpath("boilerplate.txt").read_text(encoding="utf-8")
    )
    sites = tomllib.loads(
        site_titles.read_text(encoding="utf-8")
        if site_titles
        else data.joinpath("site_titles.toml").read_text(encoding="utf-8")
    )
    kinds: dict[str, list[str]] = {k: [] for k in _KINDS}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        kind, _, pattern = line.partition(" ")
        pattern = pattern.strip()
        if kind not in kinds or not pattern:
            raise ValueError(f"boilerplate line {number}: expected 'KIND PATTERN', got {raw!r}")
        if kind == "prefix":
            if not pattern.startswith("text "):
                raise ValueError(f"boilerplate line {number}: prefix needs 'text ' before it")
            pattern = pattern.removeprefix("text ").strip()
        kinds[kind].append(pattern)

    def compiled(kind: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in kinds[kind])

    return BoilerplateRules(
        cut=compiled("cut"),
        drop=compiled("drop"),
        prefixes=tuple(p.casefold() for p in kinds["prefix"]),
        tail=compiled("tail"),
        inline=compiled("inline"),
        strip_end=compiled("strip-end"),
        title=compiled("title"),
        teaser=compiled("teaser"),
        start=compiled("start"),
        page_drop=compiled("page-drop"),
        related=compiled("related"),
        site_titles=tuple(
            re.compile(pattern, re.IGNORECASE)
            for site in sites.values()
            for pattern in site.get("patterns", ())
        ),
    )


@cache
def _default_rules() -> BoilerplateRules:
    return load_boilerplate()


def extract_article(
    html: str | bytes, url: str | None = None, rules: BoilerplateRules | None = None
) -> ExtractedArticle:
    """Extract title, date, dateline and body paragraphs from one article page.

    Raises NoArticleError (a ValueError) with a reason a person can act on when the input is
    empty, binary, not HTML, or holds no article text.
    """
    rules = rules or _default_rules()
    page = _XML_DECLARATION.sub("", _decode(html), count=1)
    try:
        tree = lxml.html.fromstring(page)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise NoArticleError(f"the page could not be parsed as HTML ({exc})") from exc
    if tree is None or not len(tree):
        raise NoArticleError("the page could not be parsed as HTML")
    _truncate_tree(tree, MAX_ELEMENTS, page)
    # trafilatura drops the text after a comment ("Satu <!-- x --> dua" keeps only "Satu") and
    # hands back comments its XML walk cannot read: take them out first, keeping their tails.
    lxml.etree.strip_tags(tree, lxml.etree.Comment, lxml.etree.ProcessingInstruction)
    bad_names = {element.tag for element in _NOT_XML_NAMED(tree)}
    if bad_names:
        lxml.etree.strip_tags(tree, *bad_names)
    _wrap_loose_text(tree)

    found_title, site_name, page_url = _page_metadata(tree, url)
    page_titles = _page_titles(tree)
    result = _main_text_xml(tree, url)  # trafilatura works on a copy: `tree` stays whole
    if not result:
        raise NoArticleError("no article text was found on the page")
    doc = lxml.etree.fromstring(result.encode("utf-8"))

    title = _choose_title(found_title, page_titles, rules, (site_name, _host(page_url or url)))
    blocks = _blocks(doc)
    paragraphs = clean_paragraphs(blocks, title, rules, page=True)
    if sum(len(p) for p in paragraphs) < MIN_ARTICLE_CHARS:
        raise NoArticleError("the page has no article text (only menus, widgets or links)")

    published, published_date = _page_date(tree, page_url, paragraphs)
    return ExtractedArticle(
        title=title,
        paragraphs=paragraphs,
        published=published,
        published_date=published_date,
        dateline=strip_dateline(paragraphs[0])[0],
        url=url,
        site_name=site_name,
    )


def _main_text_xml(tree: lxml.html.HtmlElement, url: str | None) -> str | None:
    """trafilatura's XML for the main text: what `trafilatura.extract` returns, minus the
    content fingerprint it computes for every XML output (a sixth of its time), unused here."""
    options = copy.copy(_extractor())  # building one reads its config file settings anew
    options.url = options.source = url
    document = bare_extraction(tree, options=options)
    return determine_returnstring(document, options) if document is not None else None


@cache
def _extractor() -> Extractor:
    return Extractor(output_format="xml", precision=True, comments=False, tables=False)


def clean_paragraphs(
    blocks: list[tuple[str, str]],
    title: str | None,
    rules: BoilerplateRules,
    *,
    page: bool = False,
) -> list[str]:
    """Apply the boilerplate rules to (kind, text) blocks in page order; return body paragraphs.

    Headings take part in cut decisions ("Berita Terkait") but are not returned: they are not
    sentences, and the title already says what the article is about. A "br" block is a line
    after a line break in the same paragraph: after a `related` line ("Baca juga:") it is one
    of the links it introduces and goes with it.

    `page` is True for the body of an HTML page, whose date and title come from the page
    itself: its date lines (`page-drop`) and what stands above its dateline (`start`) go.
    Pasted plain text keeps them, because there those lines are the article's title and date.
    """
    kept: list[str] = []
    folded_title = title.casefold() if title else None
    skip_next = in_related = False
    for kind, raw in blocks:
        text = _SPACES.sub(" ", raw).strip()
        if not text:
            continue
        if kind == "br" and in_related:
            continue
        in_related = any(p.fullmatch(text) for p in rules.related)
        if in_related:
            continue
        if any(p.fullmatch(text) for p in rules.cut):
            break
        if kind == "head":
            skip_next = any(p.fullmatch(text) for p in rules.teaser)
            continue
        if skip_next:
            skip_next = False
            continue
        if text.casefold() == folded_title:
            continue
        if any(p.fullmatch(text) for p in rules.drop):
            continue
        if page and any(p.fullmatch(text) for p in rules.page_drop):
            continue
        if _has_prefix(text.casefold(), rules.prefixes):
            continue
        for pattern in rules.inline:
            text, removed = pattern.subn("", text)
            if removed:  # "… di gudang (Dok Humas)." must not leave "gudang ."
                text = _SPACE_BEFORE_STOP.sub(r"\1", text)
        text = _SPACES.sub(" ", text).strip()
        if text:
            kept.append(text)
    while kept and any(p.fullmatch(kept[-1]) for p in rules.tail):
        kept.pop()
    if kept:
        last = kept[-1]
        for pattern in rules.strip_end:
            last = pattern.sub("", last)
        kept[-1] = last.strip()
        if not kept[-1]:
            kept.pop()
    return _from_dateline(kept, rules, page)


def _has_prefix(folded: str, prefixes: tuple[str, ...]) -> bool:
    """Starts with a prefix marker as a whole word: "Baca juga" drops "Baca juga X", not
    "Baca jugalah …"."""
    return any(
        folded.startswith(prefix)
        and not (prefix[-1].isalnum() and folded[len(prefix) : len(prefix) + 1].isalnum())
        for prefix in prefixes
    )


MAX_HEADER_PARAGRAPHS = 7
MAX_HEADER_CHARS = 200
MAX_BARE_DATELINE = 80


def _from_dateline(kept: list[str], rules: BoilerplateRules, page: bool) -> list[str]:
    """Start the body at its dateline, and keep a dateline standing alone with its sentence.

    News pages put a standfirst, the date, the byline and a photo caption above the article,
    and trafilatura keeps some; the article proper opens with the dateline ("VIVA.co.id - ").
    Only short paragraphs before it go, so a dateline-like line deep in a story changes nothing.
    A dateline set apart from its first sentence ("<b>Jakarta</b> - <p>Galaxy …") joins it.
    Plain text (`page` False) only has its datelines joined.
    """
    if not rules.start or not kept:
        return kept
    for at, paragraph in enumerate(kept[: MAX_HEADER_PARAGRAPHS + 1] if page else ()):
        if any(p.match(paragraph) for p in rules.start):
            if all(len(before) <= MAX_HEADER_CHARS for before in kept[:at]):
                kept = kept[at:]
            break
    first = kept[0]
    if len(kept) > 1 and len(first) <= MAX_BARE_DATELINE:
        for pattern in rules.start:
            found = pattern.match(first)
            if found and found.end() >= len(first):
                return [f"{first} {kept[1]}", *kept[2:]]
    return kept


def _decode(html: str | bytes) -> str:
    """Bytes or text to text: capped, checked for binary data, charset detected."""
    if isinstance(html, str):
        page = html[:MAX_INPUT_BYTES]
        if kind := binary_kind(page):
            raise NoArticleError(f"the input is {kind}, not an HTML page")
    elif isinstance(html, bytes | bytearray):
        data = bytes(html[:MAX_INPUT_BYTES])
        if kind := binary_kind(data):
            raise NoArticleError(f"the input is {kind}, not an HTML page")
        page = _decode_bytes(data)
    else:
        raise TypeError(f"extract_article needs str or bytes, not {type(html).__name__}")
    if not page.strip():
        raise NoArticleError("the page is empty")
    if "<" not in page[:65536]:
        raise NoArticleError("the input has no HTML markup")
    controls = len(_CONTROL_CHARS.findall(page, 0, 4096))
    if controls > 0.1 * min(len(page), 4096):
        raise NoArticleError("the input is binary data, not an HTML page")
    return _NOT_XML.sub("", page.lstrip("\ufeff"))


def _decode_bytes(data: bytes) -> str:
    """Mostly-UTF-8 pages keep UTF-8 (a few broken bytes become U+FFFD); pages in an older
    charset (regional sites still serve windows-1252) use the declared or a detected one."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    found = _CHARSET_DECL.search(data[:4096])
    declared = found.group(1).decode("ascii").lower() if found else None
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    valid = sum(1 for ch in lenient if ord(ch) > 127) - broken
    says_utf8 = declared in ("utf-8", "utf8")
    if valid > broken or (says_utf8 and valid > 0):
        return lenient
    candidates = [declared] if declared and not says_utf8 else []
    for encoding in [*candidates, *detect_encoding(data)]:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return lenient


def _truncate_tree(tree: lxml.html.HtmlElement, limit: int, page: str) -> None:
    """Drop every element after the first `limit` ones in document order.

    Every element in `page` starts with a "<", except those the parser adds itself (html, head,
    body, and at most one paragraph per stray text run), so a page with few "<" cannot be over
    the limit: counting them in C skips walking the tree for every ordinary page.
    """
    if 2 * page.count("<") + 4 <= limit:
        return
    first_dropped = next(itertools.islice(tree.iter(), limit, None), None)
    if first_dropped is None:
        return
    node = first_dropped
    while node is not None:
        parent = node.getparent()
        while node.getnext() is not None:
            node.getparent().remove(node.getnext())
        node = parent
    first_dropped.getparent().remove(first_dropped)


# HTML elements that end a run of inline text: what a browser lays out as a block of its own.
_HTML_BLOCKS = frozenset((
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
))  # fmt: skip
_NO_TEXT = frozenset({"script", "style", "noscript", "template"})
# Elements holding both a non-blank text node and a block child: "<div><b>Jakarta</b> – Lead
# sentence…<p>Second paragraph</p></div>", or a <span> holding paragraphs apart by line breaks
# ("<span itemprop=articleBody><b>VIVA.co.id</b> - Lead…<br><br>Second…</span>"). trafilatura
# can lose such loose text, which on Indonesian news templates is the dateline and first
# paragraph. (A <div> of "<br>"-separated paragraphs it reads well, and splitting one into
# paragraphs can make it pick a smaller part of the page as the article.)
_LOOSE_TEXT_PARENTS = lxml.etree.XPath(
    "//*[self::div or self::span or self::article or self::section or self::td or self::main"
    " or self::font or self::center or self::body or self::blockquote]"
    "[text()[normalize-space()]]"
    "[p or div or ul or ol or table or blockquote or h1 or h2 or h3 or h4 or h5 or h6"
    " or section or article or figure or pre or dl or (br and self::span)]"
)


def _wrap_loose_text(tree: lxml.html.HtmlElement) -> None:
    """Wrap each run of loose text (and the inline elements inside it) in a <p> of its own.

    A run is what lies between two block children (in a <span>, also between line breaks,
    which start a new paragraph as in the walk below). Runs without text are left as they are.
    """
    for parent in _LOOSE_TEXT_PARENTS(tree):
        children = list(parent)
        sequence: list[lxml.etree._Element | tuple[str, list[lxml.etree._Element]]] = []
        text, inline = parent.text or "", []
        for child in children:
            if child.tag == "br" and parent.tag == "span":
                sequence.append((text, inline))
                text, inline = child.tail or "", []
            elif child.tag in _HTML_BLOCKS:
                sequence.append((text, inline))
                sequence.append(child)
                text, inline = child.tail or "", []
                child.tail = None
            else:
                inline.append(child)
        sequence.append((text, inline))
        for child in children:
            parent.remove(child)
        parent.text = None
        for item in sequence:
            if not isinstance(item, tuple):
                parent.append(item)
                continue
            text, inline = item
            if text.strip() or any(_run_has_text(e) for e in inline):
                run = lxml.etree.SubElement(parent, "p")
                run.text = text
                run.extend(inline)
                continue
            if len(parent):
                parent[-1].tail = (parent[-1].tail or "") + text
            else:
                parent.text = (parent.text or "") + text
            parent.extend(inline)


def _run_has_text(element: lxml.etree._Element) -> bool:
    if element.tail and element.tail.strip():
        return True
    if not isinstance(element.tag, str) or element.tag in _NO_TEXT:  # comments, scripts
        return False
    return bool(element.text_content().strip())


_CONTAINERS = frozenset({"quote", "list", "div", "main", "table", "row", "cell"})


def _blocks(doc: lxml.etree._Element) -> list[tuple[str, str]]:
    """Flatten trafilatura's XML body into (kind, text) blocks in page order.

    Paragraphs, headings and list items are blocks; a <quote> or <list> holding paragraphs or
    items contributes those; a line break inside a block starts a new paragraph, because some
    KPU editors separate paragraphs with <br><br> instead of <p>.
    """
    main = doc.find("main")
    blocks: list[tuple[str, str]] = []
    if main is not None:
        _walk(main, blocks)
    return blocks


_INLINE = frozenset({"hi", "ref", "del", "span"})


def _walk(element: lxml.etree._Element, blocks: list[tuple[str, str]]) -> None:
    """Blocks of a container in order, its own loose text included.

    trafilatura leaves text it found between blocks in the container's text and in the tails
    of its children ("<head>…</head>Lead sentence<p>…</p>", "<p>…</p>Text<lb/>More"): such a
    run is a paragraph like any other, cut at line breaks.
    """
    loose = [element.text or ""]

    def flush() -> None:
        blocks.extend(_segments("p", [segment for segment in loose if segment.strip()]))
        loose[:] = [""]

    for child in element:
        if child.tag == "lb":
            loose.append(child.tail or "")
            continue
        if child.tag in _INLINE:
            loose[-1] += "".join(child.itertext()) + (child.tail or "")
            continue
        flush()
        if child.tag in _CONTAINERS and any(True for _ in child.iterchildren("p", "item", "head")):
            _walk(child, blocks)
        else:
            kind = "head" if child.tag == "head" else "p"
            blocks.extend(_segments(kind, _split_on_breaks(child)))
        loose[-1] = child.tail or ""
    flush()


def _segments(kind: str, segments: list[str]) -> list[tuple[str, str]]:
    """A paragraph's line-broken segments: the first of kind `kind`, the rest "br" (unless a
    heading), so a "Baca juga:" line can take the links under it along."""
    if kind == "head":
        return [(kind, segment) for segment in segments]
    return [("p" if at == 0 else "br", segment) for at, segment in enumerate(segments)]


def _split_on_breaks(element: lxml.etree._Element) -> list[str]:
    segments = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            segments.append("")
        else:
            segments[-1] += "".join(child.itertext())
        if child.tail:
            segments[-1] += child.tail
    return [s for s in segments if s.strip()]


def _host(url: str | None) -> str | None:
    found = META_URL.match(url) if url else None
    return found[1].removeprefix("www.") if found else None


def _choose_title(
    found: str | None,
    page_titles: tuple[str | None, str | None],
    rules: BoilerplateRules,
    site: tuple[str | None, str | None] = (None, None),
) -> str | None:
    """trafilatura's title, unless it cut a real part off the page's own title.

    trafilatura drops anything after " - " in <title>, which is right for
    "Rakor – KPU Provinsi Jawa Timur" and wrong for "Pilkada 2024 - Sukses Bersama": only a
    site name the `title` markers recognise may go.
    """
    heading, declared = page_titles
    found = _SPACES.sub(" ", found).strip() if found else None
    if found and declared and declared != found and declared.startswith(found):
        return _clean_title(declared, rules, site)
    return _clean_title(found or heading or declared, rules, site)


def _clean_title(
    title: str | None, rules: BoilerplateRules, site: tuple[str | None, str | None] = (None, None)
) -> str | None:
    """The headline without the site's name: the KPU and news-site patterns, then the page's
    own site name or host when the title ends with one after a separator."""
    if not title:
        return None
    for pattern in (*rules.title, *rules.site_titles, *_own_site_suffixes(site)):
        stripped = pattern.sub("", title).strip()
        if stripped:
            title = stripped
    return title or None


def _own_site_suffixes(site: tuple[str | None, str | None]) -> list[re.Pattern[str]]:
    names = {name.strip() for name in site if name and len(name.strip()) >= 4}
    return [
        re.compile(rf"\s+[|–—:-]{{1,2}}\s+{re.escape(name)}$", re.IGNORECASE)
        for name in sorted(names)
    ]


def _page_metadata(
    tree: lxml.html.HtmlElement, url: str | None
) -> tuple[str | None, str | None, str | None]:
    """(title, site name, page address) the way trafilatura's `extract_metadata` finds them.

    Only these steps of it: the rest (author, categories, tags, license) is unused here and
    cost more than extracting the text itself. The page's own address (og:url, canonical link)
    wins over the one it was fetched from, as in trafilatura: a date in it is the page's word.
    """
    found = extract_meta_json(tree, examine_meta(tree))
    title = found.title or extract_title(tree)
    page_url = found.url or extract_url(tree, url)
    site_name = found.sitename or extract_sitename(tree)
    if site_name:
        site_name = site_name.lstrip("@")
        if site_name and "." not in site_name and not site_name[0].isupper():
            site_name = site_name.title()
    elif page_url:
        matched = META_URL.match(page_url)
        site_name = matched[1] if matched else None
    return _metadata_text(title), _metadata_text(site_name), _metadata_text(page_url)


def _metadata_text(value: str | None) -> str | None:
    """Trimmed, entities resolved and NFC-normalised, as trafilatura hands out metadata."""
    if not value:
        return None
    if len(value) > 10000:
        value = value[:9999] + "…"
    return unicodedata.normalize("NFC", line_processing(unescape(value)) or "") or None


def _page_titles(tree: lxml.html.HtmlElement) -> tuple[str | None, str | None]:
    """(first <h1>, og:title or <title>), whitespace collapsed, read before trafilatura prunes."""
    heading = declared = None
    for found in tree.iter("h1"):
        heading = _SPACES.sub(" ", found.text_content()).strip() or None
        if heading:
            break
    for value in tree.xpath("//meta[@property='og:title']/@content | //title/text()"):
        declared = _SPACES.sub(" ", value).strip() or None
        if declared:
            break
    return heading, declared


def _fallback_date(tree: lxml.html.HtmlElement) -> tuple[date, bool] | None:
    """An Indonesian date near the article: a date-like element first, else anywhere on the page.

    Returns the date and whether its year was written on the page.
    """
    for element in tree.iter("span", "div", "p", "small", "time", "li", "td", "em", "i"):
        hints = f"{element.get('class', '')} {element.get('id', '')}"
        if element.tag == "time" or _DATE_HINT.search(hints):
            found = find_indonesian_date(element.text_content()[:200])
            if found:
                return found
    body = tree.find("body")
    return find_indonesian_date((body if body is not None else tree).text_content())


def _meta_datetime(tree: lxml.html.HtmlElement) -> datetime | None:
    """A timezone-aware publication time from meta tags or <time datetime>, when a page has one.

    What the page marks as its publication time comes first: a zoneless one there is the
    newsroom's local time (WIB; liputan6 writes `itemprop="datePublished" datetime="2016-02-16
    09:10:56"`). Any other <time> counts only with a zone, and only after those: the first
    <time> on a news page is often a related article's.
    """
    for value in _PUBLISHED_XPATH(tree):
        found = _iso_datetime(value)
        if found is not None and found.tzinfo is not None:
            return found
        if found is not None and found.time() != time():  # a bare date is no time of day
            return found.replace(tzinfo=_WIB)
    for value in _TIME_XPATH(tree):
        found = _iso_datetime(value)
        if found is not None and found.tzinfo is not None:
            return found
    return None


def _iso_datetime(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _page_date(
    tree: lxml.html.HtmlElement, url: str | None, paragraphs: list[str]
) -> tuple[datetime | None, date | None]:
    """(published, published_date) from the cheapest source that has one.

    In order: a zoned time in meta tags; htmldate's structured search (a date in the address,
    meta tags, JSON-LD, <time>, date-classed elements); an Indonesian date near the article;
    and last, rare on KPU pages, htmldate's search of the whole text for dates written in other
    languages, which costs as much again as its structured search.
    """
    meta_time = _meta_datetime(tree)
    if meta_time is not None:
        return meta_time, meta_time.date()
    found = find_date(tree, extensive_search=False, original_date=True, url=url)
    fallback = None if found else _fallback_date(tree)
    if not found and fallback is None:
        found = find_date(tree, extensive_search=True, original_date=True, url=url)
    return _published(found, fallback, paragraphs)


def _published(
    meta_date: str | None,
    fallback: tuple[date, bool] | None,
    paragraphs: list[str],
) -> tuple[datetime | None, date | None]:
    """(published, published_date) for a page that states no time of day.

    Such a page gets midnight in Asia/Jakarta (WIB), where KPU pages are written, so callers
    can still sort and filter by time. A year-less badge ("20 Okt") takes its year from the
    body when a full date there has the same day and month.
    """
    day = None
    if meta_date:
        try:
            day = date.fromisoformat(meta_date[:10])
        except ValueError:
            day = None
    if day is None and fallback is not None:
        day = settle_year(*fallback, " ".join(paragraphs))
    if day is None:
        return None, None
    return datetime.combine(day, time(), tzinfo=_WIB), day
