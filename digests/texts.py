"""Every sentence the bot says, in Bahasa Indonesia, in one place for review.

Messages are HTML (parse_mode is set by the Application's Defaults). Anything that comes from a
user, an article or a source goes through `esc()`; the fixed sentences here contain only the
few tags Telegram understands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from typing import Any

# --- fetch and source problems ----------------------------------------------------------------
# The core reports why a page could not be fetched as reason codes; these are its words: one
# line for a source's health (/sumber, `kpu-digest sources`) and the crawl report, and the
# answers /ringkas gives.
from digests.collect.fetch import FetchError, FetchReason
from digests.collect.guard import BodyProblem, BodyTooLarge, Refusal, UrlRefused
from digests.collect.listing import ListingError, ListingProblem
from digests.collect.sources import SourceError, SourceProblem, SourceStatus
from digests.delivery.schedule import (
    MAX_TIMES_PER_DAY,
    DeliverySpec,
    DeliveryTimeError,
    TimeProblem,
    display_time,
)
from digests.delivery.telegram_html import escape
from digests.model import as_utc
from digests.store.outbox import FAILED as OUTBOX_FAILED
from digests.store.outbox import PENDING as OUTBOX_PENDING
from digests.store.types import BroadcastStatus
from digests.text.dates import MONTHS

_REFUSALS = {
    Refusal.INVALID: "alamat tidak valid",
    Refusal.SCHEME: "hanya alamat http atau https yang dapat diringkas",
    Refusal.NO_HOST: "alamat tidak memiliki nama situs",
    Refusal.USERINFO: "alamat dengan nama pengguna atau kata sandi tidak diizinkan",
    Refusal.PORT: "port {port} tidak diizinkan",
    Refusal.ODD_IP: "alamat IP dalam bentuk tidak lazim tidak diizinkan",
    Refusal.HOST_NOT_ALLOWED: "situs {host} tidak termasuk situs yang diizinkan",
    Refusal.HOST_UNKNOWN: "situs {host} tidak dapat ditemukan",
    Refusal.INTERNAL_ADDRESS: "situs {host} mengarah ke alamat jaringan internal",
}
_LISTING_PROBLEMS = {
    ListingProblem.EMPTY: "halaman daftar kosong",
    ListingProblem.UNREADABLE: "halaman daftar tidak dapat dibaca",
    ListingProblem.BROKEN_FEED: "umpan RSS/Atom rusak",
    ListingProblem.NOT_A_FEED: "bukan umpan RSS/Atom",
    ListingProblem.NO_ARTICLE_LINKS: "tidak ada tautan artikel di halaman daftar",
}


def url_refusal(refusal: UrlRefused) -> str:
    """Why the trust rule refused a URL (plain text)."""
    return _REFUSALS[refusal.reason].format(host=refusal.host, port=refusal.port)


def body_problem(problem: BodyTooLarge) -> str:
    """Why a body was not read (plain text)."""
    limit = problem.limit
    shown = f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit} byte"
    match problem.reason:
        case BodyProblem.DECLARED_TOO_LARGE:
            return f"halaman terlalu besar ({problem.size // 1_000_000} MB)"
        case BodyProblem.TOO_LARGE:
            return f"halaman melebihi {shown}"
        case BodyProblem.TOO_LARGE_DECODED:
            return f"halaman melebihi {shown} setelah dibuka (kompresi berlapis?)"
        case BodyProblem.CORRUPT_ENCODING:
            return f"isi terkompresi {problem.encoding} rusak"
        case BodyProblem.TOO_MANY_ENCODINGS:
            return f"terlalu banyak lapisan kompresi ({problem.layers})"
        case BodyProblem.UNSUPPORTED_ENCODING:
            return f"kompresi {problem.encoding} tidak didukung"


def fetch_problem(failure: FetchError) -> str:
    """One line (plain text) for a source's health, the crawl report and the CLI."""
    match failure.reason:
        case FetchReason.REFUSED:
            assert failure.refusal is not None
            return f"ditolak: {failure.url}: {url_refusal(failure.refusal)}"
        case FetchReason.ROBOTS_DISALLOWED:
            return "dilarang oleh robots.txt"
        case FetchReason.NOT_FOUND:
            return f"HTTP {failure.status}: halaman tidak ditemukan"
        case FetchReason.HTTP_ERROR:
            return f"HTTP {failure.status}"
        case FetchReason.UNSUPPORTED_STATUS:
            return f"HTTP {failure.status} tidak didukung"
        case FetchReason.NOT_A_PAGE:
            return f"jenis isi {failure.content_type} bukan HTML/XML"
        case FetchReason.TOO_LARGE:
            assert failure.body is not None
            return body_problem(failure.body)
        case FetchReason.TOO_MANY_REDIRECTS:
            return "terlalu banyak pengalihan alamat"
        case FetchReason.TIMEOUT:
            return "situs tidak menjawab dalam batas waktu"
        case FetchReason.UNREACHABLE:
            return f"situs tidak bisa dihubungi ({failure.detail})"
        case FetchReason.INVALID_ADDRESS:
            return f"alamat tidak valid: {failure.detail}"


def listing_problem(problem: ListingError) -> str:
    """Why a source's listing page or feed gave nothing (plain text)."""
    words = _LISTING_PROBLEMS[problem.reason]
    return f"{words}: {problem.detail}" if problem.detail else words


