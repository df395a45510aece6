"""Datelines are recognised and removed; ordinary first sentences are left alone."""

from __future__ import annotations

import pytest

from digests.model import Dateline
from digests.text.dateline import strip_dateline, strip_fused_dateline


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


def test_day_and_date_after_the_dateline_stay_with_the_news():
    dateline, rest = strip_dateline(
        "Kediri (kota-kediri.kpu.go.id) — Kamis (17/10), KPU Kota Kediri menggelar rapat."
    )
    assert dateline == Dateline(
        raw="Kediri (kota-kediri.kpu.go.id) —", place="Kediri", day=17, month=10
    )
    assert rest == "Kamis (17/10), KPU Kota Kediri menggelar rapat."


@pytest.mark.parametrize(
    ("paragraph", "rest"),
    [
        ("Surabaya, jatim.kpu.go.id- Komisi Pemilihan Umum menggelar", "Komisi Pemilihan"),
        ("Hupmas, KPU SURABAYA- E-Voting menjadi wacana", "E-Voting menjadi"),
        ("Hupmas, Komisi Pemilihan Umum menggelar rapat", "Komisi Pemilihan"),
        ("Hupmas KPU Bantul, KPU Kabupaten Bantul menggelar rapat pleno", "KPU Kabupaten Bantul"),
        ("KOTA MUNGKID_Anggota KPU Provinsi Jawa Tengah mengatakan", "Anggota KPU"),
        ("PADANG-Dalam rangka peningkatan layanan pindah memilih", "Dalam rangka"),
        ("KPU Pegunungan-Berdasarkan hasil wawancara lapangan, masih", "Berdasarkan hasil"),
        ("Pontianak,Tahapan persiapan penyelenggaraan pemilihan Gubernur", "Tahapan persiapan"),
        ("20 May 2016 | By kpukabpati Pati, Ada pemandangan berbeda di halaman", "Ada pemandangan"),
        ("08 May 2020 | 0 Comments | By kpukabpati Komisi Pemilihan Umum Kabupaten", "Komisi"),
        ("(kpu-kotabaru.go.id) Kotabaru – KPU Kabupaten Kotabaru menggelar", "KPU Kabupaten"),
        ("(kpu-kotabaru.go.id) KPU Kabupaten Kotabaru menggelar rapat", "KPU Kabupaten"),
        (
            "(kota-kediri.kpu.go.id) — Kamis (28/02/2019), KPU Kota Kediri",
            "Kamis (28/02/2019), KPU",
        ),
        ("Jakarta, KPU RI menggelar rapat pleno.", "KPU RI menggelar"),
        ("SURABAYA, Ketua KPU Jatim membuka rapat", "Ketua KPU Jatim"),
        ("Merdeka.com - Ketua KPU Hasyim Asy'ari mengatakan", "Ketua KPU Hasyim"),
        ("JAKARTA, KOMPAS.com - Ketua KPU mengatakan", "Ketua KPU"),
        ("Liputan6.com, Jakarta - Ketua KPU mengatakan", "Ketua KPU"),
        ("TEMPO.CO, Jakarta - Ketua KPU mengatakan", "Ketua KPU"),
        ("Jakarta (ANTARA News) - Ketua KPU mengatakan", "Ketua KPU"),
        ("Jakarta (ANTARA) - Ketua KPU mengatakan", "Ketua KPU"),
        ("Bandung, kab-bandung.kpu.go.id Dalam rangka Koordinasi", "Dalam rangka"),
        ("Jakarta,- KPU Provinsi DKI Jakarta menyelenggarakan", "KPU Provinsi"),
        ("#Temanpemilih, Anggota KPU Sumsel Divisi Sosdiklih", "Anggota KPU"),
        ("Hai #TemanPemilih, bertempat di aula, KPU Kabupaten", "Bertempat di aula"),
        ("#Temanpemilih Dalam rangka menyukseskan PSU", "Dalam rangka"),
        ("Saleum #TemanPemilih Ketua Komisi Independen Pemilihan Aceh", "Ketua Komisi"),
        ("Pasangkayu; KPU Polewali Mandar mengikuti pelatihan", "KPU Polewali"),
        ("width=GANGGA (kpu-lombokutarakab.go.id.) – Komisi Pemilihan Umum", "Komisi Pemilihan"),
        ("Kuala Kapuas, www.kpu.kapuaskab.go.id– Komisi Pemilihan Umum", "Komisi Pemilihan"),
        ("MAMUJU, KPU Sulbar -- Komisi Pemilihan Umum (KPU) Provinsi", "Komisi Pemilihan"),
        ("Sleman (27/04) – KPU Kabupaten Sleman menindaklanjuti", "KPU Kabupaten"),
        ("Makassar, 24 Juli 2025 - Sehari setelah pelaksanaan", "Sehari setelah"),
        ("kab-belitung.kpu.go.id, KPU Kabupaten Belitung menerima", "KPU Kabupaten"),
        (
            "kab-lamongan.kpu.go.id Lamongan- KPU Kabupaten Lamongan gelar Rapat (DPTb) Pada",
            "KPU Kab",
        ),
        ("Batu, kota-batu.kpu.go.id - (13 Juli2024) - Forkopimda Kota Batu hadir", "Forkopimda"),
        ("Belopa, 03 Oktober 2025 KPU Luwu Tetapkan 273.231 Pemilih", "KPU Luwu"),
        ("[Hupmas KPU Kudus] – KPU Kabupaten Kudus menggelar rapat", "KPU Kabupaten Kudus"),
        ("Bantul | kab-bantul.kpu.go.id – KPU Kabupaten Bantul menggelar", "KPU Kabupaten Bantul"),
        ("SURABAYA : KPU Jatim menggelar rapat pleno", "KPU Jatim"),
        ("Sleman, 12/3/2024 – KPU Kabupaten Sleman menggelar rapat", "KPU Kabupaten"),
        ("PONOROGO, kab-ponorogo.kpu.go.id.- KPU Ponorogo menggelar rapat", "KPU Ponorogo"),
        ("Sumenep, kab-sumenep.kpu.go.id bertempat di aula KPU Sumenep", "Bertempat di"),
        ("Jakarta, 12 Maret 2024, KPU RI menggelar rapat", "KPU RI"),
        ("Bekasi - (kab-bekasi.kpu.go.id), KPU Kabupaten Bekasi menggelar", "KPU Kabupaten"),
        ("Gresik, 12/03/2024. KPU Kabupaten Gresik menggelar", "KPU Kabupaten"),
        ("Batam, (08/10/2022) Anggota KPU Provinsi Kepulauan Riau", "Anggota KPU"),
        ("kpugarut - Satu hari setelah dibukanya tahapan kampanye", "Satu hari"),
        ("Manado, sulut.kpu.go.id - bertempat di Luwansa Hotel Manado", "Bertempat di"),
        ("Bengkulu, jdih.kpu.go.id/bengkulu - KPU Provinsi Bengkulu melaksanakan", "KPU Provinsi"),
        ("Magelang, kota-magelang.kpu.go.id. KPU Kota Magelang mengikuti", "KPU Kota Magelang"),
        ("KLATEN - #temanpemilih Kegiatan ini diawali dengan penataan", "Kegiatan ini"),
        ("Surabaya - kpujatim.go.id - Komisi Pemilihan Umum menggelar", "Komisi Pemilihan"),
        ("kpu.go.id - Jakarta, KPU RI menggelar rapat pleno", "KPU RI menggelar"),
        (
            "Rasau Jaya, Ketua KPU Provinsi Kalimantan Barat dan Kepala Desa Rasau Jaya Tiga"
            " Kecamatan Rasau Jaya menandatangani perjanjian kerja sama",
            "Ketua KPU Provinsi",
        ),
    ],
)
def test_every_dateline_form_of_kpu_and_news_sites_is_removed(paragraph, rest):
    dateline, remaining = strip_dateline(paragraph)
    assert dateline is not None
    assert remaining.startswith(rest)


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
        "KPU, Bawaslu dan DKPP menggelar rapat bersama.",
        "Namun, Ketua KPU mengatakan hal lain.",
        "E-Voting menjadi wacana - kata Ketua.",
        "Komisi Pemilihan Umum menggelar rapat di Surabaya.",
        "Kamis (28/02/2019), KPU Kota Kediri menggelar rapat.",
        "Humas KPU Bantul, Budi Santoso, menjelaskan jadwal rapat pleno.",
        "Berkas NAMA_FILE dikirim ke KPU.",
        "KPU_Jatim menggelar rapat pleno terbuka.",
        "Jawa-Timur menggelar rapat pleno terbuka.",
        "KPU-RI menggelar rapat pleno terbuka.",
        "DKI-Jakarta bersiap menggelar pemilihan.",
        "Sosialisasi,Pendidikan Pemilih dan Partisipasi digelar.",
        "Humas KPU Bantul menggelar rapat, KPU Kabupaten Bantul hadir.",
        "(Foto bersama) Ketua KPU Kotabaru membuka rapat.",
        "Kamis (19/1) Ketua KPU Riau Ilham Muhammmad Yasir menghadiri rapat.",
        "Kantor KPU Jawa Timur Surabaya (12/3) Menggelar rapat.",
        "Sabtu, 12 Maret 2024 KPU menggelar rapat.",
        "Informasi lengkap ada di kpu.go.id dan bisa diunduh.",
        "Pada 12/3/2024 KPU menggelar rapat.",
        "Informasi lengkap di kpu.go.id. Rapat dimulai pukul sembilan.",
        "Unduh di jdih.kpu.go.id/bengkulu dan baca peraturannya.",
        "Eko Sasmito, Ketua KPU Jatim, membuka rapat di Kota Surabaya.",
        "Rasau Jaya, Kubu Raya dan Sungai Kakap menjadi lokasi sosialisasi.",
        "Surabaya - kpujatim.go.id menjadi alamat resmi KPU Jawa Timur.",
    ],
)
def test_normal_first_sentence_is_not_eaten(paragraph):
    assert strip_dateline(paragraph) == (None, paragraph)


