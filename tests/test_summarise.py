"""The summary a KPU staff member reads: the news first, then who said what."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digests.summary.summarise import summarise

ARTICLES = {
    a["id"]: a
    for a in json.loads(
        (Path(__file__).parent / "eval/summaries/articles.json").read_text(encoding="utf-8")
    )
}
BANYUWANGI = ARTICLES["kpujatim-bimtek-banyuwangi-2016"]
KONSOLNAS = ARTICLES["kpu-ri-konsolnas-2019"]


def test_banyuwangi_lead_is_the_news_not_the_dateline():
    summary = summarise(BANYUWANGI["title"], BANYUWANGI["paragraphs"], max_quotes=3)
    assert summary.lead[0].startswith("Sesi terakhir dari Bimbingan Teknis")
    assert "kpujatim.go.id" not in " ".join(summary.lead)
    assert [q.speaker for q in summary.quotes] == [
        "Eko Sasmito",
        "Gogot Cahyo Baskoro",
        "Choirul Anam",
    ]


def test_two_quotes_from_banyuwangi_come_from_two_different_people():
    summary = summarise(BANYUWANGI["title"], BANYUWANGI["paragraphs"])
    speakers = [q.speaker for q in summary.quotes]
    assert len(speakers) == 2 and len(set(speakers)) == 2
    assert set(speakers) <= {"Eko Sasmito", "Gogot Cahyo Baskoro", "Choirul Anam"}


def test_konsolnas_lead_and_speakers():
    summary = summarise(KONSOLNAS["title"], KONSOLNAS["paragraphs"])
    assert summary.lead[0].startswith("Memulai aktifitas di hari ke-2")
    assert [q.speaker for q in summary.quotes] == ["Arif Rahman Hakim", "Arif Budiman"]
    assert all(not q.text.startswith(('"', "“")) for q in summary.quotes)


def test_lead_fits_the_budget_and_always_has_a_sentence():
    for article in ARTICLES.values():
        summary = summarise(article["title"], article["paragraphs"], lead_budget=400)
        assert summary.lead
        assert len(" ".join(summary.lead)) <= 400


def test_long_first_sentence_is_cut_at_a_word_with_an_ellipsis():
    sentence = "Komisi Pemilihan Umum menggelar rapat " + "koordinasi tahapan pemilu " * 20 + "."
    summary = summarise(None, [sentence], lead_budget=120)
    assert len(summary.lead) == 1
    lead = summary.lead[0]
    assert lead.endswith("…") and len(lead) <= 120
    assert sentence.startswith(lead[:-1])
    assert lead[-2] != " "


def test_leading_quote_and_furniture_are_not_the_lead():
    paragraphs = [
        "Baca juga: KPU Gelar Rapat Pleno Terbuka di Surabaya",
        "“Kami siap melayani seluruh pemilih dengan baik,” kata Ketua KPU Eko Sasmito.",
        "KPU Jawa Timur menetapkan 31 juta pemilih dalam rapat pleno di Surabaya, Senin.",
    ]
    summary = summarise(None, paragraphs)
    assert summary.lead[0].startswith("KPU Jawa Timur menetapkan")


def test_quotes_never_repeat_the_lead():
    paragraphs = [
        "KPU Kota Kediri menerima logistik pemilu lengkap untuk seluruh TPS pada Senin.",
        "“KPU Kota Kediri menerima logistik pemilu lengkap untuk seluruh TPS,” kata Ketua "
        "KPU Kota Kediri, Agus Joko Susilo.",
        "“Distribusi ke kecamatan dimulai besok pagi dengan pengawalan polisi,” ujarnya.",
    ]
    summary = summarise(None, paragraphs)
    assert [q.text for q in summary.quotes] == [
        "Distribusi ke kecamatan dimulai besok pagi dengan pengawalan polisi"
    ]
    assert summary.quotes[0].speaker == "Agus Joko Susilo"


def test_one_word_quotes_are_left_out():
    paragraphs = [
        "Rapat paripurna DPR menyetujui naturalisasi tiga pemain pada Kamis.",
        '"Setuju," jawab peserta rapat serentak.',
    ]
    assert summarise(None, paragraphs).quotes == []


def test_lead_reads_with_plain_spaces():
    summary = summarise(None, ["KPU\xa0Jatim  menggelar   rapat pleno terbuka di Surabaya."])
    assert summary.lead == ["KPU Jatim menggelar rapat pleno terbuka di Surabaya."]


def test_empty_body_gives_an_empty_summary():
    summary = summarise("Judul", [])
    assert summary.lead == [] and summary.quotes == []


_PIECES = st.sampled_from(
    [
        "Ketua KPU ",
        "Bpk. ",
        "Eko Sasmito",
        " kata eko",
        "“",
        "”",
        '"',
        ", ",
        ". ",
        "ujarnya",
        "Jakarta (22/9), ",
        "SURABAYA – ",
        "\n",
        "dan ",
        "(20/10/2016)",
        "Menurut Anam, ",
        "mengatakan ",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.text(max_size=80), st.lists(_PIECES, max_size=25).map("".join)),
        max_size=6,
    )
)
def test_any_text_gives_a_summary_without_crashing(paragraphs):
    summary = summarise(None, paragraphs, lead_budget=120)
    assert len(" ".join(summary.lead)) <= 120
    assert len(summary.quotes) <= 2
    assert all(q.text for q in summary.quotes)


LONG_QUOTE = (
    "Distribusi logistik ke kecamatan dimulai besok pagi dengan pengawalan polisi. "
    "Semua kotak suara sudah disegel di gudang KPU sejak Senin malam. "
    "Petugas gudang bekerja dalam tiga giliran agar tidak ada yang terlewat. "
    "Kami juga menyiapkan cadangan surat suara dua persen di setiap TPS. "
    "Laporan harian dikirim ke KPU Provinsi setiap sore sampai hari pemungutan suara."
)


def test_a_digest_item_shows_at_most_two_sentences_of_a_long_quote():
    from datetime import UTC

    from digests.delivery.entries import DigestEntry
    from digests.delivery.render import render_article
    from digests.model import Quote

    quote = Quote(LONG_QUOTE, "Choirul Anam")
    item = render_article(
        DigestEntry(title="Logistik", url="https://jatim.kpu.go.id/a", quote=quote), UTC
    )
    shown = item.split("<i>“", 1)[1].split("”", 1)[0]
    assert shown == (
        "Distribusi logistik ke kecamatan dimulai besok pagi dengan pengawalan polisi. "
        "Semua kotak suara sudah disegel di gudang KPU sejak Senin malam…"
    )
    assert "— Choirul Anam" in item
    assert quote.text == LONG_QUOTE  # the full quote stays stored


def test_a_quote_of_one_endless_sentence_is_cut_near_300_characters():
    from digests.model import Quote

    text = "Kami mengajak seluruh warga " + "untuk datang ke TPS dan " * 30 + "memilih."
    short = Quote(text, None).short_text
    assert short.endswith("…") and len(short) <= 301
    assert text.startswith(short[:-1])


def test_summary_is_the_lead_then_up_to_two_more_sentences():
    for article in ARTICLES.values():
        summary = summarise(article["title"], article["paragraphs"])
        assert 1 <= len(summary.summary) <= 3
        assert summary.summary[: len(summary.lead)] == summary.lead
        assert not any(s.startswith(("“", '"')) for s in summary.summary[len(summary.lead) :])


def test_a_quote_led_first_sentence_that_tells_the_event_is_the_lead():
    paragraphs = [
        "“Kami tetapkan 31 juta pemilih untuk Pemilu 2024,” kata Ketua KPU Jawa Timur Choirul "
        "Anam saat memimpin rapat pleno terbuka rekapitulasi daftar pemilih tetap di Surabaya, "
        "Minggu (2/7/2023).",
        "“Data ini sudah dicermati bersama Bawaslu,” ujarnya.",
    ]
    lead = summarise(None, paragraphs).lead
    assert lead[0].startswith("“Kami tetapkan 31 juta pemilih")


def test_day_and_date_after_the_dateline_stay_in_the_lead():
    paragraphs = [
        "Kediri (kota-kediri.kpu.go.id) — Kamis (28/02/2019), KPU Kota Kediri menggelar "
        "rapat pleno penetapan daftar pemilih tambahan di aula kantor."
    ]
    assert summarise(None, paragraphs).lead[0].startswith("Kamis (28/02/2019), KPU Kota Kediri")


def test_a_body_that_opens_with_its_own_headline_leads_with_the_news_after_it():
    title = "KPU Luwu Tetapkan 273.231 Pemilih dalam Daftar Pemilih Berkelanjutan"
    paragraphs = [
        "Belopa, 03 Oktober 2025 KPU Luwu Tetapkan 273.231 Pemilih dalam Daftar Pemilih "
        "Berkelanjutan #Temanpemilih, Komisi Pemilihan Umum (KPU) Kabupaten Luwu melaksanakan "
        "rapat pleno terbuka penetapan Daftar Pemilih Berkelanjutan."
    ]
    lead = summarise(title, paragraphs).lead
    assert lead[0].startswith("Komisi Pemilihan Umum (KPU) Kabupaten Luwu melaksanakan")


@pytest.mark.parametrize(
    ("title", "paragraph"),
    [
        (  # the sentence goes on in lower case
            "KPU Provinsi Lampung adakan Rakor sosialisasi dan pendidikan pemilih",
            "KPU Provinsi Lampung adakan Rakor sosialisasi dan pendidikan pemilih antara KPU "
            "Provinsi Lampung dengan KPU Kabupaten/Kota se Provinsi Lampung, Rabu (23/1/2019).",
        ),
        (  # the sentence is the headline and its date
            "KPU Kabupaten Gianyar Menyelenggarakan Rapat Koordinasi PDPB Triwulan Ii",
            "KPU Kabupaten Gianyar menyelenggarakan Rapat Koordinasi PDPB Triwulan II, Jumat "
            "(20/06/2025). Kegiatan ini dibuka oleh Ketua KPU Gianyar di aula kantor.",
        ),
    ],
)
def test_a_first_sentence_that_opens_with_the_headline_is_the_lead(title, paragraph):
    lead = summarise(title, [paragraph]).lead
    assert lead[0].startswith(" ".join(paragraph.split()[:6]))


def test_a_news_paragraph_above_a_later_dateline_stays_the_lead():
    paragraphs = [
        "Dengan semangat tertib administrasi dan komitmen menjaga jejak demokrasi, Komisi "
        "Pemilihan Umum (KPU) Kabupaten Klaten mulai melaksanakan kegiatan penataan arsip "
        "dokumen Pemilihan Bupati dan Wakil Bupati Klaten Tahun 2024, sejak Senin (3/11).",
        "KLATEN - #temanpemilih Kegiatan ini diawali dengan penataan Form C Hasil dan C Hasil "
        "Salinan, dokumen penting yang merekam hasil rekapitulasi suara di tingkat TPS.",
    ]
    summary = summarise(None, paragraphs)
    assert summary.lead[0].startswith("Dengan semangat tertib administrasi")
    assert summary.summary[1].startswith("Kegiatan ini diawali dengan penataan")


def test_a_photo_caption_above_the_dateline_never_leads():
    paragraphs = [
        "Ketua KPU Provinsi Jawa Timur Eko Sasmito didampingi para anggota saat membuka rapat "
        "pleno rekapitulasi hasil penghitungan suara di Hotel Majapahit Surabaya, Sabtu "
        "(12/3/2024), bersama seluruh ketua KPU kabupaten dan kota. (Foto: Humas KPU Jatim)",
        "Surabaya, kpujatim.go.id – KPU Jawa Timur menggelar rapat pleno rekapitulasi hasil "
        "penghitungan suara tingkat provinsi selama tiga hari.",
    ]
    lead = summarise(None, paragraphs).lead
    assert lead[0].startswith("KPU Jawa Timur menggelar rapat pleno")