_SOURCE_PROBLEMS = {
    SourceProblem.FILE_UNREADABLE: "tidak dapat dibaca: {detail}",
    SourceProblem.NOT_TOML: "TOML tidak valid: {detail}",
    SourceProblem.NOT_A_LIST: "`sources` harus berupa daftar [[sources]]",
    SourceProblem.NOT_A_TABLE: "entri harus berupa tabel",
    SourceProblem.UNKNOWN_KEYS: "kunci tidak dikenal: {detail}",
    SourceProblem.URL_MISSING: "`url` wajib diisi (teks)",
    SourceProblem.URL_INVALID: "URL tidak valid: {detail}",
    SourceProblem.URL_NOT_HTTP: (
        "URL harus diawali http:// atau https:// dan memiliki nama situs: {detail}"
    ),
    SourceProblem.URL_HAS_SPACES: "URL tidak boleh berisi spasi: {detail}",
    SourceProblem.NAME_EMPTY: "`name` harus berupa teks yang tidak kosong",
    SourceProblem.BAD_KIND: "`kind` harus 'feed' atau 'html', bukan {detail}",
    SourceProblem.PATTERN_NOT_TEXT: "`article_pattern` harus berupa teks",
    SourceProblem.BAD_PATTERN: (
        "`article_pattern` bukan ekspresi reguler (regex) yang valid: {detail}"
    ),
    SourceProblem.BAD_REGION: (
        "`region` harus 'nasional' atau kode provinsi (mis. 'jawa-timur'), bukan {detail}"
    ),
    SourceProblem.DUPLICATE_URL: "URL {detail} sudah ada di baris {line}",
    SourceProblem.DUPLICATE_NAME: "nama '{detail}' sudah ada di baris {line}",
    SourceProblem.NAME_TAKEN: "nama '{detail}' sudah dipakai sumber lain",
    SourceProblem.ALREADY_ADDED: "sumber ini sudah terdaftar sebagai '{detail}'",
}


def source_problem(problem: SourceError) -> str:
    """Why a source was not taken (plain text): a sources file line, or /addsource."""
    return _SOURCE_PROBLEMS[problem.reason].format(detail=problem.detail, line=problem.line)


def source_visit_too_slow(seconds: float) -> str:
    return f"pengambilan sumber melebihi {seconds:.0f} detik"


def source_database_unavailable(detail: str) -> str:
    return f"basis data tidak tersedia: {detail}"


SUMMARY_UNTITLED = "Ringkasan"
# `kpu-digest preview` (and the demo): what each division would receive.
PREVIEW_NOTHING_NEW = "(tidak ada berita baru untuk divisi ini)"


def preview_heading(name: str, slug: str, count: int) -> str:
    return f"{name} [{slug}] — {count} artikel"


def preview_part(number: int, total: int) -> str:
    return f"pesan {number} dari {total}"


def links_not_followed(reasons: Sequence[str]) -> str:
    """A source crawled fine, but the trust rule kept some of its links from being followed."""
    shown = "; ".join(dict.fromkeys(reasons))
    return f"{len(reasons)} tautan tidak diikuti: {shown}"


def summary_fetch_failed(failure: FetchError) -> str:
    """/ringkas's answer when the page could not be fetched: what happened, truthfully."""
    match failure.reason:
        case FetchReason.REFUSED:
            assert failure.refusal is not None
            if failure.refusal.reason is Refusal.HOST_UNKNOWN:
                return (
                    f"Maaf, situs {esc(failure.refusal.host)} tidak dapat ditemukan. Periksa "
                    "kembali tautannya; jika sudah benar, situs itu sedang tidak bisa dihubungi."
                )
            return summary_refused(url_refusal(failure.refusal))
        case FetchReason.NOT_FOUND:
            return (
                "Maaf, halaman tidak ditemukan di situs itu (mungkin sudah dipindah atau "
                "dihapus). Periksa kembali tautannya."
            )
        case FetchReason.UNREACHABLE:
            return "Maaf, situs sedang tidak bisa dihubungi. Silakan coba lagi nanti."
        case FetchReason.TIMEOUT:
            return (
                "Maaf, situs sedang tidak bisa dihubungi: tidak menjawab tepat waktu. "
                "Silakan coba lagi nanti."
            )
        case FetchReason.HTTP_ERROR if (failure.status or 0) >= 500:
            return (
                f"Maaf, situs itu sedang bermasalah (HTTP {failure.status}). "
                "Silakan coba lagi nanti."
            )
        case FetchReason.HTTP_ERROR:
            return f"Maaf, situs itu menolak memberikan halamannya (HTTP {failure.status})."
        case FetchReason.ROBOTS_DISALLOWED:
            return "Maaf, situs itu melarang halamannya diambil secara otomatis (robots.txt)."
        case FetchReason.NOT_A_PAGE:
            return (
                f"Maaf, tautan itu bukan halaman berita (isinya {esc(failure.content_type)}), "
                "jadi tidak bisa saya ringkas."
            )
        case _:  # too large, too many redirects, ...: the link's own fault
            return summary_refused(fetch_problem(failure))


def esc(text: object) -> str:
    return escape(str(text))


def echo(text: object, limit: int = 80) -> str:
    """User input quoted back to them: escaped and cut short, so a reply always fits."""
    value = str(text)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return esc(value)


# --- Menu (set_my_commands): command → short description -------------------------------------
# The README's chat commands table lists the same commands (tests/test_conversation.py checks).

STAFF_COMMANDS: list[tuple[str, str]] = [
    ("start", "Mulai: pilih divisi dan wilayah"),
    ("ringkasan", "Ringkasan berita terbaru untuk Anda"),
    ("ringkas", "Ringkas satu tautan: /ringkas URL"),
    ("terbaru", "Berita terbaru di divisi Anda: /terbaru 5"),
    ("cari", "Cari berita: /cari kata"),
    ("divisi", "Daftar divisi"),
    ("langganan", "Ikuti divisi: /langganan Data dan Informasi"),
    ("wilayah", "Wilayah berita: /wilayah jatim, nasional atau semua"),
    ("waktu", "Jam kirim: /waktu 07.00 atau instan"),
    ("pengaturan", "Pengaturan: divisi, wilayah, jam, jeda"),
    ("berhenti", "Jeda kiriman (pilihan Anda tetap tersimpan)"),
    ("hapusdata", "Hapus semua data saya"),
    ("bantuan", "Bantuan dan daftar perintah"),
]

