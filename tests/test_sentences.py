"""Sentence splitting on real Indonesian news shapes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from digests.text.sentences import split_sentences


def _squash(text: str) -> str:
    return "".join(text.split())


def test_titles_degrees_and_initials_do_not_end_a_sentence():
    text = (
        "Ketua KPU Drs. H. M. Arbayanto, S.Sos., M.Si. membuka acara bersama Hj. Siti "
        "dan Bpk. Muh. Anwar, S.H., M.Pd. di aula. Acara berlangsung lancar."
    )
    assert split_sentences(text) == [
        "Ketua KPU Drs. H. M. Arbayanto, S.Sos., M.Si. membuka acara bersama Hj. Siti "
        "dan Bpk. Muh. Anwar, S.H., M.Pd. di aula.",
        "Acara berlangsung lancar.",
    ]


def test_numbers_times_and_domains_stay_inside_the_sentence():
    text = (
        "Sebanyak 68.084 pemilih atau 77,5 persen hadir pukul 12.40 sesuai surat No. 11 "
        "di kpujatim.go.id hari ini. Rekapitulasi berlanjut."
    )
    assert split_sentences(text) == [
        "Sebanyak 68.084 pemilih atau 77,5 persen hadir pukul 12.40 sesuai surat No. 11 "
        "di kpujatim.go.id hari ini.",
        "Rekapitulasi berlanjut.",
    ]


def test_dates_in_brackets_end_a_sentence_with_or_without_a_space():
    assert split_sentences("Rapat digelar Kamis (24/3).Pertemuan itu dihadiri Eko.") == [
        "Rapat digelar Kamis (24/3).",
        "Pertemuan itu dihadiri Eko.",
    ]
    assert split_sentences("Hal itu disampaikan Eko (20/10/2016). Acara ditutup siang.") == [
        "Hal itu disampaikan Eko (20/10/2016).",
        "Acara ditutup siang.",
    ]


def test_a_quote_of_several_sentences_stays_with_its_attribution():
    text = (
        "“Kami siap. Logistik sudah dikirim. Semua aman,” kata Eko Sasmito (20/10/2016). "
        'Ia menambahkan hal lain. "Ini penting. Sangat penting," ujarnya.'
    )
    assert split_sentences(text) == [
        "“Kami siap. Logistik sudah dikirim. Semua aman,” kata Eko Sasmito (20/10/2016).",
        "Ia menambahkan hal lain.",
        '"Ini penting. Sangat penting," ujarnya.',
    ]


def test_a_quote_that_ends_a_sentence_is_split_after_its_closing_mark():
    assert split_sentences('"Kami siap bekerja!" Lalu rapat dimulai.') == [
        '"Kami siap bekerja!"',
        "Lalu rapat dimulai.",
    ]


def test_single_letter_at_the_end_of_a_list_ends_the_sentence():
    text = "Peserta dibagi dalam kelas A, B, C, D, dan E. Berbagai isu dibahas."
    assert split_sentences(text) == [
        "Peserta dibagi dalam kelas A, B, C, D, dan E.",
        "Berbagai isu dibahas.",
    ]


def test_line_breaks_separate_sentences_and_blank_text_gives_none():
    assert split_sentences("Judul Berita\n\nIsi berita pertama.  ") == [
        "Judul Berita",
        "Isi berita pertama.",
    ]
    assert split_sentences(" \n\t ") == []


def test_question_followed_by_lower_case_stays_one_sentence():
    text = "Roda organisasi jalan tidak? jalan karena sudah dibangun sistemnya. Selesai."
    assert split_sentences(text) == [
        "Roda organisasi jalan tidak? jalan karena sudah dibangun sistemnya.",
        "Selesai.",
    ]


_NEWSY = st.text(
    alphabet=st.sampled_from(list("aAbBkK .,!?…“”\"'()/\n0123456789-–:;M")), max_size=200
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), _NEWSY))
def test_sentences_give_back_the_text_in_order(text):
    sentences = split_sentences(text)
    assert _squash("".join(sentences)) == _squash(text)
    assert all(s and s == s.strip() for s in sentences)


def test_an_acting_holders_title_does_not_end_a_sentence():
    text = "Pada hari Rabu, Plh. Ketua KPU Kota Metro membuka rapat. Plt. Sekretaris hadir."
    assert split_sentences(text) == [
        "Pada hari Rabu, Plh. Ketua KPU Kota Metro membuka rapat.",
        "Plt. Sekretaris hadir.",
    ]
