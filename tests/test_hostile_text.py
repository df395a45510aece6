"""Hostile text through the whole text pipeline and the renderers (property tests).

Whatever a page, a pasted text or a user holds (markup meant literally, emoji, Arabic and
Hebrew, bidi controls, NUL, lone surrogates, 10 KB runs), the core never fails with anything
but its documented errors, and every message it renders is valid Telegram HTML within 4096
UTF-16 units that shows the article's own words unchanged.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.handlers.summary import render_summary
from digests.delivery.entries import DigestEntry
from digests.delivery.ranking import group_by_division
from digests.delivery.render import render_article, render_digest, render_entries_digest
from digests.delivery.telegram_html import escape, escape_href, link_text, split_message, trim_html
from digests.model import Quote
from digests.summary.classify import classify
from digests.summary.divisions import load_divisions
from digests.summary.extract import NoArticleError, extract_article
from digests.summary.pipeline import process_html, process_text
from digests.summary.quotes import find_quotes
from digests.summary.summarise import summarise
from digests.text.dateline import strip_dateline
from digests.text.dates import find_indonesian_date, parse_indonesian_date
from digests.text.sentences import split_sentences
from tests.hostile_strategies import (
    any_hostile_text,
    as_shown,
    hostile_text,
    long_text,
    squeeze,
    visible,
)

WIB = ZoneInfo("Asia/Jakarta")
TEXT = any_hostile_text(surrogates=True)
SHORT = hostile_text(surrogates=True)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _folded(text: str) -> str:
    return squeeze(text).casefold()


# --- sentences, datelines, dates ----------------------------------------------------------------


@FAST
@given(TEXT)
@example("Ketua KPU\u202e mengatakan. “<b>Dr. Eko</b>”\x00 kata Eko.\ud800 Selesai.")
def test_sentences_are_slices_of_any_text_in_order(text: str) -> None:
    sentences = split_sentences(text)
    position = 0
    for sentence in sentences:
        assert sentence and sentence == sentence.strip()
        found = text.find(sentence, position)
        assert found >= 0, sentence
        position = found + len(sentence)
    assert squeeze("".join(sentences)) == squeeze(text)


@FAST
@given(TEXT)
@example("Jakarta (1 Deſ 2024) - Berita hari ini dimulai.")
@example("Jakarta, 1 MEİ 2024 - Berita hari ini dimulai.")
@example("Surabaya, 3 O\u212aT 2024 – Rapat pleno digelar.")
def test_dateline_strip_never_crashes_and_keeps_the_rest(paragraph: str) -> None:
    dateline, rest = strip_dateline(paragraph)
    if dateline is None:
        assert rest == paragraph
        return
    assert dateline.raw and dateline.raw in paragraph
    assert paragraph.endswith(rest[1:])  # the rest, its first letter possibly capitalised
    if dateline.month is not None:
        assert 1 <= dateline.month <= 12 and dateline.day is not None


@FAST
@given(TEXT)
@example("Kamis, 1 MEİ 2024")
@example("1 deſember 2024")
@example("3 O\u212aT")
def test_indonesian_dates_in_any_text_parse_or_give_none(text: str) -> None:
    found = find_indonesian_date(text)
    assert found is None or found[0].year >= 1900
    assert parse_indonesian_date(text) == (found[0] if found else None)


# --- summary, quotes, divisions -----------------------------------------------------------------


@FAST
@given(title=st.one_of(st.none(), SHORT), paragraphs=st.lists(TEXT, max_size=6))
@example(title="<b>Judul</b>", paragraphs=["Jakarta, 1 Deſ 2024 - Ketua KPU mengatakan hal ini."])
def test_summary_of_any_body_only_holds_the_bodys_words(
    title: str | None, paragraphs: list[str]
) -> None:
    summary = summarise(title, paragraphs, max_quotes=3)
    body = _folded(" ".join(paragraphs))
    assert len(summary.lead) <= 3
    for sentence in summary.lead:
        assert sentence.strip() == sentence and sentence
        assert _folded(sentence.removesuffix("…")) in body
    for quote in summary.quotes:
        assert _folded(quote.text) in body
        assert quote.speaker is None or (quote.speaker.strip() and "\n" not in quote.speaker)


@FAST
@given(st.lists(TEXT, max_size=6))
def test_quotes_of_any_body_are_its_own_words(paragraphs: list[str]) -> None:
    body = _folded(" ".join(paragraphs))
    for quote in find_quotes(paragraphs):
        assert _folded(quote.text) in body


@FAST
@given(title=st.one_of(st.none(), SHORT), text=TEXT)
def test_any_text_gets_known_divisions(title: str | None, text: str) -> None:
    slugs = classify(title, text)
    assert slugs and set(slugs) <= set(load_divisions().slugs)
    assert len(slugs) == len(set(slugs))


# --- extraction and the pipeline ----------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:title" content="{attr}">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{json}"}}</script>
</head><body><nav><a href="/">Beranda</a></nav><article><h1>{title}</h1>
<p class="date">Kamis, 17 Oktober 2024</p>{paragraphs}</article>
<footer>KPU</footer></body></html>"""

