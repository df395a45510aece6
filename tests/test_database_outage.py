"""The database goes away for half a minute; the bot waits, keeps answering, and loses nothing.

PostgreSQL: the bot reaches the server through a TCP proxy that is cut (connections aborted,
new ones refused) — or, with KPU_REAL_PG_STOP=1, the cluster itself is stopped. SQLite: another
connection holds the write lock. The outage lasts KPU_OUTAGE_SECONDS (30 by default) and starts
while a broadcast is going out and a crawl is storing articles.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.context import DEPS_KEY, BotDeps
from bot.jobs import deliver_due_digests
from bot.sending.sender import OutboxSender
from digests import texts
from digests.config import Settings
from digests.sample.loopback import LoopbackServer
from digests.store import outbox
from digests.store.db import Database
from digests.store.models import Article, Broadcast, OutboxItem, Subscriber
from digests.store.types import utcnow
from tests.botapi import BotApiServer
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.db_outage import OUTAGE_SECONDS, SqliteLock, outage_for
from tests.e2e_helpers import ADMIN_ID, STAFF_ID
from tests.fixture_site import NewsSite
from tests.processes import (
    BotProcess,
    StandIn,
    add_subscribers,
    bot_env,
    deliveries,
    start_broadcast,
)

RECIPIENTS = 600
RATE = 60  # a 10-second broadcast, so the outage starts in the middle of it
ARTICLES = 16
ANNOUNCEMENT = "Pemberitahuan: simulasi pemungutan suara dipindah ke gedung serbaguna."


@pytest.fixture
def slow_site() -> Iterator[NewsSite]:
    """A news site answering each request after a second: the crawl takes several seconds."""
    with LoopbackServer(latency=1.0) as server:
        site = NewsSite("regional", name="KPU Lambat", count=ARTICLES, per_page=20, seed=5)
        site.serve(server)
        yield site


async def _count(db_url: str, model: type) -> int:
    db = Database(db_url)
    try:
        async with db.session() as session:
            connection = await session.connection()
            return int(await connection.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        await db.dispose()


async def _until(check, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_bot_rides_out_a_database_outage_during_a_crawl_and_a_broadcast(
    tmp_path: Path, db_url: str, slow_site: NewsSite
) -> None:
    chats = list(range(40_000_001, 40_000_001 + RECIPIENTS))
    await add_subscribers(db_url, chats)
    sources = tmp_path / "sources.toml"
    sources.write_text(slow_site.source_toml(), encoding="utf-8")
    api = await StandIn.start(tmp_path / "accepted.jsonl", "--rate", "200")
    bot_url, outage = await outage_for(db_url)
    env = bot_env(api, bot_url, tmp_path, rate=RATE, SOURCES_FILE=str(sources))
    bot = BotProcess.start(env, tmp_path / "bot.log", "--poll-timeout", "1")
    bot = await bot
    timings: dict[str, float] = {}
    try:
        await _until(lambda: _logged(bot, "bot ready"), 30, "the bot to start")
        await start_broadcast(api, ANNOUNCEMENT)
        await api.control("push_message", user_id=ADMIN_ID, text="/perbarui")
        await api.wait_for_text(ADMIN_ID, "Mengambil berita", timeout=10)
        await api.control("wait", sent=RECIPIENTS // 4, timeout=30)
        await _until(lambda: _has(db_url, Article, 1), 30, "the crawl to store an article")

        stored_at_cut = await _count(db_url, Article)  # not during the outage: no database
        await outage.cut()
        cut_at = time.monotonic()
        sent_at_cut = len(api.accepted())
        # The bot still answers what needs no database while it is gone.
        await asyncio.sleep(2)
        await api.control("push_message", user_id=STAFF_ID, text="/bantuan")
        await api.wait_for_text(STAFF_ID, "/ringkasan", timeout=10)
        timings["help answered after"] = time.monotonic() - cut_at
        # A command that reads the database: SQLite (WAL) still reads under another writer's
        # lock; a PostgreSQL that is gone earns a short "try again shortly", not a traceback.
        await api.control("push_message", user_id=STAFF_ID, text="/pengaturan")
        expected = (
            texts.NOT_REGISTERED if isinstance(outage, SqliteLock) else texts.DATABASE_UNAVAILABLE
        )
        await api.wait_for_text(STAFF_ID, expected[:30], timeout=10)
        await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - cut_at)))
        sent_in_outage = len(api.accepted()) - sent_at_cut
        assert sent_at_cut < RECIPIENTS and stored_at_cut < ARTICLES, "the outage came too late"
        assert bot.process.returncode is None, bot.log
        await outage.restore()
        restored_at = time.monotonic()
        timings["outage"] = restored_at - cut_at

        report = await api.wait_for_text(ADMIN_ID, "Laporan siaran", timeout=40)
        timings["broadcast done after restore"] = time.monotonic() - restored_at
        crawled = await api.wait_for_text(ADMIN_ID, "Pengambilan selesai", timeout=40)
        timings["crawl done after restore"] = time.monotonic() - restored_at
        await api.control("push_message", user_id=STAFF_ID, text="/start")
        await api.wait_for_text(STAFF_ID, "KPU Digest", timeout=10)
    finally:
        code = await bot.stop()
        await outage.stop()
        await api.stop()
    log = bot.log
    print(
        f"\n{type(outage).__name__}: {sent_at_cut} sent and {stored_at_cut} articles stored at "
        f"the cut, {sent_in_outage} sent during the outage; "
        + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    )

    assert code == 0, log
    assert "Traceback" not in log, log
    warnings = log.count("database unavailable")
    assert 1 <= warnings <= 2, log  # once per outage, not once per retry
    assert "database available again" in log

    counts = deliveries(api.accepted(), "simulasi pemungutan suara dipindah")
    counts.pop(ADMIN_ID, None)  # the preview
    assert set(counts) == set(chats) and set(counts.values()) == {1}
    assert f"Terkirim: {RECIPIENTS}" in report["plain_text"]
    assert f"Berita baru: {ARTICLES}" in crawled["plain_text"]
    assert "gagal: 0" in crawled["plain_text"]

    assert await _count(db_url, Article) == ARTICLES
    assert await _count(db_url, Subscriber) == RECIPIENTS + 1  # and the staff member's /start
    db = Database(db_url)
    try:
        async with db.session() as session:
            statuses = await outbox.status_counts(session)
    finally:
        await db.dispose()
    assert statuses == {outbox.SENT: RECIPIENTS + 1}  # and the admin's report


def _logged(bot: BotProcess, fragment: str):  # type: ignore[no-untyped-def]
    async def check() -> bool:
        assert bot.process.returncode is None, bot.log
        return fragment in bot.log

    return check()


def _has(db_url: str, model: type, at_least: int):  # type: ignore[no-untyped-def]
    async def check() -> bool:
        return await _count(db_url, model) >= at_least

    return check()


async def test_digest_job_waits_out_an_outage_and_queues_the_digests_afterwards(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    now = utcnow()
    async with _database(db_url) as db, db.session() as session:
        session.add(
            Article(
                url="https://kpu.go.id/berita/baca/1/rapat-pleno",
                source_name="KPU RI",
                title="Rapat pleno rekapitulasi",
                content_hash="h1",
                lead=["KPU menggelar rapat pleno rekapitulasi logistik."],
                divisions=["teknis"],
                first_seen_at=now - timedelta(hours=1),
            )
        )
        session.add_all(
            Subscriber(
                chat_id=chat, divisions=["teknis"], next_digest_at=now - timedelta(minutes=1)
            )
            for chat in (501, 502, 503)
        )
        await session.commit()
    bot_url, outage = await outage_for(db_url)
    settings = Settings(_env_file=None, database_url=bot_url)  # type: ignore[call-arg]
    db = Database(bot_url)
    context = SimpleNamespace(bot_data={DEPS_KEY: BotDeps(settings=settings, db=db)})
    try:
        async with db.session() as session:  # a pooled connection, as in a running bot
            assert await outbox.open_count(session) == 0
        await outage.cut()
        try:
            with caplog.at_level(logging.WARNING):
                await deliver_due_digests(context)  # type: ignore[arg-type]
                await deliver_due_digests(context)  # type: ignore[arg-type]
        finally:
            await outage.restore()
        unavailable = [r for r in caplog.records if "database unavailable" in r.getMessage()]
        assert len(unavailable) == 1 and not any(r.exc_info for r in caplog.records)
        async with _database(db_url) as direct, direct.session() as session:
            assert await outbox.open_count(session) == 0  # nothing half-queued

        await deliver_due_digests(context)  # type: ignore[arg-type]  # the next minute's run
        assert "database available again" in caplog.text
        async with _database(db_url) as direct, direct.session() as session:
            rows = (await session.exec(select(OutboxItem))).all()  # type: ignore[call-overload]
        assert sorted(row[0].chat_id for row in rows) == [501, 502, 503]
    finally:
        await db.dispose()
        await outage.stop()


@contextlib.asynccontextmanager
async def _database(url: str) -> AsyncIterator[Database]:
    db = Database(url)
    try:
        yield db
    finally:
        await db.dispose()


async def test_a_confirmed_broadcast_whose_queueing_was_cut_short_still_goes_out(
    database: Database,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    # The admin pressed Kirim (preview → sending was committed), then the database went away
    # before the messages were queued: the broadcast is "sending" with nothing in the outbox.
    async with database.session() as session:
        session.add_all(Subscriber(chat_id=chat, divisions=["teknis"]) for chat in (601, 602))
        broadcast = Broadcast(
            admin_id=ADMIN_ID,
            admin_chat_id=ADMIN_ID,
            text="Apel pagi diundur ke pukul 08.00.",
            status="sending",
            recipients=2,
            confirmed_at=utcnow(),
        )
        session.add(broadcast)
        await session.commit()
    request = HTTPXRequest(httpx_kwargs={"trust_env": False})
    async with Bot(botapi.token, base_url=botapi.base_url, request=request) as telegram_bot:
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        sender = OutboxSender(
            telegram_bot, database, settings, worker_id="sweeper", lease_seconds=1.5
        )
        task = asyncio.create_task(sender.run())
        try:
            await botapi.wait_for(lambda: botapi.sent_to(ADMIN_ID), timeout=15)
        finally:
            await sender.stop()
            await task
    assert [len(botapi.sent_to(chat)) for chat in (601, 602)] == [1, 1]
    assert "Apel pagi diundur" in botapi.sent_to(601)[0].plain_text
    assert "Laporan siaran" in botapi.sent_to(ADMIN_ID)[0].plain_text
