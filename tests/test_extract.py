"""Extraction of KPU article pages: body text without page furniture, title, date, bad input."""

from __future__ import annotations

import html
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.etree
import pytest

from bench.eval_divisions import EVAL_DIR, load_eval_set
from digests.sample import iter_sample_pages
from digests.summary.extract import (
    MAX_INPUT_BYTES,
    NoArticleError,
    _blocks,
    clean_paragraphs,
    extract_article,
    load_boilerplate,
)
from digests.summary.pipeline import process_text
from digests.text.dates import parse_indonesian_date, year_written_for

SEEDS = Path(__file__).parent / "eval" / "seeds"  # verbatim copies of shared/seeds
REPO_SEEDS = {
    "konsolnas": "kpu-ri-konsolnas-2019.txt",
    "banyuwangi": "kpujatim-bimtek-banyuwangi-2016.txt",
}
JUNK = [
    "Komentar via Facebook",
    "Tinggalkan",
    "Alamat email",
    "32 − 23",
    "Share",
    "Bagikan",
    "Dilihat",
    "Account",
    "authorizing",
    "Berita Terkait",
    "Baca juga",
    "Foto:",
    "Editor:",
    "(AACS)",
    "(MC –",
    "(lay/esar)",
    "(ira/red)",
    "(Humas KPU Jatim)",
]
SOURCE_ONLY_PREFIXES = ("Foto:", "Baca juga:", "Editor:", "(Humas")


def page(body: str, head: str = "<title>Berita</title>") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def article_page(paragraphs: list[str], title: str = "Judul Berita", extra: str = "") -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return page(f"<article><h1>{html.escape(title)}</h1>{body}</article>{extra}")


def seed_as_page(name: str) -> str:
    """A seed exactly as its page had it: every line, junk included, a paragraph of the article."""
    lines = [ln for ln in (SEEDS / REPO_SEEDS[name]).read_text().splitlines() if ln.strip()]
    return article_page(lines, title="Berita KPU")


LONG = (
    "Surabaya, jatim.kpu.go.id – KPU Provinsi Jawa Timur menggelar rapat koordinasi "
    "bersama KPU kabupaten/kota untuk membahas persiapan tahapan pemilihan, Senin (21/10/2024)."
)
SECOND = "Rapat diikuti oleh ketua dan anggota dari 38 kabupaten/kota di Jawa Timur."


# --- the bundled sample site ---------------------------------------------------------------


SOURCES = {item.fields["site"]: item for item in load_eval_set(EVAL_DIR) if "site" in item.fields}


def _source(sample_path: str):
    for site_key, item in SOURCES.items():
        site, key = site_key.split()
        if sample_path.startswith(f"/{site}/") and key in sample_path:
            return item
    raise AssertionError(f"no source text for {sample_path}")


@pytest.mark.parametrize("sample", list(iter_sample_pages()), ids=lambda s: s.path[:60])
def test_sample_page_yields_its_article_text_without_page_furniture(sample) -> None:
    source = _source(sample.path)
    article = extract_article(sample.html, url=f"http://127.0.0.1:8000{sample.path}")

    assert article.title == source.title
    assert article.published_date == date.fromisoformat(source.fields["published"])
    assert article.paragraphs[0] == source.paragraphs[0]
    expected = [p for p in source.paragraphs if not p.startswith(SOURCE_ONLY_PREFIXES)]
    assert len(article.paragraphs) == len(expected)
    for paragraph in article.paragraphs:
        for junk in JUNK:
            assert junk not in paragraph, (junk, paragraph)
    assert article.dateline is not None and article.dateline.raw


def test_sample_site_covers_three_site_shapes_and_enough_articles() -> None:
    pages = list(iter_sample_pages())
    assert {p.site for p in pages} == {"jatim", "kpuri", "kpujatim-lama"}
    assert 12 <= len(pages) <= 20
    assert any("/blog/read/" in p.path for p in pages)
    assert any("/berita/baca/" in p.path for p in pages)


