"""The summary a KPU staff member reads: the news first, then who said what."""

from __future__ import annotations

import json
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digests.summarise import summarise

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


def test_summarising_a_typical_article_takes_well_under_a_few_milliseconds():
    articles = list(ARTICLES.values())
    started = time.perf_counter()
    for _ in range(5):
        for article in articles:
            summarise(article["title"], article["paragraphs"])
    per_article = (time.perf_counter() - started) / (5 * len(articles))
    assert per_article < 0.005


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
