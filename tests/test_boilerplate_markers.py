"""Every boilerplate marker drops the furniture it names and keeps the real sentence next to it.

Each marker line of `digests/data/boilerplate.txt` has an entry below: furniture it must remove
and a real sentence, as KPU and news pages write them, that it must leave alone. A marker added
to the file without an entry here fails `test_every_marker_has_a_drop_and_a_keep_example`.
The site-name patterns of `digests/data/site_titles.toml` are held to the same rule.
"""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest

from digests.summary.extract import (
    BoilerplateRules,
    _clean_title,
    clean_paragraphs,
    load_boilerplate,
)

LEAD = (
    "Surabaya, jatim.kpu.go.id – KPU Provinsi Jawa Timur menggelar rapat koordinasi persiapan "
    "tahapan pemilihan bersama KPU kabupaten/kota, Senin (21/10/2024)."
)
SECOND = "Rapat diikuti ketua dan anggota KPU dari 38 kabupaten/kota di Jawa Timur."
RELATED_LINK = "KPU Jatim Gelar Rakor Logistik Pilkada"

# kind pattern -> (what it must drop, a real sentence it must keep). For "inline" and
# "strip-end" the drop side is (paragraph, the paragraph once the marker is taken out), for
# "title" (title, the headline left).
EXAMPLES: dict[str, tuple[str | tuple[str, str], str]] = {
    "cut komentar via facebook": (
        "Komentar via Facebook",
        "Komentar via Facebook yang viral itu dilaporkan ke Bawaslu oleh tim kampanye.",
    ),
    "cut tinggalkan balasan": (
        "Tinggalkan Balasan",
        "Tinggalkan balasan yang kasar di media sosial, pesan Ketua KPU kepada pemilih muda.",
    ),
    r"cut (tulis|kirim) komentar\b.*": (
        "Tulis komentar Anda di sini",
        "Warga dapat mengirim komentar atas DPS melalui posko tanggapan masyarakat di desa.",
    ),
    "cut alamat email anda tidak akan dipublikasikan.*": (
        "Alamat email Anda tidak akan dipublikasikan. Ruas yang wajib ditandai *",
        "Alamat email resmi KPU kabupaten dipublikasikan di laman PPID sejak Senin.",
    ),
    "cut berita (terkait|lainnya|terkini|populer)": (
        "Berita Terkait",
        "Berita terkini soal rekapitulasi diunggah di laman KPU setiap malam.",
    ),
    "cut artikel terkait": (
        "Artikel Terkait",
        "Artikel terkait pemutakhiran data pemilih ditulis oleh tim Hupmas KPU.",
    ),
    r"cut \d+ komentar": (
        "3 Komentar",
        "Ada 3 komentar warga yang masuk ke posko tanggapan masyarakat hari itu.",
    ),
    r"cut disclaimer\s*:.*": (
        "Disclaimer : Komentar adalah tanggapan pribadi, tidak mewakili kebijakan redaksi.",
        "Disclaimer tersebut dibacakan sebelum debat kandidat dimulai.",
    ),
    r"cut informasi pemasangan iklan(\s*:.*)?": (
        "Informasi pemasangan iklan",
        "Informasi pemasangan iklan kampanye di media massa diatur dalam PKPU.",
    ),
    r"cut \(\s*[a-z]{2,6}(\s*/\s*[a-z]{2,6}){1,4}\s*\)": (
        "(fyk/ash)",
        "Logistik dikirim ke PPK (panitia pemilihan kecamatan) pada Selasa pagi.",
    ),
    "drop account": (
        "Account",
        "Account officer bank daerah ikut menjadi narasumber bimtek dana kampanye.",
    ),
    r"drop please wait, authorizing \.\.\.": (
        "Please wait, authorizing ...",
        "Please wait, kata petugas kepada pemilih lansia yang antre di TPS.",
    ),
    "drop [×x✕]": ("×", "X adalah tanda yang dipakai pemilih di surat suara uji coba."),
    r"drop \d+\s*[−–+x×-]\s*\d+\s*=\s*\S{0,4}": (
        "32 − 23 =",
        "Jumlah pemilih 32 - 23 = 9 orang lebih banyak dari data sebelumnya, kata dia.",
    ),
    r"drop share( this)?:?(\s+\S+){0,6}": (
        "Share: Facebook Twitter WhatsApp",
        "Share atau bagian suara partai itu naik menjadi 12 persen di dapil Jawa Timur I.",
    ),
    r"drop bagikan( ke)?:?(\s+\S+){0,6}": (
        "Bagikan ke Facebook",
        "Bagikan informasi tahapan pemilu kepada tetangga dan keluarga, pesan Ketua KPU.",
    ),
    r"drop (tags?|tag|label|kategori|category)\s*:.*": (
        "Tags: pemilu, kpu, pilkada",
        "Label merah pada kotak suara menandai kotak untuk surat suara DPD.",
    ),
    "drop (facebook|twitter|whatsapp|telegram|linkedin|email|print|cetak)"
    r"(\s*[|,·]?\s*(facebook|twitter|whatsapp|telegram|linkedin|email|print|cetak))*": (
        "Facebook | Twitter | WhatsApp",
        "Facebook dan Twitter dipakai KPU untuk sosialisasi kepada pemilih pemula.",
    ),
    r"drop (dilihat|dibaca)\s*:?\s*[\d.,]+\s*(kali)?": (
        "Dilihat: 1.305 kali",
        "Dibaca 1.305 kali dalam sehari, pengumuman DPS itu menjadi yang paling banyak diakses.",
    ),
    r"drop [\d.,]+\s*(kali dilihat|views?|hits)": (
        "1.305 kali dilihat",
        "1.305 kali dilihat dalam sehari, video sosialisasi itu menjadi yang terpopuler.",
    ),
    r"drop (ruas yang wajib ditandai \*|nama \*|email \*|situs web|website)": (
        "Nama *",
        "Situs web KPU kembali dapat diakses setelah gangguan jaringan pada Rabu malam.",
    ),
    "drop simpan nama, email, dan situs web saya.*": (
        "Simpan nama, email, dan situs web saya pada peramban ini untuk komentar saya berikutnya.",
        "Simpan nama dan nomor TPS Anda, pesan petugas KPPS kepada pemilih.",
    ),
    "drop kirim komentar|post comment|submit": (
        "Kirim Komentar",
        "Submit dokumen pencalonan dilakukan melalui Silon paling lambat pukul 23.59 WIB.",
    ),
    "drop (kembali|selengkapnya|read more|baca selengkapnya)( »|»| ›)?": (
        "Selengkapnya »",
        "Kembali ke kantor, tim langsung menyusun laporan hasil supervisi.",
    ),
    r"drop load more\.{0,3}|muat lebih banyak": (
        "Load More...",
        "Muat lebih banyak logistik ke truk kedua, perintah kepala gudang.",
    ),
    r"drop mustread\b.*": (
        "MustRead close Selasa, 23/02/2016 13:07 WIB",
        "Must read bagi penyelenggara, buku panduan KPPS dibagikan gratis.",
    ),
    r"drop (©|\(c\)|(copyright|hak cipta)\s*(©|@|\(c\)|\d{4})).{0,100}": (
        "COPYRIGHT © ANTARA 2016",
        "Copyright atau hak cipta lagu mars pemilu dipegang oleh KPU, kata dia.",
    ),
    r"drop .{0,80}\ball rights reserved\.?": (
        "© 2007 - 2015 okezone.com, All Rights Reserved",
        "Semua hak pemilih dijamin undang-undang, termasuk pemilih disabilitas.",
    ),
    r"page-drop ((senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)\s*,?\s*)?\d{1,2}"
    r"(/\d{1,2}/\d{2,4}|\s+[a-z]{3,9}\.?\s+\d{4})\s*[,|]?\s*(pukul\s*)?"
    r"(\d{1,2}[:.]\d{2}(\s*(wib|wita|wit))?)?": (
        "Kamis, 05/11/2015 09:25 WIB",
        "Kamis (28/02/2019), KPU Kota Surabaya menggelar rapat pleno terbuka.",
    ),
    r"drop \d{1,3}": ("07", "2019 menjadi tahun pertama pemilu serentak lima kotak."),
    r"drop (home|beranda|index)\s*[>»›/|].{0,80}": (
        "Home > Berita",
        "Beranda rumah warga dipakai sebagai TPS darurat setelah banjir.",
    ),
    r"drop (oleh|penulis|reporter|pewarta|editor|penyunting|redaktur|fotografer|kameramen)"
    r"\s*:\s*[\w .,'’/&-]{2,60}": (
        "Editor: B Kunto Wibisono",
        "Oleh karena itu, KPU meminta partai politik melengkapi dokumen persyaratan.",
    ),
    r"drop (redaksi|hubungi)\s*:\s*\S+(\[at\]|@)\S+": (
        "Redaksi: redaksi[at]detikfinance.com",
        "Hubungi petugas PPS bila nama Anda belum tercantum dalam DPS, kata Eko.",
    ),
    r"drop video\s*:\s*https?://\S+": (
        "Video: https://www.youtube.com/watch?v=nM3ze35m5mc",
        "Video sosialisasi itu diputar di alun-alun kota selama sepekan.",
    ),
    "drop (?-i:(Baca [Jj]uga|BACA JUGA)\\s*[:»-]?\\s*([A-Z0-9\"“'‘]|video\\b|berita\\b).*)": (
        "Baca juga KPU Jatim Gelar Rakor Logistik",
        "Baca juga buku panduan KPPS sebelum bertugas, pesan Ketua KPU.",
    ),
    "prefix text Baca Juga:": (
        "Baca Juga: KPU Gelar Bimtek KPPS",
        "Baca jugalah, sebagian besar pemilih belum membaca visi misi calon, ujarnya.",
    ),
    "drop (?-i:(Simak [Jj]uga|SIMAK JUGA)\\s*[:»-]?\\s*([A-Z0-9\"“'‘]|video\\b|berita\\b).*)": (
        "Simak juga video: Debat Kandidat",
        "Simak juga tata cara mencoblos yang dibagikan petugas di TPS, kata Ketua KPU.",
    ),
    "prefix text Foto:": (
        "Foto: Humas KPU Jatim",
        "Fotokopi KTP menjadi syarat dukungan calon perseorangan.",
    ),
    "prefix text Foto :": (
        "Foto : Dok. KPU",
        "Foto bersama digelar usai penandatanganan naskah hibah daerah.",
    ),
    "prefix text Dok.": (
        "Dok. Humas KPU",
        "Dokter memeriksa kesehatan calon anggota PPK di puskesmas kecamatan.",
    ),
    "prefix text Dokumentasi:": (
        "Dokumentasi: Humas KPU Kota Kediri",
        "Dokumentasi kegiatan diserahkan kepada sekretariat paling lambat Jumat.",
    ),
    "prefix text Caption:": (
        "Caption: Suasana rapat pleno",
        "Caption media sosial KPU kini ditulis dalam bahasa daerah.",
    ),
    "prefix text Keterangan foto": (
        "Keterangan foto: Ketua KPU membuka rapat",
        "Keterangan saksi ahli didengar majelis pada sidang berikutnya.",
    ),
    "prefix text Share:": (
        "Share: WhatsApp",
        "Share suara partai baru itu mencapai 4 persen secara nasional.",
    ),
    "prefix text Baca:": (
        "Baca: Jadwal Tahapan Pilkada 2024",
        "Baca tulis menjadi syarat bagi anggota KPPS, kata Ketua KPU.",
    ),
    "prefix text Berita terkait:": (
        "Berita terkait: KPU Tetapkan DPT",
        "Berita terkait pemilu itu beredar luas di grup percakapan warga.",
    ),
    "prefix text Lihat juga:": (
        "Lihat juga: Profil Anggota KPU",
        "Lihat juga kondisi kotak suara sebelum dibawa ke TPS, pesan Ketua KPU.",
    ),
    r"related (baca|simak|lihat) juga\s*:?|baca\s*:|berita terkait\s*:|artikel terkait\s*:": (
        "Baca juga:",
        "Baca juga buku panduan KPPS sebelum bertugas, pesan Ketua KPU.",
    ),
    r"inline \(\s*(foto|dok|dokumentasi|ilustrasi)\s*[:./][^()]{0,60}\)": (
        (
            "Ketua KPU membuka rapat pleno di aula kantor. (Foto: Humas KPU Jatim)",
            "Ketua KPU membuka rapat pleno di aula kantor.",
        ),
        "Formulir itu disimpan dalam kotak suara (dokumen C1 berhologram) sampai rapat pleno.",
    ),
    r"inline \(\s*(foto|dok|dokumentasi|ilustrasi)\s+(humas|istimewa|ist|pribadi|net|kpu)\b"
    r"[^()]{0,40}\)": (
        (
            "Petugas melipat surat suara di gudang logistik (Dok Humas KPU Kediri).",
            "Petugas melipat surat suara di gudang logistik.",
        ),
        "Petugas kesehatan (dokter puskesmas setempat) memeriksa anggota KPPS sebelum bertugas.",
    ),
    r"inline \(\s*hupmas\s+kpu\b[^()]{0,100}\)": (
        (
            "Sidang akan dilanjutkan pekan depan, tuturnya. (Hupmas KPU Arf/Foto: Ieam/ed diR)",
            "Sidang akan dilanjutkan pekan depan, tuturnya.",
        ),
        "Hupmas KPU RI menyiarkan sidang itu secara langsung melalui kanal YouTube.",
    ),
    r"tail \(?\s*(mc|humas)\b[^()]{0,40}\)?": (
        "(MC – LNC/BAY)",
        "Humas KPU Jatim menyiarkan rapat pleno itu secara langsung di media sosial.",
    ),
    r"tail \(\s*[a-z]{2,6}(\s*[/,–-]\s*[a-z]{2,6}){0,4}\s*\)": (
        "(lay/esar)",
        "Pemungutan suara ulang digelar di dua TPS (desa Sumberrejo dan Sidomulyo).",
    ),
    "tail [a-z]{2,4}": ("wsw", "KPU siap."),
    r"tail (editor|penulis|reporter|pewarta|foto|sumber|redaktur|teks|publikasi)\s*:.*": (
        "Penulis: Humas KPU Banyuwangi",
        "Sumber dana kampanye wajib dilaporkan kepada KPU paling lambat 14 hari sebelumnya.",
    ),
    r"tail \(\s*humas[^()]*\)": (
        "(Humas KPU Jatim)",
        "Humas KPU Jatim (yang dipimpin Kasubbag Teknis) menyiapkan siaran pers.",
    ),
    r"tail (?-i:[A-Z][A-Z.'’]+(\s+[A-Z][A-Z.'’]*){0,3})": (
        "DINI TEJA",
        "Salam demokrasi, kata Ketua KPU menutup acara.",
    ),
    r'strip-end (?<=[.!?"”’])\s*\(\s*[a-z0-9]{2,8}(\s*[/,–-]\s*[a-z0-9]{2,8}){0,4}\s*\)\s*$': (
        ("Rapat ditutup pukul 16.00 WIB. (ira/red)", "Rapat ditutup pukul 16.00 WIB."),
        "Rapat digelar di dua tempat (aula dan ruang media).",
    ),
    r'strip-end (?<=[.!?"”’])\s*\(\s*(mc|humas)\b[^()]{0,40}\)\s*$': (
        (
            "Kegiatan berlangsung lancar. (Humas KPU Kota Blitar)",
            "Kegiatan berlangsung lancar.",
        ),
        "Kegiatan itu disiarkan Humas (bagian hubungan masyarakat) KPU secara langsung.",
    ),
    r'strip-end (?<=[.!?"”’])\s*(wsw|red)\s*$': (
        ("Tahapan berjalan sesuai jadwal. wsw", "Tahapan berjalan sesuai jadwal."),
        "Kotak suara disegel dengan segel berwarna merah.",
    ),
    r"title \s+[|–—-]\s+.*\b(kpu|komisi pemilihan umum)\b[^|–—]*$": (
        ("Rakor Logistik Pilkada – KPU Provinsi Jawa Timur", "Rakor Logistik Pilkada"),
        "Pilkada 2024 - Sukses Bersama",
    ),
    "teaser headline|fokus|terpopuler|trending": (
        "Headline",
        "Fokus KPU Jatim Tahun Ini: Pemilih Pemula",
    ),
    "start (?-i:[A-Z][\\w.'’&]*(,?\\s+([A-Z0-9][\\w.'’&]*|[a-z][\\w-]*(\\.[\\w-]+)+"
    "|\\([^()]{1,40}\\))){0,5}\\s+[–—-]{1,2}(\\s|$))": (
        "VIVA.co.id - Pianis cilik Indonesia, Joey Alexander, memukau hadirin di Los Angeles.",
        "Tahapan itu - menurut Ketua KPU - dimulai pada bulan depan di seluruh kabupaten.",
    ),
}