def test_block_quotes_and_list_items_stay_in_the_body() -> None:
    quoted = "“Kami minta seluruh jajaran menyiapkan tahapan dengan cermat,” kata Ketua KPU."
    body = (
        f"<article><h1>Rakor</h1><p>{LONG}</p>"
        f"<blockquote><p>{html.escape(quoted)}</p><p>Kutipan kedua dari ketua.</p></blockquote>"
        "<ul><li>Pertama, distribusi logistik ke kecamatan.</li>"
        "<li>Kedua, <b>bimbingan teknis</b> KPPS.</li></ul>"
        f"<p>{SECOND}</p></article>"
    )
    paragraphs = extract_article(page(body)).paragraphs
    assert quoted in paragraphs and "Kutipan kedua dari ketua." in paragraphs
    assert "Kedua, bimbingan teknis KPPS." in paragraphs
    assert paragraphs[0] == LONG and paragraphs[-1] == SECOND


def test_paragraphs_separated_by_line_breaks_are_split() -> None:
    body = f"<article><h1>Rakor</h1><p>{LONG}<br><br>{SECOND}</p></article>"
    assert extract_article(page(body)).paragraphs == [LONG, SECOND]


def test_xhtml_page_with_xml_declaration_is_read() -> None:
    text = '<?xml version="1.0" encoding="utf-8"?>\n' + article_page([LONG, SECOND])
    assert extract_article(text).paragraphs == [LONG, SECOND]
    assert extract_article(text.encode()).paragraphs == [LONG, SECOND]


# --- seeds with their real page junk ------------------------------------------------------


def test_konsolnas_seed_loses_login_widget_and_keeps_dateline() -> None:
    article = extract_article(seed_as_page("konsolnas"))
    assert article.paragraphs[0].startswith("Jakarta (22/9), Memulai aktifitas")
    assert not any(p in ("Account", "×") or "authorizing" in p for p in article.paragraphs)
    assert article.dateline is not None and article.dateline.raw.startswith("Jakarta (22/9)")
    assert len(article.paragraphs) == 5


def test_banyuwangi_seed_loses_comment_form_and_captcha() -> None:
    article = extract_article(seed_as_page("banyuwangi"))
    assert article.paragraphs[-1].endswith("di kantor Pemerintah Kabupaten Banyuwangi.")
    text = "\n".join(article.paragraphs)
    for junk in ("Komentar via Facebook", "Tinggalkan Balasan", "Alamat email", "32 − 23"):
        assert junk not in text


# --- boilerplate rules ---------------------------------------------------------------------


RULES = load_boilerplate()


def _clean(paragraphs: list[str]) -> list[str]:
    return clean_paragraphs([("p", p) for p in paragraphs], None, RULES)


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        ("Acara ditutup pukul 11.00 WIB. (ira/red)", "Acara ditutup pukul 11.00 WIB."),
        ("Acara ditutup pukul 11.00 WIB.(MC – LNC/BAY)", "Acara ditutup pukul 11.00 WIB."),
        ("“Kami siap,” ujarnya. (AACS)", "“Kami siap,” ujarnya."),
        ("Acara ditutup pukul 11.00 WIB. wsw", "Acara ditutup pukul 11.00 WIB."),
        ("Data ini bersumber dari daftar pemilih tetap (DPT).", None),
        ("Hadir pula Ketua PPK (20/10).", None),
    ],
)
def test_editor_tags_are_cut_from_the_end_but_real_brackets_stay(last: str, expected) -> None:
    assert _clean([SECOND, last])[-1] == (expected or last)


@pytest.mark.parametrize(
    "tail",
    ["(MC – LNC/BAY)", "(lay/esar)", "wsw", "(Humas KPU Jatim)", "Editor: Agus", "(ira/red)"],
)
def test_editor_tag_lines_at_the_end_are_dropped(tail: str) -> None:
    assert _clean([LONG, SECOND, tail]) == [LONG, SECOND]


@pytest.mark.parametrize(
    "junk",
    [
        "Baca juga: KPU Jatim Gelar Rakor Logistik",
        "Baca Juga: Pleno DPT",
        "Foto: Suasana rapat pleno di Surabaya",
        "Share:",
        "Share: Facebook Twitter WhatsApp",
        "Account",
        "Please wait, authorizing ...",
        "×",
        "32 − 23 =",
        "Tags: pemilu, kpu",
        "Dilihat: 1.342 kali",
    ],
)
def test_widget_lines_inside_the_body_are_dropped(junk: str) -> None:
    assert _clean([LONG, junk, SECOND]) == [LONG, SECOND]


def test_comment_section_cuts_everything_after_it() -> None:
    paragraphs = [LONG, SECOND, "Komentar via Facebook", "Bagus sekali beritanya", "Mantap"]
    assert _clean(paragraphs) == [LONG, SECOND]


