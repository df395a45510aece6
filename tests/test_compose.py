"""Digest messages as staff read them: valid Telegram HTML, linked titles, parts that fit."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from digests.compose import (
    DigestEntry,
    entries_from_articles,
    escape,
    format_date,
    format_datetime,
    format_day,
    group_by_division,
    render_announcement,
    render_article,
    render_digest,
    split_message,
    trim_html,
    utf16_len,
)
from digests.model import Quote
from tests.botapi.html_parse import parse_html

JAKARTA = ZoneInfo("Asia/Jakarta")


def entry(n: int = 1, **overrides: object) -> DigestEntry:
    values: dict = {
        "title": f"KPU gelar bimtek ke-{n} <PPK> & PPS",
        "url": f"https://jatim.kpu.go.id/blog/read/{n}_bimtek?a=1&b=2",
        "site_names": ("KPU Provinsi Jawa Timur",),
        "published": datetime(2026, 11, 21, 20, 0, tzinfo=UTC),
        "lead": ("Banyuwangi – KPU menggelar bimtek untuk 1 < 2 anggota PPK.",),
        "quote": Quote("Kami siap melayani pemilih", "Ketua KPU Jatim"),
        "divisions": ("teknis",),
    }
    values.update(overrides)
    return DigestEntry(**values)


def test_dates_are_shown_in_jakarta_with_indonesian_months() -> None:
    when = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)  # already the 22nd in Jakarta
    assert format_date(when, JAKARTA) == "22 November 2026"
    assert format_day(when, JAKARTA) == "Minggu, 22 November 2026"
    assert format_datetime(when, JAKARTA) == "22 November 2026 pukul 03.00 WIB"
    assert format_date(datetime(2026, 8, 1, 5, tzinfo=UTC), JAKARTA) == "1 Agustus 2026"


def test_article_item_links_title_and_shows_site_date_lead_and_quote() -> None:
    html = render_article(entry(), JAKARTA)
    plain, entities = parse_html(html)
    link = next(e for e in entities if "url" in e)
    assert link["url"] == "https://jatim.kpu.go.id/blog/read/1_bimtek?a=1&b=2"
    assert "KPU gelar bimtek ke-1 <PPK> & PPS" in plain
    assert "KPU Provinsi Jawa Timur · 22 November 2026" in plain
    assert "1 < 2 anggota PPK" in plain
    quote_line = "“Kami siap melayani pemilih” — Ketua KPU Jatim"
    assert quote_line in plain
    italic = [plain_slice(plain, e) for e in entities if e["type"] == "italic"]
    assert quote_line in italic


def plain_slice(plain: str, ent: dict) -> str:
    units = plain.encode("utf-16-le")
    start, end = ent["offset"] * 2, (ent["offset"] + ent["length"]) * 2
    return units[start:end].decode("utf-16-le")


def test_republished_story_appears_once_with_every_site_listed() -> None:
    def article(i: int, site: str, seen_hour: int) -> SimpleNamespace:
        return SimpleNamespace(
            id=i,
            url=f"https://{site}.kpu.go.id/read/{i}",
            source_name=f"KPU {site}",
            story_id=7,
            title="Rapat pleno rekapitulasi",
            published_at=None,
            lead=["Rapat pleno digelar."],
            quotes=[{"text": "Semua lancar", "speaker": None}],
            divisions=["teknis"] if i == 1 else ["data"],
            first_seen_at=datetime(2026, 11, 22, seen_hour, tzinfo=UTC),
        )

    entries = entries_from_articles([article(2, "jatim", 5), article(1, "jabar", 3)])
    assert len(entries) == 1
    only = entries[0]
    assert only.url == "https://jabar.kpu.go.id/read/1"
    assert only.site_names == ("KPU jabar", "KPU jatim")
    assert set(only.divisions) == {"teknis", "data"}
    plain, entities = parse_html(render_article(only, JAKARTA))
    assert "KPU jabar, KPU jatim" in plain
    assert {e["url"] for e in entities if "url" in e} == {
        "https://jabar.kpu.go.id/read/1",
        "https://jatim.kpu.go.id/read/2",
    }


def test_untagged_articles_count_as_umum_and_selection_filters() -> None:
    items = [
        entry(1, divisions=("teknis",)),
        entry(2, divisions=()),
        entry(3, divisions=("hukum",)),
    ]
    assert set(group_by_division(items)) == {"teknis", "umum", "hukum"}
    assert set(group_by_division(items, ["hukum", "umum"])) == {"hukum", "umum"}


def test_subscriber_without_divisions_gets_nothing() -> None:
    assert group_by_division([entry(1, divisions=("teknis",))], []) == {}


def test_article_in_two_followed_divisions_is_listed_once() -> None:
    both = entry(1, divisions=("data", "teknis"))
    groups = group_by_division([both], ["teknis", "data"])
    assert sum(len(v) for v in groups.values()) == 1


def test_items_are_newest_first_within_a_division() -> None:
    old = entry(1, published=datetime(2026, 11, 20, tzinfo=UTC))
    new = entry(2, published=datetime(2026, 11, 21, tzinfo=UTC))
    parts = render_digest(group_by_division([old, new]), tz=JAKARTA, header="<b>H</b>")
    plain, _ = parse_html(parts[0])
    assert plain.index("ke-2") < plain.index("ke-1")


def test_empty_digest_gives_no_message() -> None:
    assert render_digest({}, tz=JAKARTA, header="<b>Ringkasan</b>") == []
    assert render_digest({"teknis": []}, tz=JAKARTA, header="<b>Ringkasan</b>") == []


def test_long_digest_is_split_between_items_into_valid_parts() -> None:
    items = [entry(i, lead=("Kalimat panjang tentang pemilu. " * 12,)) for i in range(60)]
    parts = render_digest(group_by_division(items), tz=JAKARTA, header="<b>Ringkasan</b>")
    assert len(parts) > 1
    seen = []
    for part in parts:
        assert utf16_len(part) <= 4096
        _plain, entities = parse_html(part)
        seen += [e["url"] for e in entities if "url" in e]
    assert len(seen) == 60 and len(set(seen)) == 60  # every item exactly once, none cut


def test_division_heading_never_ends_a_part_alone() -> None:
    items = [
        entry(i, lead=("x" * 900,), divisions=(d,))
        for i, d in enumerate(["teknis"] * 4 + ["hukum"] * 4)
    ]
    parts = render_digest(group_by_division(items), tz=JAKARTA, header="<b>H</b>")
    assert len(parts) > 1
    for part in parts:
        last_heading = part.rfind("📂")
        if last_heading != -1:
            assert "<a href" in part[last_heading:]


def test_single_overlong_item_is_trimmed_without_breaking_tags() -> None:
    huge = entry(1, title="Judul " * 900, lead=("kalimat & kata " * 600,))
    html = render_article(huge, JAKARTA)
    assert utf16_len(html) <= 4096
    plain, entities = parse_html(html)
    assert plain.endswith("…")
    assert any("url" in e for e in entities)


def test_emoji_count_as_two_units() -> None:
    text = "😀" * 3000  # 3000 code points, 6000 UTF-16 units
    parts = split_message([escape(text)])
    assert utf16_len(parts[0]) <= 4096
    parse_html(parts[0])


def test_long_announcement_is_split_at_line_breaks_not_trimmed() -> None:
    lines = [f"Baris pengumuman nomor {i} tentang jadwal & tahapan." for i in range(200)]
    parts = render_announcement("\n".join(lines))
    assert len(parts) > 1
    text = "\n".join(parse_html(p)[0] for p in parts)
    for line in lines:
        assert line in text


def test_trim_closes_open_tags_and_respects_entities() -> None:
    markup = "<b>" + "a&amp;b " * 50 + "</b>"
    cut = trim_html(markup, 60)
    assert utf16_len(cut) <= 60
    parse_html(cut)
    assert cut.endswith("…</b>")


_nasty = st.text(alphabet=st.sampled_from(list("ab <>&\"'\n😀éà—“")), max_size=300)


@settings(max_examples=60, deadline=None)
@given(titles=st.lists(_nasty, min_size=1, max_size=25), leads=_nasty, limit=st.integers(200, 4096))
def test_any_text_renders_to_parseable_parts_within_the_limit(
    titles: list[str], leads: str, limit: int
) -> None:
    items = [entry(i, title=t or "x", lead=(leads * 5,)) for i, t in enumerate(titles)]
    parts = render_digest(group_by_division(items), tz=JAKARTA, header="<b>H</b>", limit=limit)
    assert parts
    for part in parts:
        assert utf16_len(part) <= limit
        parse_html(part)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=9000), limit=st.integers(50, 4096))
def test_any_announcement_splits_into_parseable_parts(text: str, limit: int) -> None:
    for part in render_announcement(text, limit=limit):
        assert 0 < utf16_len(part) <= limit
        parse_html(part)
