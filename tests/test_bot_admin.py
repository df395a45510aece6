"""End to end: admins broadcast, crawl and manage sources; everyone else is politely refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from digests.sample.loopback import LoopbackServer
from digests.store import outbox, subscribers
from digests.store.db import Database
from digests.store.models import AuditEntry, Broadcast, Source
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.botapi.server import BotApiServer
from tests.e2e_helpers import (
    ADMIN_ID,
    STAFF_ID,
    BotHarness,
    forge_callback,
    labels,
    loopback_server,  # noqa: F401  (the `server` fixture)
    make_settings,
    news_bot,  # noqa: F401  (the `bot` fixture)
    running_bot,
    serve_news,
)
from tests.fixture_site import NewsSite

pytestmark = pytest.mark.db


@pytest.fixture
def news(server: LoopbackServer) -> NewsSite:
    return serve_news(server, seed=41)


async def _audit(db: Database) -> list[AuditEntry]:
    async with db.session() as session:
        return list((await session.exec(select(AuditEntry))).all())


async def _broadcasts(db: Database) -> list[Broadcast]:
    async with db.session() as session:
        return list((await session.exec(select(Broadcast))).all())


async def _staff(bot: BotHarness, user_id: int, divisions: str) -> None:
    await bot.say(user_id, f"/langganan {divisions}")


# --- refusals -----------------------------------------------------------------------------------


async def test_non_admin_is_refused_and_nothing_happens(bot: BotHarness, news: NewsSite) -> None:
    await _staff(bot, STAFF_ID, "data")
    news.site.reset_counts()
    for command in (
        "/siaran Rapat besok",
        "/broadcast #data halo",
        "/statistik",
        "/sumber",
        "/perbarui",
        "/crawl",
        "/addsource https://jabar.kpu.go.id/feed/ Jabar",
        "/removesource KPU Jatim Fixture",
        "/laporan",
        "/report 1",
    ):
        reply = await bot.say(STAFF_ID, command)
        assert reply.plain_text == "Maaf, perintah ini khusus admin.", command
    assert await _broadcasts(bot.db) == []
    assert await _audit(bot.db) == []
    assert news.site.requests == 0
    async with bot.db.session() as session:
        names = [s.name for s in (await session.exec(select(Source))).all()]
    assert names == ["KPU Jatim Fixture"]


async def test_non_admin_pressing_an_admin_button_is_refused(bot: BotHarness) -> None:
    preview = await bot.say(ADMIN_ID, "/siaran Pengumuman penting")
    (broadcast,) = await _broadcasts(bot.db)
    mine = await bot.say(STAFF_ID, "/start")
    answer = await forge_callback(bot, STAFF_ID, mine.message_id, f"bc:send:{broadcast.id}")
    assert answer.text == "Maaf, perintah ini khusus admin."
    assert (await _broadcasts(bot.db))[0].status == "preview"
    assert labels(bot.shown(ADMIN_ID, preview.message_id)) == ["✅ Kirim", "❌ Batal"]


# --- broadcast ----------------------------------------------------------------------------------


async def test_broadcast_preview_then_kirim_reaches_everyone_once_with_a_report(
    bot: BotHarness,
) -> None:
    staff = [5001, 5002, 5003]
    for user_id, divisions in zip(staff, ("data", "teknis hukum", "semua"), strict=True):
        await _staff(bot, user_id, divisions)
    await _staff(bot, 5004, "data")
    # Stopped everything (as before /berhenti became a pause): no broadcasts either.
    async with bot.db.session() as session:
        await outbox.deactivate_chat(session, 5004, reason="unsubscribed")
        await session.commit()

    text = "Rapat pleno <besok> & lusa\nBawa laptop masing-masing."
    preview = await bot.say(ADMIN_ID, f"/siaran {text}")
    assert "PRATINJAU — belum dikirim" in preview.plain_text
    assert "Akan dikirim ke 3 orang" in preview.plain_text
    assert labels(preview) == ["✅ Kirim ke 3 orang", "❌ Batal"]
    assert "Rapat pleno <besok> & lusa" in preview.plain_text
    assert all(len(bot.api.sent_to(u)) == 1 for u in staff)  # nothing sent before Kirim

    await bot.press(ADMIN_ID, "Kirim")
    for user_id in staff:
        received = await bot.api.wait_for_sent(user_id, 2, timeout=10)
        assert received[-1].text in preview.text  # exactly what the preview showed
        assert "Rapat pleno &lt;besok&gt; &amp; lusa" in received[-1].text
    report = await bot.api.wait_for(
        lambda: [m for m in bot.api.sent_to(ADMIN_ID) if "Laporan siaran" in m.plain_text],
        timeout=10,
    )
    assert "Terkirim: 3" in report[0].plain_text
    assert len(bot.api.sent_to(5004)) == 1  # only their own reply

    # A second press of Kirim (a stale button, or a second admin) sends nothing twice.
    (broadcast,) = await _broadcasts(bot.db)
    answer = await forge_callback(bot, ADMIN_ID, preview.message_id, f"bc:send:{broadcast.id}")
    assert "sudah diproses" in (answer.text or "")
    for user_id in staff:
        assert sum("Rapat pleno" in m.plain_text for m in bot.api.sent_to(user_id)) == 1
    actions = [entry.action for entry in await _audit(bot.db)]
    assert actions == ["broadcast_sent"]


async def test_broadcast_to_named_divisions_reaches_only_them(bot: BotHarness) -> None:
    await _staff(bot, 5101, "data")
    await _staff(bot, 5102, "teknis")
    await _staff(bot, 5103, "hukum sdm")
    preview = await bot.say(ADMIN_ID, "/siaran #data #sdm Pemutakhiran data besok")
    assert "Akan dikirim ke 2 orang" in preview.plain_text
    assert "untuk Divisi Data dan Informasi; Divisi SDM" in preview.plain_text
    await bot.press(ADMIN_ID, "Kirim")
    await bot.api.wait_for_sent(5101, 2, timeout=10)
    await bot.api.wait_for_sent(5103, 2, timeout=10)
    await bot.api.wait_for(
        lambda: any("Laporan siaran" in m.plain_text for m in bot.api.sent_to(ADMIN_ID)), 10
    )
    assert len(bot.api.sent_to(5102)) == 1
    (broadcast,) = await _broadcasts(bot.db)
    assert broadcast.divisions == ["data", "sdm"]


async def test_broadcast_cancel_sends_nothing(bot: BotHarness) -> None:
    await _staff(bot, 5201, "data")
    preview = await bot.say(ADMIN_ID, "/broadcast Jangan dikirim")
    await bot.press(ADMIN_ID, "Batal")
    assert "dibatalkan" in bot.api.sent_to(ADMIN_ID)[-1].plain_text
    shown = bot.shown(ADMIN_ID, preview.message_id)
    assert shown["text"].startswith("❌ DIBATALKAN — tidak dikirim")
    assert "PRATINJAU" not in shown["text"] and labels(shown) == []
    (broadcast,) = await _broadcasts(bot.db)
    assert broadcast.status == "cancelled"
    answer = await forge_callback(
        bot, ADMIN_ID, bot.api.sent_to(ADMIN_ID)[-2].message_id, f"bc:send:{broadcast.id}"
    )
    assert "sudah diproses" in (answer.text or "")
    assert len(bot.api.sent_to(5201)) == 1


async def test_broadcast_usage_and_unknown_division(bot: BotHarness) -> None:
    reply = await bot.say(ADMIN_ID, "/siaran")
    assert "/siaran" in reply.plain_text and "#data" in reply.plain_text
    reply = await bot.say(ADMIN_ID, "/siaran #keuangan halo")
    assert "keuangan" in reply.plain_text and "sosdiklih" in reply.plain_text
    assert await _broadcasts(bot.db) == []


async def test_blocked_user_is_reported_and_stops_receiving(bot: BotHarness) -> None:
    await _staff(bot, 5301, "data")
    await _staff(bot, 5302, "data")
    bot.api.block(5302)
    await bot.say(ADMIN_ID, "/siaran Info penting")
    await bot.press(ADMIN_ID, "Kirim")
    report = await bot.api.wait_for(
        lambda: [m for m in bot.api.sent_to(ADMIN_ID) if "Laporan siaran" in m.plain_text],
        timeout=10,
    )
    assert "Terkirim: 1" in report[0].plain_text
    assert "Memblokir bot" in report[0].plain_text and ": 1" in report[0].plain_text
    blocked = await subscribers.get(bot.db, 5302)
    assert not blocked.active
    reply = await bot.say(ADMIN_ID, "/statistik")
    assert "memblokir bot: 1" in reply.plain_text


async def test_429s_during_a_broadcast_lose_nothing(bot: BotHarness) -> None:
    staff = list(range(5401, 5409))
    for user_id in staff:
        await _staff(bot, user_id, "teknis")
    await bot.say(ADMIN_ID, "/siaran Uji banjir pesan")
    bot.api.fail_next(None, n=4, kind=429, method="sendMessage", retry_after=1)
    await bot.press(ADMIN_ID, "Kirim")
    for user_id in staff:
        await bot.api.wait_for_sent(user_id, 2, timeout=15)
    report = await bot.api.wait_for(
        lambda: [m for m in bot.api.sent_to(ADMIN_ID) if "Laporan siaran" in m.plain_text],
        timeout=15,
    )
    assert f"Terkirim: {len(staff)}" in report[0].plain_text
    assert bot.api.injected_429 == 4
    for user_id in staff:
        assert sum("Uji banjir" in m.plain_text for m in bot.api.sent_to(user_id)) == 1


# --- crawling and digests -----------------------------------------------------------------------


async def test_crawl_now_reports_then_pushes_instant_and_feeds_the_scheduled_digest(
    bot: BotHarness, news: NewsSite
) -> None:
    instant, daily = 5501, 5502
    await _staff(bot, instant, "semua")
    await bot.say(instant, "/waktu instan")
    await _staff(bot, daily, "semua")

    started, report = await bot.send(ADMIN_ID, "/perbarui", expect=2, timeout=20)
    assert "Mengambil" in started.plain_text
    assert "Berita baru: 3" in report.plain_text

    pushed = await bot.api.wait_for_sent(instant, 2 + 1, timeout=15)  # one push per crawl
    pushed_text = "\n".join(m.text for m in pushed[2:])
    for article in news.articles:
        assert f'href="{news.url_of(article)}"' in pushed_text

    assert len(bot.api.sent_to(daily)) == 1  # daily readers wait for their time
    reply = await bot.say(daily, "/ringkasan")  # ... or ask for it now
    assert news.articles[0].title in reply.plain_text

    async with bot.db.session() as session:
        row = await subscribers.get(bot.db, daily)
        row.next_digest_at = datetime.now(UTC) - timedelta(minutes=1)
        session.add(row)
        await session.commit()
    await bot.run_job("deliver_due_digests")
    digest = await bot.api.wait_for_sent(daily, 3, timeout=10)
    for article in news.articles:
        assert f'href="{news.url_of(article)}"' in digest[-1].text
    assert (await subscribers.get(bot.db, daily)).next_digest_at > datetime.now(UTC)

    # Nothing new since: the next /ringkasan says so in a friendly line.
    reply = await bot.say(daily, "/ringkasan")
    assert "Belum ada berita baru" in reply.plain_text
    assert [e.action for e in await _audit(bot.db)] == ["crawl"]


# --- sources and stats --------------------------------------------------------------------------


async def test_sources_health_add_and_remove(bot: BotHarness, news: NewsSite) -> None:
    reply = await bot.say(ADMIN_ID, "/sumber")
    assert "KPU Jatim Fixture" in reply.plain_text and "belum pernah" in reply.plain_text

    reply = await bot.say(ADMIN_ID, "/addsource https://jabar.kpu.go.id/feed/ KPU Jabar")
    assert "ditambahkan" in reply.plain_text and "KPU Jabar" in reply.plain_text
    reply = await bot.say(ADMIN_ID, "/addsource https://jabar.kpu.go.id/feed/ KPU Jabar")
    assert "tidak ditambahkan" in reply.plain_text
    reply = await bot.say(ADMIN_ID, "/addsource bukan-url")
    assert "tidak ditambahkan" in reply.plain_text
    reply = await bot.say(ADMIN_ID, "/addsource")
    assert "/addsource" in reply.plain_text

    reply = await bot.say(ADMIN_ID, "/sources")
    assert "KPU Jabar" in reply.plain_text

    reply = await bot.say(ADMIN_ID, "/removesource kpu jabar")
    assert "dihapus" in reply.plain_text
    reply = await bot.say(ADMIN_ID, "/removesource Tidak Ada")
    assert "tidak ditemukan" in reply.plain_text
    reply = await bot.say(ADMIN_ID, "/sumber")
    assert "KPU Jabar" not in reply.plain_text
    actions = [entry.action for entry in await _audit(bot.db)]
    assert actions == ["source_added", "source_removed"]


async def test_stats_count_subscribers_and_divisions(bot: BotHarness) -> None:
    await _staff(bot, 5601, "data teknis")
    await _staff(bot, 5602, "data")
    await bot.say(5602, "/waktu instan")
    reply = await bot.say(ADMIN_ID, "/stats")
    assert "Pelanggan aktif: 2 (instan: 1)" in reply.plain_text
    assert "Data & Informasi: 2" in reply.plain_text  # a list: short names
    assert "Teknis Penyelenggaraan: 1" in reply.plain_text
    assert "Sumber aktif: 1" in reply.plain_text


async def test_admin_help_lists_admin_commands(bot: BotHarness) -> None:
    reply = await bot.say(ADMIN_ID, "/help")
    assert "/siaran" in reply.plain_text and "/perbarui" in reply.plain_text
    assert "/laporan" in reply.plain_text


async def test_kirim_while_the_database_is_away_changes_nothing_and_can_be_pressed_again(
    botapi: BotApiServer,  # noqa: F811
    db_url: str,
    tmp_path: Path,
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip(
            "the SQLite write lock stands for the outage here; PostgreSQL: test_database_outage"
        )
    from tests.db_outage import SqliteLock

    url = db_url + "?timeout=1"  # a write gives up after 1 s instead of waiting 30 s
    database = Database(url)
    lock = SqliteLock(Path(db_url.removeprefix("sqlite:///")))
    try:
        settings = make_settings(botapi, url, tmp_path)
        async with running_bot(botapi, settings, database) as bot:
            await _staff(bot, 5301, "data")
            await bot.say(ADMIN_ID, "/siaran Rapat pleno besok")
            await lock.cut()
            answer = await forge_callback(bot, ADMIN_ID, bot.api.sent[-1].message_id, "bc:send:1")
            assert "tidak bisa dijangkau" in (answer.text or "")
            await lock.restore()
            assert (await _broadcasts(database))[0].status == "preview"

            await bot.press(ADMIN_ID, "Kirim")
            received = await bot.api.wait_for_sent(5301, 2, timeout=10)
            assert "Rapat pleno besok" in received[-1].plain_text
    finally:
        await lock.stop()
        await database.dispose()
