"""Announcements that get read: date, target and "Sudah dibaca" on every announcement, read
receipts once per reader, `/laporan`, a preview marked as a draft (issue 13).

The renderers first (pure), then the lifecycle on a real database, then the whole bot against
the stand-in Bot API, asserting what the admin and the staff read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from digests import texts
from digests.delivery import announcement, broadcasts
from digests.delivery.broadcasts import AckOutcome, BroadcastStatus
from digests.delivery.telegram_html import MESSAGE_LIMIT, utf16_len
from digests.store.broadcasts import Reader
from digests.store.db import Database
from digests.store.models import Broadcast, BroadcastAck, Subscriber
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.botapi.html_parse import parse_html
from tests.botapi.records import SentMessage
from tests.e2e_helpers import (
    ADMIN_ID,
    STAFF_ID,
    BotHarness,
    forge_callback,
    labels,
    staff_bot,  # noqa: F401  (the `bot` fixture; ADMIN_ID is its admin)
)
from tests.hostile_strategies import any_hostile_text, as_shown, squeeze, visible

WIB = ZoneInfo("Asia/Jakarta")
DECEMBER_1 = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)  # 09.30 WIB


def shown(part: str) -> str:
    return parse_html(part)[0]


# --- the announcement as staff read it (pure) -------------------------------------------------


def test_an_announcement_carries_its_date_and_whom_it_is_for() -> None:
    (part,) = announcement.render_announcement(
        "Rapat pleno <besok> & lusa", when=DECEMBER_1, tz=WIB, divisions=["data"]
    )
    assert shown(part) == (
        "📢 Pengumuman · 1 Desember 2026\n"
        "untuk Divisi Data dan Informasi\n\n"
        "Rapat pleno <besok> & lusa"
    )
    (part,) = announcement.render_announcement("Apel pagi", when=DECEMBER_1, tz=WIB)
    assert shown(part).startswith("📢 Pengumuman · 1 Desember 2026\nuntuk semua staf\n\n")


def test_division_names_with_commas_stay_apart_in_the_target_line() -> None:
    (part,) = announcement.render_announcement(
        "Anggaran", when=DECEMBER_1, tz=WIB, divisions=["perencanaan", "hukum"]
    )
    assert (
        "untuk Divisi Perencanaan, Keuangan, Umum, Rumah Tangga dan Logistik; "
        "Divisi Hukum dan Pengawasan"
    ) in shown(part)


def test_the_date_is_the_day_in_jakarta() -> None:
    late = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # 1 December, 03.00 WIB
    (part,) = announcement.render_announcement("x", when=late, tz=WIB)
    assert "1 Desember 2026" in shown(part)


def test_long_announcement_is_split_at_line_breaks_with_the_button_on_the_last_part() -> None:
    lines = [f"Baris pengumuman nomor {i} tentang jadwal & tahapan." for i in range(200)]
    parts = announcement.render_announcement("\n".join(lines), when=DECEMBER_1, tz=WIB)
    assert len(parts) > 1
    text = "\n".join(shown(p) for p in parts)
    for line in lines:
        assert line in text
    assert all(utf16_len(p) <= announcement.ANNOUNCEMENT_LIMIT for p in parts)
    markups = announcement.announcement_markups(7, len(parts))
    assert markups[:-1] == [None] * (len(parts) - 1)
    assert markups[-1] == {
        "inline_keyboard": [[{"text": "☑️ Sudah dibaca", "callback_data": "ack:7"}]]
    }


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=9000), limit=st.integers(80, 4096))
def test_any_announcement_splits_into_parseable_parts(text: str, limit: int) -> None:
    for part in announcement.render_announcement(text, when=DECEMBER_1, tz=WIB, limit=limit):
        assert 0 < utf16_len(part) <= limit
        parse_html(part)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=any_hostile_text(surrogates=True),
    limit=st.one_of(st.just(announcement.ANNOUNCEMENT_LIMIT), st.integers(600, 4096)),
)
@example(text="x" * 10_000, limit=4096)
@example(text="😀" * 5000, limit=4096)
@example(text="&" * 3000, limit=4096)
def test_an_announcement_shows_every_word_the_admin_wrote(text: str, limit: int) -> None:
    parts = announcement.render_announcement(
        text, when=DECEMBER_1, tz=WIB, divisions=["sdm"], limit=limit
    )
    body = "".join(visible(part, limit) for part in parts)
    header = "📢 Pengumuman · 1 Desember 2026untuk Divisi SDM, Organisasi, Pendidikan dan "
    assert squeeze(body).startswith(squeeze(header))
    body = body.split("Penelitian dan Pengembangan", 1)[1]
    assert squeeze(body) == squeeze(as_shown(text))


# --- the draft and the report (pure) ----------------------------------------------------------


def test_the_preview_is_the_announcement_marked_as_a_draft() -> None:
    text = "\n".join(f"Baris {i}: jadwal rapat & tahapan <penting>." for i in range(300))
    sent = announcement.render_announcement(text, when=DECEMBER_1, tz=WIB, divisions=["data"])
    draft = announcement.render_preview(
        text, when=DECEMBER_1, tz=WIB, divisions=["data"], recipients=1234, admin_included=False
    )
    assert len(draft) == len(sent) > 1
    assert shown(draft[0]).startswith("🚧 PRATINJAU — belum dikirim\n\n📢 Pengumuman")
    assert "Baris 0:" in shown(draft[0])  # the header is not a message of its own
    for preview_part, sent_part in zip(draft, sent, strict=True):
        assert preview_part.startswith(texts.PREVIEW_BANNER + "\n\n" + sent_part)
        assert shown(preview_part).startswith("🚧 PRATINJAU — belum dikirim\n\n")
        assert utf16_len(preview_part) <= MESSAGE_LIMIT
    footer = shown(draft[-1]).rsplit("\n\n", 1)[1]
    assert footer.startswith("Akan dikirim ke 1.234 orang. Anda sendiri tidak termasuk penerima")


def test_the_preview_says_when_the_admin_is_a_recipient() -> None:
    (draft,) = announcement.render_preview(
        "Apel", when=DECEMBER_1, tz=WIB, divisions=[], recipients=5, admin_included=True
    )
    assert "Anda termasuk penerima karena Anda berlangganan divisi tujuannya." in shown(draft)
    (nobody,) = announcement.render_preview(
        "Apel", when=DECEMBER_1, tz=WIB, divisions=["sdm"], recipients=0, admin_included=False
    )
    assert "Belum ada penerima" in shown(nobody)


def test_a_report_gives_figures_read_share_target_and_first_words() -> None:
    text = "Rapat pleno rekapitulasi besok pukul 09.00 di aula utama, seluruh staf wajib hadir"
    report = announcement.render_report(
        broadcast_id=12,
        status=BroadcastStatus.DONE,
        text=text,
        divisions=["data", "teknis"],
        when=DECEMBER_1,
        tz=WIB,
        sent=3,
        failed=1,
        blocked=2,
        pending=0,
        read=2,
    )
    assert shown(report).split("\n") == [
        "📊 Laporan siaran #12 · 1 Desember 2026",
        "Untuk: Divisi Data dan Informasi; Divisi Teknis Penyelenggaraan",
        "Teks: “Rapat pleno rekapitulasi besok pukul 09.00 di aula utama, seluruh staf wajib…”",
        "Status: selesai",
        "Terkirim: 3",
        "Gagal: 1",
        "Memblokir bot / nonaktif: 2",
        "Sudah dibaca: 2 dari 3 terkirim (67%)",
        "Angka terbaru: /laporan 12",
    ]


def test_first_words_and_read_share() -> None:
    assert announcement.first_words("Apel   pagi\nbesok") == "Apel pagi besok"
    assert announcement.first_words("kata " * 20) == "kata " * 11 + "kata…"
    assert len(announcement.first_words("x" * 500)) == announcement.EXCERPT_CHARS
    assert announcement.read_percent(0, 0) is None
    assert announcement.read_percent(1, 3) == 33
    assert announcement.read_percent(5, 3) == 100


# --- who receives it (pure) --------------------------------------------------------------------


def test_the_admin_receives_their_own_broadcast_only_when_subscribed_to_its_target() -> None:
    admin, staff, idle = 9, 1, 2
    readers = [Reader(1, staff, ("teknis",)), Reader(2, idle, ()), Reader(3, admin, ("data",))]

    def chats(wanted: list[str]) -> list[int]:
        return [r.chat_id for r in broadcasts.recipients_among(readers, wanted, admin_chat_id=9)]

    assert chats([]) == [staff, idle, admin]  # everyone; the admin follows a division
    assert chats(["teknis"]) == [staff]
    assert chats(["data"]) == [admin]
    lone_admin = [Reader(1, staff, ()), Reader(3, admin, ())]
    assert [
        r.chat_id for r in broadcasts.recipients_among(lone_admin, [], admin_chat_id=admin)
    ] == [staff]


# --- the lifecycle on a database ---------------------------------------------------------------


async def _subscribe(db: Database, *rows: tuple[int, list[str]]) -> None:
    async with db.session() as session:
        session.add_all(Subscriber(chat_id=chat, divisions=divs) for chat, divs in rows)
        await session.commit()


async def test_a_read_receipt_is_recorded_once_and_only_from_a_recipient(
    database: Database,
) -> None:
    await _subscribe(database, (101, ["data"]), (102, ["teknis"]))
    draft = await broadcasts.preview(
        database, admin_id=9, admin_chat_id=9, text="Apel", divisions=["data"], now=DECEMBER_1
    )
    assert draft.recipients == 1 and not draft.admin_included
    assert await broadcasts.confirm(database, draft.broadcast_id) is not None
    assert await broadcasts.confirm(database, draft.broadcast_id) is None  # once
    assert await broadcasts.enqueue_broadcast(database, draft.broadcast_id) == 1

    first = await broadcasts.acknowledge(database, draft.broadcast_id, 101, now=DECEMBER_1)
    again = await broadcasts.acknowledge(database, draft.broadcast_id, 101)
    stranger = await broadcasts.acknowledge(database, draft.broadcast_id, 102)
    assert first == broadcasts.Ack(AckOutcome.RECORDED, DECEMBER_1)
    assert again == broadcasts.Ack(AckOutcome.ALREADY, DECEMBER_1)
    assert stranger.outcome is AckOutcome.NOT_A_RECIPIENT
    assert (await broadcasts.broadcast_report(database, draft.broadcast_id)).read == 1
    async with database.session() as session:
        acks = (await session.exec(select(BroadcastAck))).all()
    assert [(a.broadcast_id, a.chat_id) for a in acks] == [(draft.broadcast_id, 101)]


async def test_statuses_are_the_enum_and_a_cancelled_broadcast_stays_cancelled(
    database: Database,
) -> None:
    await _subscribe(database, (101, ["data"]))
    draft = await broadcasts.preview(
        database, admin_id=9, admin_chat_id=9, text="Batal saja", divisions=[]
    )
    cancelled = await broadcasts.cancel(database, draft.broadcast_id)
    assert cancelled is not None and cancelled.status is BroadcastStatus.CANCELLED
    assert await broadcasts.confirm(database, draft.broadcast_id) is None
    assert await broadcasts.enqueue_broadcast(database, draft.broadcast_id) == 0
    async with database.session() as session:
        row = await session.get(Broadcast, draft.broadcast_id)
    assert row is not None and row.status == BroadcastStatus.CANCELLED.value
    assert (await broadcasts.sweep(database)) == broadcasts.Sweep()


# --- end to end: what the admin and the staff read ---------------------------------------------


def _today() -> str:
    return texts.show_date(datetime.now(UTC), WIB)


async def _report_to_admin(bot: BotHarness, timeout: float = 10) -> SentMessage:
    found = await bot.api.wait_for(
        lambda: [m for m in bot.api.sent_to(ADMIN_ID) if "Laporan siaran" in m.plain_text],
        timeout,
    )
    return found[-1]


async def _send(bot: BotHarness, command: str, recipients: list[int]) -> SentMessage:
    """The admin writes `command` and presses Kirim; every recipient's announcement arrives;
    the preview (as first sent)."""
    before = {chat: len(bot.api.sent_to(chat)) for chat in recipients}
    preview = await bot.say(ADMIN_ID, command)
    await bot.press(ADMIN_ID, "Kirim", message_id=preview.message_id)
    for chat in recipients:
        await bot.api.wait_for_sent(chat, before[chat] + 1, timeout=10)
    return preview


async def test_staff_read_the_date_the_target_and_a_sudah_dibaca_button(bot: BotHarness) -> None:
    await bot.say(5001, "/langganan data")
    await bot.say(5002, "/langganan teknis")
    preview = await _send(bot, "/siaran #data Pemutakhiran data pemilih besok", [5001])
    received = bot.api.sent_to(5001)[-1]
    assert received.plain_text == (
        f"📢 Pengumuman · {_today()}\n"
        "untuk Divisi Data dan Informasi\n\n"
        "Pemutakhiran data pemilih besok"
    )
    assert labels(received) == ["☑️ Sudah dibaca"]
    assert not received.disable_notification
    assert received.text in preview.text  # the preview showed exactly this
    await _report_to_admin(bot)
    assert len(bot.api.sent_to(5002)) == 1  # teknis only: just their own reply


async def test_several_divisions_are_named_in_full_and_kept_apart_by_semicolons(
    bot: BotHarness,
) -> None:
    # The target line addresses the announcement like a letter's "Kepada": each division by its
    # official name, so semicolons (not commas, which the names hold) keep them apart.
    await bot.say(5011, "/langganan perencanaan")
    await bot.say(5012, "/langganan hukum")
    target = (
        "untuk Divisi Perencanaan, Keuangan, Umum, Rumah Tangga dan Logistik; "
        "Divisi Hukum dan Pengawasan"
    )
    preview = await _send(bot, "/siaran #perencanaan #hukum Batas laporan anggaran", [5011, 5012])
    assert target in preview.plain_text
    for chat in (5011, 5012):
        assert bot.api.sent_to(chat)[-1].plain_text.split("\n")[1] == target
    await _report_to_admin(bot)
    reply = await bot.say(ADMIN_ID, "/laporan")
    assert "Untuk: " + target.removeprefix("untuk ") in reply.plain_text


async def test_a_press_is_counted_once_and_the_button_shows_it_was_read(bot: BotHarness) -> None:
    for chat in (5101, 5102):
        await bot.say(chat, "/langganan semua")
    await _send(bot, "/siaran Apel pagi diundur ke pukul 08.00", [5101, 5102])
    announcement_id = bot.api.sent_to(5101)[-1].message_id
    await _report_to_admin(bot)

    answer = await bot.press(5101, "Sudah dibaca")
    assert answer.text == "Terima kasih. Tercatat bahwa Anda sudah membaca pengumuman ini."
    assert labels(bot.shown(5101, announcement_id)) == ["✅ Dibaca"]

    again = await bot.press(5101, "Dibaca", message_id=announcement_id)
    assert (again.text or "").startswith("Sudah tercatat: Anda menandai pengumuman ini")
    assert labels(bot.shown(5101, announcement_id)) == ["✅ Dibaca"]
    assert labels(bot.shown(5102, bot.api.sent_to(5102)[-1].message_id)) == ["☑️ Sudah dibaca"]

    reply = await bot.say(ADMIN_ID, "/laporan")
    assert "Sudah dibaca: 1 dari 2 terkirim (50%)" in reply.plain_text
    async with bot.db.session() as session:
        assert len((await session.exec(select(BroadcastAck))).all()) == 1


async def test_a_multi_part_announcement_has_its_button_on_the_last_part(bot: BotHarness) -> None:
    await bot.say(5151, "/langganan data")
    text = "\n".join(f"Baris {i}: jadwal tahapan pemilihan & rapat koordinasi." for i in range(120))
    before = len(bot.api.sent_to(5151))
    bot.api.push_message(ADMIN_ID, f"/siaran {text}")
    await bot.api.wait_for(lambda: any(m.buttons for m in bot.api.sent_to(ADMIN_ID)), 10)
    drafts = bot.api.sent_to(ADMIN_ID)
    assert len(drafts) >= 2
    assert all(m.plain_text.startswith("🚧 PRATINJAU — belum dikirim") for m in drafts)
    await bot.press(ADMIN_ID, "Kirim")
    received = await bot.api.wait_for_sent(5151, before + len(drafts), timeout=10)
    parts = received[before:]
    assert [labels(m) for m in parts] == [[]] * (len(parts) - 1) + [["☑️ Sudah dibaca"]]
    opening = f"📢 Pengumuman · {_today()}\nuntuk semua staf\n\nBaris 0"
    assert parts[0].plain_text.startswith(opening)
    for draft, part in zip(drafts, parts, strict=True):
        assert part.text in draft.text
        now = bot.shown(ADMIN_ID, draft.message_id)["text"]  # every part says it was sent
        assert now.startswith("📤 DIKIRIM ke 1 orang · ") and "PRATINJAU" not in now
        assert now.split("\n\n", 1)[1] == part.plain_text


async def test_laporan_shows_figures_with_the_read_share_like_the_report_at_the_end(
    bot: BotHarness,
) -> None:
    reply = await bot.say(ADMIN_ID, "/laporan")
    assert reply.plain_text == "Belum ada siaran yang dikirim. Kirim siaran dengan /siaran."
    for chat in (5201, 5202, 5203):
        await bot.say(chat, "/langganan hukum")
    bot.api.block(5203)
    text = "Sidang sengketa besok: siapkan berkas jawaban, bukti surat dan daftar saksi lengkap"
    await _send(bot, f"/siaran #hukum {text}", [5201, 5202])
    final = await _report_to_admin(bot)
    (broadcast,) = await _broadcasts(bot.db)

    reply = await bot.say(ADMIN_ID, f"/laporan {broadcast.id}")
    assert reply.text == final.text  # one renderer for both
    assert reply.plain_text.split("\n") == [
        f"📊 Laporan siaran #{broadcast.id} · {_today()}",
        "Untuk: Divisi Hukum dan Pengawasan",
        "Teks: “Sidang sengketa besok: siapkan berkas jawaban, bukti surat dan daftar saksi…”",
        "Status: selesai",
        "Terkirim: 2",
        "Gagal: 0",
        "Memblokir bot / nonaktif: 1",
        "Sudah dibaca: 0 dari 2 terkirim (0%)",
        f"Angka terbaru: /laporan {broadcast.id}",
    ]
    await bot.press(5202, "Sudah dibaca")
    reply = await bot.say(ADMIN_ID, "/report")
    assert "Sudah dibaca: 1 dari 2 terkirim (50%)" in reply.plain_text

    reply = await bot.say(ADMIN_ID, "/laporan 999")
    assert reply.plain_text.startswith("Siaran #999 tidak ditemukan.")
    reply = await bot.say(ADMIN_ID, "/laporan kemarin")
    assert "/laporan 12" in reply.plain_text  # the usage


async def test_the_preview_is_marked_as_a_draft_and_edited_after_kirim(bot: BotHarness) -> None:
    await bot.say(5301, "/langganan teknis")
    preview = await bot.say(ADMIN_ID, "/siaran #teknis Bimtek KPPS hari Kamis")
    assert preview.plain_text.startswith("🚧 PRATINJAU — belum dikirim\n\n📢 Pengumuman")
    assert "Akan dikirim ke 1 orang." in preview.plain_text
    assert "Anda sendiri tidak termasuk penerima" in preview.plain_text
    assert labels(preview) == ["✅ Kirim ke 1 orang", "❌ Batal"]

    await bot.press(ADMIN_ID, "Kirim")
    now = bot.shown(ADMIN_ID, preview.message_id)
    assert now["text"].startswith("📤 DIKIRIM ke 1 orang · " + _today() + " pukul ")
    assert "PRATINJAU" not in now["text"] and "Bimtek KPPS hari Kamis" in now["text"]
    assert labels(now) == []
    await bot.api.wait_for_sent(5301, 2, timeout=10)
    after_banner = now["text"].split("\n\n", 1)[1]
    assert after_banner == bot.api.sent_to(5301)[-1].plain_text
    await _report_to_admin(bot)


async def test_siaran_semua_is_accepted_and_reaches_all_staff(bot: BotHarness) -> None:
    await bot.say(5401, "/langganan data")
    await bot.say(5402, "/langganan sdm")
    preview = await _send(bot, "/siaran #semua Libur nasional hari Senin", [5401, 5402])
    assert "untuk semua staf" in preview.plain_text
    for chat in (5401, 5402):
        assert (
            "untuk semua staf\n\nLibur nasional hari Senin" in bot.api.sent_to(chat)[-1].plain_text
        )
    (broadcast,) = await _broadcasts(bot.db)
    assert broadcast.divisions == []


async def test_the_admin_is_a_recipient_only_when_subscribed_to_the_target(
    bot: BotHarness,
) -> None:
    await bot.say(ADMIN_ID, "/langganan data")
    await bot.say(5501, "/langganan teknis")
    preview = await bot.say(ADMIN_ID, "/siaran #teknis Untuk teknis saja")
    assert "Akan dikirim ke 1 orang. Anda sendiri tidak termasuk penerima" in preview.plain_text
    await bot.press(ADMIN_ID, "Batal")

    preview = await bot.say(ADMIN_ID, "/siaran #data Untuk data")
    assert "Akan dikirim ke 1 orang. Anda termasuk penerima" in preview.plain_text
    await bot.press(ADMIN_ID, "Kirim")
    await bot.api.wait_for(
        lambda: any(
            m.plain_text.startswith("📢 Pengumuman") and m.buttons
            for m in bot.api.sent_to(ADMIN_ID)
        ),
        10,
    )
    await _report_to_admin(bot)
    assert not any("Untuk data" in m.plain_text for m in bot.api.sent_to(5501))


async def test_forged_or_foreign_read_presses_record_nothing(bot: BotHarness) -> None:
    await bot.say(5601, "/langganan data")
    await bot.say(5602, "/langganan teknis")
    await _send(bot, "/siaran #data Hanya untuk data", [5601])
    (broadcast,) = await _broadcasts(bot.db)
    own = bot.api.sent_to(5602)[-1].message_id  # 5602's own reply, no announcement
    answer = await forge_callback(bot, 5602, own, f"ack:{broadcast.id}")
    assert answer.text == texts.ACK_NOT_FOUND
    for data in ("ack:", "ack:x", "ack:1234567890123", "ack:-1"):
        answer = await forge_callback(bot, 5602, own, data)
        assert answer.text == texts.STALE_BUTTON
    async with bot.db.session() as session:
        assert (await session.exec(select(BroadcastAck))).all() == []


async def test_deleting_my_data_forgets_my_read_receipts(bot: BotHarness) -> None:
    await bot.say(5701, "/langganan data")
    await _send(bot, "/siaran Rapat", [5701])
    await bot.press(5701, "Sudah dibaca")
    await bot.say(5701, "/hapusdata")
    await bot.press(5701, "Ya, hapus")
    async with bot.db.session() as session:
        assert (await session.exec(select(BroadcastAck))).all() == []
    await _report_to_admin(bot)


async def test_staff_cannot_see_reports(bot: BotHarness) -> None:
    await bot.say(STAFF_ID, "/langganan data")
    for command in ("/laporan", "/laporan 1", "/report"):
        reply = await bot.say(STAFF_ID, command)
        assert reply.plain_text == texts.NOT_ADMIN


async def _broadcasts(db: Database) -> list[Broadcast]:
    async with db.session() as session:
        return list((await session.exec(select(Broadcast))).all())
