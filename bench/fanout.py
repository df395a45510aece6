"""Fan-out at the send limit: one announcement (and optionally a digest) to N subscribers.

    .venv/bin/python -m bench.fanout                       # 10,000 subscribers, 30 msg/s
    .venv/bin/python -m bench.fanout --rate 300
    .venv/bin/python -m bench.fanout --rate 1000 --digest
    .venv/bin/python -m bench.fanout --all-rates           # 30 (3,000 subscribers), 300, 1000
    .venv/bin/python -m bench.fanout --rate 300 --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python -m bench.fanout --rate 1000 --profile  # cProfile of the sender process

The subscribers and the broadcast go into a fresh database (`digests.delivery.enqueue_broadcast`
queues it, as /siaran does). The real `OutboxSender`, through python-telegram-bot, sends it from
its own process to the stand-in Bot API, itself another process enforcing a global limit of
`--rate` sendMessage calls in any one-second window plus Telegram's per-chat pace, and answering
429 with retry_after past them. SEND_RATE_PER_SECOND is set to the limit.

Prints one JSON line per run: achieved rate and its ratio to the limit (first to last accepted
send, as the stand-in saw them), 429s, duplicates, losses (recipients missing a message they
were queued), the sender process's peak RSS and CPU time per message, and wall times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import resource
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from bench.standin import StandIn, machine_load, scratch_database
from digests.config import Settings
from digests.delivery import broadcasts, scheduled
from digests.store.db import Database, upgrade_schema
from digests.store.models import Article, Broadcast, MessageBody, OutboxItem, Subscriber

ADMIN_CHAT = 999
FIRST_CHAT = 1_000_000
SLUGS = ["teknis", "perencanaan", "data", "sosdiklih", "sdm", "hukum", "sekretariat", "umum"]
ANNOUNCEMENT = "Pengumuman uji: rapat koordinasi tahapan pemilu pukul 09.00 WIB."


# --- setup ------------------------------------------------------------------------------------


async def prepare(url: str, n: int, with_digest: bool) -> dict[str, float]:
    """Subscribers in bulk, then the broadcast (and digest) queued the way the bot queues them."""
    await asyncio.to_thread(upgrade_schema, url)
    db = Database(url)
    rng = random.Random(7)
    now = datetime.now(UTC)
    async with db.session() as session:
        connection = await session.connection()
        rows = [
            {
                "chat_id": FIRST_CHAT + i,
                "active": True,
                "divisions": sorted(rng.sample(SLUGS, rng.randint(1, 3))),
                "delivery_times": ["07:00"],
                "instant": False,
                "next_digest_at": now if with_digest else now + timedelta(days=1),
                "digest_watermark": now - timedelta(days=1),
                "created_at": now,
            }
            for i in range(n)
        ]
        for start in range(0, n, 5000):
            await connection.execute(insert(Subscriber.__table__), rows[start : start + 5000])
        if with_digest:
            await connection.execute(
                insert(Article.__table__),
                [
                    {
                        "url": f"https://kpu.go.id/berita/baca/{i}/x",
                        "source_name": f"KPU {i % 5}",
                        "title": f"Berita {i} tentang tahapan pemilu",
                        "content_hash": str(i),
                        "lead": ["Kalimat pembuka berita yang cukup panjang untuk ringkasan."],
                        "quotes": [{"text": "Kami siap", "speaker": "Ketua"}],
                        "divisions": rng.sample(SLUGS, rng.randint(1, 2)),
                        "is_news": True,
                        "first_seen_at": now - timedelta(minutes=i + 1),
                        "published_at": now - timedelta(hours=3),
                    }
                    for i in range(12)
                ],
            )
        broadcast = Broadcast(
            admin_id=1, admin_chat_id=ADMIN_CHAT, text=ANNOUNCEMENT, status="sending"
        )
        session.add(broadcast)
        await session.commit()
        await session.refresh(broadcast)
    timings = {}
    started = time.perf_counter()
    await broadcasts.enqueue_broadcast(db, broadcast.id)
    timings["enqueue_broadcast_s"] = time.perf_counter() - started
    if with_digest:
        started = time.perf_counter()
        await scheduled.enqueue_due_digests(db, Settings(_env_file=None), now=now)
        timings["enqueue_digests_s"] = time.perf_counter() - started
    await db.dispose()
    return timings


async def expected_deliveries(url: str) -> Counter[tuple[int, str]]:
    """(chat, text) pairs the outbox holds for subscribers: what the stand-in should have seen."""
    db = Database(url)
    async with db.session() as session:
        connection = await session.connection()
        rows = await connection.execute(
            select(OutboxItem.__table__.c.chat_id, MessageBody.__table__.c.text)
            .join(
                MessageBody.__table__, MessageBody.__table__.c.id == OutboxItem.__table__.c.body_id
            )
            .where(OutboxItem.__table__.c.chat_id != ADMIN_CHAT)
        )
        expected = Counter((chat, text) for chat, text in rows)
        unsent = await connection.scalar(
            select(func.count())
            .select_from(OutboxItem.__table__)
            .where(OutboxItem.__table__.c.status != "sent")
        )
    await db.dispose()
    return expected, int(unsent or 0)


# --- the sender process -----------------------------------------------------------------------


def sender_process(
    url: str, info: dict, rate: float, worker: str, profile: bool, request_kind: str, queue: Any
) -> None:
    if not profile:
        queue.put(asyncio.run(run_sender(url, info, rate, worker, request_kind)))
        return
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    result = profiler.runcall(asyncio.run, run_sender(url, info, rate, worker, request_kind))
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    result["profile"] = out.getvalue()
    queue.put(result)


async def run_until_empty(sender: Any, db: Database, timeout: float = 3600) -> bool:
    """Run the sender as the bot does (no `wake()` nudges, unlike `drain()`) until the outbox
    holds nothing open; the check is cheap next to the send work."""
    from digests.store import outbox

    runner = asyncio.create_task(sender.run())
    deadline = time.perf_counter() + timeout
    try:
        while time.perf_counter() < deadline:
            await asyncio.sleep(0.25)
            if runner.done():
                runner.result()
            if sender.held:
                continue
            async with db.session() as session:
                open_rows = await outbox.open_count(session)
                unreported = await session.scalar(
                    select(func.count())
                    .select_from(Broadcast.__table__)
                    .where(Broadcast.__table__.c.report_sent.is_(False))
                )
            if open_rows == 0 and unreported == 0:
                return True
        return False
    finally:
        await sender.stop()
        await runner


async def run_sender(url: str, info: dict, rate: float, worker: str, request_kind: str) -> dict:
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from bot.sending.request import ShardedHTTPXRequest
    from bot.sending.sender import OutboxSender

    settings = Settings(_env_file=None, send_rate_per_second=rate)
    db = Database(url)
    if request_kind == "sharded":
        request: Any = ShardedHTTPXRequest(httpx_kwargs={"trust_env": False})
    else:  # what bot/app.py gave its Application before ShardedHTTPXRequest
        request = HTTPXRequest(connection_pool_size=256, httpx_kwargs={"trust_env": False})
    bot = Bot(info["token"], base_url=info["base_url"], request=request)
    await bot.initialize()
    sender = OutboxSender(bot, db, settings, worker_id=worker)
    worst = 0.0
    done = asyncio.Event()

    async def watch_loop() -> None:
        nonlocal worst
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.02)
            worst = max(worst, time.perf_counter() - before - 0.02)

    watcher = asyncio.create_task(watch_loop())
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    drained = await run_until_empty(sender, db)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    done.set()
    await watcher
    await bot.shutdown()
    await db.dispose()
    cpu = (usage.ru_utime - usage_before.ru_utime) + (usage.ru_stime - usage_before.ru_stime)
    sent = sender.stats.sent
    return {
        "worker": worker,
        "drained": drained,
        "sent": sent,
        "rate_limited": sender.stats.rate_limited,
        "errors": dict(sender.stats.by_error),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "cpu_ms_per_msg": round(1000 * cpu / max(1, sent), 3),
        "cpu_share": round(cpu / wall, 2) if wall else None,
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "in_flight_target": sender.in_flight_target(),
        "worst_loop_stall_s": round(worst, 3),
    }


# --- one run ----------------------------------------------------------------------------------


def run_one(
    rate: int,
    n: int,
    *,
    server_url: str | None,
    with_digest: bool,
    senders: int,
    profile: bool,
    request_kind: str = "sharded",
) -> dict:
    with scratch_database(server_url) as url, StandIn(rate) as api:
        timings = asyncio.run(prepare(url, n, with_digest))
        ctx = multiprocessing.get_context("spawn")
        results = ctx.Queue()
        workers = [
            ctx.Process(
                target=sender_process,
                args=(url, api.info, rate / senders, f"bench-{i}", profile, request_kind, results),
            )
            for i in range(senders)
        ]
        load_before = machine_load()
        standin_cpu = api.cpu_seconds()
        started = time.perf_counter()
        for w in workers:
            w.start()
        per_sender = [results.get() for _ in workers]
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - started
        standin_cpu = api.cpu_seconds() - standin_cpu
        stats = api.control("stats")
        sent = api.control("sent")
        expected, unsent = asyncio.run(expected_deliveries(url))

    received = Counter((m["chat_id"], m["text"]) for m in sent if m["chat_id"] != ADMIN_CHAT)
    lost = sum(max(0, count - received.get(key, 0)) for key, count in expected.items())
    lost_recipients = len(
        {chat for (chat, text), c in expected.items() if received[(chat, text)] < c}
    )
    result: dict[str, Any] = {
        "limit_per_s": rate,
        "subscribers": n,
        "messages": sum(expected.values()),
        "digest": with_digest,
        "senders": senders,
        "request": request_kind,
        "backend": "postgresql" if server_url else "sqlite",
        **{k: round(v, 2) for k, v in timings.items()},
        "wall_s": round(elapsed, 2),
        "achieved_per_s": round(stats["send_rate"], 1),
        "ratio": round(stats["send_rate"] / rate, 3),
        "too_many_requests": stats["too_many_requests"],
        "duplicates": stats["duplicates"],
        "lost_messages": lost,
        "lost_recipients": lost_recipients,
        "rows_not_sent": unsent,
        "standin_cpu_ms_per_msg": round(1000 * standin_cpu / max(1, len(sent)), 3),
        "admin_reports": sum(1 for m in sent if m["chat_id"] == ADMIN_CHAT),
        "load_at_start": load_before,
        "load_at_end": machine_load(),
        "per_sender": per_sender,
    }
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=int, default=30, help="the stand-in's global limit L")
    parser.add_argument("--n", type=int, default=None, help="subscribers (default 10,000)")
    parser.add_argument("--all-rates", action="store_true", help="30, 300 and 1000 in turn")
    parser.add_argument("--digest", action="store_true", help="also queue a digest to everyone")
    parser.add_argument("--senders", type=int, default=1, help="sender processes sharing L")
    parser.add_argument("--database-url", default=None, help="PostgreSQL server URL (scratch db)")
    parser.add_argument("--profile", action="store_true", help="cProfile the sender process")
    parser.add_argument(
        "--request",
        choices=["sharded", "httpx"],
        default="sharded",
        help="the sender's Bot API client: ShardedHTTPXRequest (default) or one HTTPXRequest pool",
    )
    args = parser.parse_args(argv)

    rates = [30, 300, 1000] if args.all_rates else [args.rate]
    for rate in rates:
        n = args.n or (3000 if args.all_rates and rate == 30 else 10_000)
        if args.n is None and n != 10_000:
            print(f"# {rate}/s: {n} subscribers (10,000 at 30/s takes 5.5 min; use --n 10000)")
        result = run_one(
            rate,
            n,
            server_url=args.database_url,
            with_digest=args.digest,
            senders=args.senders,
            profile=args.profile,
            request_kind=args.request,
        )
        profiles = [s.pop("profile", None) for s in result["per_sender"]]
        print(json.dumps(result), flush=True)
        for text in profiles:
            if text:
                print(text)


if __name__ == "__main__":
    main()
