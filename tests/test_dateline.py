"""Datelines are recognised and removed; ordinary first sentences are left alone."""

from __future__ import annotations

import pytest

from digests.model import Dateline
from digests.text.dateline import strip_dateline


@pytest.mark.parametrize(
    ("paragraph", "place", "rest"),
    [
        ("Banyuwangi, kpujatim.go.id – Sesi terakhir dari Bimtek", "Banyuwangi", "Sesi terakhir"),
        ("Hupmas, SURABAYA – KPU Jatim menggelar rapat", "Surabaya", "KPU Jatim"),
        ("Jakarta, kpu.go.id - Ketua KPU membuka rapat", "Jakarta", "Ketua KPU"),
        ("SURABAYA - KPU Jatim menetapkan hasil", "Surabaya", "KPU Jatim"),
        ("jpnn.com - JAKARTA - Penyidik Komisi bekerja", "Jakarta", "Penyidik Komisi"),
        ("Liputan6.com, Jakarta: Tiga korban datang", "Jakarta", "Tiga korban"),
        ("Jakarta, CNN Indonesia -- Dokter Ryan wafat", "Jakarta", "Dokter Ryan"),
        ("SOLO – Mantan Presiden buka suara", "Solo", "Mantan Presiden"),
    ],
)
def test_dateline_is_removed_and_place_kept(paragraph, place, rest):
    dateline, remaining = strip_dateline(paragraph)
    assert dateline is not None
    assert dateline.place == place
    assert remaining.startswith(rest)
    assert paragraph.startswith(dateline.raw)


def test_bracketed_date_and_weekday_are_parsed():
    dateline, rest = strip_dateline(
        "Kediri (kota-kediri.kpu.go.id) — Kamis (17/10), KPU Kota Kediri menggelar rapat."
    )
    assert dateline == Dateline(
        raw="Kediri (kota-kediri.kpu.go.id) — Kamis (17/10),", place="Kediri", day=17, month=10
    )
    assert rest == "KPU Kota Kediri menggelar rapat."


def test_place_with_short_date_and_comma():
    dateline, rest = strip_dateline("Jakarta (22/9), Memulai aktifitas di hari ke-2 Konsolnas.")
    assert dateline is not None
    assert (dateline.place, dateline.day, dateline.month, dateline.year) == ("Jakarta", 22, 9, None)
    assert rest.startswith("Memulai aktifitas")


def test_written_date_gives_the_year():
    dateline, _rest = strip_dateline("Surabaya, 12 Maret 2019 - KPU Jatim menggelar pleno.")
    assert dateline is not None
    assert (dateline.day, dateline.month, dateline.year) == (12, 3, 2019)


@pytest.mark.parametrize(
    "paragraph",
    [
        "SURABAYA dan sekitarnya memasuki hari ke-6 Ramadan.",
        "Gubernur DKI Jakarta Pramono Anung meninjau kondisi Jakarta.",
        "Berturut-turut, Ketua KPU Jatim, Eko Sasmito, menyampaikan review.",
        "EMIL Audero, Joey Pelupessy, dan Dean James ambil sumpah WNI.",
        "Catatan: rapat ditunda hingga pekan depan.",
        "Ketua KPU, Eko Sasmito - yang baru dilantik - membuka acara.",
        "KPU Jatim menggelar rapat pleno - terbuka untuk umum.",
    ],
)
def test_normal_first_sentence_is_not_eaten(paragraph):
    assert strip_dateline(paragraph) == (None, paragraph)


def test_a_head_of_odd_whitespace_does_not_crash() -> None:
    dateline, rest = strip_dateline("KamisJAKARTAkpu.go.id(22/9)\t–’ — ")
    assert rest is not None
    assert dateline is None or dateline.place != ""