ADMIN_COMMANDS: list[tuple[str, str]] = [
    ("siaran", "Siaran ke pelanggan: /siaran [#divisi] teks"),
    ("laporan", "Laporan siaran: /laporan [nomor]"),
    ("statistik", "Statistik bot"),
    ("sumber", "Daftar sumber berita dan keadaannya"),
    ("perbarui", "Ambil berita sekarang"),
    ("tambahsumber", "Tambah sumber: /tambahsumber URL [nama]"),
    ("hapussumber", "Hapus sumber: /hapussumber nama atau nomor"),
]

# --- Start, help ------------------------------------------------------------------------------


def _hello(first_name: str | None) -> str:
    return f"Selamat datang, {esc(first_name)}!" if first_name else "Selamat datang!"


def start(first_name: str | None) -> str:
    return (
        f"{_hello(first_name)} <b>KPU Digest</b> mengirimkan ringkasan berita KPU sesuai "
        "divisi dan wilayah Anda.\n"
        "Yang saya simpan: ID chat, nama, divisi, wilayah dan jam kirim pilihan Anda "
        "(hapus kapan saja dengan /hapusdata).\n\n"
        "<b>Langkah 1 dari 2</b>: pilih divisi Anda, lalu ketuk <b>Lanjut</b>."
    )


def start_with_division(first_name: str | None, name: str) -> str:
    """/start with a division in the link (t.me/<bot>?start=data)."""
    return (
        f"{_hello(first_name)} <b>KPU Digest</b> mengirimkan ringkasan berita KPU sesuai "
        "divisi dan wilayah Anda.\n"
        "Yang saya simpan: ID chat, nama, divisi, wilayah dan jam kirim pilihan Anda "
        "(hapus kapan saja dengan /hapusdata).\n\n"
        f"✅ Anda mengikuti divisi <b>{esc(name)}</b>. Divisi lain dapat ditambahkan dengan "
        "/langganan.\n\n" + REGION_STEP
    )


REGION_STEP = (
    "<b>Langkah 2 dari 2</b>: wilayah berita. Pilih provinsi Anda (berita KPU RI selalu ikut), "
    "atau <b>Semua</b> untuk berita dari semua wilayah, lalu ketuk <b>Selesai</b>."
)


def onboarding_done(names: Sequence[str], scope: str, first: str) -> str:
    """The end of /start: what was chosen, when the first digest comes, what works now."""
    return (
        "✅ Pengaturan tersimpan.\n"
        f"Divisi: {esc(', '.join(names))}\n"
        f"Wilayah: {esc(scope)}\n"
        f"{first}\n\n"
        "Tidak perlu menunggu: /ringkasan menampilkan ringkasan berita terbaru untuk Anda "
        "sekarang. Ubah pilihan kapan saja dengan /pengaturan."
    )


def first_digest(when: str | None, instant: bool) -> str:
    if instant:
        return "Berita baru dikirim langsung begitu terbit (mode instan)."
    if when is None:
        return "Belum ada jadwal kirim; atur dengan /waktu 07.00."
    return f"Ringkasan pertama dikirim {when}."


HELP = (
    "<b>KPU Digest</b> — ringkasan berita KPU per divisi.\n\n"
    "<b>Membaca</b>\n"
    "/ringkasan — ringkasan berita terbaru untuk Anda\n"
    "/ringkas URL — ringkas satu tautan (atau balas pesan berisi tautan/teks dengan /ringkas)\n"
    "/terbaru [n] — n berita terbaru di divisi Anda\n"
    "/cari kata — cari berita tersimpan\n\n"
    "<b>Pilihan Anda</b>\n"
    "/divisi — daftar divisi\n"
    "/langganan Data dan Informasi | semua — ikuti divisi (nama atau kodenya)\n"
    "/wilayah jatim | nasional | semua — wilayah berita (tanpa isian: pilih dengan tombol)\n"
    "/waktu 07.00,17.30 | jam 7 | instan — jam kirim\n"
    "/pengaturan — lihat dan ubah pengaturan dengan tombol\n"
    "/berhenti — jeda kiriman; pilihan Anda tetap tersimpan\n"
    "/berhenti Hukum — berhenti mengikuti satu divisi\n"
    "/hapusdata — hapus semua data saya"
)

ADMIN_HELP = (
    "\n\n<b>Admin</b>\n"
    "/siaran [#divisi] teks — siaran dengan pratinjau\n"
    "/laporan [nomor] — laporan siaran: terkirim, gagal, sudah dibaca\n"
    "/statistik — statistik\n"
    "/sumber — daftar sumber berita dan keadaannya\n"
    "/perbarui — ambil berita sekarang\n"
    "/tambahsumber URL [nama] — tambah sumber\n"
    "/hapussumber nama atau nomor — hapus sumber"
)

NOT_REGISTERED = "Anda belum terdaftar. Ketik /start untuk mulai."

# --- Divisions --------------------------------------------------------------------------------

PICKER_PROMPT = "Pilih divisi Anda (ketuk untuk memilih atau membatalkan):"
PICKER_DONE_BUTTON = "Selesai"
PICKER_NEXT_BUTTON = "Lanjut ▶"
PICKER_ALL_BUTTON = "Semua"
PICKER_NONE_BUTTON = "Kosongkan"
STALE_BUTTON = "Tombol ini sudah tidak berlaku. Ketik /start untuk memulai lagi."
PICKER_CHOOSE_FIRST = "Pilih setidaknya satu divisi, atau ketuk Semua."