def test_photo_credit_inside_a_paragraph_is_removed() -> None:
    assert _clean([LONG + " (foto: humas)"]) == [LONG]


def test_operator_added_marker_takes_effect(tmp_path: Path) -> None:
    custom = tmp_path / "boilerplate.txt"
    custom.write_text(
        (Path("digests/data/boilerplate.txt")).read_text()
        + "\ndrop      iklan layanan masyarakat\n"
    )
    rules = load_boilerplate(custom)
    blocks = [("p", LONG), ("p", "Iklan Layanan Masyarakat"), ("p", SECOND)]
    assert clean_paragraphs(blocks, None, rules) == [LONG, SECOND]
    assert _clean([LONG, "Iklan Layanan Masyarakat"]) == [LONG, "Iklan Layanan Masyarakat"]


def test_malformed_marker_line_names_its_line(tmp_path: Path) -> None:
    custom = tmp_path / "boilerplate.txt"
    custom.write_text("# ok\nsometimes Baca juga\n")
    with pytest.raises(ValueError, match="line 2"):
        load_boilerplate(custom)


# --- title and date ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Rakor Logistik – KPU Provinsi Jawa Timur", "Rakor Logistik"),
        ("Rakor Logistik | KPU RI", "Rakor Logistik"),
        ("Rakor Logistik - Komisi Pemilihan Umum Kabupaten Gresik", "Rakor Logistik"),
        ("Pilkada 2024 - Sukses Bersama", "Pilkada 2024 - Sukses Bersama"),
    ],
)
def test_site_name_is_stripped_from_titles(title: str, expected: str) -> None:
    head = f"<title>{html.escape(title)}</title>"
    body = "<article>" + "".join(f"<p>{p}</p>" for p in (LONG, SECOND)) + "</article>"
    assert extract_article(page(body, head)).title == expected


def test_title_falls_back_to_h1_when_the_page_has_no_title_tag() -> None:
    article = extract_article(article_page([LONG, SECOND], title="Rakor Persiapan Pilkada"))
    assert article.title == "Rakor Persiapan Pilkada"


def test_indonesian_date_on_the_page_is_the_published_date() -> None:
    extra_head = "<title>Rakor</title>"
    body = (
        '<article><h1>Rakor</h1><div class="tanggal">Kamis, 17 Oktober 2024</div>'
        f"<p>{LONG}</p><p>{SECOND}</p></article>"
    )
    assert extract_article(page(body, extra_head)).published_date == date(2024, 10, 17)


def test_date_only_page_is_published_at_midnight_jakarta_time() -> None:
    body = (
        '<article><h1>Rakor</h1><div class="tanggal">Kamis, 17 Oktober 2024</div>'
        f"<p>{LONG}</p><p>{SECOND}</p></article>"
    )
    published = extract_article(page(body)).published
    assert published == datetime(2024, 10, 17, tzinfo=ZoneInfo("Asia/Jakarta"))


def test_year_less_badge_takes_its_year_from_the_body() -> None:
    sample = next(p for p in iter_sample_pages() if "banyuwangi" in p.path)
    article = extract_article(sample.html)  # no URL: the date in the address is unknown
    assert article.published_date == date(2016, 10, 20)


def test_meta_publication_time_keeps_its_zone() -> None:
    head = (
        "<title>Rakor</title>"
        '<meta property="article:published_time" content="2024-10-21T09:30:00+07:00">'
    )
    body = f"<article><p>{LONG}</p><p>{SECOND}</p></article>"
    article = extract_article(page(body, head))
    assert article.published is not None and article.published.utcoffset().total_seconds() == 25200
    assert article.published_date == date(2024, 10, 21)


NO_DATE = LONG.replace(", Senin (21/10/2024)", "")


def test_date_in_the_page_address_is_used_when_the_page_shows_none() -> None:
    body = f"<article><h1>Rakor</h1><p>{NO_DATE}</p><p>{SECOND}</p></article>"
    canonical = '<link rel="canonical" href="https://kpu.go.id/berita/2020/02/03/rakor">'
    assert extract_article(page(body), url="https://kpu.go.id/2019/05/06/x").published_date == (
        date(2019, 5, 6)
    )
    assert extract_article(
        page(body, canonical), url="https://kpu.go.id/baca/7"
    ).published_date == (date(2020, 2, 3))


