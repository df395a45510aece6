"""Direct quotes and their speakers, on real KPU and newsroom text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digests.model import Quote
from digests.summary.quotes import find_quotes, quote_spans

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


def _said(paragraphs: list[str]) -> list[str | None]:
    return [q.speaker for q in find_quotes(paragraphs)]


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["“Misa syukur digelar bersama seluruh umat di paroki ini,” kata tokoh umat Katolik."],
        [
            "Rapat koordinasi digelar di Aula Kecamatan Semampir, Surabaya.",
            "“Kami minta semua petugas hadir tepat waktu besok pagi,” ujarnya.",
        ],
        ["“Semua kotak suara sudah disegel dan dikawal polisi,” kata Dubes."],
        ["“Kami sudah menyiapkan semua logistik untuk pemilih di luar negeri,” ujar Pihaknya."],
        ["“Tahap ini harus selesai minggu depan di semua kecamatan,” kata Forum Kerukunan."],
        ["“Anak saya sudah lama ingin menjadi petugas KPPS di desa,” kata Ibunda Ahmad Fauzi."],
    ],
)
def test_places_bodies_religions_pronouns_titles_and_relatives_never_speak(paragraphs):
    assert _said(paragraphs) == [None]


def test_ujarnya_points_to_the_officer_who_spoke_not_the_suspect():
    paragraphs = [
        "Kapolres Surabaya AKBP Budi Santoso mengatakan tersangka Joko Susilo ditangkap di "
        "rumahnya pada Senin malam.",
        "“Tersangka mengaku merusak surat suara karena kecewa dengan hasil pleno,” ujarnya.",
    ]
    assert _said(paragraphs) == ["Budi Santoso"]


def test_two_people_named_and_neither_speaking_gives_no_speaker():
    paragraphs = [
        "Ketua KPU Jatim Choirul Anam dan Ketua Bawaslu Jatim Aang Kunaifi hadir di rapat.",
        "“Semua pihak harus menjaga netralitas selama masa tenang,” ujarnya.",
    ]
    assert _said(paragraphs) == [None]


def test_the_next_speaker_is_not_the_one_named_before():
    paragraphs = [
        "Ketua KPU Jatim Eko Sasmito membuka rapat evaluasi logistik di Surabaya.",
        "“Distribusi surat suara harus selesai sebelum hari Jumat,” kata Eko.",
        "“Bagaimana kalau gudang kecamatan dibuka sampai malam hari,” usul Samsul Arifin.",
    ]
    assert _said(paragraphs) == ["Eko Sasmito", "Samsul Arifin"]


def test_an_epithet_with_a_nickname_names_the_speaker():
    paragraphs = [
        "Relawan demokrasi Kholid Fikri mengajak pemilih pemula datang ke TPS.",
        "“Satu suara menentukan arah daerah kita lima tahun ke depan,” terang pria yang biasa "
        "dipanggil Mas Kholid ini.",
    ]
    assert _said(paragraphs) == ["Kholid Fikri"]


def test_an_epithet_without_a_name_points_to_the_person_speaking():
    paragraphs = [
        "Hambaliie juga menambahkan bahwa keterlibatan siswa adalah kunci kesuksesan pemilu.",
        "“Antusiasme adik-adik dalam kegiatan ini menunjukkan kepedulian,” tambah ketua divisi "
        "perencanaan, data dan informasi KPU Kota Makassar ini.",
    ]
    assert _said(paragraphs) == ["Hambaliie"]


def test_demikian_pernyataan_names_the_speaker():
    paragraphs = [
        "“Kami pastikan seluruh tahapan berjalan sesuai jadwal yang ditetapkan.” Demikian "
        "pernyataan Ketua KPU Jatim Choirul Anam.",
    ]
    assert _said(paragraphs) == ["Choirul Anam"]


def test_initials_resolve_to_the_name_the_article_spells_out():
    paragraphs = [
        "Wakil Presiden Jusuf Kalla (JK) meninjau gudang logistik KPU di Jakarta.",
        "“Saya lihat semua kotak suara sudah siap dikirim ke daerah,” kata JK.",
    ]
    assert _said(paragraphs) == ["Jusuf Kalla"]


def test_a_quote_opening_with_a_closing_mark_and_a_verb_after_the_period():
    paragraphs = [
        "Anggota KPU Sumbar Hamdan hadir dalam rapat persidangan.",
        "”Sebagai bentuk koordinasi, KPU Provinsi tetap mendampingi setiap satker” ujar Hamdan.",
        "“Perpanjangan ini kami lakukan karena ada perubahan jadwal pendaftaran PPK”. Ungkap "
        "Divisi SDM dan Parmas KPU KLU, Hadi Pranatha, SH.",
    ]
    assert _said(paragraphs) == ["Hamdan", "Hadi Pranatha"]


def test_a_quote_over_several_paragraphs_takes_the_speaker_named_at_its_end():
    paragraphs = [
        "Sekretaris KPU Jatim Nanik Karsini memimpin apel pagi di halaman kantor.",
        "“Kita harus menjaga integritas di setiap tahapan pemilu yang berjalan.",
        "“Setiap pegawai wajib melaporkan gratifikasi yang diterima,” kata Ketua KPU Jatim "
        "Aang Kunaifi.",
    ]
    assert _said(paragraphs) == ["Aang Kunaifi", "Aang Kunaifi"]


def test_the_speaker_is_shown_with_the_fullest_name_the_article_gives():
    paragraphs = [
        "Anggota KPU Jatim Gogot Cahyo Baskoro dan Muh. Abdi Goncing menjadi narasumber.",
        "“Pemutakhiran data pemilih berjalan setiap bulan tanpa henti,” kata Gogot.",
        "“Pemilih pemula harus dilibatkan sejak awal tahapan,” ungkap Abdi Goncing.",
    ]
    assert _said(paragraphs) == ["Gogot Cahyo Baskoro", "Muh. Abdi Goncing"]


def test_two_single_marks_written_as_a_double_mark_are_a_quote():
    paragraphs = [
        "Ketua KPU Sumut, Herdensi membuka rapat pleno rekapitulasi.",
        "‘’Ke depan kita berharap pergerakan data bersumber dari masyarakat,’’kata Herdensi.",
    ]
    assert find_quotes(paragraphs) == [
        Quote("Ke depan kita berharap pergerakan data bersumber dari masyarakat", "Herdensi")
    ]


def test_title_cased_text_keeps_verbs_out_of_names():
    paragraphs = [
        "Ketua KPU Kota Padang Muhammad Sawati Mengatakan Bahwa Deklarasi Digelar Minggu.",
        '"Kita Berharap Pilwako Padang Ini Tidak Merusak Persaudaraan," Seru Sawati.',
        '"Jadi Dengan Aplikasi Ini Semua Jadi Mudah," Jelas Sutrisno Selaku Kasubag Teknis.',
    ]
    assert _said(paragraphs) == ["Muhammad Sawati", "Sutrisno"]


def test_a_subheading_is_not_the_first_name_of_the_next_speaker():
    paragraphs = [
        "Ketua Umum Gaikindo periode 2016-2019 Johannes Nangoi, mengatakan merek baru masuk.",
        "Persaingan",
        "Nangoi melanjutkan, sukses atau tidaknya merek ditentukan oleh konsumen.",
        "“Persaingan memang cukup ketat, karena itu semua merek harus siap,” kata Nangoi.",
    ]
    assert _said(paragraphs) == ["Johannes Nangoi"]


def test_an_honorific_without_its_period_is_not_shown_as_a_name():
    paragraphs = [
        "Kepala Kantor Kementerian Agama Kota Banjarmasin H Sofrayani mengimbau calon haji.",
        "“Pemeriksaan kesehatan tahap pertama sangat penting bagi calon haji,” kata Sofrayani.",
    ]
    assert _said(paragraphs) == ["Sofrayani"]


def test_a_title_in_quotes_inside_a_sentence_is_nobody_speaking():
    paragraphs = [
        "Anggota KPU Kota Makassar, Muh. Abdi Goncing mengatakan pemilih pemula harus dilibatkan.",
        "KPU kembali menghadirkan program pendidikan pemilih bertajuk “KPU Mengajar di Sekolah "
        "Menengah Atas” di SMA Negeri 17 Makassar.",
    ]
    assert _said(paragraphs) == [None]


@pytest.mark.parametrize(
    ("opening", "speaker"),
    [
        ("Ketua KPU Kabupaten Tanah Datar Budi Santoso membuka rapat pleno.", "Budi Santoso"),
        ("Anggota KPU Kendal Siti Aminah membuka rapat pleno di aula.", "Siti Aminah"),
    ],
)
def test_a_regency_between_the_office_and_the_name_is_not_the_name(opening, speaker):
    paragraphs = [opening, "“Semua tahapan sudah sesuai jadwal yang ditetapkan,” ujarnya."]
    assert _said(paragraphs) == [speaker]


def test_a_division_s_long_name_is_not_the_speaker():
    paragraphs = [
        "“Rekrutmen badan ad hoc kami lakukan terbuka dan berjenjang,” kata Anggota KPU RI Divisi "
        "SDM, Organisasi, Pendidikan dan Pelatihan, serta Penelitian dan Pengembangan, Lestari "
        "Wulandari.",
    ]
    assert _said(paragraphs) == ["Lestari Wulandari"]


def test_the_person_spoken_to_before_the_quote_is_not_the_speaker():
    paragraphs = [
        "Ketua KPU Jatim Choirul Anam mengatakan kepada Gubernur Jawa Timur Emil Dardak, “Semua "
        "logistik sudah tiba di gudang kecamatan.”",
    ]
    assert _said(paragraphs) == ["Choirul Anam"]


def test_a_unit_named_by_an_abstract_noun_is_not_part_of_the_name():
    paragraphs = [
        "“Data kependudukan kami serahkan setiap bulan kepada KPU,” kata Kepala Bidang "
        "Pelayanan Pendaftaran Penduduk Disdukcapil Ahmad Fauzi.",
    ]
    assert _said(paragraphs) == ["Ahmad Fauzi"]


def test_a_quote_opened_by_a_closing_mark_glued_to_the_sentence_before_is_found():
    paragraphs = [
        "Bertindak selaku pembina upacara adalah Sekretaris KPU Provinsi Jawa Timur Eberta "
        "Kawima. Atas dasar itu pihaknya mengeluarkan surat untuk seluruh staf.”Sebuah "
        "kewajiban untuk ikut serta dalam memperingati Hari Lahir Pancasila,” ujarnya.Wima "
        "menyampaikan bahwa Pancasila harus menjadi semangat."
    ]
    quotes = find_quotes(paragraphs)
    assert quotes == [
        Quote(
            "Sebuah kewajiban untuk ikut serta dalam memperingati Hari Lahir Pancasila",
            "Eberta Kawima",
        )
    ]


def test_a_closing_mark_that_closes_after_a_period_still_closes():
    paragraphs = [
        "“Kami siap menggelar pemungutan suara ulang.”Demikian kata Ketua KPU Eko Sasmito."
    ]
    quotes = find_quotes(paragraphs)
    assert [q.text for q in quotes] == ["Kami siap menggelar pemungutan suara ulang."]


def test_a_quote_that_never_closes_ends_at_its_own_attribution():
    paragraphs = [
        "Kegiatan magang terakhir dilakukan oleh mahasiswa semester 7 yakni Moh. Afifudin Asari.",
        "“Saya menyampaikan banyak terima kasih kepada semua pihak yang telah mengajarkan ilmu "
        "kepada kami. Pengalaman ini sangat berharga bagi kami, ucap Ari.",
    ]
    quotes = find_quotes(paragraphs)
    assert quotes == [
        Quote(
            "Saya menyampaikan banyak terima kasih kepada semua pihak yang telah mengajarkan "
            "ilmu kepada kami. Pengalaman ini sangat berharga bagi kami",
            "Moh. Afifudin Asari",
        )
    ]


def test_a_quote_that_never_closes_keeps_a_comma_clause_that_is_no_attribution():
    paragraphs = [
        "Ketua KPU Jatim Eko Sasmito mengatakan, “Kami akan bekerja keras demi pemilu yang "
        "jujur dan adil, kata semua Anggota."
    ]
    quotes = find_quotes(paragraphs)
    assert len(quotes) == 1
    assert quotes[0].text.endswith("jujur dan adil, kata semua Anggota.")
    assert quotes[0].speaker == "Eko Sasmito"


def test_a_nickname_made_of_a_names_last_letters_is_resolved_only_when_one_person_fits():
    one = [
        "Pembina upacara adalah Sekretaris KPU Eberta Kawima.",
        "“Pancasila harus kita aplikasikan dalam bekerja sehari-hari,” kata Wima.",
    ]
    assert find_quotes(one)[0].speaker == "Eberta Kawima"
    two = [
        "Hadir Sekretaris KPU Eberta Kawima dan Kasubag Umum Dwi Parwima.",
        "“Pancasila harus kita aplikasikan dalam bekerja sehari-hari,” kata Wima.",
    ]
    assert find_quotes(two)[0].speaker == "Wima"


def test_an_office_named_without_its_holder_is_the_speaker():
    paragraphs = [
        "Ketua KPU Kabupaten Mesuji hadir langsung untuk membuka kegiatan. Dalam arahannya, ia "
        "menekankan pentingnya memahami proses kepemiluan sejak dini. “Kami berharap para "
        "peserta dapat mengikuti kegiatan ini dengan sungguh-sungguh,” ujarnya dalam sambutan.",
        "Pimpinan Pondok Pesantren Tahfidz Qudsiyyah menyampaikan apresiasi terhadap kegiatan "
        "itu. “Kami menyambut baik kegiatan ini karena membantu memperluas wawasan santri,” "
        "tuturnya.",
    ]
    assert [q.speaker for q in find_quotes(paragraphs)] == [
        "Ketua KPU Kabupaten Mesuji",
        "Pimpinan Pondok Pesantren Tahfidz Qudsiyyah",
    ]


def test_an_office_only_mentioned_or_paragraphs_away_is_no_speaker():
    mentioned = [
        "Rapat dihadiri Ketua KPU Jatim dan para bupati. “Kami siap menggelar pemilu yang "
        "jujur dan adil,” ujarnya."
    ]
    assert find_quotes(mentioned)[0].speaker is None
    away = [
        "Ketua KPU Jatim membuka rapat pleno di Surabaya.",
        "Narasumber dari kampus memberi materi. “Kami siap menggelar pemilu yang jujur dan "
        "adil,” ujarnya.",
    ]
    assert find_quotes(away)[0].speaker is None


def test_a_boarding_school_is_no_speaker():
    paragraphs = [
        "Kegiatan digelar di aula. Pondok Pesantren Tahfidz Qudsiyyah menyampaikan apresiasi. "
        "“Kami menyambut baik kegiatan ini karena membantu memperluas wawasan santri,” tuturnya."
    ]
    assert find_quotes(paragraphs)[0].speaker is None


def test_ujarnya_after_a_new_person_opens_the_sentence_is_theirs_not_the_last_speakers():
    paragraphs = [
        "Ketua KPU Jatim Eko Sasmito mengatakan pemilu harus jujur. “Kami siap,” ujarnya.",
        "Sementara itu, Ketua Bawaslu Jatim Aang Kunaifi mengapresiasi kinerja KPU. “Kami akan "
        "terus mengawasi setiap tahapan pemilu,” ujarnya.",
    ]
    assert [q.speaker for q in find_quotes(paragraphs)] == ["Eko Sasmito", "Aang Kunaifi"]


def test_ujarnya_after_someone_named_only_as_an_object_is_unsure():
    paragraphs = [
        "Ketua KPU Jatim Eko Sasmito mengatakan pemilu harus jujur. Ia juga mengajak Bupati "
        "Sidoarjo Saiful Ilah mengawasi. “Logistik sudah kami periksa satu per satu,” ujarnya."
    ]
    assert find_quotes(paragraphs)[0].speaker is None


def test_ujarnya_after_the_same_speaker_named_again_stays_theirs():
    paragraphs = [
        "Ketua KPU Jatim Eko Sasmito mengatakan pemilu harus jujur. Menurut Eko, logistik "
        "sudah tiba. “Logistik sudah kami periksa satu per satu,” ujarnya."
    ]
    assert find_quotes(paragraphs)[0].speaker == "Eko Sasmito"


def test_an_office_named_after_the_speech_verb_speaks_when_no_holder_is_named():
    paragraphs = [
        "Rapat pleno digelar di Surabaya. “Kami siap menggelar pemilu yang jujur dan adil,” "
        "ujar Ketua KPU Kabupaten Mesuji saat membuka acara."
    ]
    assert find_quotes(paragraphs)[0].speaker == "Ketua KPU Kabupaten Mesuji"
    named = [
        "Ketua KPU Jatim Eko Sasmito membuka rapat pleno. “Kami siap menggelar pemilu yang "
        "jujur dan adil,” ujar Ketua KPU Jatim."
    ]
    assert find_quotes(named)[0].speaker == "Eko Sasmito"
    vague = ["“Kami siap menggelar pemilu yang jujur dan adil,” kata Ketua Panitia."]
    assert find_quotes(vague)[0].speaker is None


def test_a_name_written_alone_is_not_completed_with_the_unit_before_it():
    paragraphs = [
        "Tim dipimpin Anggota Komisi Informasi Bidang Kelembagaan dan Kerjasama Heri Wahidin.",
        "“Kami ingin melihat secara fisik dokumen di meja layanan,” terang Heri Wahidin.",
    ]
    assert find_quotes(paragraphs)[0].speaker == "Heri Wahidin"


def test_a_place_that_starts_before_the_name_is_not_part_of_it():
    paragraphs = [
        "Ketua Komisi I DPRD Kabupaten Kepulauan Selayar Andi Mahmud mengatakan kunjungan"
        " kerja itu membahas daerah pemilihan.",
        "“Kami ingin tahu cara menghitung kursi di setiap daerah pemilihan,” ungkapnya.",
    ]
    assert find_quotes(paragraphs)[0].speaker == "Andi Mahmud"


def test_an_abbreviated_first_name_still_completes_a_name():
    paragraphs = [
        "Rapat dibuka Anggota KPU Jatim Muh. Abdi Goncing di Surabaya.",
        "“Semua tahapan berjalan sesuai jadwal,” kata Abdi Goncing.",
    ]
    assert find_quotes(paragraphs)[0].speaker == "Muh. Abdi Goncing"


def test_a_person_with_a_role_in_apposition_speaks_the_quote_after_the_verb():
    paragraphs = [
        "Heri Wahidin selaku Anggota Komisi Informasi Provinsi Banten menyampaikan terima kasih"
        " atas sambutan KPU Provinsi Banten, “kami meyakini itu bagian dari komitmen KPU”."
    ]
    assert find_quotes(paragraphs)[0].speaker == "Heri Wahidin"


def test_a_quote_after_a_pronoun_and_a_verb_is_not_given_to_a_capitalised_word_before():
    paragraphs = [
        "Ketua KPU membacakan sambutan menteri Komunikasi dan Informatika, beliau mengatakan"
        " “Dengan momentum hari Kebangkitan Nasional, kita sukseskan pilkada.”"
    ]
    assert find_quotes(paragraphs)[0].speaker is None


def test_an_abbreviated_regency_before_a_name_is_no_part_of_it():
    paragraphs = [
        "Peluncuran buku digelar di aula. “Buku ini kita dedikasikan untuk seluruh masyarakat"
        " agar memahami kepemiluan,” kata Ketua Bawaslu Kab. Lobar Abrar."
    ]
    assert find_quotes(paragraphs)[0].speaker == "Abrar"


def test_a_pronoun_before_the_verb_is_the_official_the_clause_names():
    paragraphs = [
        "Kegiatan ini dibuka oleh Ketua KPU Gianyar, I Wayan Mura, dalam sambutannya beliau"
        " menyampaikan “bahwa rapat koordinasi ini sangat penting bagi data pemilih”."
    ]
    assert find_quotes(paragraphs)[0].speaker == "I Wayan Mura"


def test_an_office_after_a_short_opener_is_the_subject_that_speaks():
    opened = [
        "Dalam sambutannya, Ketua KPU Kabupaten Wonosobo menyampaikan bahwa sosialisasi ini"
        " penting. “Pemilih pemula memiliki peran strategis bagi demokrasi,” ujarnya."
    ]
    assert find_quotes(opened)[0].speaker == "Ketua KPU Kabupaten Wonosobo"
    listed = [
        "Rapat dihadiri tamu, Ketua KPU Kabupaten Wonosobo dan Bupati. “Pemilih pemula"
        " memiliki peran strategis bagi demokrasi,” ujarnya."
    ]
    assert find_quotes(listed)[0].speaker is None


def test_ujarnya_after_a_new_subject_named_in_no_trusted_form_is_unsure():
    paragraphs = [
        "“Semoga pemungutan suara berjalan lancar,” ujar Sri Sultan. Sementara itu, Sri Paduka"
        " Pakualam X memberikan pesan kepada petugas KPPS. “Sukses untuk semua, jaga kesehatan"
        " juga,” ujar beliau."
    ]
    quotes = find_quotes(paragraphs)
    assert quotes[0].speaker == "Sri Sultan"
    assert quotes[1].speaker is None


def test_a_city_written_as_the_city_writes_itself_is_no_part_of_the_name():
    paragraphs = [
        "Ketua KPU Kota Palangka Raya Joko Anggoro dalam sambutan menjelaskan tujuan kegiatan"
        " ini. “Mayoritas pemilih di kota ini adalah pemilih muda,” ujarnya."
    ]
    assert find_quotes(paragraphs)[0].speaker == "Joko Anggoro"


def test_a_name_with_its_roles_in_apposition_before_the_verb_speaks():
    paragraphs = [
        "Dalam sesi sambutan, Rudinan, Anggota KPU Kabupaten Bombana Divisi Sosialisasi,"
        " Pendidikan Pemilih, Partisipasi Masyarakat, dan SDM, menyampaikan, “Ini adalah"
        " kegiatan pertama kalinya di Bombana untuk pemuda.”"
    ]
    assert find_quotes(paragraphs)[0].speaker == "Rudinan"