def _marker_lines(text: str) -> list[tuple[str, str]]:
    """(kind, pattern) of every marker line, as load_boilerplate reads them."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        kind, _, pattern = line.partition(" ")
        lines.append((kind, pattern.strip()))
    return lines


BUNDLED = files("digests").joinpath("data", "boilerplate.txt").read_text(encoding="utf-8")
MARKERS = _marker_lines(BUNDLED)


def _only(kind: str, pattern: str, tmp_path: Path) -> BoilerplateRules:
    """The rules of one marker alone, so its examples test it and nothing else."""
    markers = tmp_path / "one-marker.txt"
    markers.write_text(f"{kind} {pattern}\n", encoding="utf-8")
    no_sites = tmp_path / "no-sites.toml"
    no_sites.write_text("", encoding="utf-8")
    return load_boilerplate(markers, site_titles=no_sites)


def _key(kind: str, pattern: str) -> str:
    return f"{kind} {pattern}"


def test_every_marker_has_a_drop_and_a_keep_example() -> None:
    keys = [_key(kind, pattern) for kind, pattern in MARKERS]
    assert sorted(set(keys) - set(EXAMPLES)) == [], "a marker without examples"
    assert sorted(set(EXAMPLES) - set(keys)) == [], "examples of a marker no longer in the file"


def _apply(kind: str, rules: BoilerplateRules, text: str) -> list[str] | str | None:
    """What the reader is left with when `text` meets the marker in the place it is made for."""
    if kind == "title":
        return _clean_title(text, rules)
    if kind == "teaser":
        return clean_paragraphs([("head", text), ("p", SECOND), ("p", LEAD)], None, rules)
    if kind == "start":
        blocks = [("p", "Selasa, 16 Februari 2016"), ("p", text)]
        return clean_paragraphs(blocks, None, rules, page=True)
    if kind in ("tail", "strip-end"):
        return clean_paragraphs([("p", LEAD), ("p", text)], None, rules)
    if kind == "related":  # the line, then a link under it after a line break
        blocks = [("p", LEAD), ("p", text), ("br", RELATED_LINK), ("p", SECOND)]
        return clean_paragraphs(blocks, None, rules)
    blocks = [("p", LEAD), ("p", text), ("p", SECOND)]
    return clean_paragraphs(blocks, None, rules, page=kind == "page-drop")


@pytest.mark.parametrize(("kind", "pattern"), MARKERS, ids=lambda v: v[:40])
def test_marker_drops_its_furniture_and_keeps_the_real_sentence(
    kind: str, pattern: str, tmp_path: Path
) -> None:
    rules = _only(kind, pattern, tmp_path)
    drop, keep = EXAMPLES[_key(kind, pattern)]
    if kind in ("inline", "strip-end", "title"):
        assert isinstance(drop, tuple)
        source, expected = drop
        at = 1 if kind == "inline" else -1  # where _apply puts the paragraph
        if kind == "title":
            assert _apply(kind, rules, source) == expected
            assert _apply(kind, rules, keep) == keep
        else:
            assert _apply(kind, rules, source)[at] == expected
            assert _apply(kind, rules, keep)[at] == keep
        return
    assert isinstance(drop, str)
    if kind == "cut":
        assert _apply(kind, rules, drop) == [LEAD]
        assert _apply(kind, rules, keep) == [LEAD, keep, SECOND]
    elif kind in ("drop", "prefix", "page-drop"):
        assert _apply(kind, rules, drop) == [LEAD, SECOND]
        assert _apply(kind, rules, keep) == [LEAD, keep, SECOND]
    elif kind == "related":
        assert _apply(kind, rules, drop) == [LEAD, SECOND]
        assert _apply(kind, rules, keep) == [LEAD, keep, RELATED_LINK, SECOND]
    elif kind == "tail":
        assert _apply(kind, rules, drop) == [LEAD]
        assert _apply(kind, rules, keep) == [LEAD, keep]
    elif kind == "teaser":
        assert _apply(kind, rules, drop) == [LEAD]
        assert _apply(kind, rules, keep) == [SECOND, LEAD]
    elif kind == "start":
        assert _apply(kind, rules, drop) == [drop]
        assert _apply(kind, rules, keep) == ["Selasa, 16 Februari 2016", keep]
    else:
        pytest.fail(f"no check for marker kind {kind!r}")


def test_no_marker_of_the_bundled_file_eats_a_real_sentence() -> None:
    """The keep examples survive all markers together, not only their own."""
    rules = load_boilerplate()
    for (kind, pattern), (_, keep) in ((m, EXAMPLES[_key(*m)]) for m in MARKERS):
        if kind in ("teaser", "title"):
            continue  # a heading or a title, never a body paragraph
        blocks = [("p", LEAD), ("p", keep)]
        assert clean_paragraphs(blocks, None, rules, page=True) == [LEAD, keep], (kind, pattern)


def test_pasted_plain_text_keeps_its_date_line_and_title_above_the_dateline() -> None:
    """In plain text those lines are the article's own title and date (summarize of a .txt)."""
    rules = load_boilerplate()
    blocks = [("p", "Rakor Persiapan Tahapan"), ("p", "Kamis, 17 Oktober 2024"), ("p", LEAD)]
    assert clean_paragraphs(blocks, None, rules) == [text for _, text in blocks]
    assert clean_paragraphs(blocks, None, rules, page=True) == [LEAD]


