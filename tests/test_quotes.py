"""Direct quotes and their speakers, on real KPU and newsroom text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digests.model import Quote
from digests.quotes import find_quotes, quote_spans

ARTICLES = {
    a["id"]: a
    for a in json.loads(
        (Path(__file__).parent / "eval/summaries/articles.json").read_text(encoding="utf-8")
    )
}


def _speakers(article_id: str) -> dict[str, str | None]:
    quotes = find_quotes(ARTICLES[article_id]["paragraphs"])
    return {q.text[:20]: q.speaker for q in quotes}


def test_banyuwangi_speakers_are_resolved_to_full_names():
    quotes = find_quotes(ARTICLES["kpujatim-bimtek-banyuwangi-2016"]["paragraphs"])
    assert [q.speaker for q in quotes] == ["Eko Sasmito", "Gogot Cahyo Baskoro", "Choirul Anam"]
    assert quotes[0].text.startswith("Sehingga kebijakan lembaga di atasnya")
    assert quotes[0].text.endswith("diperdebatkan kembali")


def test_konsolnas_speaker_loses_position_and_honorific():
    quotes = find_quotes(ARTICLES["kpu-ri-konsolnas-2019"]["paragraphs"])
    assert [q.speaker for q in quotes] == ["Arif Rahman Hakim", "Arif Budiman"]
    assert quotes[0].text.startswith("Mengenai bimtek")
    assert not quotes[0].text.endswith(",")


def test_lower_case_nickname_resolves_against_earlier_full_name():
    paragraphs = [
        "Ketua KPU Jatim, Eko Sasmito membuka rapat koordinasi di Surabaya.",
        "“Semua tahapan harus selesai tepat waktu tahun ini,” kata eko (20/10/2016).",
    ]
    assert find_quotes(paragraphs) == [
        Quote("Semua tahapan harus selesai tepat waktu tahun ini", "Eko Sasmito")
    ]


def test_pronoun_attribution_points_to_the_person_last_named():
    paragraphs = [
        "Anggota KPU RI, Idham Holik menjelaskan tahapan pencocokan data pemilih.",
        '"Petugas akan mendatangi rumah warga satu per satu," ujarnya.',
        "Kepala Biro Hukum, Sigit Joyowardono menambahkan catatan.",
        '"Semua keberatan dicatat dalam berita acara resmi," kata dia.',
    ]
    assert [q.speaker for q in find_quotes(paragraphs)] == [
        "Idham Holik",
        "Sigit Joyowardono",
    ]


def test_speaker_named_before_the_quote():
    paragraphs = [
        "Komisioner KPU Kota Kediri Bpk. Agus Joko Susilo mengatakan, “Kami siap "
        "melayani pemilih disabilitas di setiap TPS.”",
        "Menurut Agus, “Surat suara braille sudah diterima lengkap minggu lalu.”",
    ]
    assert [q.speaker for q in find_quotes(paragraphs)] == ["Agus Joko Susilo"] * 2


def test_role_without_name_resolves_to_its_holder():
    speakers = _speakers("okezone-3119872")
    assert set(speakers.values()) == {"Supratman Andi Agtas"}


def test_unnamed_official_gives_no_speaker():
    speakers = _speakers("beritasatu-2875652")
    assert set(speakers.values()) == {None}


@pytest.mark.parametrize(
    ("article_id", "start", "speaker"),
    [
        ("beritasatu-2875714", "Jadi kami ini", "Ronny Talapessy"),
        ("okezone-3120003", "Pada hari ini Kamis", "Tessa"),
        ("mediaindonesia-749558", "Ini juga menjadi", "Simon Aloysius Mantiri"),
        ("beritasatu-dpr-naturalisasi", "Harapannya setelah", "Lalu Hadrian Irfani"),
        ("jpnn-pramono-helikopter", "Karena itu yang", "Pramono Anung"),
    ],
)
def test_real_news_speakers(article_id, start, speaker):
    quotes = find_quotes(ARTICLES[article_id]["paragraphs"])
    assert next(q.speaker for q in quotes if q.text.startswith(start)) == speaker


def test_mixed_curly_and_straight_marks_pair_up():
    paragraph = '"Alhamdulillah air sudah turun,” kata Pramono. “Karena hujan reda," ujarnya.'
    assert len(quote_spans(paragraph)) == 2


def test_a_quote_that_never_closes_runs_to_its_paragraph_end_only():
    paragraphs = [
        "Anggota Bawaslu Sumbar, Muhamad Khadafi, menyebutkan “Bawaslu siap kawal dan menjaga "
        "kualitas demokrasi dengan memetakan wilayah rawan.",
        "Rapat ditutup oleh Ketua KPU Sumbar pada sore hari.",
    ]
    assert find_quotes(paragraphs) == [
        Quote(
            "Bawaslu siap kawal dan menjaga kualitas demokrasi dengan memetakan wilayah rawan.",
            "Muhamad Khadafi",
        )
    ]


def test_degrees_after_the_name_are_not_the_speaker():
    paragraphs = [
        "Ketua KPU Kabupaten Malang, Drs. H. Anis Suhartini, M.Si. mengatakan, “Tahapan "
        "pemutakhiran data pemilih sudah selesai di 33 kecamatan.”",
        "“Rekapitulasi tingkat kabupaten dimulai pekan depan di aula KPU,” kata Ketua KPU "
        "Kota Batu, Dr. Marlina, S.Sos., M.Si. dalam rapat.",
    ]
    assert [q.speaker for q in find_quotes(paragraphs)] == ["Anis Suhartini", "Marlina"]
