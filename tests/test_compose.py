"""Digest messages as staff read them: valid Telegram HTML, linked titles, parts that fit."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from digests import texts
from digests.delivery.entries import DigestEntry, entries_from_articles
from digests.delivery.ranking import group_by_division
from digests.delivery.render import render_article, render_digest
from digests.delivery.telegram_html import escape, split_message, trim_html, utf16_len
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
    assert texts.show_date(when, JAKARTA) == "22 November 2026"
    assert texts.show_date(when, JAKARTA, weekday=True) == "Minggu, 22 November 2026"
    assert texts.show_date(when, JAKARTA, time=True) == "22 November 2026 pukul 03.00 WIB"
    assert texts.show_date(datetime(2026, 8, 1, 5, tzinfo=UTC), JAKARTA) == "1 Agustus 2026"
    months = [texts.show_date(datetime(2026, m, 15, tzinfo=UTC), JAKARTA) for m in range(1, 13)]
    assert [m.split()[1] for m in months] == [
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
    ]


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


# --- issue 12: one story once, under its best division; ranking; a phone-sized layout ------


def test_a_story_sits_under_the_followed_division_it_scores_best() -> None:
    voters = entry(
        1,
        divisions=("perencanaan", "data"),
        division_scores={"perencanaan": 0.4, "data": 2.5, "hukum": 9.0},
    )
    unscored = entry(2, divisions=("perencanaan", "data"))
    groups = group_by_division([voters, unscored], ["perencanaan", "data"])
    assert [e.title for e in groups["data"]] == [voters.title]
    # no stored scores: the catalogue's order decides, as before
    assert [e.title for e in groups["perencanaan"]] == [unscored.title]
    # a division the reader does not follow never takes the story, however well it scores
    assert list(group_by_division([voters], ["perencanaan"])) == ["perencanaan"]


def test_kpu_ri_and_my_province_first_then_more_sites_then_newest() -> None:
    day = datetime(2026, 11, 21, tzinfo=UTC)
    other_newest = entry(1, regions=("jawa-barat",), published=day.replace(hour=9))
    other_two_sites = entry(
        2, regions=("jawa-barat",), site_names=("KPU Jabar", "KPU Bogor"), published=day
    )
    mine_old = entry(3, regions=("jawa-timur",), published=day.replace(hour=1))
    ri_new = entry(4, regions=("nasional",), published=day.replace(hour=5))
    groups = group_by_division(
        [other_newest, other_two_sites, mine_old, ri_new], ["teknis"], scope=["semua"]
    )
    # scope semua: KPU RI first, then by sites, then newest
    assert [e.title for e in groups["teknis"]] == [
        ri_new.title,
        other_two_sites.title,
        other_newest.title,
        mine_old.title,
    ]


def test_a_jawa_timur_reader_gets_kpu_ri_and_jawa_timur_only() -> None:
    items = [
        entry(1, regions=("jawa-timur",)),
        entry(2, regions=("jawa-barat",)),
        entry(3, regions=("nasional",)),
        entry(4, regions=()),  # region unknown
        entry(5, regions=("jawa-barat", "jawa-timur")),  # carried by both provinces
    ]
    shown = group_by_division(items, ["teknis"], scope=["jawa-timur"])["teknis"]
    assert sorted(e.title for e in shown) == sorted(items[i].title for i in (0, 2, 4))
    national = group_by_division(items, ["teknis"], scope=["nasional"])["teknis"]
    assert [e.title for e in national] == [items[2].title]
    assert len(group_by_division(items, ["teknis"], scope=["semua"])["teknis"]) == 5
    assert len(group_by_division(items, ["teknis"])["teknis"]) == 5


def _realistic(n: int, division: str) -> DigestEntry:
    lead = (
        f"Kediri – Komisi Pemilihan Umum Kabupaten Kediri menggelar rapat koordinasi ke-{n} "
        "bersama panitia pemilihan kecamatan untuk membahas pemutakhiran data pemilih "
        "berkelanjutan dan kesiapan logistik menjelang tahapan berikutnya di aula kantor.",
    )
    return entry(
        n,
        title=f"KPU Kabupaten Kediri gelar rapat koordinasi pemutakhiran data pemilih ke-{n}",
        url=f"https://kab-kediri.kpu.go.id/berita/baca/{n}/rapat-koordinasi-pemutakhiran",
        site_names=("KPU Kabupaten Kediri",),
        divisions=(division,),
        lead=lead,
        quote=Quote(
            "Kami memastikan setiap warga yang memenuhi syarat terdaftar sebagai pemilih "
            "dan dapat menggunakan hak pilihnya dengan mudah",
            "Ketua KPU Kabupaten Kediri",
        ),
        published=datetime(2026, 11, 21, 8, n % 60, tzinfo=UTC),
        regions=("jawa-timur",),
    )


def test_thirty_stories_in_three_divisions_fit_three_messages_counts_on_top() -> None:
    from digests.delivery.render import render_entries_digest

    followed = ("teknis", "data", "hukum")
    items = [_realistic(n, followed[n % 3]) for n in range(30)]
    digest = render_entries_digest(
        items,
        selected=followed,
        tz=JAKARTA,
        when=datetime(2026, 11, 22, tzinfo=UTC),
        max_per_division=10,
        scope=["jawa-timur"],
    )
    assert digest.count == 30
    assert 1 <= len(digest.parts) <= 3
    plains = [parse_html(part)[0] for part in digest.parts]
    first = plains[0]
    counts = [line for line in first.splitlines() if line.startswith("📂") and ": " in line]
    assert counts == [
        "📂 Teknis Penyelenggaraan: 10",
        "📂 Data dan Informasi: 10",
        "📂 Hukum dan Pengawasan: 10",
    ]
    assert first.index("Hukum dan Pengawasan: 10") < first.index("pemilih ke-")
    everything = "\n".join(plains)
    for n in range(30):
        assert f"pemilih ke-{n}\n" in everything or f"pemilih ke-{n} ·" in everything
    # three per division in full (lead and quote), the rest as one-line headlines
    assert everything.count("Ketua KPU Kabupaten Kediri") == 9
    assert everything.count("▪️") == 21
    for part in digest.parts:
        assert utf16_len(part) <= 4096


def test_a_message_that_continues_a_division_repeats_its_heading() -> None:
    items = [_realistic(n, "teknis") for n in range(12)]
    parts = render_digest(
        {"teknis": items}, tz=JAKARTA, header="<b>Ringkasan</b>", limit=1200, full_items=3
    )
    assert len(parts) > 1
    plains = [parse_html(part)[0] for part in parts]
    assert "(lanjutan)" not in plains[0]
    for plain in plains[1:]:
        assert plain.splitlines()[0].endswith("(lanjutan)")
    for part in parts:
        assert utf16_len(part) <= 1200


@settings(max_examples=60, deadline=None)
@given(
    titles=st.lists(_nasty, min_size=1, max_size=30),
    leads=_nasty,
    limit=st.integers(300, 4096),
    picks=st.lists(st.sampled_from(["teknis", "data", "hukum"]), min_size=30, max_size=30),
)
def test_any_digest_layout_gives_parseable_parts_each_opening_with_a_heading(
    titles: list[str], leads: str, limit: int, picks: list[str]
) -> None:
    items = [
        entry(i, title=t or "x", lead=(leads * 3,), divisions=(picks[i],))
        for i, t in enumerate(titles)
    ]
    groups = group_by_division(items, ["teknis", "data", "hukum"])
    parts = render_digest(
        groups, tz=JAKARTA, header="<b>H</b>", limit=limit, full_items=3, counts=True
    )
    assert parts and parse_html(parts[0])[0].startswith("H\n📂 ")
    for part in parts:
        assert utf16_len(part) <= limit
        plain, _ = parse_html(part)
        assert plain.startswith(("H\n", "📂 ")), plain[:40]
    links_shown = [e["url"] for p in parts for e in parse_html(p)[1] if "url" in e]
    prefix = "https://jatim.kpu.go.id/blog/read/"
    assert sum(u.startswith(prefix) for u in links_shown) >= len(items)  # every story shown