def test_english_date_is_used_when_no_indonesian_date_is_written() -> None:
    body = (  # WordPress themes left in English
        f"<article><h1>Rakor</h1><p>{NO_DATE}</p><p>{SECOND}</p></article>"
        "<div>Posted on July 8, 2021</div>"
    )
    assert extract_article(page(body)).published_date == date(2021, 7, 8)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kamis, 17 Oktober 2024", date(2024, 10, 17)),
        ("diposting 3 Nopember 2016 oleh admin", date(2016, 11, 3)),
        ("20 Okt", date(2024, 10, 20)),
        ("25 Des", date(2023, 12, 25)),
        ("Rabu (17/2/2021)", date(2021, 2, 17)),
        ("tanpa tanggal", None),
        ("31 Februari 2024", None),
    ],
)
def test_indonesian_dates_are_parsed(text: str, expected) -> None:
    assert parse_indonesian_date(text, today=date(2024, 11, 1)) == expected


def test_year_for_a_day_is_read_from_a_full_date_in_the_text() -> None:
    text = "Rapat 3 Maret 2019 lalu. Acara ditutup, kata Eko (20/10/2016)."
    assert year_written_for(date(2026, 10, 20), text) == 2016
    assert year_written_for(date(2026, 3, 3), text) == 2019
    assert year_written_for(date(2026, 5, 1), text) is None


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("", "empty"),
        (b"   \n ", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (bytes(range(256)) * 20, "binary"),
        ("just some plain text without any markup at all", "no HTML"),
        (page('<nav><a href="/">Beranda</a> <a href="/p">Profil</a></nav>'), "no article"),
    ],
)
def test_bad_input_gives_a_clear_reason(data, reason: str) -> None:
    with pytest.raises(NoArticleError, match=reason):
        extract_article(data)


def test_no_article_error_is_a_value_error() -> None:
    assert issubclass(NoArticleError, ValueError)


def test_undeclared_windows_1252_page_is_detected() -> None:
    quote = "“Kami siap melaksanakan seluruh tahapan dengan baik,” ujar Ketua KPU."
    data = article_page([LONG, quote, SECOND], title="Rakor").encode("cp1252")
    assert extract_article(data).paragraphs[1] == quote


def test_legacy_charset_page_is_decoded() -> None:
    text = article_page([LONG, "“Kami siap,” ujar Ketua KPU. Café sudah buka."], title="Rakor")
    data = text.replace("<head>", '<head><meta charset="windows-1252">').encode("cp1252")
    article = extract_article(data)
    assert article.paragraphs[1] == "“Kami siap,” ujar Ketua KPU. Café sudah buka."


def test_invalid_utf8_bytes_are_replaced_not_fatal() -> None:
    text = article_page([LONG, SECOND]).replace("<head>", '<head><meta charset="utf-8">')
    data = text.encode() + b"<p>\xff\xfe\xfa rusak</p>"
    article = extract_article(data)
    assert article.paragraphs[0] == LONG


def test_huge_page_is_capped_and_still_answers_quickly() -> None:
    filler = "<div class='iklan'>" + ("<span>x</span>" * 100) + "</div>\n"
    body = article_page([LONG, SECOND, LONG.replace("Senin", "Selasa")], title="Rakor")
    data = (body.replace("</body></html>", "") + filler * 6000).encode()
    assert len(data) > MAX_INPUT_BYTES
    started = time.perf_counter()
    article = extract_article(data)
    assert time.perf_counter() - started < 20
    assert article.paragraphs[0] == LONG


def test_non_text_input_type_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        extract_article(12345)  # type: ignore[arg-type]


# --- real news templates: loose text, element tails, header furniture, site names ----------


NEWS_LEAD = (
    "Galaxy S6 Edge, dengan material premium dan layar lengkung inovatif di kedua sisinya, "
    "adalah smartphone jagoan Samsung. Tapi menurut Google, S6 Edge tidak luput dari kelemahan."
)
NEWS_SECOND = (
    "Dikutip dari BBC, Kamis (5/11/2015), Google menyatakan jika Galaxy S6 Edge memiliki 11 "
    "celah keamanan yang ditemukan oleh tim Project Zero."
)
NEWS_THIRD = (
    "Samsung menyatakan bahwa tiga celah keamanan yang masih ada akan diperbaiki dalam update "
    "sekuriti yang rencananya dilakukan bulan ini, kata juru bicara perusahaan itu."
)