PROSE = (
    "Ketua KPU Jatim, Eko Sasmito mengatakan tahapan pemilu berjalan lancar di seluruh "
    "kabupaten dan kota. “Kami memastikan coklit data pemilih selesai tepat waktu,” kata Eko."
)


def _page(title: str, paragraphs: list[str], raw: bool) -> str:
    """A realistic article page with hostile text inserted escaped (as a CMS would) or raw."""

    def put(text: str) -> str:
        return text if raw else escape(text)

    json_text = title.replace("\\", "\\\\").replace('"', '\\"')
    body = "".join(f"<p>{put(p)}</p>" for p in [PROSE, *paragraphs, PROSE])
    return PAGE.format(title=put(title), attr=escape_href(title), json=json_text, paragraphs=body)


def _shown_processed(article, url: str | None) -> str:  # type: ignore[no-untyped-def]
    return visible(render_summary(article, url, WIB))


@SLOW
@given(title=SHORT, paragraphs=st.lists(TEXT, max_size=4), raw=st.booleans())
@example(title="<b>Judul</b> &amp; \ud800", paragraphs=["<tg-spoiler>x"], raw=False)
@example(title='\\ud800 "', paragraphs=[], raw=True)
@example(title="<!-- komentar -->KPU <?php echo 1 ?>", paragraphs=[], raw=True)
def test_any_article_page_extracts_and_renders_as_valid_telegram_html(
    title: str, paragraphs: list[str], raw: bool
) -> None:
    page = _page(title, paragraphs, raw)
    for html in (page, page.encode("utf-8", "surrogatepass")):
        try:
            article = process_html(html, "https://jatim.kpu.go.id/blog/read/1_x")
        except NoArticleError as exc:
            # Escaped as a CMS does, hostile text never hides the article around it; only a
            # NUL or a run of control characters near the top marks it binary, as documented.
            assert raw or "binary" in str(exc), "the article around the text was lost"
            continue
        if not raw:
            assert PROSE in article.text
        plain = _shown_processed(article, "https://jatim.kpu.go.id/blog/read/1_x")
        title = link_text(article.title, "https://jatim.kpu.go.id/blog/read/1_x")
        assert article.title and _folded(as_shown(title))[:20] in _folded(plain)


def test_text_after_an_html_comment_in_a_paragraph_is_kept() -> None:
    page = _page(
        "Rapat <!-- x -->Pleno", ["Satu <!-- rahasia --> dua tiga <?php x ?> empat."], True
    )
    article = process_html(page, "https://jatim.kpu.go.id/blog/read/1_x")
    assert "Satu dua tiga empat." in article.text and "rahasia" not in article.text


@SLOW
@given(st.one_of(st.binary(max_size=3000), TEXT))
@example(b"%PDF-1.4 \x00\x01")
@example(b"\xff\xfe<\x00p\x00>\x00")
@example("<p>\x00</p>")
def test_any_input_extracts_or_says_why_not(data: bytes | str) -> None:
    try:
        article = extract_article(data)
    except NoArticleError as exc:
        assert str(exc)
        return
    assert article.paragraphs and all(p.strip() == p and p for p in article.paragraphs)


@SLOW
@given(text=TEXT, title=st.one_of(st.none(), SHORT))
@example(text="Judul <b>\n1 Deſ 2024\n" + PROSE * 2, title=None)
@example(text="Judul\n1 MEİ\n" + PROSE + " (1/5/2024)", title=None)
def test_any_pasted_text_summarises_or_says_why_not(text: str, title: str | None) -> None:
    try:
        article = process_text(text, title)
    except NoArticleError:
        return
    plain = _shown_processed(article, None)
    for sentence in article.lead:
        if len(sentence) < 3000:
            assert _folded(as_shown(sentence)) in _folded(plain)


# --- the renderers ------------------------------------------------------------------------------