def picker_done(names: Sequence[str], times_text: str) -> str:
    if not names:
        return NOTHING_WILL_ARRIVE
    return (
        "✅ Tersimpan. Divisi Anda: "
        + esc(", ".join(names))
        + f".\nRingkasan dikirim {times_text}."
    )


def picker_next(names: Sequence[str]) -> str:
    """The division step of /start, once Lanjut is pressed."""
    return "✅ Divisi Anda: " + esc(", ".join(names)) + "."


NOTHING_WILL_ARRIVE = (
    "Anda belum memilih divisi, jadi tidak ada ringkasan yang akan dikirim. "
    "Pilih divisi dengan /langganan atau /pengaturan."
)


def divisions_list(rows: Iterable[tuple[str, str, str, str | None]]) -> str:
    """The catalogue: (code, full name, short name, description) per division. The short name,
    which lists and buttons show, follows the full one in brackets when it differs."""
    lines = ["<b>Divisi</b> (ikuti dengan nama atau kodenya, mis. /langganan data):"]
    for code, name, short_name, description in rows:
        line = f"• <b>{esc(name)}</b>"
        if short_name != name:
            line += f" ({esc(short_name)})"
        line += f" — <code>{esc(code)}</code>"
        if description:
            line += f"\n   <i>{esc(description)}</i>"
        lines.append(line)
    return "\n".join(lines)


def unknown_divisions(unknown: Sequence[str], valid: Sequence[str]) -> str:
    """Unknown `#kode` words of a broadcast; `valid` are the codes."""
    return (
        "Divisi tidak dikenal: "
        + echo(", ".join(unknown))
        + ".\nPilihan yang ada: "
        + ", ".join(f"<code>{esc(s)}</code>" for s in valid)
        + " atau <code>semua</code>."
    )


def unknown_division_names(unknown: Sequence[str], valid: Sequence[tuple[str, str]]) -> str:
    """Unknown names after /langganan or /berhenti; `valid` is (code, short name) per division."""
    return (
        "Divisi tidak dikenal: "
        + echo(", ".join(unknown))
        + ".\nPilihan yang ada: "
        + "; ".join(f"{esc(name)} (<code>{esc(code)}</code>)" for code, name in valid)
        + "; atau <code>semua</code>."
    )


def did_you_mean(unknown: Sequence[str], names: Sequence[str]) -> str:
    return (
        "Divisi “"
        + echo(", ".join(unknown))
        + "” tidak dikenal. Maksud Anda <b>"
        + esc(", ".join(names))
        + "</b>?"
    )


def did_you_mean_button(names: Sequence[str]) -> str:
    """Short enough for a phone: one short name, or how many."""
    return "✅ Ikuti " + (names[0] if len(names) == 1 else f"{len(names)} divisi itu")


def subscribed(names: Sequence[str]) -> str:
    return "✅ Divisi Anda: " + esc(", ".join(names)) + "."


SUBSCRIBE_USAGE = (
    "Tulis nama divisinya, mis. <code>/langganan Data dan Informasi</code>, "
    "<code>/langganan data teknis</code> atau <code>/langganan semua</code>."
    "\nAtau pilih dengan tombol:"
)


def unsubscribed(removed: Sequence[str], remaining: Sequence[str]) -> str:
    text = "Anda berhenti mengikuti: " + esc(", ".join(removed)) + "."
    if remaining:
        text += "\nMasih Anda ikuti: " + esc(", ".join(remaining)) + "."
    else:
        text += "\n" + NOTHING_WILL_ARRIVE
    return text


def not_subscribed_to(names: Sequence[str]) -> str:
    return "Anda memang tidak mengikuti: " + echo(", ".join(names)) + "."


# --- Pausing ----------------------------------------------------------------------------------

RESUME_BUTTON = "▶️ Lanjutkan kiriman"
PAUSE_DAY_BUTTON = "⏸ Jeda 1 hari"
PAUSE_WEEK_BUTTON = "⏸ Jeda 1 minggu"
PAUSED_FOREVER = (
    "⏸ Kiriman dijeda sampai Anda melanjutkannya. Divisi, wilayah dan jam kirim Anda tetap "
    "tersimpan; pengumuman dari admin tetap sampai.\n"
    "Untuk kembali, cukup ketuk tombol di bawah (atau /pengaturan)."
)


def paused_until(when: str) -> str:
    return (
        f"⏸ Kiriman dijeda sampai {when}. Divisi, wilayah dan jam kirim Anda tetap tersimpan; "
        "pengumuman dari admin tetap sampai."
    )


def resumed(when: str) -> str:
    return f"▶️ Kiriman dilanjutkan. Ringkasan dikirim {when}."


# --- Delivery time ----------------------------------------------------------------------------

TIME_EXAMPLE = (
    "Contoh: <code>/waktu 07.00</code>, <code>/waktu jam 7</code>, "
    "<code>/waktu 07.00,17.30</code> atau <code>/waktu instan</code> (langsung saat ada berita)."
)


def time_invalid(reason: str) -> str:
    return f"Format waktu tidak dikenali: {echo(reason, 200)}\n{TIME_EXAMPLE}"


def time_set(when: str) -> str:
    return f"⏰ Tersimpan. Ringkasan akan dikirim {when}."


# --- Settings, data -----------------------------------------------------------------------------

