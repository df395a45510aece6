"""How close the outbox sender gets to a send-rate limit, against the stand-in Bot API.

    .venv/bin/python -m bench.send_rate --rate 30 --count 600
    .venv/bin/python -m bench.send_rate --rate 300 --count 10000
    .venv/bin/python -m bench.send_rate --rate 300 --count 10000 --senders 3 \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres

The stand-in runs as its own process with a global cap of `--rate` sendMessage calls in any
one-second window (and Telegram's per-chat pace). `--count` subscribers get one broadcast;
`--senders` sender processes share the outbox, each with SEND_RATE_PER_SECOND = rate/senders.
Prints one JSON line: achieved rate, its ratio to the limit, 429s, duplicates, lost messages,
and the worst event-loop stall seen in a sender process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from digests import delivery
from digests.config import Settings
from digests.store.db import Database, upgrade_schema
from digests.store.models import Broadcast, Subscriber

ROOT = Path(__file__).resolve().parent.parent


def start_standin(rate: int, per_chat: bool) -> tuple[subprocess.Popen[str], dict]:
    cmd = [sys.executable, "-m", "tests.botapi", "--port", "0", "--rate", str(rate)]
    if per_chat:
        cmd += ["--per-chat-rate", "1", "--per-chat-burst", "3"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    info = json.loads(proc.stdout.readline())
    return proc, info


def control(info: dict, name: str, **params: object) -> object:
    response = httpx.post(f"{info['control_url']}/{name}", json=params, trust_env=False)
    body = response.json()
    if not body.get("ok"):
        raise RuntimeError(body)
    return body["result"]


async def prepare(url: str, count: int) -> tuple[int, float]:
    await asyncio.to_thread(upgrade_schema, url)
    db = Database(url)
    async with db.session() as session:
        session.add_all(Subscriber(chat_id=1_000_000 + i, divisions=["umum"]) for i in range(count))
        broadcast = Broadcast(
            admin_id=1, admin_chat_id=999, text="Pengumuman uji", status="sending"
        )
        session.add(broadcast)
        await session.commit()
        await session.refresh(broadcast)
    started = time.perf_counter()
    await delivery.enqueue_broadcast(db, broadcast.id)
    enqueue_seconds = time.perf_counter() - started
    await db.dispose()
    return broadcast.id, enqueue_seconds


def sender_process(
    url: str, info: dict, rate: float, worker: str, queue: multiprocessing.Queue
) -> None:
    queue.put(asyncio.run(run_sender(url, info, rate, worker)))


async def run_sender(url: str, info: dict, rate: float, worker: str) -> dict:
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from bot.sender import OutboxSender

    settings = Settings(_env_file=None, send_rate_per_second=rate)
    db = Database(url)
    request = HTTPXRequest(connection_pool_size=256, httpx_kwargs={"trust_env": False})
    bot = Bot(info["token"], base_url=info["base_url"], request=request)
    await bot.initialize()
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "0")) or None
    sender = OutboxSender(bot, db, settings, worker_id=worker, concurrency=concurrency)
    worst = 0.0
    done = asyncio.Event()

    async def watch_loop() -> None:
        nonlocal worst
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.02)
            worst = max(worst, time.perf_counter() - before - 0.02)

    watcher = asyncio.create_task(watch_loop())
    drained = await sender.drain(timeout=3600)
    done.set()
    await watcher
    await bot.shutdown()
    await db.dispose()
    return {
        "worker": worker,
        "drained": drained,
        "sent": sender.stats.sent,
        "rate_limited": sender.stats.rate_limited,
        "in_flight_target": sender.in_flight_target(),
        "worst_loop_stall_s": round(worst, 3),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=30)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=1)
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL server URL (a scratch database is created)"
    )
    parser.add_argument("--no-per-chat", action="store_true")
    args = parser.parse_args(argv)

    scratch = None
    if args.database_url:
        import psycopg

        name = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(args.database_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = args.database_url.rsplit("/", 1)[0] + f"/{name}"
        scratch = name
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"

    proc, info = start_standin(args.rate, not args.no_per_chat)
    try:
        _, enqueue_seconds = asyncio.run(prepare(url, args.count))
        ctx = multiprocessing.get_context("spawn")
        results = ctx.Queue()
        workers = [
            ctx.Process(
                target=sender_process,
                args=(url, info, args.rate / args.senders, f"bench-{i}", results),
            )
            for i in range(args.senders)
        ]
        started = time.perf_counter()
        for w in workers:
            w.start()
        per_sender = [results.get() for _ in workers]
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - started
        stats = control(info, "stats")
        sent = control(info, "sent")
    finally:
        proc.terminate()
        proc.wait()
        if scratch:
            import psycopg

            with psycopg.connect(args.database_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')

    delivered = {m["chat_id"] for m in sent if m["chat_id"] != 999}
    print(
        json.dumps(
            {
                "limit_per_s": args.rate,
                "recipients": args.count,
                "senders": args.senders,
                "backend": "postgresql" if scratch else "sqlite",
                "enqueue_s": round(enqueue_seconds, 2),
                "elapsed_s": round(elapsed, 2),
                "achieved_per_s": round(stats["send_rate"], 1),
                "ratio": round(stats["send_rate"] / args.rate, 3),
                "too_many_requests": stats["too_many_requests"],
                "duplicates": stats["duplicates"],
                "lost": args.count - len(delivered),
                "admin_reports": sum(1 for m in sent if m["chat_id"] == 999),
                "per_sender": per_sender,
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