def test_dateline_outside_the_first_paragraph_opens_the_lead() -> None:
    """detik: "<strong>Jakarta</strong> - <p>lead…" — the dateline is loose text in the div."""
    body = (
        "<article><h1>Google Umbar Kelemahan Galaxy S6 Edge</h1><div class='text_detail'>"
        f"<strong>Jakarta</strong> - <p>{NEWS_LEAD}<br><br>{NEWS_SECOND}</p>"
        f"<p>{NEWS_THIRD}</p></div></article>"
    )
    paragraphs = extract_article(page(body)).paragraphs
    assert paragraphs == [f"Jakarta - {NEWS_LEAD}", NEWS_SECOND, NEWS_THIRD]


def test_first_paragraph_written_before_the_others_tags_is_kept() -> None:
    """kompas: "<div><br><b>Jakarta, KompasOtomotif</b> – Lead…<br><br>More…<p>…</p></div>"."""
    body = (
        "<article><h1>Merek China Serbu Indonesia</h1><div class='div-read'><br>"
        f"<strong>Jakarta, KompasOtomotif</strong> – {NEWS_LEAD}<br><br>{NEWS_SECOND}"
        f"<p>{NEWS_THIRD}</p><p>{SECOND}</p></div></article>"
    )
    paragraphs = extract_article(page(body)).paragraphs
    assert paragraphs[0] == f"Jakarta, KompasOtomotif – {NEWS_LEAD}"
    assert paragraphs[1:] == [NEWS_SECOND, NEWS_THIRD, SECOND]


def test_article_body_in_a_span_with_line_breaks_keeps_its_first_paragraph() -> None:
    """VIVA: <span itemprop="articleBody"><strong>VIVA.co.id</strong> - lead<br><br>…</span>."""
    body = (
        "<article><h1>Thailand Butuh Empat Hari</h1><span itemprop='articleBody'>"
        f"<strong>VIVA.co.id</strong> - {NEWS_LEAD}<br><br>{NEWS_SECOND}<br><br>"
        f"{NEWS_THIRD}</span></article>"
    )
    paragraphs = extract_article(page(body)).paragraphs
    assert paragraphs == [f"VIVA.co.id - {NEWS_LEAD}", NEWS_SECOND, NEWS_THIRD]


def test_text_trafilatura_leaves_after_a_heading_or_line_break_is_read() -> None:
    doc = lxml.etree.fromstring(
        f"<doc><main>{LONG}<head>Sub judul</head>{NEWS_LEAD}<p>{NEWS_SECOND}</p>"
        f"{NEWS_THIRD}<lb/>{SECOND}<hi>tebal</hi> dan sisanya.</main></doc>"
    )
    assert _blocks(doc) == [
        ("p", LONG),
        ("head", "Sub judul"),
        ("p", NEWS_LEAD),
        ("p", NEWS_SECOND),
        ("p", NEWS_THIRD),
        ("br", f"{SECOND}tebal dan sisanya."),
    ]


def test_standfirst_date_byline_and_caption_above_the_dateline_are_dropped() -> None:
    body = (
        "<article><h1>Taylor Swift Standing Ovation</h1><div class='isi'>"
        "<p>Penampilan Joey Alexander memukau musisi dunia di Grammy Awards.</p>"
        "<p>Selasa, 16 Februari 2016 | 13:01 WIB</p><p>Oleh : Maya Sofia</p>"
        "<p>Musisi dunia memberikan standing ovation untuk Joey Alexander. (Grammy)</p>"
        f"<p>VIVA.co.id - {NEWS_LEAD}</p><p>{NEWS_SECOND}</p><p>{NEWS_THIRD}</p></div></article>"
    )
    paragraphs = extract_article(page(body)).paragraphs
    assert paragraphs == [f"VIVA.co.id - {NEWS_LEAD}", NEWS_SECOND, NEWS_THIRD]


def test_a_long_first_paragraph_is_never_dropped_for_a_later_dateline() -> None:
    later = f"Jakarta - {NEWS_THIRD}"
    first = NEWS_LEAD + " " + NEWS_SECOND
    blocks = [("p", first), ("p", later)]
    assert clean_paragraphs(blocks, None, RULES, page=True) == [first, later]
    short = [("p", "Penampilan Joey memukau musisi dunia."), ("p", later)]
    assert clean_paragraphs(short, None, RULES, page=True) == [later]