SETTINGS_DIVISIONS_BUTTON = "🗂 Ubah divisi"
SETTINGS_REGION_BUTTON = "🗺 Ubah wilayah"
SETTINGS_TIME_BUTTON = "⏰ Ubah jam kirim"
SETTINGS_TO_INSTANT_BUTTON = "⚡ Mode instan"
SETTINGS_TO_SCHEDULED_BUTTON = "🗓 Mode terjadwal"
SETTINGS_TIME_PROMPT = (
    "Pilih jam kirim ringkasan harian, atau tulis sendiri, mis. <code>/waktu 07.00,17.30</code>:"
)


def settings(
    *,
    active: bool,
    names: Sequence[str],
    when: str,
    next_at: str | None,
    scope: str = "Semua",
    paused: str | None = None,
) -> str:
    """`paused` is "" for "until resumed", a moment for a timed pause, None when not paused."""
    lines = ["<b>Pengaturan Anda</b>"]
    if not names:
        lines.append(
            "Status: belum ada divisi, jadi tidak ada ringkasan yang akan dikirim. "
            "Pilih dengan tombol <b>Ubah divisi</b> di bawah."
        )
    elif not active:
        lines.append("Status: berhenti; tidak ada ringkasan yang dikirim")
    elif paused is not None:
        lines.append(
            "Status: dijeda " + (f"sampai {paused}" if paused else "sampai Anda lanjutkan")
        )
    else:
        lines.append("Status: aktif")
    lines.append("Divisi: " + (esc(", ".join(names)) if names else "belum ada"))
    lines.append("Wilayah: " + esc(scope))
    lines.append(f"Jadwal: {when}")
    if next_at and active and names and paused is None:
        lines.append(f"Kiriman berikutnya: {esc(next_at)}")
    lines.append("\nUbah dengan tombol di bawah. Hapus data: /hapusdata.")
    return "\n".join(lines)


DELETE_CONFIRM = (
    "Hapus semua data Anda (divisi, jadwal, antrean pesan)? Tindakan ini tidak bisa dibatalkan."
)
DELETE_YES_BUTTON = "🗑 Ya, hapus"
DELETE_NO_BUTTON = "Batal"
DELETED = "Semua data Anda sudah dihapus. Terima kasih. Ketik /start jika ingin kembali."
NOTHING_TO_DELETE = "Tidak ada data Anda yang tersimpan."
DELETE_CANCELLED = "Dibatalkan. Data Anda tetap tersimpan."
NUL_REFUSED = (
    "Pesan Anda memuat karakter NUL (kode 0) yang tidak dapat disimpan. "
    "Kirim ulang tanpa karakter itu, misalnya dengan mengetiknya kembali."
)
DELETE_NOT_YOURS = (
    "Hanya yang meminta penghapusan, atau admin grup ini, yang dapat mengonfirmasinya."
)

# --- Reading news -------------------------------------------------------------------------------

DIGEST_EMPTY = "Belum ada berita baru untuk divisi Anda. Silakan coba lagi nanti."
NO_DIVISIONS = "Anda belum memilih divisi. Ketik /start atau /langganan semua."
LATEST_BAD_N = "Jumlahnya harus angka 1 sampai {max}, mis. <code>/terbaru 5</code>."
NO_ARTICLES = "Belum ada berita tersimpan."


def latest_header(count: int) -> str:
    return f"<b>{count} berita terbaru</b>"


SEARCH_USAGE = "Tulis kata yang dicari, mis. <code>/cari coklit</code>."
SEARCH_TOO_LONG = "Kata pencariannya terlalu panjang (paling banyak {max} huruf)."


def search_none(query: str) -> str:
    return f"Tidak ada berita yang memuat “{echo(query)}”."


def search_header(query: str, count: int) -> str:
    return f"<b>Hasil “{echo(query)}”</b> ({count} terbaru):"


SUMMARY_USAGE = (
    "Kirim <code>/ringkas URL</code>, atau balas pesan yang berisi tautan atau teks berita "
    "dengan /ringkas."
)


def summary_refused(reason: str) -> str:
    return f"Maaf, tautan itu tidak bisa saya ringkas: {echo(reason, 200)}"


def summary_divisions(names: Sequence[str]) -> str:
    """The divisions a summary would be filed under, by short name (a list: the full names hold
    commas)."""
    return "🏷 Divisi: " + esc(", ".join(names))


SUMMARY_FAILED = "Maaf, saya tidak menemukan isi berita untuk diringkas."

# --- announcements ------------------------------------------------------------------------------
# /siaran from draft to report, and what staff read: the announcement and its "Sudah dibaca".
# Callback answers (toasts) are plain text, not HTML.

BROADCAST_USAGE = (
    "Tulis pesannya, mis. <code>/siaran Rapat pleno besok pukul 09.00</code>\n"
    "Untuk divisi tertentu: <code>/siaran #data #teknis teks</code>; untuk semua staf: "
    "<code>/siaran #semua teks</code> atau tanpa tanda #."
)


def announcement_audience(names: Sequence[str]) -> str:
    """ "semua staf", or "Divisi Data dan Informasi; Divisi Hukum dan Pengawasan" (names hold
    commas, so they are kept apart with semicolons)."""
    if not names:
        return "semua staf"
    return "; ".join(f"Divisi {esc(name)}" for name in names)


def announcement_header(date: str, names: Sequence[str]) -> str:
    return f"📢 <b>Pengumuman</b> · {esc(date)}\n<i>untuk {announcement_audience(names)}</i>"


ANNOUNCEMENT_READ_BUTTON = "☑️ Sudah dibaca"
ANNOUNCEMENT_READ_DONE_BUTTON = "✅ Dibaca"
ACK_RECORDED = "Terima kasih. Tercatat bahwa Anda sudah membaca pengumuman ini."
ACK_NOT_FOUND = "Pengumuman ini tidak tercatat untuk chat ini; tidak ada yang dicatat."


