"""Division catalog and tagging: what staff of each division receive."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.eval_divisions import evaluate, load_eval_set
from digests.classify import classify, score
from digests.divisions import load_divisions

SEEDS = Path(__file__).parent / "eval" / "seeds"  # verbatim copies of shared/seeds
BUNDLED = Path(__file__).parent.parent / "digests" / "data" / "divisions.toml"
PRODUCT_SLUGS = [
    "teknis",
    "perencanaan",
    "data",
    "sosdiklih",
    "sdm",
    "hukum",
    "sekretariat",
    "umum",
]


def seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


# --- acceptance: the real seeds -------------------------------------------------------------


def test_banyuwangi_seed_reaches_data_division_staff() -> None:
    text = seed("kpujatim-bimtek-banyuwangi-2016.txt")
    assert "data" in classify("Bimtek Banyuwangi Ditutup Dengan Review Dari KPU Jatim", text)


def test_konsolnas_seed_reaches_the_secretariat() -> None:
    assert "sekretariat" in classify(None, seed("kpu-ri-konsolnas-2019.txt"))


# --- catalog ----------------------------------------------------------------------------------


def test_catalog_lists_the_product_slugs_in_order() -> None:
    catalog = load_divisions()
    assert catalog.slugs == PRODUCT_SLUGS
    assert catalog.name("data") == "Data dan Informasi"
    assert catalog.get("SDM").slug == "sdm"
    assert catalog.get("nope") is None


def test_unknown_division_lists_valid_ones() -> None:
    with pytest.raises(KeyError, match="teknis, perencanaan"):
        load_divisions().name("keuangan")


def test_describe_shows_every_division_with_its_older_names() -> None:
    described = load_divisions().describe()
    for slug in PRODUCT_SLUGS:
        assert f"{slug} — " in described
    assert "SDM dan Parmas" in described


def test_bundled_catalog_is_cached_and_a_path_is_read_fresh(tmp_path: Path) -> None:
    assert load_divisions() is load_divisions()
    copy = tmp_path / "divisions.toml"
    copy.write_text(BUNDLED.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_divisions(copy) is not load_divisions()
    assert load_divisions(copy).slugs == PRODUCT_SLUGS


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ('[[divisions]]\nname = "Tanpa slug"\n', "slug and a name"),
        ('[settings]\nthreshhold = 2\n[[divisions]]\nslug = "umum"\nname = "Umum"\n', "threshhold"),
        ('[[divisions]]\nslug = "teknis"\nname = "Teknis"\n', "fallback"),
        (
            '[[divisions]]\nslug = "umum"\nname = "Umum"\n[divisions.keywords]\n"rapat" = 0\n',
            "positive weight",
        ),
    ],
)
def test_broken_catalog_file_says_what_is_wrong(tmp_path: Path, broken: str, message: str) -> None:
    path = tmp_path / "divisions.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_divisions(path)


def test_operator_keyword_edit_changes_tagging(tmp_path: Path) -> None:
    text = "Petugas menata ulang ruang server dan jaringan kantor KPU selama dua hari penuh."
    assert classify(None, text) == ["umum"]
    edited = BUNDLED.read_text(encoding="utf-8").replace(
        '"website" = 1.5', '"website" = 1.5\n"ruang server" = 5'
    )
    path = tmp_path / "divisions.toml"
    path.write_text(edited, encoding="utf-8")
    assert classify(None, text, load_divisions(path)) == ["data"]


# --- tagging ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Divisi SDM dan Parmas KPU Jatim, Budi, memaparkan evaluasi.", {"sdm", "sosdiklih"}),
        (
            "Divisi Sumber Daya Manusia dan Partisipasi Masyarakat, Budi, hadir.",
            {"sdm", "sosdiklih"},
        ),
        ("Divisi Perencanaan dan Data, Budi, menyampaikan review.", {"perencanaan", "data"}),
        ("Divisi Umum, Keuangan dan Logistik KPU Jatim, Budi, hadir.", {"perencanaan"}),
        ("Divisi Teknis Penyelenggaraan Pemilu, Budi, membuka acara.", {"teknis"}),
        ("Divisi Teknis Penyelenggaraan Pemilihan Umum, Budi, membuka acara.", {"teknis"}),
        ("Divisi Hukum dan Pengawasan, Budi, memberi arahan.", {"hukum"}),
        ("Divisi Sosialisasi dan Pendidikan Pemilih, Budi, hadir.", {"sosdiklih"}),
        ("Divisi Parmas KPU Kota, Budi, membuka acara.", {"sosdiklih"}),
        ("anggota KPU yang membidangi data dan informasi, Budi, hadir.", {"data"}),
    ],
)
def test_old_and_current_division_names_tag_their_divisions(sentence: str, expected) -> None:
    assert set(classify(None, f"Surabaya – Rapat digelar Senin (3/2). {sentence}")) == expected


def test_divisi_followed_by_ordinary_words_names_no_division() -> None:
    text = "Seluruh peserta terbagi dalam kelas di masing-masing divisi termasuk kelas lain."
    assert classify(None, text) == ["umum"]


def test_regional_government_secretary_is_not_the_kpu_secretariat() -> None:
    text = "Hadir Sekretaris Daerah Kabupaten Trenggalek dan Sekretaris Desa setempat. " * 2
    assert "sekretariat" not in score(None, text)
    assert "sekretariat" in score(None, "Hadir Sekretaris KPU Kabupaten Trenggalek.")


def test_article_matching_nothing_is_umum() -> None:
    text = "Ribuan warga memadati alun-alun untuk jalan sehat bersama dan senam pagi."
    assert classify("Jalan Sehat Bersama Warga", text) == ["umum"]


def test_several_divisions_come_back_in_catalog_order() -> None:
    text = (
        "Sidang sengketa di DKPP dan gugatan di PTUN dibahas. "
        "Pemutakhiran daftar pemilih berkelanjutan, DPT dan coklit juga dievaluasi. "
        "Tahapan pencalonan dan rekapitulasi hasil penghitungan suara dipaparkan."
    )
    assert classify(None, text) == ["teknis", "data", "hukum"]


def test_keywords_match_whole_words_only() -> None:
    text = "Mereka datang ke sekolah membawa data diri; ketahanan pangan dibahas. " * 3
    assert "teknis" not in classify(None, text)
    assert score(None, "Para pendatang baru.").get("data", 0) == 0


def test_affixed_forms_count_as_their_keyword() -> None:
    assert score(None, "Hasilnya disosialisasikan kepada warga.")["sosdiklih"] > 0
    assert score(None, "Proses penganggaran dibahas.")["perencanaan"] > 0


def test_acronyms_match_only_in_capitals() -> None:
    assert score(None, "Cat tembok kantor diganti.").get("sdm", 0) == 0
    assert score(None, "Tes CAT diikuti peserta.")["sdm"] > 0


def test_title_weighs_more_than_body() -> None:
    body = "Kegiatan berlangsung lancar."
    assert (
        score("Rakor Logistik", body)["perencanaan"]
        > score(None, "Rakor Logistik " + body)["perencanaan"]
    )


# --- quality and speed on the labelled set -------------------------------------------------------


def test_labelled_set_has_30_texts_and_every_label_is_a_slug() -> None:
    items = load_eval_set()
    slugs = set(load_divisions().slugs)
    assert len(items) >= 30
    assert all(set(item.labels) <= slugs for item in items)


def test_tagging_quality_on_the_labelled_set_stays_high() -> None:
    per_slug, micro = evaluate(load_eval_set())
    assert micro.precision >= 0.85 and micro.recall >= 0.85
    assert all(s.recall >= 0.75 for s in per_slug.values() if s.support)