def test_dateline_alone_in_a_paragraph_joins_its_sentence() -> None:
    assert _clean(["ISTANBUL, 23 Februari 2016 (Antara/PRNewswire) --", NEWS_LEAD]) == [
        f"ISTANBUL, 23 Februari 2016 (Antara/PRNewswire) -- {NEWS_LEAD}"
    ]


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("Polres Serahkan Anggota - Kompas.com Regional", "Polres Serahkan Anggota"),
        ("Ahok Dukung Jokowi :: Okezone News", "Ahok Dukung Jokowi"),
        ("Kisah penjaga penjara Guantanamo / merdeka.com", "Kisah penjaga penjara Guantanamo"),
        ("Kadishub DKI: Taksi Uber Ilegal - Tribunnews.com", "Kadishub DKI: Taksi Uber Ilegal"),
        ("Wapres JK dan Ahok 'Blusukan' - News Liputan6.com", "Wapres JK dan Ahok 'Blusukan'"),
        ("Pilkada 2024 - Sukses Bersama", "Pilkada 2024 - Sukses Bersama"),
    ],
)
def test_news_site_names_leave_the_title(declared: str, expected: str) -> None:
    head = f"<title>{html.escape(declared)}</title>"
    body = f"<article><p>{LONG}</p><p>{SECOND}</p></article>"
    assert extract_article(page(body, head=head)).title == expected


def test_kpu_ri_editor_tag_copyright_and_related_teasers_leave_the_body() -> None:
    last = "Sidang selanjutnya akan disampaikan undangan kepada para pihak, tuturnya."
    body = (
        f"<article><h1>KPU Bantah Seluruh Dalil Pemohon</h1><p>{LONG}</p>"
        f"<p>Baca juga: KPU Tetapkan DPT Pemilu 2024</p><p>{SECOND}</p>"
        f"<p>{last} (<strong>Hupmas KPU Arf/Foto: Ieam/ed diR</strong>)</p>"
        "<p>Editor: B Kunto Wibisono</p><p>COPYRIGHT © ANTARA 2016</p></article>"
    )
    assert extract_article(page(body)).paragraphs == [LONG, SECOND, last]


def test_real_aside_starting_with_dok_is_kept() -> None:
    aside = (
        "Petugas kesehatan (dokter puskesmas setempat) memeriksa anggota KPPS sebelum "
        "bertugas, kata Ketua KPU."
    )
    assert _clean([LONG, aside]) == [LONG, aside]


def test_marked_publication_time_wins_over_a_related_articles_time() -> None:
    """liputan6: the article's own time has no zone, a related item's <time> comes first."""
    body = (
        "<aside><time datetime='2015-12-30T14:18:02+07:00'>30 Des 2015</time></aside>"
        "<article><h1>Tri Indonesia</h1><time itemprop='datePublished' "
        "datetime='2016-02-16 09:10:56'>16 Feb 2016 at 09:10 WIB</time>"
        f"<p>{LONG}</p><p>{SECOND}</p></article>"
    )
    article = extract_article(page(body))
    assert article.published == datetime(2016, 2, 16, 9, 10, 56, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert article.published_date == date(2016, 2, 16)


def test_links_under_a_baca_juga_line_leave_with_it() -> None:
    """merdeka: "<p>Baca juga:<br>Judul satu<br>Judul dua</p>" at the end of the story."""
    body = (
        f"<article><h1>Kisah Holdbrooks</h1><p>{LONG}</p><p>{SECOND}</p>"
        "<p>Baca juga:<br>Kisah Mayor Raheem, masuk Islam dan jadi Imam<br>"
        "Kisah para tentara Islam berjuang di perang kemerdekaan Amerika</p></article>"
    )
    assert extract_article(page(body)).paragraphs == [LONG, SECOND]


PASTED_BODY = (
    "Banyuwangi – KPU Kabupaten Banyuwangi menggelar rapat koordinasi pemutakhiran data "
    "pemilih bersama panitia pemilihan kecamatan, Kamis (20/10/2016), di aula kantor KPU."
)


def test_pasted_text_with_a_year_less_badge_takes_its_year_from_the_body() -> None:
    article = process_text(f"Rapat Koordinasi Data Pemilih\n20 Okt\n{PASTED_BODY}\n{SECOND}")
    assert article.published is not None and article.published.date() == date(2016, 10, 20)


def test_pasted_text_with_a_full_date_keeps_the_year_it_wrote() -> None:
    text = f"Rapat Koordinasi Data Pemilih\n20 Oktober 2024\n{PASTED_BODY}\n{SECOND}"
    published = process_text(text).published
    assert published is not None and published.date() == date(2024, 10, 20)