_urls = st.one_of(
    st.just("https://kpu.go.id/berita/baca/1/x"),
    st.just('https://kpu.go.id/?a=1&b="2"<3>'),
    st.just("javascript:alert(1)"),
    SHORT,
)
_quotes = st.one_of(st.none(), st.builds(Quote, text=TEXT, speaker=st.one_of(st.none(), SHORT)))
_when = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
)
_entries = st.builds(
    DigestEntry,
    title=TEXT,
    url=_urls,
    site_names=st.lists(SHORT, max_size=3),
    published=_when,
    lead=st.lists(TEXT, max_size=3),
    quote=_quotes,
    divisions=st.lists(st.one_of(st.sampled_from(load_divisions().slugs), SHORT), max_size=3),
)


def _quote_core(quote: Quote) -> str:
    # A digest item shows a quote's first two sentences (`short_text`); the full one is stored.
    return quote.short_text.strip().strip('"“”').strip()


@FAST
@given(entry=_entries, limit=st.one_of(st.just(4096), st.integers(40, 4096)))
@example(
    entry=DigestEntry(
        title="<b>Rapat</b> & </a> <tg-spoiler>",
        url='javascript:"><b>x</b>',
        lead=("&amp; \u202eرحبا",),
        quote=Quote("“<i>kata</i>”", "Eko <b>"),
    ),
    limit=4096,
)
def test_an_item_shows_its_own_text_as_valid_html_within_the_limit(
    entry: DigestEntry, limit: int
) -> None:
    rendered = render_article(entry, WIB, limit=limit)
    plain = visible(rendered, limit)
    full = visible(render_article(entry, WIB, limit=10**9), 10**9)
    if rendered == render_article(entry, WIB, limit=10**9):
        assert as_shown(link_text(entry.title, entry.url)) in plain  # a blank title: the host
        assert as_shown(" ".join(entry.lead)) in plain
        if entry.quote is not None:
            assert as_shown(_quote_core(entry.quote)) in plain
            if entry.quote.speaker:
                assert as_shown(entry.quote.speaker) in plain
    else:  # trimmed: a cut of what the full item shows, never altered
        assert plain.endswith("…")
        assert full.startswith(plain.removesuffix("…").rstrip())


@FAST
@given(entries=st.lists(_entries, max_size=12), selected=st.one_of(st.none(), st.lists(SHORT)))
def test_a_digest_of_any_items_is_valid_parts_within_the_limit(
    entries: list[DigestEntry], selected: list[str] | None
) -> None:
    groups = group_by_division(entries, selected)
    parts = render_digest(groups, tz=WIB, header="🗞 <b>Ringkasan</b>")
    shown = "\n".join(visible(part) for part in parts)
    for items in groups.values():
        for entry in items:
            if len(entry.title) < 200:
                assert as_shown(link_text(entry.title, entry.url).strip()) in shown
    result = render_entries_digest(
        entries, selected=selected, tz=WIB, when=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert result.count == sum(len(v) for v in groups.values())
    for part in result.parts:
        visible(part)


@FAST
@given(
    blocks=st.lists(st.one_of(TEXT.map(escape), st.builds(lambda t: f"<b>{escape(t)}</b>", TEXT))),
    limit=st.integers(20, 4096),
)
def test_packing_and_trimming_never_break_markup(blocks: list[str], limit: int) -> None:
    for part in split_message(blocks, limit):
        visible(part, limit)
    for block in blocks:
        visible(trim_html(block, limit), limit)


@pytest.mark.parametrize("hours", [0, 7, 23])
def test_digest_header_and_dates_render_for_any_hour(hours: int) -> None:
    when = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=hours)
    entry = DigestEntry(title="<x>", url="https://kpu.go.id/a", published=when)
    result = render_entries_digest([entry], selected=None, tz=WIB, when=when)
    assert result.count == 1
    assert "<x>" in visible(result.parts[0])


def test_a_ten_kilobyte_title_without_spaces_is_cut_not_broken() -> None:
    unit = "<b>&amp;😀\u202e"
    entry = DigestEntry(title=unit * 2000, url="https://kpu.go.id/a", lead=("x",))
    plain = visible(render_article(entry, WIB))
    assert plain.startswith(unit * 10) and plain.endswith("…")


@settings(max_examples=15, deadline=None)
@given(long_text(surrogates=False))
def test_ten_kilobytes_of_prose_pass_the_whole_pipeline_quickly(text: str) -> None:
    started = time.monotonic()
    try:
        article = process_text((PROSE + "\n") + text)
    except NoArticleError:
        return
    _shown_processed(article, None)
    assert time.monotonic() - started < 5