def ack_already(when: str) -> str:
    return f"Sudah tercatat: Anda menandai pengumuman ini sudah dibaca pada {when}."


PREVIEW_BANNER = "🚧 <b>PRATINJAU — belum dikirim</b>"
PREVIEW_CANCELLED_BANNER = "❌ <b>DIBATALKAN</b> — tidak dikirim"
BROADCAST_CANCEL_BUTTON = "❌ Batal"


def preview_footer(recipients: int, admin_included: bool) -> str:
    if recipients:
        who = f"Akan dikirim ke <b>{_count(recipients)}</b> orang."
    else:
        who = "Belum ada penerima: tidak ada pelanggan aktif untuk tujuan ini."
    if admin_included:
        me = "Anda termasuk penerima karena Anda berlangganan divisi tujuannya."
    else:
        me = (
            "Anda sendiri tidak termasuk penerima (admin hanya menerima siaran bila "
            "berlangganan divisi tujuannya)."
        )
    return f"<i>{who} {me}</i>\nTekan <b>Kirim</b> untuk mengirim, atau <b>Batal</b>."


def broadcast_send_button(recipients: int) -> str:
    return f"✅ Kirim ke {_count(recipients)} orang" if recipients else "✅ Kirim"


def preview_sent_banner(recipients: int, when: str) -> str:
    return f"📤 <b>DIKIRIM</b> ke {_count(recipients)} orang · {esc(when)}"


def broadcast_sending(recipients: int, broadcast_id: int) -> str:
    return (
        f"📤 Siaran #{broadcast_id} sedang dikirim ke {_count(recipients)} orang. "
        f"Laporan menyusul; lihat juga /laporan {broadcast_id}."
    )


BROADCAST_CANCELLED = "Siaran dibatalkan, tidak ada yang dikirim."
BROADCAST_ALREADY = "Siaran ini sudah diproses."
BROADCAST_QUEUED_LATER = (
    "📤 Siaran sudah dikonfirmasi. Penyimpanan data sedang tidak bisa dijangkau, jadi siaran "
    "dikirim otomatis begitu tersedia lagi. Jangan kirim ulang; laporan menyusul."
)

REPORT_USAGE = (
    "Tulis nomor siarannya, mis. <code>/laporan 12</code>, atau <code>/laporan</code> saja "
    "untuk siaran terakhir."
)
NO_BROADCASTS = "Belum ada siaran yang dikirim. Kirim siaran dengan /siaran."


def report_not_found(broadcast_id: int) -> str:
    return f"Siaran #{broadcast_id} tidak ditemukan. Ketik /laporan untuk siaran terakhir."


BROADCAST_STATUS = {
    BroadcastStatus.PREVIEW: "pratinjau, belum dikirim",
    BroadcastStatus.SENDING: "sedang dikirim",
    BroadcastStatus.CANCELLED: "dibatalkan",
    BroadcastStatus.DONE: "selesai",
}


def broadcast_report(
    broadcast_id: int,
    *,
    date: str,
    status: BroadcastStatus,
    target: Sequence[str],
    excerpt: str,
    sent: int,
    failed: int,
    blocked: int,
    pending: int,
    read: int,
    percent: int | None,
) -> str:
    read_line = f"Sudah dibaca: {_count(read)}"
    if percent is not None:
        read_line += f" dari {_count(sent)} terkirim ({percent}%)"
    lines = [
        f"📊 <b>Laporan siaran #{broadcast_id}</b> · {esc(date)}",
        f"Untuk: {announcement_audience(target)}",
        f"Teks: “{esc(excerpt)}”",
        f"Status: {BROADCAST_STATUS[status]}",
        f"Terkirim: {_count(sent)}",
        f"Gagal: {_count(failed)}",
        f"Memblokir bot / nonaktif: {_count(blocked)}",
        read_line,
    ]
    if pending:
        lines.append(f"Masih antre: {_count(pending)}")
    if status in (BroadcastStatus.SENDING, BroadcastStatus.DONE):
        lines.append(f"Angka terbaru: /laporan {broadcast_id}")
    return "\n".join(lines)


def _count(n: int) -> str:
    """12.345: Indonesian groups thousands with a dot."""
    return f"{n:,}".replace(",", ".")


# --- Admin --------------------------------------------------------------------------------------

NOT_ADMIN = "Maaf, perintah ini khusus admin."

CRAWL_STARTED = "🔄 Mengambil berita dari semua sumber…"
CRAWL_BUSY = "Pengambilan berita sedang berjalan. Mohon tunggu sebentar."
ADDSOURCE_USAGE = (
    "Contoh: <code>/tambahsumber https://jatim.kpu.go.id/index.php/blog/category/104 "
    "KPU Jatim</code> (sama dengan /addsource)"
)
REMOVESOURCE_USAGE = (
    "Contoh: <code>/hapussumber KPU Jatim</code> atau <code>/hapussumber 3</code> "
    "(nomornya ada di /sumber; sama dengan /removesource)"
)


def source_added(name: str, url: str) -> str:
    return f"✅ Sumber ditambahkan: <b>{echo(name)}</b>\n{echo(url, 300)}"


def source_not_added(reason: str) -> str:
    return f"Sumber tidak ditambahkan: {echo(reason, 200)}"


def source_removed(name: str) -> str:
    return f"🗑 Sumber dihapus: <b>{esc(name)}</b>"


def source_not_found(key: str) -> str:
    return f"Sumber “{echo(key)}” tidak ditemukan. Lihat daftarnya dengan /sumber."