def test_a_head_of_odd_whitespace_does_not_crash() -> None:
    dateline, rest = strip_dateline("KamisJAKARTAkpu.go.id(22/9)\t–’ — ")
    assert rest is not None
    assert dateline is None or dateline.place != ""


@pytest.mark.parametrize(
    ("paragraph", "rest"),
    [
        (
            "Ketua KPU Jatim membuka rapat pleno. (Foto: Humas) Surabaya, jatim.kpu.go.id – KPU "
            "Jatim menggelar rapat pleno terbuka.",
            "KPU Jatim menggelar rapat pleno terbuka.",
        ),
        (
            "Suasana rapat pleno di aula KPU Jatim Surabaya, kpujatim.go.id - KPU Jatim menggelar "
            "rapat.",
            "KPU Jatim menggelar rapat.",
        ),
        ("Foto bersama peserta bimtek SURABAYA – KPU Jatim menggelar bimtek.", "KPU Jatim"),
    ],
)
def test_a_photo_caption_fused_to_a_dateline_is_cut_with_it(paragraph, rest):
    dateline, remaining = strip_fused_dateline(paragraph)
    assert dateline is not None
    assert remaining.startswith(rest)


@pytest.mark.parametrize(
    "paragraph",
    [
        "KPU Jatim menggelar rapat di Surabaya. Informasi lengkap di laman kpu.go.id - silakan.",
        "Rapat dihadiri Ketua KPU - Eko Sasmito - dan seluruh anggota KPU kabupaten/kota.",
        "Rapat pleno KPU Jatim dihadiri oleh Humas Pemprov, Bawaslu dan partai politik.",
    ],
)
def test_a_sentence_with_an_address_or_a_dash_inside_is_no_fused_dateline(paragraph):
    assert strip_fused_dateline(paragraph) == (None, paragraph)


def test_a_place_opening_the_news_after_a_dateline_with_a_place_stays():
    dateline, rest = strip_dateline("JAKARTA - Jawa Timur, Jawa Tengah dan Bali menjadi lokasi.")
    assert dateline is not None and dateline.place == "Jakarta"
    assert rest == "Jawa Timur, Jawa Tengah dan Bali menjadi lokasi."