# --- site names after a title (site_titles.toml) ------------------------------------------

# site -> (a title with that site's name, the headline left, a real headline it must keep)
TITLE_EXAMPLES: dict[str, tuple[str, str, str]] = {
    "antaranews": (
        "Astra Otoparts luncurkan ban motor terbaru - ANTARA News Otomotif",
        "Astra Otoparts luncurkan ban motor terbaru",
        "Kantor berita ANTARA News raih penghargaan pers",
    ),
    "kompas": (
        "Polres Lhokseumawe Serahkan Anggota Di Minimi ke Kejaksaan - Kompas.com Regional",
        "Polres Lhokseumawe Serahkan Anggota Di Minimi ke Kejaksaan",
        "Kompas.com dan KPU Teken Kerja Sama Sosialisasi",
    ),
    "liputan6": (
        "Wapres JK dan Ahok 'Blusukan' dari Udara - News Liputan6.com",
        "Wapres JK dan Ahok 'Blusukan' dari Udara",
        "Liputan6.com Gelar Debat Calon Gubernur",
    ),
    "okezone": (
        "Sering Depresi Berat, Hati-Hati Diabetes! - Health :: Okezone Lifestyle",
        "Sering Depresi Berat, Hati-Hati Diabetes!",
        "Okezone Gelar Diskusi Pemilu Damai",
    ),
    "merdeka": (
        "Kisah penjaga penjara Guantanamo yang beralih memeluk Islam | merdeka.com",
        "Kisah penjaga penjara Guantanamo yang beralih memeluk Islam",
        "Pidato Merdeka di Hari Kemerdekaan",
    ),
    "tribunnews": (
        "Kadishub DKI: Taksi Uber Tak Punya Izin Operasi - Tribunnews.com",
        "Kadishub DKI: Taksi Uber Tak Punya Izin Operasi",
        "Tribun Pemilu: KPU Jatim Tetapkan DPT",
    ),
    "republika": (
        "Marcella Zalianty Promo Pariwisata Indonesia Lewat Film | Republika Online",
        "Marcella Zalianty Promo Pariwisata Indonesia Lewat Film",
        "Republika Gelar Diskusi Pemilu",
    ),
    "tempo": (
        "Ini 7 Alasan Mengapa Orang Malas Bergerak | Tempo Gaya",
        "Ini 7 Alasan Mengapa Orang Malas Bergerak",
        "Kisah Batavia - Tempo Doeloe",
    ),
    "detik": (
        "Google Umbar Kelemahan Galaxy S6 Edge - detikinet",
        "Google Umbar Kelemahan Galaxy S6 Edge",
        "Detik-detik Penghitungan Suara - Pemilu 2024",
    ),
    "viva": (
        "Thailand Butuh Empat Hari Sebelum Pastikan ada MERS - VIVA.co.id",
        "Thailand Butuh Empat Hari Sebelum Pastikan ada MERS",
        "Viva Demokrasi - Seruan Warga di TPS",
    ),
    "suara": (
        "Polda Bali Kumpulkan 4 Alat Bukti Pembunuhan Angeline - Suara.com",
        "Polda Bali Kumpulkan 4 Alat Bukti Pembunuhan Angeline",
        "Pemilih Gunakan Hak Suara - Partisipasi Naik",
    ),
    "mediaindonesia": (
        "IHSG Hari Ini Sempat Tembus 9.000 - Media Indonesia",
        "IHSG Hari Ini Sempat Tembus 9.000",
        "Media Indonesia Gelar Forum Pemilu",
    ),
}
SITES = tomllib.loads(
    files("digests").joinpath("data", "site_titles.toml").read_text(encoding="utf-8")
)