def stats(snapshot: Any, per_division: Sequence[tuple[str, int]], last_crawl: str | None) -> str:
    s, outbox = snapshot, snapshot.outbox
    lines = [
        "<b>Statistik KPU Digest</b>",
        f"Pelanggan aktif: {s.subscribers_active} (instan: {s.subscribers_instant})",
        f"Berhenti: {s.subscribers_inactive} · memblokir bot: {s.subscribers_blocked}",
        f"Berita tersimpan: {s.articles_total} (24 jam terakhir: {s.articles_last_day})",
        f"Pesan terkirim 24 jam: {s.sent_last_day} · antre: {outbox.get(OUTBOX_PENDING, 0)}"
        f" · gagal: {outbox.get(OUTBOX_FAILED, 0)}",
        f"Sumber aktif: {s.sources_total} (bermasalah: {s.sources_failing})",
        "Pengambilan terakhir: " + (esc(last_crawl) if last_crawl else "belum pernah"),
        "",
        "<b>Pelanggan per divisi</b>",
    ]
    lines += [f"• {esc(name)}: {count}" for name, count in per_division]
    return "\n".join(lines)


def sources_header(count: int) -> str:
    return f"<b>Sumber berita ({count})</b>"


# A source's health: its icon in /sumber, its word in `kpu-digest sources`.
SOURCE_STATUS = {
    SourceStatus.OK: ("✅", "ok"),
    SourceStatus.FAILING: ("❌", "gagal"),
    SourceStatus.BACKING_OFF: ("⏸", "jeda"),
    SourceStatus.NEW: ("🆕", "baru"),
    SourceStatus.DISABLED: ("⛔", "nonaktif"),
}


def source_status_word(status: SourceStatus) -> str:
    return SOURCE_STATUS[status][1]


def source_line(row: Any, last_ok: str | None) -> str:
    icon = SOURCE_STATUS[row.status][0]
    line = f"{icon} <b>{esc(row.name)}</b> (#{row.id}) — {row.articles} berita"
    line += "\n   " + esc(row.url)
    line += "\n   terakhir berhasil: " + (esc(last_ok) if last_ok else "belum pernah")
    if row.consecutive_failures:
        line += f"\n   gagal {row.consecutive_failures}× berturut-turut"
        if row.last_error:
            line += ": " + esc(row.last_error[:200])
    return line


def crawl_report(report: Any) -> str:
    """After /perbarui: what each source gave, and what went out to instant readers."""
    checked = len(report.sources)
    lines = [
        "<b>Pengambilan selesai</b>",
        f"Sumber diperiksa: {checked} · tanpa perubahan: {report.sources_unchanged}"
        f" · gagal: {report.failed}",
        f"Berita baru: {report.new} · diperbarui: {report.updated}",
    ]
    if report.pushed_articles:
        lines.append(
            f"Dikirim ke pembaca mode instan: {report.pushed_articles} berita baru"
            f" ({report.pushed_messages} pesan)"
        )
    elif report.new_article_ids:
        lines.append("Dikirim ke pembaca mode instan: belum ada (ditahan atau tidak ada pembaca)")
    else:
        lines.append("Dikirim ke pembaca mode instan: tidak ada berita baru")
    lines.append(f"Waktu: {report.seconds:.1f} detik")
    for result in report.sources:
        if result.error:
            lines.append(f"❌ {esc(result.name)}: {esc(result.error[:200])}")
    return "\n".join(lines)


NO_SOURCES = "Belum ada sumber berita. Tambah dengan /tambahsumber."

# --- Politeness, errors -------------------------------------------------------------------------

SLOW_DOWN = "Terlalu banyak perintah dalam waktu singkat. Mohon tunggu sebentar, lalu coba lagi."
ERROR = "Maaf, terjadi kesalahan. Silakan coba lagi sebentar lagi."
DATABASE_UNAVAILABLE = (
    "Maaf, penyimpanan data sedang tidak bisa dijangkau. Tidak ada yang berubah; "
    "silakan coba lagi sebentar lagi."
)
PLAIN_TEXT_HINT = "Ingin diringkas? Balas pesan itu dengan /ringkas. Daftar perintah: /bantuan."
UNKNOWN_COMMAND = "Perintah tidak dikenal. Ketik /bantuan untuk daftar perintah."
LINK_OFFER = "Ringkas tautan ini? Ketuk tombol di bawah (sama dengan /ringkas tautan itu)."
LINK_OFFER_BUTTON = "📝 Ringkas tautan ini"
MEDIA_REPLY = (
    "Maaf, saya hanya membaca teks. Kirim tautan berita untuk diringkas, atau lihat /bantuan."
)


# --- Region scope (/wilayah) ------------------------------------------------------------------

# "Semua" and "Selesai" are the division picker's PICKER_ALL_BUTTON and PICKER_DONE_BUTTON.
REGION_NATIONAL_BUTTON = "Nasional saja"
REGION_PREV_BUTTON = "◀"
REGION_NEXT_BUTTON = "▶"


def region_picker(label: str) -> str:
    return (
        "Pilih wilayah berita (ketuk provinsi untuk memilih / membatalkan). "
        "Berita KPU RI selalu ikut; <b>Semua</b>: berita dari semua wilayah.\n"
        f"Sekarang: <b>{esc(label)}</b>"
    )


def scope_label(province_names: Sequence[str] | None) -> str:
    """ "Semua", "KPU RI saja" or "KPU RI + Jawa Timur" (plain text, not yet escaped)."""
    if province_names is None:
        return "Semua"
    if not province_names:
        return "KPU RI saja"
    return "KPU RI + " + ", ".join(province_names)


def region_page(page: int, pages: int) -> str:
    return f"Hal. {page + 1}/{pages}"


def region_set(label: str) -> str:
    return f"✅ Wilayah berita Anda: {esc(label)}."


