"""The labelled set's texts are read as the crawler would read the labelled article."""

from __future__ import annotations

from bench.evalset import article_only

LISTING = (
    "KPU Blora Gelar Upacara Hari Lahir Pancasila\n\n"
    "Blora - KPU Kabupaten Blora menggelar upacara peringatan Hari Lahir Pancasila di halaman "
    "kantor pada Senin (2/6/2025), diikuti komisioner, sekretaris dan seluruh pegawai.\n\n"
    "KPU Kabupaten Blora Ikuti Zoom Meeting Pemutakhiran Data Pemilih Berkelanjutan\n\n"
    "Blora - KPU Kabupaten Blora mengikuti rapat daring yang diselenggarakan KPU Jawa Tengah "
    "tentang pemutakhiran data pemilih berkelanjutan di aula kantor pada Rabu (28/5/2025).\n"
)
RECORD = {"lead": "KPU Kabupaten Blora menggelar upacara peringatan", "quotes": []}


def test_a_listing_text_ends_where_the_next_items_headline_starts():
    kept = article_only(LISTING, RECORD)
    assert "upacara peringatan" in kept
    assert "Zoom Meeting" not in kept and "pemutakhiran" not in kept


def test_a_read_more_link_ends_the_article():
    text = LISTING.replace(
        "KPU Kabupaten Blora Ikuti Zoom", "Selengkapnya\n\nKPU Kabupaten Blora Ikuti Zoom"
    )
    assert "Selengkapnya" not in article_only(text, RECORD)


def test_the_text_stays_whole_when_a_cut_would_lose_a_labelled_quote():
    record = {**RECORD, "quotes": [{"opening": "KPU Kabupaten Blora mengikuti rapat daring"}]}
    assert article_only(LISTING, record) == LISTING


def test_a_single_article_is_left_as_it_is():
    single = LISTING.split("KPU Kabupaten Blora Ikuti")[0].rstrip() + "\n"
    assert article_only(single, RECORD) == single