def test_every_site_in_site_titles_has_examples() -> None:
    assert sorted(SITES) == sorted(TITLE_EXAMPLES)


@pytest.mark.parametrize("site", sorted(SITES))
def test_site_name_leaves_the_title_and_real_headlines_stay_whole(site: str) -> None:
    rules = load_boilerplate()
    patterns = [re.compile(p, re.IGNORECASE) for p in SITES[site]["patterns"]]
    titled, headline, real = TITLE_EXAMPLES[site]
    assert any(p.search(titled) for p in patterns), "the example names this site"
    assert _clean_title(titled, rules) == headline
    assert _clean_title(real, rules) == real


def test_a_title_loses_the_pages_own_site_name_and_nothing_else() -> None:
    rules = load_boilerplate()
    site = ("Harian Jogja", "harianjogja.com")
    assert _clean_title("KPU Sleman Tetapkan DPT | Harian Jogja", rules, site) == (
        "KPU Sleman Tetapkan DPT"
    )
    assert _clean_title("Rapat Pleno - harianjogja.com", rules, site) == "Rapat Pleno"
    assert _clean_title("Harian Jogja Raih Penghargaan", rules, site) == (
        "Harian Jogja Raih Penghargaan"
    )
    assert _clean_title("Pilkada 2024 - Sukses Bersama", rules, site) == (
        "Pilkada 2024 - Sukses Bersama"
    )