def unknown_regions(unknown: Sequence[str]) -> str:
    return (
        "Wilayah tidak dikenal: "
        + echo(", ".join(unknown))
        + ".\nContoh: <code>/wilayah jatim</code>, <code>/wilayah jawa-tengah diy</code>, "
        "<code>/wilayah nasional</code> (hanya KPU RI), <code>/wilayah semua</code>. "
        "Tanpa isian, /wilayah menampilkan tombol 38 provinsi."
    )


# --- "Lainnya": the next page of a busy division in a digest -----------------------------------

MORE_BUTTON_NAME_CHARS = 28  # a phone shows about this much of a button's label


def more_button(remaining: int, division: str) -> str:
    """The label of a division's "Lainnya" button (plain text, buttons are not HTML)."""
    name = division
    if len(name) > MORE_BUTTON_NAME_CHARS:
        name = name[: MORE_BUTTON_NAME_CHARS - 1].rstrip(" ,/") + "…"
    return f"➕ Lainnya ({remaining}) · {name}"


def more_page_header(day: str, first: int, last: int, total: int) -> str:
    """The top of a "Lainnya" page: which digest, and which of its stories."""
    return f"🗞 <b>Ringkasan Berita KPU</b> · {esc(day)}\nBerita {first}–{last} dari {total}"


PAGE_GONE = "Halaman ini sudah tidak tersedia. Ketik /ringkasan untuk ringkasan terbaru."
PAGE_EMPTY = "Berita di halaman ini sudah tidak tersimpan. Ketik /ringkasan untuk yang terbaru."


# --- digest and report layout -----------------------------------------------------------------
# The words of a digest and of the dates a reader sees; `delivery/render.py` lays them out.

_MONTH_NAMES = {number: name for name, number in reversed(MONTHS.items())}
_WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def show_date(when: datetime, tz: tzinfo, *, weekday: bool = False, time: bool = False) -> str:
    """The one way a reader sees a date, as the day is in `tz`: "1 Desember 2026", with
    `weekday` "Selasa, 1 Desember 2026", with `time` "1 Desember 2026 pukul 07.00 WIB"
    (Indonesian writes times with a dot). A naive time is read as UTC."""
    local = as_utc(when).astimezone(tz)
    # text/dates.MONTHS lists each month's standard spelling first: that is the one shown.
    shown = f"{local.day} {_MONTH_NAMES[local.month].capitalize()} {local.year}"
    if weekday:
        shown = f"{_WEEKDAYS[local.weekday()]}, {shown}"
    if time:
        shown = f"{shown} pukul {local.hour:02d}.{local.minute:02d} {local.tzname() or ''}"
    return shown.rstrip()


def digest_header(day: str, count: int) -> str:
    """The first lines of a scheduled digest."""
    return f"🗞 <b>Ringkasan Berita KPU</b>\n{esc(day)} · {count} berita baru"


def instant_header(count: int) -> str:
    """The first line of an instant push holding everything new from one crawl."""
    return f"🔔 <b>Berita KPU terbaru</b> · {count} berita baru"


def division_heading(name: str, *, continued: bool = False) -> str:
    """A division's heading in a digest; `continued` when a message picks it up again."""
    return f"<b>📂 {esc(name)}{' (lanjutan)' if continued else ''}</b>"


def division_count(name: str, count: int) -> str:
    """One line under a digest's header: how many stories a division has."""
    return f"📂 {esc(name)}: {count}"


def more_in_division(count: int) -> str:
    """The line that stands for a division's stories beyond the digest's cap."""
    return f"<i>… dan {count} berita lain di divisi ini.</i>"


def more_sites(count: int) -> str:
    """After a headline's site: how many other sites carried the story."""
    return f" +{count} situs"


def delivery_time_problem(error: DeliveryTimeError) -> str:
    """Why `/waktu` input was refused: plain text, `time_invalid` escapes it."""
    given = error.given
    return {
        TimeProblem.UNREADABLE: (
            f"Waktu “{given}” tidak dikenali. Tulis jam dan menit, misalnya 07.00 atau 17.30."
        ),
        TimeProblem.NO_SUCH_TIME: f"Waktu “{given}” tidak ada: jam 00–23 dan menit 00–59.",
        TimeProblem.EMPTY: (
            "Tulis waktu pengiriman, misalnya /waktu 07.00 atau /waktu 07.00,17.30, "
            "atau /waktu instan untuk menerima setiap berita begitu terbit."
        ),
        TimeProblem.INSTANT_AND_TIMES: (
            "Pilih salah satu: jam tertentu (misalnya 07.00,17.30) atau “instan”, tidak keduanya."
        ),
        TimeProblem.ONLY_FILLER: "Jamnya belum ditulis, misalnya /waktu jam 7 atau /waktu 07.00.",
        TimeProblem.TOO_MANY: f"Paling banyak {MAX_TIMES_PER_DAY} waktu pengiriman sehari.",
    }[error.problem]


def schedule_phrase(spec: DeliverySpec) -> str:
    """When digests come, for replies and /settings: "pukul 07.00 dan 17.30" (not escaped)."""
    if spec.instant:
        return "instan (setiap berita baru langsung dikirim)"
    labels = [display_time(t) for t in spec.times]
    if len(labels) == 1:
        return f"pukul {labels[0]}"
    return "pukul " + ", ".join(labels[:-1]) + " dan " + labels[-1]


# --- operator console lines (kpu-digest) -----------------------------------------------------

NOT_SCHEDULED = "tidak terjadwal"
CONSOLE_FAILED = "GAGAL"  # a source's failure in `kpu-digest crawl --once`
CONSOLE_DIVISIONS = "Divisi"  # the divisions line of `kpu-digest summarize`
