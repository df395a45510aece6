"""Every sentence the bot says, in Bahasa Indonesia, in one place for review.

Messages are HTML (parse_mode is set by the Application's Defaults). Anything that comes from a
user, an article or a source goes through `esc()`; the fixed sentences here contain only the
few tags Telegram understands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from digests.delivery.compose import escape
from digests.store.broadcasts import BroadcastStatus


def esc(text: object) -> str:
    return escape(str(text))


def echo(text: object, limit: int = 80) -> str:
    """User input quoted back to them: escaped and cut short, so a reply always fits."""
    value = str(text)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return esc(value)


# --- Menu (set_my_commands): command → short description -------------------------------------

STAFF_COMMANDS: list[tuple[str, str]] = [
    ("start", "Mulai dan pilih divisi"),
    ("ringkasan", "Ringkasan berita baru sekarang"),
    ("terbaru", "Ringkasan terbaru: /terbaru 5"),
    ("cari", "Cari berita: /cari kata"),
    ("ringkas", "Ringkas satu tautan: /ringkas URL"),
    ("divisi", "Daftar divisi"),
    ("langganan", "Langganan divisi: /langganan data"),
    ("wilayah", "Wilayah berita: /wilayah jatim, nasional atau semua"),
    ("berhenti", "Berhenti langganan"),
    ("waktu", "Jam kirim: /waktu 07:00,17:30 atau instan"),
    ("pengaturan", "Lihat pengaturan Anda"),
    ("hapusdata", "Hapus semua data saya"),
    ("bantuan", "Bantuan"),
]

ADMIN_COMMANDS: list[tuple[str, str]] = [
    ("siaran", "Siaran ke pelanggan: /siaran [#divisi] teks"),
    ("laporan", "Laporan siaran: /laporan [nomor]"),
    ("statistik", "Statistik bot"),
    ("sumber", "Kesehatan sumber berita"),
    ("perbarui", "Ambil berita sekarang"),
    ("addsource", "Tambah sumber: /addsource URL [nama]"),
    ("removesource", "Hapus sumber: /removesource nama|id"),
]

# --- Start, help ------------------------------------------------------------------------------


def start(first_name: str | None) -> str:
    hello = f"Halo, {esc(first_name)}!" if first_name else "Halo!"
    return (
        f"{hello} Saya <b>KPU Digest</b>: saya kirim ringkasan berita KPU sesuai divisi Anda.\n"
        "Yang saya simpan: ID chat, nama, divisi dan jam kirim pilihan Anda "
        "(hapus kapan saja dengan /hapusdata).\n\n"
        "Pilih divisi Anda:"
    )


HELP = (
    "<b>KPU Digest</b> — ringkasan berita KPU per divisi.\n\n"
    "/ringkasan — berita baru untuk Anda sekarang\n"
    "/terbaru [n] — n ringkasan terbaru\n"
    "/cari kata — cari berita tersimpan\n"
    "/ringkas URL — ringkas satu berita (atau balas pesan berisi tautan/teks)\n"
    "/divisi — daftar divisi\n"
    "/langganan data teknis | semua — pilih divisi\n"
    "/berhenti [divisi] — berhenti (tanpa divisi: semuanya)\n"
    "/wilayah jatim | nasional | semua — wilayah berita (tanpa argumen: pilih dengan tombol)\n"
    "/waktu 07:00,17:30 | instan — jam kirim\n"
    "/pengaturan — pengaturan Anda\n"
    "/hapusdata — hapus semua data saya"
)

ADMIN_HELP = (
    "\n\n<b>Admin</b>\n"
    "/siaran [#divisi] teks — siaran dengan pratinjau\n"
    "/laporan [nomor] — laporan siaran: terkirim, gagal, sudah dibaca\n"
    "/statistik — statistik\n"
    "/sumber — kesehatan sumber\n"
    "/perbarui — ambil berita sekarang\n"
    "/addsource URL [nama] — tambah sumber\n"
    "/removesource nama|id — hapus sumber"
)

NOT_REGISTERED = "Anda belum terdaftar. Ketik /start untuk mulai."

# --- Divisions --------------------------------------------------------------------------------

PICKER_PROMPT = "Pilih divisi Anda (ketuk untuk memilih / membatalkan):"
PICKER_DONE_BUTTON = "Selesai"
PICKER_ALL_BUTTON = "Semua"
PICKER_NONE_BUTTON = "Kosongkan"
STALE_BUTTON = "Tombol ini sudah tidak berlaku. Ketik /start untuk memulai lagi."


def picker_done(names: Sequence[str], times_text: str) -> str:
    if not names:
        return "Belum ada divisi yang dipilih. Ketik /start untuk memilih."
    return (
        "Tersimpan. Anda berlangganan: "
        + esc(", ".join(names))
        + f".\nRingkasan dikirim {times_text}."
        + "\n\nBerikutnya, wilayah berita: semua wilayah, atau hanya KPU RI dan provinsi Anda. "
        "Pilih dengan /wilayah (mis. <code>/wilayah jatim</code>)."
    )


def divisions_list(rows: Iterable[tuple[str, str, str | None]]) -> str:
    lines = ["<b>Divisi</b> (pakai slug-nya, mis. /langganan data):"]
    for slug, name, description in rows:
        line = f"• <code>{esc(slug)}</code> — {esc(name)}"
        if description:
            line += f"\n   <i>{esc(description)}</i>"
        lines.append(line)
    return "\n".join(lines)


def unknown_divisions(unknown: Sequence[str], valid: Sequence[str]) -> str:
    return (
        "Divisi tidak dikenal: "
        + echo(", ".join(unknown))
        + ".\nPilihan yang ada: "
        + ", ".join(f"<code>{esc(s)}</code>" for s in valid)
        + " atau <code>semua</code>."
    )


def subscribed(names: Sequence[str]) -> str:
    return "✅ Anda berlangganan: " + esc(", ".join(names)) + "."


SUBSCRIBE_USAGE = (
    "Tulis divisinya, mis. <code>/langganan data teknis</code> atau <code>/langganan semua</code>."
    "\nAtau pilih dengan tombol:"
)
UNSUBSCRIBED_ALL = (
    "Baik, semua langganan dihentikan. Anda tidak akan menerima ringkasan lagi.\n"
    "Ingin kembali? Ketik /langganan atau /start."
)


def unsubscribed(removed: Sequence[str], remaining: Sequence[str]) -> str:
    text = "Berhenti dari: " + esc(", ".join(removed)) + "."
    if remaining:
        text += "\nMasih berlangganan: " + esc(", ".join(remaining)) + "."
    else:
        text += "\nTidak ada divisi tersisa; Anda tidak akan menerima ringkasan."
    return text


def not_subscribed_to(slugs: Sequence[str]) -> str:
    return "Anda memang tidak berlangganan: " + echo(", ".join(slugs)) + "."


# --- Delivery time ----------------------------------------------------------------------------

TIME_EXAMPLE = (
    "Contoh: <code>/waktu 07:00</code>, <code>/waktu 07:00,17:30</code> "
    "atau <code>/waktu instan</code> (langsung saat ada berita)."
)


def time_invalid(reason: str) -> str:
    return f"Format waktu tidak dikenali: {echo(reason, 200)}\n{TIME_EXAMPLE}"


def time_set(when: str) -> str:
    return f"⏰ Siap! Ringkasan akan dikirim {when}."


# --- Settings, data -----------------------------------------------------------------------------


def settings(
    *, active: bool, names: Sequence[str], when: str, next_at: str | None, scope: str = "Semua"
) -> str:
    lines = ["<b>Pengaturan Anda</b>"]
    lines.append("Status: " + ("aktif" if active else "berhenti"))
    lines.append("Divisi: " + (esc(", ".join(names)) if names else "belum ada"))
    lines.append("Wilayah: " + esc(scope))
    lines.append(f"Jadwal: {when}")
    if next_at and active:
        lines.append(f"Kiriman berikutnya: {esc(next_at)}")
    lines.append("\nUbah dengan /langganan, /berhenti, /waktu, /wilayah. Hapus data: /hapusdata.")
    return "\n".join(lines)


DELETE_CONFIRM = (
    "Hapus semua data Anda (divisi, jadwal, antrean pesan)? Tindakan ini tidak bisa dibatalkan."
)
DELETE_YES_BUTTON = "🗑 Ya, hapus"
DELETE_NO_BUTTON = "Batal"
DELETED = "Semua data Anda sudah dihapus. Terima kasih! Ketik /start jika ingin kembali."
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

DIGEST_EMPTY = "Belum ada berita baru untuk divisi Anda. Coba lagi nanti ya 🙂"
NO_DIVISIONS = "Anda belum memilih divisi. Ketik /start atau /langganan semua."
LATEST_BAD_N = "Jumlahnya harus angka 1 sampai {max}, mis. <code>/terbaru 5</code>."
NO_ARTICLES = "Belum ada berita tersimpan."


def latest_header(count: int) -> str:
    return f"<b>{count} ringkasan terbaru</b>"


SEARCH_USAGE = "Tulis kata yang dicari, mis. <code>/cari coklit</code>."
SEARCH_TOO_LONG = "Kata pencariannya terlalu panjang (maks. {max} huruf)."


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
    return "🏷 Divisi: " + esc(", ".join(names) if names else "umum")


SUMMARY_FAILED = "Maaf, saya tidak menemukan isi berita untuk diringkas."
SUMMARY_FETCH_FAILED = "Maaf, halaman itu tidak bisa diambil sekarang. Coba lagi nanti."

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
CRAWL_BUSY = "Pengambilan berita sedang berjalan. Tunggu sebentar ya."
ADDSOURCE_USAGE = (
    "Contoh: <code>/addsource https://jatim.kpu.go.id/index.php/blog/category/104 KPU Jatim</code>"
)
REMOVESOURCE_USAGE = (
    "Contoh: <code>/removesource KPU Jatim</code> atau <code>/removesource 3</code>"
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
        f"Pesan terkirim 24 jam: {s.sent_last_day} · antre: {outbox.get('pending', 0)}"
        f" · gagal: {outbox.get('failed', 0)}",
        f"Sumber aktif: {s.sources_total} (bermasalah: {s.sources_failing})",
        "Pengambilan terakhir: " + (esc(last_crawl) if last_crawl else "belum pernah"),
        "",
        "<b>Pelanggan per divisi</b>",
    ]
    lines += [f"• {esc(name)}: {count}" for name, count in per_division]
    return "\n".join(lines)


def sources_header(count: int) -> str:
    return f"<b>Sumber berita ({count})</b>"


SOURCE_STATUS = {"ok": "✅", "gagal": "❌", "jeda": "⏸", "baru": "🆕", "nonaktif": "⛔"}


def source_line(row: Any, last_ok: str | None) -> str:
    icon = SOURCE_STATUS.get(row.status, "•")
    line = f"{icon} <b>{esc(row.name)}</b> (#{row.id}) — {row.articles} berita"
    line += "\n   " + esc(row.url)
    line += "\n   terakhir berhasil: " + (esc(last_ok) if last_ok else "belum pernah")
    if row.consecutive_failures:
        line += f"\n   gagal {row.consecutive_failures}× berturut-turut"
        if row.last_error:
            line += ": " + esc(row.last_error[:200])
    return line


def crawl_report(report: Any) -> str:
    lines = [
        "<b>Pengambilan selesai</b>",
        f"Sumber diperiksa: {len(report.sources)} · gagal: {report.failed}",
        f"Berita baru: {report.new} · diperbarui: {report.updated}",
        f"Waktu: {report.seconds:.1f} detik",
    ]
    for result in report.sources:
        if result.error:
            lines.append(f"❌ {esc(result.name)}: {esc(result.error[:200])}")
    if report.new_article_ids:
        lines.append("Pelanggan instan segera menerima berita baru.")
    return "\n".join(lines)


NO_SOURCES = "Belum ada sumber berita. Tambah dengan /addsource."

# --- Politeness, errors -------------------------------------------------------------------------

SLOW_DOWN = (
    "Pelan-pelan ya 🙂 Terlalu banyak perintah dalam waktu singkat. Coba lagi sebentar lagi."
)
ERROR = "Maaf, terjadi kesalahan. Coba lagi sebentar lagi ya."
DATABASE_UNAVAILABLE = (
    "Maaf, penyimpanan data sedang tidak bisa dijangkau. Tidak ada yang berubah; "
    "coba lagi sebentar lagi ya."
)
PLAIN_TEXT_HINT = "Ingin diringkas? Balas pesan itu dengan /ringkas. Daftar perintah: /bantuan."
UNKNOWN_COMMAND = "Perintah tidak dikenal. Ketik /bantuan untuk daftar perintah."


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
        "Tanpa argumen, /wilayah menampilkan tombol 38 provinsi."
    )
