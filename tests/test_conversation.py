"""End to end: the bot speaks like a KPU office (issue 13 "Conversation", /start of issue 12).

Each test plays a staff member (or an admin) against the stand-in Bot API and asserts what
they read: one formal register, times as 07.00, short division names in lists and buttons,
/ringkas told apart from /ringkasan, names instead of codes, settings and pausing with buttons,
the two-step /start with its deep links, and the admin's source aliases and crawl report.
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from digests import texts
from digests.sample.loopback import LoopbackServer
from digests.store import subscribers
from digests.summary.divisions import SHORT_NAME_MAX, load_divisions
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.botapi.server import BotApiServer
from tests.e2e_helpers import (
    ADMIN_ID,
    OTHER_ID,
    STAFF_ID,
    BotHarness,
    forge_callback,
    labels,
    loopback_server,  # noqa: F401  (the `server` fixture)
    news_bot,  # noqa: F401  (the `bot` fixture)
    serve_news,
)
from tests.fixture_site import NewsSite

pytestmark = pytest.mark.db

README = Path(__file__).resolve().parent.parent / "README.md"
MONTHS = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
MOMENT = re.compile(rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}} pukul \d{{2}}\.\d{{2}}\b")
# The longest label a phone shows uncut beside a ✅ in a one-button row.
MAX_LABEL = SHORT_NAME_MAX + 3


@pytest.fixture
def news(server: LoopbackServer) -> NewsSite:
    return serve_news(server, seed=43)


def push_media(api: BotApiServer, user_id: int, field: str, value: Any) -> None:
    """The user sends a sticker, a photo or a voice note (no text)."""

    def make() -> None:
        chat = api.chat(user_id)
        message = {
            "message_id": chat.next_message_id,
            "from": {"id": user_id, "is_bot": False, "first_name": "Sari"},
            "chat": chat.to_json(),
            "date": int(api.clock()),
            field: value,
        }
        chat.next_message_id += 1
        chat.messages[message["message_id"]] = message
        api.add_update({"message": message})

    api._in_loop(make)


def all_button_labels(bot: BotHarness, chat_id: int) -> list[str]:
    return [label for message in bot.api.sent_to(chat_id) for label in labels(message)]


# --- 1. one register ----------------------------------------------------------------------------


def _every_sentence() -> list[str]:
    """Every piece of text in digests/texts.py (constants and the templates inside functions),
    docstrings and comments aside."""
    tree = ast.parse(Path(texts.__file__).read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


# English words a KPU staff member would not use; admin texts name technical things in
# Indonesian ("umpan RSS/Atom", "pengalihan alamat", "batas waktu").
ENGLISH_JARGON = re.compile(
    r"\b(?:slug|host|outbox|pending|crawl\w*|timeout|redirect|feed|queue|link)\b", re.IGNORECASE
)


def test_every_fixed_sentence_is_formal_and_free_of_jargon() -> None:
    for text in _every_sentence():
        lowered = text.lower()
        for casual in ("ya 🙂", " ya.", " ya!", " ya ", "kamu", "nggak", "gak ", "pelan-pelan"):
            assert casual not in lowered, (casual, text)
        assert not re.search(r"\bsiap\s*[.!]", lowered), text  # "Siap!" is not an office's word
        for jargon in ("nama host", "kesehatan sumber", "argumen"):
            assert jargon not in lowered, (jargon, text)
        # Placeholders ({host}) are not shown; `keys` and 'values' of the sources file are
        # quoted as the operator must type them.
        words = re.sub(r"\{[^}]*\}|`[^`]*`|'[^']*'", "", text)
        assert not ENGLISH_JARGON.search(words), text
        assert not re.search(r"\b\d{2}:\d{2}\b", text), text  # times are written 07.00


def test_a_moment_is_written_as_day_month_year_pukul_hh_mm_and_the_zone() -> None:
    wib = ZoneInfo("Asia/Jakarta")
    assert texts.show_date(datetime(2026, 12, 1, 7, 0, tzinfo=UTC), wib, time=True) == (
        "1 Desember 2026 pukul 14.00 WIB"
    )
    assert texts.show_date(datetime(2026, 2, 28, 17, 5), wib, time=True) == (
        "1 Maret 2026 pukul 00.05 WIB"  # a naive moment is UTC, as the database stores it
    )
    assert (
        texts.show_date(
            datetime(2026, 8, 17, 1, 30, tzinfo=UTC), ZoneInfo("Asia/Jayapura"), time=True
        )
        == "17 Agustus 2026 pukul 10.30 WIT"
    )
    months = [
        texts.show_date(datetime(2026, m, 15, 5, 0, tzinfo=UTC), wib, time=True).split()[1]
        for m in range(1, 13)
    ]
    assert "|".join(months) == MONTHS  # the full names, whatever other spellings the table has


async def test_times_are_written_and_accepted_the_indonesian_way(bot: BotHarness) -> None:
    await bot.say(STAFF_ID, "/langganan data")
    for typed in ("/waktu 07.00", "/waktu 07:00", "/waktu jam 7"):
        reply = await bot.say(STAFF_ID, typed)
        assert "pukul 07.00" in reply.plain_text and "07:00" not in reply.plain_text
        assert "ya 🙂" not in reply.plain_text
        assert (await subscribers.get(bot.db, STAFF_ID)).delivery_times == ["07:00"]
    reply = await bot.say(STAFF_ID, "/waktu jam 7 dan 17.30")
    assert "pukul 07.00 dan 17.30" in reply.plain_text

    reply = await bot.say(STAFF_ID, "/pengaturan")
    assert MOMENT.search(reply.plain_text), reply.plain_text  # one date format: "2 Desember …"
    assert "Anda" in reply.plain_text


# --- 2. short names in lists and buttons --------------------------------------------------------


def test_every_division_has_a_short_name_that_fits_a_button() -> None:
    for division in load_divisions():
        assert division.short_name, division.slug
        assert len(division.short_name) <= SHORT_NAME_MAX and "," not in division.short_name


async def test_lists_and_buttons_show_short_names_headings_the_full_ones(
    bot: BotHarness,
) -> None:
    reply = await bot.say(STAFF_ID, "/start")
    for label in labels(reply):
        assert len(label) <= MAX_LABEL and "," not in label, label
    assert "✅" not in "".join(labels(reply))

    reply = await bot.say(STAFF_ID, "/langganan perencanaan sosdiklih data")
    # Three divisions read as three items, not "Perencanaan, Keuangan, Umum, …".
    assert "Perencanaan & Logistik, Data & Informasi, Sosialisasi & Parmas" in reply.plain_text
    assert "Keuangan" not in reply.plain_text

    reply = await bot.say(STAFF_ID, "/pengaturan")
    assert "Divisi: Perencanaan & Logistik, Data & Informasi, Sosialisasi & Parmas" in (
        reply.plain_text
    )

    reply = await bot.say(STAFF_ID, "/divisi")  # the catalogue: full names, short ones, codes
    assert (
        "Perencanaan, Keuangan, Umum, Rumah Tangga dan Logistik (Perencanaan & Logistik)"
        " — perencanaan"
    ) in reply.plain_text
    assert "Teknis Penyelenggaraan — teknis" in reply.plain_text  # no brackets when the same


async def test_a_summary_lists_its_divisions_by_short_name(bot: BotHarness) -> None:
    budget = (
        "/ringkas Rapat Koordinasi Pengadaan Logistik\n\nKPU Kabupaten Sleman menggelar rapat "
        "koordinasi pengadaan logistik pemilu dan penyusunan anggaran tahun 2027 bersama bagian "
        "keuangan dan rumah tangga. Kepala subbagian keuangan menyampaikan rincian kebutuhan "
        "anggaran logistik."
    )
    reply = await bot.say(STAFF_ID, budget)
    assert reply.plain_text.endswith("🏷 Divisi: Perencanaan & Logistik"), reply.plain_text

    visit = (
        "/ringkas Kunjungan Kerja\n\nRombongan tamu datang berkunjung ke kantor pada hari Senin "
        "pagi. Mereka disambut hangat dan berbincang santai tentang cuaca."
    )
    reply = await bot.say(STAFF_ID, visit)  # fits no division: the data file's fallback
    assert reply.plain_text.endswith("🏷 Divisi: Umum"), reply.plain_text


# --- 3. /ringkas vs /ringkasan, a pasted link ----------------------------------------------------


async def test_menu_and_help_tell_ringkas_from_ringkasan(bot: BotHarness) -> None:
    menu = {c["command"]: c["description"] for c in bot.api.visible_commands(STAFF_ID)}
    assert "ringkasan berita terbaru untuk anda" in menu["ringkasan"].lower()
    assert "ringkas satu tautan" in menu["ringkas"].lower()
    reply = await bot.say(STAFF_ID, "/bantuan")
    assert "/ringkasan — ringkasan berita terbaru untuk Anda" in reply.plain_text
    assert "/ringkas URL — ringkas satu tautan" in reply.plain_text


async def test_a_pasted_kpu_link_gets_an_offer_that_summarises_it(
    bot: BotHarness, news: NewsSite
) -> None:
    article = news.articles[0]
    url = news.url_of(article)
    offer = await bot.say(STAFF_ID, f"Coba baca ini {url}")
    assert "Ringkas tautan ini?" in offer.plain_text
    assert labels(offer) == [texts.LINK_OFFER_BUTTON]
    await bot.press(STAFF_ID, "Ringkas tautan ini")
    sent = await bot.api.wait_for_sent(STAFF_ID, 2, timeout=15)
    summary = sent[-1]
    assert article.title in summary.plain_text and f'href="{url}"' in summary.text
    assert not labels(bot.shown(STAFF_ID, offer.message_id))  # the offer is used up

    # The same as /ringkas with that link.
    reply = await bot.say(STAFF_ID, f"/ringkas {url}", timeout=15)
    assert reply.plain_text == summary.plain_text

    # Any other text (or a link elsewhere) still gets the hint, no button.
    reply = await bot.say(STAFF_ID, "lihat https://example.com/berita")
    assert "/ringkas" in reply.plain_text and not labels(reply)


# --- 4. names instead of codes, typos, media ----------------------------------------------------


async def test_subscribe_by_name_any_case_and_short_name(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/langganan Teknis Penyelenggaraan")
    assert "Teknis Penyelenggaraan" in reply.plain_text
    assert (await subscribers.get(bot.db, STAFF_ID)).divisions == ["teknis"]
    await bot.say(STAFF_ID, "/langganan hukum dan pengawasan, SOSIALISASI & PARMAS")
    assert (await subscribers.get(bot.db, STAFF_ID)).divisions == ["teknis", "sosdiklih", "hukum"]
    await bot.say(STAFF_ID, "/langganan Perencanaan, Keuangan, Umum, Rumah Tangga dan Logistik")
    assert "perencanaan" in (await subscribers.get(bot.db, STAFF_ID)).divisions


async def test_a_typo_gets_did_you_mean_with_a_button(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/langganan tekins")
    assert "Maksud Anda Teknis Penyelenggaraan?" in reply.plain_text
    subscriber = await subscribers.get(bot.db, STAFF_ID)
    assert subscriber is None or subscriber.divisions == []  # nothing guessed silently
    await bot.press(STAFF_ID, "Ikuti Teknis Penyelenggaraan")
    shown = bot.shown(STAFF_ID, reply.message_id)
    assert "Teknis Penyelenggaraan" in shown["text"] and not labels(shown)
    assert (await subscribers.get(bot.db, STAFF_ID)).divisions == ["teknis"]

    answer = await forge_callback(bot, STAFF_ID, reply.message_id, "sub:nonexistent")
    assert answer.text and "tidak berlaku" in answer.text

    reply = await bot.say(STAFF_ID, "/langganan xyzzy")  # nothing close: the list of choices
    assert "Data & Informasi (data)" in reply.plain_text and not labels(reply)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (
            "sticker",
            {
                "file_id": "s1",
                "file_unique_id": "u1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            },
        ),
        ("photo", [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]),
        ("voice", {"file_id": "v1", "file_unique_id": "u3", "duration": 3}),
    ],
)
async def test_stickers_photos_and_voice_notes_get_a_short_reply(
    bot: BotHarness, field: str, value: Any
) -> None:
    push_media(bot.api, STAFF_ID, field, value)
    sent = await bot.api.wait_for_sent(STAFF_ID, 1)
    assert sent[-1].plain_text == texts.MEDIA_REPLY
    assert len(sent[-1].plain_text) < 120


# --- 5. settings with buttons, pausing ----------------------------------------------------------


async def test_settings_buttons_change_mode_time_and_open_the_pickers(bot: BotHarness) -> None:
    await bot.say(STAFF_ID, "/langganan data")
    reply = await bot.say(STAFF_ID, "/pengaturan")
    assert "Status: aktif" in reply.plain_text
    buttons = labels(reply)
    for wanted in ("Ubah divisi", "Ubah wilayah", "Ubah jam kirim", "Mode instan", "Jeda 1 hari"):
        assert any(wanted in b for b in buttons), wanted
    assert all(len(b) <= MAX_LABEL for b in buttons)

    await bot.press(STAFF_ID, "Mode instan")
    shown = bot.shown(STAFF_ID, reply.message_id)
    assert "instan" in shown["text"] and any("Mode terjadwal" in b for b in labels(shown))
    assert (await subscribers.get(bot.db, STAFF_ID)).instant

    await bot.press(STAFF_ID, "Ubah jam kirim", message_id=reply.message_id)
    times = bot.api.sent_to(STAFF_ID)[-1]
    assert "06.00" in labels(times) and "17.00" in labels(times)
    await bot.press(STAFF_ID, "17.00", message_id=times.message_id)
    assert "pukul 17.00" in bot.shown(STAFF_ID, times.message_id)["text"]
    subscriber = await subscribers.get(bot.db, STAFF_ID)
    assert subscriber.delivery_times == ["17:00"] and not subscriber.instant

    await bot.press(STAFF_ID, "Ubah divisi", message_id=reply.message_id)
    assert any("✅ Data & Informasi" in b for b in labels(bot.api.sent_to(STAFF_ID)[-1]))
    await bot.press(STAFF_ID, "Ubah wilayah", message_id=reply.message_id)
    assert any("Nasional saja" in b for b in labels(bot.api.sent_to(STAFF_ID)[-1]))

    answer = await forge_callback(bot, STAFF_ID, reply.message_id, "set:t:0330")
    assert answer.text and "tidak berlaku" in answer.text


async def test_pause_for_a_day_then_resume_with_one_tap(bot: BotHarness) -> None:
    await bot.say(STAFF_ID, "/langganan data")
    reply = await bot.say(STAFF_ID, "/pengaturan")
    await bot.press(STAFF_ID, "Jeda 1 hari")
    shown = bot.shown(STAFF_ID, reply.message_id)
    assert "Status: dijeda sampai" in shown["text"] and MOMENT.search(shown["text"])
    assert "Kiriman berikutnya" not in shown["text"]
    subscriber = await subscribers.get(bot.db, STAFF_ID)
    assert subscriber.paused_until > datetime.now(UTC) + timedelta(hours=23)
    assert subscriber.next_digest_at > subscriber.paused_until  # the first slot after it
    assert subscriber.divisions == ["data"]

    await bot.press(STAFF_ID, "Lanjutkan kiriman")
    shown = bot.shown(STAFF_ID, reply.message_id)
    assert "Status: aktif" in shown["text"]
    assert (await subscribers.get(bot.db, STAFF_ID)).paused_until is None


async def test_no_divisions_is_told_nothing_will_arrive(bot: BotHarness) -> None:
    await bot.say(STAFF_ID, "/start")
    reply = await bot.say(STAFF_ID, "/pengaturan")
    assert "tidak ada ringkasan yang akan dikirim" in reply.plain_text
    assert "Status: aktif" not in reply.plain_text

    await bot.say(STAFF_ID, "/langganan data")
    reply = await bot.say(STAFF_ID, "/berhenti data")  # the last division left
    assert "Anda berhenti mengikuti: Data & Informasi." in reply.plain_text
    assert "tidak ada ringkasan yang akan dikirim" in reply.plain_text
    reply = await bot.say(STAFF_ID, "/pengaturan")
    assert "Status: aktif" not in reply.plain_text and "Kiriman berikutnya" not in reply.plain_text


async def test_paused_readers_get_no_digest_or_push_but_announcements_reach_them(
    bot: BotHarness, news: NewsSite
) -> None:
    paused_daily, paused_instant, daily, instant = 6601, 6602, 6603, 6604
    for chat_id in (paused_daily, paused_instant, daily, instant):
        await bot.say(chat_id, "/langganan semua")
    for chat_id in (paused_instant, instant):
        await bot.say(chat_id, "/waktu instan")
    for chat_id in (paused_daily, paused_instant):
        reply = await bot.say(chat_id, "/berhenti")
        assert "dijeda sampai Anda melanjutkannya" in reply.plain_text
        assert labels(reply) == [texts.RESUME_BUTTON]
        assert (await subscribers.get(bot.db, chat_id)).divisions  # choices kept

    await bot.send(ADMIN_ID, "/perbarui", expect=2, timeout=20)
    await bot.api.wait_for_sent(instant, 3, timeout=15)  # the push reached the active reader
    for chat_id in (paused_daily, daily):
        row = await subscribers.get(bot.db, chat_id)
        async with bot.db.session() as session:
            row.next_digest_at = datetime.now(UTC) - timedelta(minutes=1)
            session.add(row)
            await session.commit()
    await bot.run_job("deliver_due_digests")
    await bot.api.wait_for_sent(daily, 2, timeout=10)
    await bot.api.wait_for_sent(instant, 3)
    assert len(bot.api.sent_to(paused_daily)) == 2  # /langganan, /berhenti: no digest
    assert len(bot.api.sent_to(paused_instant)) == 3  # + /waktu: no push

    await bot.say(ADMIN_ID, "/siaran Rapat pleno besok pukul 09.00")  # the preview
    await bot.press(ADMIN_ID, "Kirim")
    for chat_id in (paused_daily, paused_instant):
        sent = await bot.api.wait_for_sent(chat_id, 3 if chat_id == paused_daily else 4, 10)
        assert "Rapat pleno besok" in sent[-1].plain_text

    # Coming back is one tap on the /berhenti reply.
    await bot.press(paused_daily, "Lanjutkan kiriman")
    assert (await subscribers.get(bot.db, paused_daily)).paused_until is None
    first = bot.api.sent_to(paused_daily)[1]
    assert "dilanjutkan" in bot.shown(paused_daily, first.message_id)["text"]


# --- 6. /start: divisions, region, when the first digest comes ---------------------------------


async def test_start_offers_the_region_after_the_divisions_then_says_when(
    bot: BotHarness,
) -> None:
    reply = await bot.say(STAFF_ID, "/start")
    assert "Langkah 1 dari 2" in reply.plain_text
    answer = await bot.press(STAFF_ID, "Lanjut")  # nothing chosen yet
    assert answer.text and "setidaknya satu divisi" in answer.text

    await bot.press(STAFF_ID, "Data & Informasi")
    assert any("Lanjut" in b for b in labels(bot.shown(STAFF_ID, reply.message_id)))
    await bot.press(STAFF_ID, "Lanjut")
    assert "Data & Informasi" in bot.shown(STAFF_ID, reply.message_id)["text"]
    step2 = bot.api.sent_to(STAFF_ID)[-1]
    assert "Langkah 2 dari 2" in step2.plain_text
    assert any("Nasional saja" in b for b in labels(step2))
    for page in range(4):  # no province cut: two share a row only when both are short
        await bot.press_data(STAFF_ID, step2.message_id, f"reg:p:{page}")
        rows = bot.shown(STAFF_ID, step2.message_id)["reply_markup"]["inline_keyboard"]
        for row in rows:
            limit = 30 if len(row) == 1 else 18  # a full row, or half of one
            assert all(len(button["text"]) <= limit for button in row), row

    await bot.press(STAFF_ID, "Nasional saja")
    assert any("✅ Nasional saja" in b for b in labels(bot.shown(STAFF_ID, step2.message_id)))
    await bot.press(STAFF_ID, "Selesai")
    done = bot.shown(STAFF_ID, step2.message_id)["text"]
    assert "Wilayah: KPU RI saja" in done
    assert "Ringkasan pertama dikirim" in done and MOMENT.search(done) and "07.00" in done
    assert "/ringkasan" in done
    assert (await subscribers.get(bot.db, STAFF_ID)).regions == ["nasional"]


async def test_start_deep_link_subscribes_to_that_division(bot: BotHarness) -> None:
    reply = await bot.say(OTHER_ID, "/start data")
    assert "Data dan Informasi" in reply.plain_text  # named on its own: the full name
    assert (await subscribers.get(bot.db, OTHER_ID)).divisions == ["data"]
    assert "Langkah 2 dari 2" in reply.plain_text
    await bot.press(OTHER_ID, "Selesai")
    done = bot.shown(OTHER_ID, reply.message_id)["text"]
    assert "Ringkasan pertama dikirim" in done and "/ringkasan" in done

    reply = await bot.say(STAFF_ID, "/start bukan-divisi")  # an unknown link: the usual start
    assert "Langkah 1 dari 2" in reply.plain_text
    assert (await subscribers.get(bot.db, STAFF_ID)).divisions == []

    await bot.say(OTHER_ID, "/berhenti")
    await bot.say(OTHER_ID, "/start")  # starting again ends the pause
    assert (await subscribers.get(bot.db, OTHER_ID)).paused_until is None


# --- 7. admin: aliases, the crawl report ---------------------------------------------------------


async def test_source_aliases_and_a_crawl_report_with_unchanged_failed_and_pushed(
    bot: BotHarness, news: NewsSite
) -> None:
    reply = await bot.say(ADMIN_ID, "/tambahsumber https://jabar.kpu.go.id/feed/ KPU Jabar")
    assert "ditambahkan" in reply.plain_text
    reply = await bot.say(ADMIN_ID, "/hapussumber kpu jabar")
    assert "dihapus" in reply.plain_text
    reply = await bot.say(ADMIN_ID, "/tambahsumber")
    assert "/tambahsumber" in reply.plain_text
    missing = news.site.base_url + "/index.php/blog/category/999"  # answers 404
    reply = await bot.say(ADMIN_ID, f"/tambahsumber {missing} KPU Hilang")
    assert "ditambahkan" in reply.plain_text

    await bot.say(STAFF_ID, "/langganan semua")
    await bot.say(STAFF_ID, "/waktu instan")
    _, report = await bot.send(ADMIN_ID, "/perbarui", expect=2, timeout=20)
    assert "Sumber diperiksa: 2 · tanpa perubahan: 0 · gagal: 1" in report.plain_text
    assert "Berita baru: 3" in report.plain_text
    assert "Dikirim ke pembaca mode instan: 3 berita baru (1 pesan)" in report.plain_text
    assert "❌ KPU Hilang: HTTP 404: halaman tidak ditemukan" in report.plain_text

    _, report = await bot.send(ADMIN_ID, "/perbarui", expect=2, timeout=20)
    assert "tanpa perubahan: 1 · gagal: 1" in report.plain_text
    assert "Berita baru: 0" in report.plain_text
    assert "Dikirim ke pembaca mode instan: tidak ada berita baru" in report.plain_text


async def test_stats_and_sources_write_moments_the_indonesian_way(bot: BotHarness) -> None:
    await bot.send(ADMIN_ID, "/perbarui", expect=2, timeout=20)
    for command in ("/statistik", "/sumber"):
        reply = await bot.say(ADMIN_ID, command)
        shown = re.sub(r"https?://\S+", "", reply.plain_text)  # a URL may hold a port
        assert MOMENT.search(shown) and " WIB" in shown, shown
        assert not re.search(r"\b\d{1,2}-\d{1,2}(?:-\d{4})?\b", shown), shown  # no dd-mm-yyyy
        assert not re.search(r"\b\d{1,2}:\d{2}\b", shown), shown  # no HH:MM


# --- 8. the README's table and the command menu --------------------------------------------------


def _readme_commands() -> tuple[set[str], set[str]]:
    """Commands of the README's chat command tables: (everyone's, admins')."""
    section = README.read_text(encoding="utf-8").split("### Chat commands", 1)[1]
    section = section.split("\n### ", 1)[0]
    tables: dict[str, set[str]] = {"everyone": set(), "admins": set()}
    current = None
    for line in section.splitlines():
        if line.startswith("| everyone"):
            current = "everyone"
        elif line.startswith("| admins"):
            current = "admins"
        elif line.startswith("| `/") and current is not None:
            first_cell = line.split("|")[1]
            tables[current].update(re.findall(r"/([a-z]+)", first_cell))
    return tables["everyone"], tables["admins"]


async def test_readme_table_and_command_menu_match(bot: BotHarness) -> None:
    everyone, admins = _readme_commands()
    staff_menu = {c["command"] for c in bot.api.visible_commands(STAFF_ID)}
    admin_menu = {c["command"] for c in bot.api.visible_commands(ADMIN_ID)}
    # Every row has its Indonesian name in the menu, and the menu lists nothing else.
    assert staff_menu <= everyone
    assert admin_menu - staff_menu <= admins
    english = {
        "help", "divisions", "subscribe", "unsubscribe", "time", "digest", "summary",
        "latest", "search", "settings", "region",
    }  # fmt: skip
    assert everyone - staff_menu <= english
    assert admins - admin_menu <= {"broadcast", "stats", "sources", "crawl", "addsource",
                                   "removesource", "report"}  # fmt: skip
    assert {"tambahsumber", "hapussumber"} <= admin_menu
