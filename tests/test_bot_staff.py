"""End to end: a staff member talks to the real bot over real HTTP (stand-in Bot API)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from digests.store import subscribers
from digests.store.db import Database
from digests.store.models import Article, OutboxItem
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.e2e_helpers import (
    OTHER_ID,
    STAFF_ID,
    BotHarness,
    forge_callback,
    labels,
    staff_bot,  # noqa: F401  (the `bot` fixture)
)

pytestmark = pytest.mark.db


async def test_start_registers_user_and_offers_division_picker(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/start", first_name="Sari <b>")
    assert "Sari <b>" in reply.plain_text  # a name with markup is shown, not interpreted
    assert "simpan" in reply.plain_text and "/hapusdata" in reply.plain_text
    buttons = labels(reply)
    assert any("Data & Informasi" in b for b in buttons)  # short names: a button fits a phone
    assert any("Teknis Penyelenggaraan" in b for b in buttons)
    assert all(len(b) <= 25 and "," not in b for b in buttons)
    assert not any(b.startswith("✅") for b in buttons)
    subscriber = await subscribers.get(bot.db, STAFF_ID)
    assert subscriber is not None and subscriber.active
    assert subscriber.delivery_times == ["07:00"]
    assert subscriber.next_digest_at is not None


async def test_picker_toggles_a_division_in_place(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/langganan")
    await bot.press(STAFF_ID, "Data & Informasi")
    shown = bot.shown(STAFF_ID, reply.message_id)
    assert "✅ Data & Informasi" in labels(shown)
    assert (await subscribers.get(bot.db, STAFF_ID)).divisions == ["data"]

    await bot.press(STAFF_ID, "Teknis Penyelenggaraan")
    assert (await subscribers.get(bot.db, STAFF_ID)).divisions == ["teknis", "data"]
    await bot.press(STAFF_ID, "Data & Informasi")
    assert (await subscribers.get(bot.db, STAFF_ID)).divisions == ["teknis"]
    assert "✅ Data & Informasi" not in labels(bot.shown(STAFF_ID, reply.message_id))

    await bot.press(STAFF_ID, "Selesai")
    done = bot.shown(STAFF_ID, reply.message_id)
    assert "Teknis Penyelenggaraan" in done["text"] and "07.00" in done["text"]
    assert not labels(done)
    assert len(bot.api.sent_to(STAFF_ID)) == 1  # everything happened by editing in place


async def test_stale_and_forged_buttons_get_a_polite_answer(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/start")
    answer = await forge_callback(bot, STAFF_ID, reply.message_id, "div:nonexistent")
    assert answer.text and "tidak berlaku" in answer.text
    answer = await forge_callback(bot, STAFF_ID, reply.message_id, "garbage<script>")
    assert answer.text and "tidak berlaku" in answer.text

    await bot.say(STAFF_ID, "/hapusdata")
    await bot.press(STAFF_ID, "Ya, hapus")
    answer = await bot.press(STAFF_ID, "Data & Informasi", message_id=reply.message_id)
    assert answer.text and "tidak berlaku" in answer.text
    assert await subscribers.get(bot.db, STAFF_ID) is None  # the old button registered nobody


async def test_subscribe_by_slug_and_everything(bot: BotHarness) -> None:
    await bot.say(STAFF_ID, "/start")
    reply = await bot.say(STAFF_ID, "/langganan data #hukum")
    assert "Data & Informasi, Hukum & Pengawasan" in reply.plain_text  # a list: short names
    assert (await subscribers.get(bot.db, STAFF_ID)).divisions == ["data", "hukum"]

    reply = await bot.say(STAFF_ID, "/subscribe semua")
    subscriber = await subscribers.get(bot.db, STAFF_ID)
    assert len(subscriber.divisions) == 8 and "umum" in subscriber.divisions


async def test_unknown_division_lists_valid_ones(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/subscribe data keuangan")
    assert "keuangan" in reply.plain_text
    for slug in ("teknis", "perencanaan", "data", "sosdiklih", "sdm", "hukum", "sekretariat"):
        assert slug in reply.plain_text
    subscriber = await subscribers.get(bot.db, STAFF_ID)
    assert subscriber is None or subscriber.divisions == []  # nothing half-applied


async def test_subscribe_without_arguments_shows_picker(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/langganan")
    assert any("Sekretariat" in b for b in labels(reply))


async def test_unsubscribe_one_division_then_pause_keeps_the_rest(bot: BotHarness) -> None:
    await bot.say(STAFF_ID, "/langganan data teknis hukum")
    reply = await bot.say(STAFF_ID, "/berhenti hukum")
    assert "Hukum & Pengawasan" in reply.plain_text
    assert (await subscribers.get(bot.db, STAFF_ID)).divisions == ["teknis", "data"]

    reply = await bot.say(STAFF_ID, "/unsubscribe")
    assert "dijeda" in reply.plain_text and "tetap tersimpan" in reply.plain_text
    subscriber = await subscribers.get(bot.db, STAFF_ID)
    assert subscriber.active and subscriber.divisions == ["teknis", "data"]
    assert subscriber.paused_until is not None


async def test_time_sets_daily_times_and_instant(bot: BotHarness) -> None:
    await bot.say(STAFF_ID, "/langganan data")
    reply = await bot.say(STAFF_ID, "/waktu 17:30,07:00")
    assert "07.00" in reply.plain_text and "17.30" in reply.plain_text
    subscriber = await subscribers.get(bot.db, STAFF_ID)
    assert subscriber.delivery_times == ["07:00", "17:30"] and not subscriber.instant
    local = subscriber.next_digest_at.astimezone(bot.settings.tz)
    assert (local.hour, local.minute) in ((7, 0), (17, 30))

    reply = await bot.say(STAFF_ID, "/time instan")
    assert "instan" in reply.plain_text
    assert (await subscribers.get(bot.db, STAFF_ID)).instant


async def test_impossible_time_gets_an_example_of_the_format(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/time 25:99")
    assert "Contoh" in reply.plain_text and "/waktu 07.00" in reply.plain_text
    reply = await bot.say(STAFF_ID, "/waktu <b>pagi</b>")
    assert "<b>pagi</b>" in reply.plain_text  # echoed as text, not markup


async def test_settings_show_divisions_and_schedule(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/pengaturan")
    assert "/start" in reply.plain_text  # not registered yet
    await bot.say(STAFF_ID, "/langganan sdm")
    await bot.say(STAFF_ID, "/waktu 06:15")
    reply = await bot.say(STAFF_ID, "/settings")
    assert "SDM" in reply.plain_text and "06.15" in reply.plain_text and "aktif" in reply.plain_text


async def test_delete_my_data_asks_first_then_forgets_everything(bot: BotHarness) -> None:
    await bot.say(STAFF_ID, "/langganan data")
    async with bot.db.session() as session:
        from digests.store.models import MessageBody

        body = MessageBody(text="x")
        session.add(body)
        await session.commit()
        session.add(OutboxItem(chat_id=STAFF_ID, body_id=body.id, dedupe_key="k1"))
        await session.commit()

    reply = await bot.say(STAFF_ID, "/hapusdata")
    assert labels(reply) == ["🗑 Ya, hapus", "Batal"]
    await bot.press(STAFF_ID, "Batal")
    assert await subscribers.get(bot.db, STAFF_ID) is not None

    reply = await bot.say(STAFF_ID, "/hapusdata")
    await bot.press(STAFF_ID, "Ya, hapus")
    assert "dihapus" in bot.shown(STAFF_ID, reply.message_id)["text"]
    assert await subscribers.get(bot.db, STAFF_ID) is None
    async with bot.db.session() as session:
        from sqlmodel import select

        assert (await session.exec(select(OutboxItem))).all() == []


async def test_help_and_divisions_list(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/bantuan")
    for command in ("/ringkasan", "/terbaru", "/cari", "/ringkas", "/waktu", "/hapusdata"):
        assert command in reply.plain_text
    assert "/siaran" not in reply.plain_text  # admin commands only for admins

    reply = await bot.say(STAFF_ID, "/divisi")
    assert "sosdiklih" in reply.plain_text and "Sosialisasi" in reply.plain_text
    assert "Tahapan pemilu" in reply.plain_text  # the descriptions are shown


async def test_unknown_command_points_to_help(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/entahlah")
    assert "/bantuan" in reply.plain_text


async def test_command_menu_is_set_for_staff_and_admins(bot: BotHarness) -> None:
    staff_menu = [c["command"] for c in bot.api.visible_commands(STAFF_ID)]
    assert "ringkasan" in staff_menu and "siaran" not in staff_menu
    admin_menu = [c["command"] for c in bot.api.visible_commands(bot.settings.admin_ids[0])]
    assert "siaran" in admin_menu and "ringkasan" in admin_menu


async def test_flooding_user_is_slowed_politely_others_unaffected(bot: BotHarness) -> None:
    for _ in range(25):
        bot.api.push_message(STAFF_ID, "/bantuan")
    await bot.api.wait_for(lambda: len(bot.api.sent_to(STAFF_ID)) >= 21, timeout=10)
    reply = await bot.say(OTHER_ID, "/bantuan")
    assert "/ringkasan" in reply.plain_text
    texts = [m.plain_text for m in bot.api.sent_to(STAFF_ID)]
    assert sum("Terlalu banyak perintah" in t for t in texts) == 1
    assert sum("/ringkasan" in t for t in texts) == 20


# --- reading stored news ----------------------------------------------------------------------


async def _store_articles(db: Database) -> None:
    now = datetime.now(UTC)
    rows = [
        Article(
            url="https://kpu.go.id/berita/baca/1/coklit",
            source_name="KPU RI",
            title="KPU Mulai Coklit Data Pemilih",
            text="Petugas pantarlih melakukan pencocokan dan penelitian data pemilih.",
            lead=["Petugas pantarlih mulai coklit data pemilih di seluruh Indonesia."],
            quotes=[{"text": "Coklit harus tuntas", "speaker": "Ketua KPU"}],
            divisions=["data"],
            content_hash="a1",
            published_at=now - timedelta(hours=3),
        ),
        Article(
            url="https://jatim.kpu.go.id/blog/read/2_bimtek",
            source_name="KPU Jatim",
            title="Bimtek Rekapitulasi <Suara> & Logistik",
            text="Diskon 100% untuk peserta? Tidak, bimtek rekapitulasi berjalan lancar.",
            lead=["Bimtek rekapitulasi suara berjalan lancar di Banyuwangi."],
            divisions=["teknis"],
            content_hash="a2",
            published_at=now - timedelta(hours=1),
        ),
        Article(
            url="https://kpu.go.id/berita/baca/3/jdih",
            source_name="KPU RI",
            title="JDIH KPU Perbarui Peraturan",
            text="Peraturan KPU_baru diterbitkan.",
            lead=["JDIH memperbarui peraturan."],
            divisions=["hukum"],
            content_hash="a3",
            published_at=now - timedelta(hours=2),
        ),
    ]
    async with db.session() as session:
        session.add_all(rows)
        await session.commit()


async def test_latest_shows_newest_summaries_in_my_divisions(bot: BotHarness) -> None:
    await _store_articles(bot.db)
    reply = await bot.say(STAFF_ID, "/terbaru")
    assert reply.plain_text.index("Bimtek") < reply.plain_text.index("JDIH")
    assert "Bimtek Rekapitulasi <Suara> & Logistik" in reply.plain_text
    assert 'href="https://jatim.kpu.go.id/blog/read/2_bimtek"' in reply.text
    assert "Teknis Penyelenggaraan" in reply.plain_text  # under division headings

    await bot.say(STAFF_ID, "/langganan data")
    reply = await bot.say(STAFF_ID, "/latest 2")
    assert "Coklit" in reply.plain_text and "Bimtek" not in reply.plain_text


async def test_latest_with_a_bad_number_explains(bot: BotHarness) -> None:
    for bad in ("/terbaru nol", "/terbaru 0", "/terbaru 500", "/terbaru -3"):
        reply = await bot.say(STAFF_ID, bad)
        assert "angka" in reply.plain_text


async def test_search_finds_title_and_text_case_insensitively(bot: BotHarness) -> None:
    await _store_articles(bot.db)
    reply = await bot.say(STAFF_ID, "/cari COKLIT")
    assert "KPU Mulai Coklit Data Pemilih" in reply.plain_text and "Bimtek" not in reply.plain_text
    reply = await bot.say(STAFF_ID, "/search pantarlih")  # only in the body text
    assert "Coklit" in reply.plain_text


async def test_search_wildcards_are_taken_literally(bot: BotHarness) -> None:
    await _store_articles(bot.db)
    reply = await bot.say(STAFF_ID, "/cari 100%")
    assert "Bimtek" in reply.plain_text and "Coklit" not in reply.plain_text
    reply = await bot.say(STAFF_ID, "/cari KPU_baru")
    assert "JDIH" in reply.plain_text and "Coklit" not in reply.plain_text
    reply = await bot.say(STAFF_ID, "/cari %")  # a literal percent sign, not "anything"
    assert "Bimtek" in reply.plain_text and "JDIH" not in reply.plain_text
    reply = await bot.say(STAFF_ID, "/cari pemilu_2099")
    assert "Tidak ada" in reply.plain_text
    reply = await bot.say(STAFF_ID, "/cari")
    assert "/cari" in reply.plain_text


async def test_digest_on_demand_with_nothing_new_says_so(bot: BotHarness) -> None:
    reply = await bot.say(STAFF_ID, "/ringkasan")
    assert "/start" in reply.plain_text
    await bot.say(STAFF_ID, "/langganan data")
    reply = await bot.say(STAFF_ID, "/digest")
    assert "Belum ada berita baru" in reply.plain_text


async def test_a_failing_handler_apologises_briefly_without_a_traceback(bot: BotHarness) -> None:
    await bot.say(STAFF_ID, "/start")
    bot.api.fail_next(STAFF_ID, n=1, kind=500, method="sendMessage")  # the reply itself fails
    reply = await bot.say(STAFF_ID, "/bantuan")
    assert reply.plain_text == "Maaf, terjadi kesalahan. Silakan coba lagi sebentar lagi."
    reply = await bot.say(STAFF_ID, "/bantuan")  # and the bot carries on
    assert "/ringkasan" in reply.plain_text


@pytest.mark.parametrize(
    "command",
    [
        "/terbaru 99999999999999999999999",
        "/terbaru ٣",
        "/terbaru ²",
        "/waktu ,,,",
        "/waktu 7:00 instan",
        "/langganan ####",
        "/berhenti ,",
        "/cari " + "x" * 5000,
        "/ringkas http://[::1",
        "/ringkas ht!tp://",
        "/ringkas " + "🙂" * 300,
        "/start@kpu_digest_test_bot",
        "/ringkasan@kpu_digest_test_bot extra words",
        "/langganan data\u0000",
        "/waktu " + "x" * 5000,
        "/langganan " + "y" * 5000,
        "/ringkas https://" + "a" * 4000 + ".com/",
        "/cari " + "<b>" * 30,
    ],
)
async def test_odd_input_gets_a_reply_never_a_crash(bot: BotHarness, command: str) -> None:
    await bot.say(STAFF_ID, "/start")
    reply = await bot.say(STAFF_ID, command)
    assert reply.plain_text and "terjadi kesalahan" not in reply.plain_text


async def test_plain_text_gets_a_hint_and_groups_hear_only_known_commands(
    bot: BotHarness,
) -> None:
    reply = await bot.say(STAFF_ID, "halo bot")
    assert "/ringkas" in reply.plain_text and "/bantuan" in reply.plain_text

    group = -1001234567
    bot.api.push_message(STAFF_ID, "/entahlah", chat_id=group)
    bot.api.push_message(STAFF_ID, "obrolan biasa di grup", chat_id=group)
    bot.api.push_message(STAFF_ID, "/bantuan", chat_id=group)
    sent = await bot.api.wait_for_sent(group, 1)
    assert len(sent) == 1 and "/ringkasan" in sent[0].plain_text  # updates run in order
