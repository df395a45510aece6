"""Regions: the 38 provinces from the dataset, what people type, KPU hosts, and article texts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import evalset
from digests.summary.regions import (
    NASIONAL,
    article_region,
    normalise_region,
    province,
    provinces,
    region_for_input,
    region_from_host,
    region_from_text,
)

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "digests" / "data" / "regions.toml"


def test_the_38_provinces_and_514_regencies_come_from_the_dataset(tmp_path: Path) -> None:
    assert len(provinces()) == 38
    assert sum(len(p.regencies) for p in provinces()) == 514
    regenerated = tmp_path / "regions.toml"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "build_regions.py"), "--output", str(regenerated)],
        check=True,
        capture_output=True,
    )
    assert regenerated.read_text(encoding="utf-8") == BUNDLED.read_text(encoding="utf-8")
    header = BUNDLED.read_text(encoding="utf-8").split("[[provinces]]")[0]
    assert "cahyadsn/wilayah" in header and "MIT" in header and "Kepmendagri" in header


def test_product_slugs_and_the_2022_papua_provinces_are_there() -> None:
    slugs = {p.slug for p in provinces()}
    for slug in ("jawa-timur", "dki-jakarta", "di-yogyakarta", "papua-barat-daya"):
        assert slug in slugs
    moved = {
        "kab-merauke": "papua-selatan",
        "kab-mimika": "papua-tengah",
        "kab-jayawijaya": "papua-pegunungan",
        "kota-sorong": "papua-barat-daya",
        "kab-manokwari": "papua-barat",
        "kota-jayapura": "papua",
    }
    for regency, slug in moved.items():
        assert regency in {r.slug for r in province(slug).regencies}  # type: ignore[union-attr]
    assert province("papua-barat-daya").name == "Papua Barat Daya"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("jatim", "jawa-timur"),
        ("jateng", "jawa-tengah"),
        ("jabar", "jawa-barat"),
        ("DKI", "dki-jakarta"),
        ("diy", "di-yogyakarta"),
        ("sumut", "sumatera-utara"),
        ("ntb", "nusa-tenggara-barat"),
        ("ntt", "nusa-tenggara-timur"),
        ("kalbar", "kalimantan-barat"),
        ("sulsel", "sulawesi-selatan"),
        ("babel", "kepulauan-bangka-belitung"),
        ("kepri", "kepulauan-riau"),
        ("Jawa Timur", "jawa-timur"),
        ("papua-barat-daya", "papua-barat-daya"),
        ("nasional", NASIONAL),
        ("jawa", None),
    ],
)
def test_short_forms_and_names_read_as_slugs(typed: str, slug: str | None) -> None:
    assert normalise_region(typed) == slug


@pytest.mark.parametrize(
    ("host", "slug"),
    [
        ("https://www.kpu.go.id/berita/104/berita-terkini", NASIONAL),
        ("kpu.go.id", NASIONAL),
        ("jdih.kpu.go.id", NASIONAL),
        ("jatim.kpu.go.id", "jawa-timur"),
        ("kab-kediri.kpu.go.id", "jawa-timur"),
        ("kota-kediri.kpu.go.id", "jawa-timur"),
        ("kpujatim.go.id", "jawa-timur"),
        ("kpud-banyuwangikab.go.id", "jawa-timur"),
        ("kpu-surabayakota.go.id", "jawa-timur"),
        ("kab-hulusungaitengah.kpu.go.id", "kalimantan-selatan"),
        ("kip-acehbesar.kpu.go.id", "aceh"),
        ("kab-sorong.kpu.go.id", "papua-barat-daya"),
        ("kab-banjar.kpu.go.id", "kalimantan-selatan"),
        ("kota-banjar.kpu.go.id", "jawa-barat"),
        ("banjar.kpu.go.id", None),  # a Kabupaten in one province, a Kota in another
        ("kpu-malukuprov.go.id", "maluku"),  # a provincial office's own domain
        ("kpu-jatimprov.go.id", "jawa-timur"),
        ("prov-maluku-utara.kpu.go.id", "maluku-utara"),
        ("lombokbaratkabppid.kpu.go.id", "nusa-tenggara-barat"),  # the office's PPID service
        ("kpukabkp.blogspot.com", "di-yogyakarta"),  # a regency by its initials: Kulon Progo
        ("kabsleman.kpu.go.id", "di-yogyakarta"),
        ("kotabaru.kpu.go.id", "kalimantan-selatan"),  # Kabupaten Kotabaru, not a "Kota Baru"
        ("kotabatu.kpu.go.id", "jawa-timur"),
        ("kpu.demakkab.go.id", "jawa-tengah"),  # under the regency government's domain
        ("kab-penajam.kpu.go.id", "kalimantan-timur"),  # Penajam Paser Utara, shortened
        ("kab-kepulauansitaro.kpu.go.id", "sulawesi-utara"),  # Siau Tagulandang Biaro
        ("ppid.kpu.go.id", NASIONAL),
        ("127.0.0.1", None),
        ("berita.example.org", None),
    ],
)
def test_a_kpu_host_gives_its_province(host: str, slug: str | None) -> None:
    assert region_from_host(host) == slug


def test_every_labelled_regional_site_gets_the_labelled_province() -> None:
    # The labels (tests/eval/kpu) record each site and the region the article is about.
    checked = 0
    for path in sorted((ROOT / "tests" / "eval" / "kpu").glob("labels-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            if record["site"].startswith("jdih.") or record.get("region") == NASIONAL:
                continue  # KPU RI's legal database, or a regional site on national news
            # `site_region`: a site's own province where it carried another province's news
            wanted = record.get("site_region", record["region"])
            assert region_from_host(record["site"]) == wanted, record["site"]
            checked += 1
    if checked == 0:
        pytest.skip("no labelled records")


KPU_RI_ON_JATIM = (
    "Jakarta, kpu.go.id – Anggota KPU RI meninjau gudang logistik KPU Provinsi Jawa Timur, "
    "Senin (3/2).\n\nPeninjauan berlanjut ke gudang KPU Kabupaten Kediri dan Kota Batu, "
    "didampingi Ketua KPU Jatim."
)
KPU_RI_NATIONAL = (
    "Jakarta, kpu.go.id – KPU RI menggelar rapat koordinasi nasional dengan KPU Provinsi "
    "Jawa Timur, KPU Provinsi Bali dan KPU Provinsi Papua Barat Daya, Senin (3/2)."
)


def test_kpu_ri_news_about_one_province_gets_that_province() -> None:
    assert region_from_text("KPU RI Tinjau Gudang Logistik", KPU_RI_ON_JATIM) == "jawa-timur"
    assert article_region(NASIONAL, "Tinjau Gudang", KPU_RI_ON_JATIM) == "jawa-timur"
    # The dateline is where it was written: a Jakarta dateline makes no Jakarta article.
    assert region_from_text("Rakornas", KPU_RI_NATIONAL) is None
    assert article_region(NASIONAL, "Rakornas", KPU_RI_NATIONAL) == NASIONAL


def test_a_regional_source_keeps_its_province_whatever_the_text_names() -> None:
    assert article_region("bali", "Kunjungan", KPU_RI_ON_JATIM) == "bali"


def test_short_words_count_as_provinces_only_in_capitals() -> None:
    text = "Rapat di kantor KPU DIY dan KPU DIY lagi.\n\nAcara ntb ntb ntb."
    assert region_from_text(None, text) == "di-yogyakarta"


def test_summarize_region_uses_the_host_for_a_url_and_the_text_for_a_file() -> None:
    assert region_for_input("https://kab-kediri.kpu.go.id/blog/read/1", "x", "tanpa") == (
        "jawa-timur"
    )
    assert region_for_input("https://www.kpu.go.id/berita/baca/1", "x", KPU_RI_ON_JATIM) == (
        "jawa-timur"
    )
    assert region_for_input("artikel.txt", "x", KPU_RI_ON_JATIM) == "jawa-timur"
    assert region_for_input("artikel.txt", "x", "Rapat pleno digelar hari ini.") is None


def test_region_of_labelled_tuning_articles_matches_their_labels() -> None:
    articles = list(evalset.load("tune"))
    if not articles:
        pytest.skip("tuning texts not present")
    wrong = []
    for article in articles:
        _, _, body = article.text.partition("\n\n")
        got = article_region(region_from_host(article.site), article.title, body)
        if got != article.region:
            wrong.append((article.id, article.region, got))
    assert len(wrong) <= len(articles) * 0.05, wrong


@pytest.mark.db
async def test_crawled_articles_store_their_sources_region_and_division_scores(
    database,
) -> None:
    from digests.sample.loopback import LoopbackServer
    from digests.summary.classify import classify, score
    from tests.fixture_site import NewsSite
    from tests.test_crawl import all_articles, make_crawler, seed

    with LoopbackServer() as server:
        regional = NewsSite("regional", name="KPU Kabupaten Fixture", count=3, seed=5)
        ri = NewsSite("ri", name="KPU RI Fixture", count=2, seed=6, first_id=7000)
        regional.serve(server)
        ri.serve(server)
        await seed(
            database,
            regional.source_toml()
            + 'region = "jatim"\n\n'
            + ri.source_toml()
            + 'region = "nasional"\n',
        )
        async with make_crawler(database) as crawler:
            report = await crawler.crawl_all()
    assert report.failed == 0
    stored = await all_articles(database)
    assert len(stored) == 5
    for article in stored:
        expected = "jawa-timur" if article.source_name == "KPU Kabupaten Fixture" else None
        if expected:
            assert article.region == expected
        else:
            assert article.region == article_region(NASIONAL, article.title, article.text)
        # What the digest ranks by is what `kpu-digest explain` shows for the same text.
        assert article.divisions == classify(article.title, article.text)
        assert article.division_scores == {
            slug: round(value, 2) for slug, value in score(article.title, article.text).items()
        }
        assert article.division_scores
