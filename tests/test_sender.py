"""The outbox sender against the stand-in Bot API over real HTTP, on a real database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.sending.pacing import ChatPacer, TokenBucket, backoff_delay
from bot.sending.sender import OutboxSender
from digests.config import Settings
from digests.store import outbox
from digests.store.db import Database
from digests.store.models import Broadcast, OutboxItem, Subscriber
from digests.store.types import utcnow
from tests.botapi import BotApiServer
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.dbutil import test_server_url

FAST = {"poll_interval": 0.05, "flush_interval": 0.02, "backoff_base": 0.05}


def settings(rate: float = 1000, **overrides: object) -> Settings:
    return Settings(_env_file=None, send_rate_per_second=rate, **overrides)  # type: ignore[arg-type]


@pytest.fixture
async def bot(botapi: BotApiServer) -> AsyncIterator[Bot]:  # noqa: F811
    request = HTTPXRequest(
        connection_pool_size=128, read_timeout=2.0, httpx_kwargs={"trust_env": False}
    )
    telegram_bot = Bot(botapi.token, base_url=botapi.base_url, request=request)
    await telegram_bot.initialize()
    try:
        yield telegram_bot
    finally:
        await telegram_bot.shutdown()


def sender(
    bot: Bot, db: Database, *, rate: float = 1000, worker: str = "w1", **kw: object
) -> OutboxSender:
    options = {**FAST, **kw}
    return OutboxSender(bot, db, settings(rate), worker_id=worker, **options)  # type: ignore[arg-type]


async def queue(
    db: Database,
    chat_ids: list[int],
    texts: list[str],
    *,
    broadcast_id: int | None = None,
    silent: bool = False,
    key: str = "t",
) -> None:
    now = utcnow()
    async with db.session() as session:
        body_ids = await outbox.insert_bodies(session, texts, disable_notification=silent, now=now)
        await outbox.enqueue(
            session,
            [
                {
                    "chat_id": chat_id,
                    "body_id": body_id,
                    "kind": "announcement" if broadcast_id else "digest",
                    "broadcast_id": broadcast_id,
                    "dedupe_key": f"{key}:{chat_id}:{i}",
                    "next_attempt_at": now,
                }
                for chat_id in chat_ids
                for i, body_id in enumerate(body_ids)
            ],
        )
        await session.commit()


async def items(db: Database) -> list[OutboxItem]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxItem).order_by(OutboxItem.id))).all())


async def add(db: Database, *rows: object) -> None:
    async with db.session() as session:
        session.add_all(rows)
        await session.commit()


# --- pacing, on a fake clock --------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_global_bucket_spaces_sends_evenly_without_bursting_after_a_stall() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=30, capacity=1, clock=clock)
    delays = [bucket.reserve() for _ in range(30)]
    assert delays[0] == 0
    assert delays[-1] == pytest.approx(29 / 30)
    clock.now += 10  # idle for a while: still no burst beyond one message
    assert bucket.reserve() == 0
    assert bucket.reserve() == pytest.approx(1 / 30)


def test_chat_pacer_allows_a_short_burst_then_one_per_second() -> None:
    clock = FakeClock()
    pacer = ChatPacer(rate=1.0, burst=3, clock=clock)
    assert [pacer.reserve(7) for _ in range(5)] == pytest.approx([0, 0, 0, 1.0, 2.0])
    assert pacer.reserve(8) == 0  # another chat is not held up
    clock.now += 60
    pacer.forget_idle()
    assert len(pacer) == 0


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff_delay(n) for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff_delay(30, cap=60) == 60


# --- sending --------------------------------------------------------------------------------


@pytest.mark.db
async def test_parts_arrive_in_order_silently_without_previews(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    await queue(database, [11], ["<b>satu</b>", "dua", "tiga"], silent=True)
    assert await sender(bot, database).drain(timeout=10)
    sent = botapi.sent_to(11)
    assert [m.plain_text for m in sent] == ["satu", "dua", "tiga"]
    assert all(m.disable_notification for m in sent)
    assert all((m.link_preview_options or {}).get("is_disabled") for m in sent)
    rows = await items(database)
    assert {r.status for r in rows} == {"sent"}
    assert [r.telegram_message_id for r in rows] == [m.message_id for m in sent]


async def test_a_stored_inline_keyboard_arrives_with_the_message(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    keyboard = {"inline_keyboard": [[{"text": "✅ Sudah dibaca", "callback_data": "ack:7"}]]}
    async with database.session() as session:
        body_ids = await outbox.insert_bodies(
            session,
            ["Pengumuman", "tanpa tombol"],
            disable_notification=False,
            now=utcnow(),
            reply_markups=[keyboard, None],
        )
        await outbox.enqueue(
            session,
            [
                {
                    "chat_id": 12,
                    "body_id": body_id,
                    "kind": "announcement",
                    "dedupe_key": f"kb:{i}",
                    "next_attempt_at": utcnow(),
                }
                for i, body_id in enumerate(body_ids)
            ],
        )
        await session.commit()
    assert await sender(bot, database).drain(timeout=10)
    first, second = botapi.sent_to(12)
    assert first.reply_markup == keyboard
    assert not second.reply_markup


@pytest.mark.db
async def test_flood_wait_delays_only_that_chat_and_loses_nothing(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    botapi.fail_next(21, 1, 429, retry_after=1)
    await queue(database, [21], ["a", "b"])
    await queue(database, list(range(100, 130)), ["x"], key="others")
    started = time.time()
    assert await sender(bot, database).drain(timeout=10)
    to_21 = botapi.sent_to(21)
    assert [m.plain_text for m in to_21] == ["a", "b"]
    assert to_21[0].time - started >= 0.9
    others = [m for m in botapi.sent if m.chat_id != 21]
    assert len(others) == 30
    assert max(m.time for m in others) < to_21[0].time  # nobody else waited
    assert botapi.duplicates() == {}


@pytest.mark.db
async def test_blocked_user_becomes_inactive_and_their_queue_is_skipped(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    await add(database, Subscriber(chat_id=31), Subscriber(chat_id=32), Subscriber(chat_id=33))
    botapi.block(31)
    botapi.deactivate(32)
    await queue(database, [31, 32, 33], ["satu", "dua"])
    assert await sender(bot, database).drain(timeout=10)
    async with database.session() as session:
        subs = {s.chat_id: s for s in (await session.exec(select(Subscriber))).all()}
    assert not subs[31].active and "blocked" in subs[31].inactive_reason
    assert not subs[32].active and "deactivated" in subs[32].inactive_reason
    assert subs[33].active
    rows = await items(database)
    assert {r.status for r in rows if r.chat_id in (31, 32)} == {"skipped"}
    assert len(botapi.sent_to(33)) == 2
    sends_to_blocked = [
        r for r in botapi.calls("sendMessage") if r.params.get("chat_id") in ("31", 31)
    ]
    assert len(sends_to_blocked) == 1  # the second part was never attempted


@pytest.mark.db
async def test_migrated_group_gets_the_message_at_its_new_id(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    await add(database, Subscriber(chat_id=-400))
    botapi.migrate(-400, -1_000_400)
    await queue(database, [-400], ["satu", "dua"])
    assert await sender(bot, database).drain(timeout=10)
    assert [m.plain_text for m in botapi.sent_to(-1_000_400)] == ["satu", "dua"]
    async with database.session() as session:
        (sub,) = (await session.exec(select(Subscriber))).all()
    assert sub.chat_id == -1_000_400 and sub.active
    assert {r.chat_id for r in await items(database)} == {-1_000_400}


@pytest.mark.db
async def test_unparseable_html_is_failed_with_the_reason_and_not_retried(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    await queue(database, [41], ["<b>tidak ditutup", "baik"])
    assert await sender(bot, database).drain(timeout=10)
    first, second = await items(database)
    assert first.status == "failed" and "parse" in first.error.lower()
    assert second.status == "sent"
    assert len(botapi.calls("sendMessage")) == 2


@pytest.mark.db
async def test_network_errors_are_retried_until_delivered(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    botapi.fail_next(51, 1, 500)
    botapi.fail_next(51, 1, "drop")
    await queue(database, [51], ["akhirnya"])
    assert await sender(bot, database).drain(timeout=10)
    assert [m.plain_text for m in botapi.sent_to(51)] == ["akhirnya"]
    (row,) = await items(database)
    assert row.status == "sent"


@pytest.mark.db
async def test_persistent_server_errors_give_up_after_max_attempts(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    botapi.fail_next(52, 10, 502)
    await queue(database, [52], ["tidak akan sampai"])
    assert await sender(bot, database, max_attempts=3).drain(timeout=10)
    (row,) = await items(database)
    assert row.status == "failed" and "3 attempts" in row.error
    assert len(botapi.calls("sendMessage")) == 3


@pytest.mark.db
async def test_rows_of_a_crashed_sender_are_taken_again_when_the_lease_runs_out(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    await queue(database, [61, 62], ["pesan"])
    now = utcnow()
    async with database.session() as session:  # a sender claims, then dies
        claimed = await outbox.claim(
            session, worker_id="dead", limit=10, now=now, lease_until=now + timedelta(seconds=1)
        )
        await session.commit()
    assert len(claimed) == 2
    live = sender(bot, database, worker="alive")
    runner = asyncio.create_task(live.run())
    await asyncio.sleep(0.5)
    assert botapi.sent == []  # leased to someone else
    await botapi.wait_for(lambda: len(botapi.sent) == 2, timeout=5)
    await live.stop()
    await runner
    rows = await items(database)
    assert {r.status for r in rows} == {"sent"} and {r.attempts for r in rows} == {1}


@pytest.mark.db
async def test_stopping_hands_unsent_messages_back_for_the_next_start(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    await queue(database, [71], [f"bagian {i}" for i in range(6)])
    first = sender(bot, database, per_chat_rate=1.0, per_chat_burst=2)
    runner = asyncio.create_task(first.run())
    await botapi.wait_for(lambda: len(botapi.sent_to(71)) >= 2, timeout=5)
    await first.stop()
    await runner
    rows = await items(database)
    assert {r.status for r in rows} <= {"sent", "pending"}
    assert any(r.status == "pending" and r.claimed_by is None for r in rows)
    assert await sender(bot, database, worker="w2", per_chat_burst=10).drain(timeout=10)
    assert [m.plain_text for m in botapi.sent_to(71)] == [f"bagian {i}" for i in range(6)]


@pytest.mark.db
async def test_two_senders_on_one_outbox_send_each_message_once(
    db_url: str,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    first, second = Database(db_url), Database(db_url)
    try:
        await queue(first, list(range(1000, 1300)), ["sekali saja"])
        a = sender(bot, first, worker="a", batch_size=50)
        b = sender(bot, second, worker="b", batch_size=50)
        results = await asyncio.gather(a.drain(timeout=20), b.drain(timeout=20))
        assert all(results)
        assert len(botapi.sent) == 300
        assert botapi.duplicates() == {}
        assert a.stats.sent > 0 and b.stats.sent > 0
    finally:
        await first.dispose()
        await second.dispose()


@pytest.mark.db
async def test_global_rate_stays_under_the_limit_and_nothing_is_lost(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    # How close to the limit it gets is bench/fanout.py's figure; here: the cap and no loss.
    rate = 40
    botapi.set_limits(global_per_second=rate)
    await queue(database, list(range(2000, 2120)), ["kabar"])
    assert await sender(bot, database, rate=rate).drain(timeout=20)
    stats = botapi.stats()
    assert stats.sends_accepted == 120
    assert stats.duplicates == 0
    # A loaded machine can bunch arrivals into a rare 429, which is retried, never lost.
    assert stats.rate_limited <= 3
    assert stats.send_rate <= rate * 1.01


@pytest.mark.db
async def test_per_chat_pace_avoids_flood_waits(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    botapi.set_limits(per_chat_per_second=1.0, per_chat_burst=3)
    await queue(database, [81], [f"bagian {i}" for i in range(5)])
    assert await sender(bot, database).drain(timeout=10)
    sent = botapi.sent_to(81)
    # Paced to the chat's limit: nothing lost, spread over ~2 s. As in the global-rate test, a
    # loaded machine can bunch two arrivals into one rare 429, which is retried, never lost.
    assert len(sent) == 5 and botapi.stats().rate_limited <= 1
    assert sent[4].time - sent[0].time >= 1.8


async def make_broadcast(db: Database) -> int:
    async with db.session() as session:
        row = Broadcast(admin_id=1, admin_chat_id=9, text="x", status="sending")
        session.add(row)
        await session.commit()
        await session.refresh(row)
        return row.id


@pytest.mark.db
async def test_admin_gets_one_report_when_a_broadcast_is_done(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    bid = await make_broadcast(database)
    botapi.block(93)
    await queue(database, [91, 92, 93, 94], ["Pengumuman"], broadcast_id=bid)
    assert await sender(bot, database).drain(timeout=10)
    [report] = botapi.sent_to(9)
    assert "Terkirim: 3" in report.plain_text
    assert "Memblokir bot / nonaktif: 1" in report.plain_text
    assert "Gagal: 0" in report.plain_text
    async with database.session() as session:
        row = await session.get(Broadcast, bid)
        assert row.status == "done" and row.report_sent and row.finished_at
    assert await sender(bot, database, worker="again").drain(timeout=5)
    assert len(botapi.sent_to(9)) == 1


@pytest.mark.db
async def test_report_hook_replaces_the_queued_report_and_runs_once(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    bid = await make_broadcast(database)
    await queue(database, [95, 96], ["Pengumuman"], broadcast_id=bid)
    calls: list[int] = []

    async def hook(broadcast_id: int) -> None:
        calls.append(broadcast_id)

    s = sender(bot, database)
    s.on_broadcast_done = hook
    assert await s.drain(timeout=10)
    assert calls == [bid]
    assert botapi.sent_to(9) == []


@pytest.mark.db
async def test_failing_report_hook_falls_back_to_a_queued_report(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    bid = await make_broadcast(database)
    await queue(database, [97], ["Pengumuman"], broadcast_id=bid)
    s = sender(bot, database)
    s.on_broadcast_done = lambda broadcast_id: 1 / 0
    assert await s.drain(timeout=10)
    assert "Terkirim: 1" in botapi.sent_to(9)[0].plain_text


@pytest.mark.db
async def test_event_loop_stays_responsive_during_a_large_send(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    await queue(database, list(range(5000, 5600)), ["ramai"])
    worst = 0.0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal worst
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            worst = max(worst, time.perf_counter() - before - 0.01)

    tick = asyncio.create_task(ticker())
    assert await sender(bot, database, rate=1000).drain(timeout=30)
    done.set()
    await tick
    assert len(botapi.sent) == 600
    assert worst < 1.0, f"loop held for {worst:.3f}s"  # generous: CI machines are busy


@pytest.mark.db
@pytest.mark.skipif(not (test_server_url() or "").startswith("postgres"), reason="PostgreSQL only")
async def test_postgres_claims_skip_rows_locked_by_another_sender(database: Database) -> None:
    await queue(database, list(range(3000, 3010)), ["x"])
    now = utcnow()
    async with database.session() as holder, database.session() as other:
        mine = await outbox.claim(holder, worker_id="a", limit=4, now=now, lease_until=now)
        theirs = await outbox.claim(other, worker_id="b", limit=10, now=now, lease_until=now)
        assert len(mine) == 4 and len(theirs) == 6
        assert not {i.id for i in mine} & {i.id for i in theirs}
        await holder.commit()
        await other.commit()


def test_concurrency_grows_only_while_it_buys_throughput() -> None:
    from bot.sending.pacing import ConcurrencyController

    control = ConcurrencyController(4, maximum=64)
    assert control.update(achieved=100, wanted=300, busy_fraction=0.9) == 5  # behind, slots busy
    assert control.update(achieved=200, wanted=300, busy_fraction=0.9) == 6  # it helped: again
    assert control.update(achieved=205, wanted=300, busy_fraction=0.9) == 5  # no gain: step back
    assert control.update(achieved=205, wanted=300, busy_fraction=0.9) == 5  # and hold
    keeping_up = ConcurrencyController(10)
    assert keeping_up.update(achieved=290, wanted=291, busy_fraction=0.0) == 9  # slots to spare


def test_concurrency_grows_when_a_few_percent_short_of_the_rate() -> None:
    from bot.sending.pacing import ConcurrencyController

    control = ConcurrencyController(4, maximum=64)
    assert control.update(achieved=276, wanted=291, busy_fraction=0.9) == 5  # 5 % short
    assert control.update(achieved=286, wanted=291, busy_fraction=0.9) == 5  # caught up: kept
    stuck = ConcurrencyController(4, maximum=64)
    assert stuck.update(achieved=276, wanted=291, busy_fraction=0.9) == 5
    assert stuck.update(achieved=277, wanted=291, busy_fraction=0.9) == 4  # no gain: step back


def test_in_flight_limit_never_drops_below_a_round_trip_at_full_rate(database: Database) -> None:
    sending = OutboxSender(None, database, settings(300), worker_id="w")  # type: ignore[arg-type]
    floor = sending.in_flight_target()
    for _ in range(20):
        sending.controller.update(achieved=291, wanted=291, busy_fraction=0.0)
    assert sending.in_flight_target() == floor >= 6


@pytest.mark.db
async def test_paid_broadcast_is_asked_for_only_when_the_operator_opts_in(
    database: Database,
    bot: Bot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    await queue(database, [3101], ["biasa"], key="a")
    assert await sender(bot, database).drain(timeout=10)
    await queue(database, [3102], ["berbayar"], key="b")
    paid = OutboxSender(
        bot, database, settings(1000, allow_paid_broadcast=True), worker_id="w2", **FAST
    )  # type: ignore[arg-type]
    assert await paid.drain(timeout=10)
    sends = {
        int(r.params["chat_id"]): r.params for r in botapi.requests if r.method == "sendMessage"
    }
    assert "allow_paid_broadcast" not in sends[3101]
    assert str(sends[3102]["allow_paid_broadcast"]).lower() == "true"
