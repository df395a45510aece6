"""Command reply latency while a broadcast is going out, beside the same with nothing to send.

    .venv/bin/python -m bench.latency                     # 10,000 recipients at 300 msg/s
    .venv/bin/python -m bench.latency --rate 1000 --n 10000
    .venv/bin/python -m bench.latency --database-url postgresql://postgres@127.0.0.1:5432/postgres

The whole bot (`python -m bot`: handlers, jobs and the outbox sender in one process) runs
against the stand-in Bot API in another process (global limit `--rate`, per-chat pace on).
Staff users who are subscribers write /digest, /settings and /pengaturan in turn, each user at
most once every 1.2 s (Telegram's per-chat pace applies to replies too). A sample is the time
from pushing the update to the stand-in accepting the bot's first reply (the stand-in's clock).
First with no broadcast, then while the admin's /siaran to N subscribers is being sent.
Prints one JSON line: p50/p95/max per phase and per command, and the broadcast's own rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.standin import machine_load, scratch_database
from digests.store.db import Database, upgrade_schema
from digests.store.models import Article
from digests.store.types import utcnow
from tests.e2e_helpers import ADMIN_ID
from tests.processes import BotProcess, StandIn, add_subscribers, bot_env, start_broadcast

STAFF = [7001, 7002, 7003, 7004]
COMMANDS = ["/digest", "/settings", "/pengaturan"]
FIRST_CHAT = 20_000_001
ANNOUNCEMENT = "Rapat koordinasi kesiapan logistik pemilihan besok pukul 09.00 WIB."
USER_GAP = 1.2


async def prepare(url: str, n: int) -> None:
    await asyncio.to_thread(upgrade_schema, url)
    await add_subscribers(url, list(range(FIRST_CHAT, FIRST_CHAT + n)) + STAFF)
    now = utcnow()
    db = Database(url)
    async with db.session() as session:
        connection = await session.connection()
        await connection.execute(
            insert(Article.__table__),
            [
                {
                    "url": f"https://kpu.go.id/berita/baca/{i}/x",
                    "source_name": "KPU RI",
                    "title": f"Berita {i}: bimbingan teknis penyelenggara",
                    "content_hash": str(i),
                    "lead": ["KPU menggelar bimbingan teknis bagi penyelenggara ad hoc."],
                    "quotes": [{"text": "Kami siap", "speaker": "Ketua"}],
                    "divisions": ["teknis"],
                    "is_news": True,
                    "first_seen_at": now - timedelta(minutes=10 + i),
                    "published_at": now - timedelta(hours=2),
                }
                for i in range(8)
            ],
        )
        await session.commit()
    await db.dispose()


class Sampler:
    """Sends commands round-robin and measures push → first reply accepted."""

    def __init__(self, api: StandIn) -> None:
        self.api = api
        self.turn = 0
        self.last: dict[int, float] = {}

    async def one(self) -> tuple[str, float]:
        user = STAFF[self.turn % len(STAFF)]
        command = COMMANDS[(self.turn // len(STAFF)) % len(COMMANDS)]
        self.turn += 1
        gap = self.last.get(user, 0.0) + USER_GAP - time.time()
        if gap > 0:
            await asyncio.sleep(gap)
        before = len(await self.api.sent_to(user))
        pushed = time.time()
        await self.api.control("push_message", user_id=user, text=command)
        await self.api.control("wait", sent=before + 1, chat_id=user, timeout=60)
        reply = (await self.api.control("sent", chat_id=user, since=before))[0]
        self.last[user] = time.time()
        return command, reply["time"] - pushed


def summary(samples: list[tuple[str, float]]) -> dict[str, Any]:
    def figures(values: list[float]) -> dict[str, Any]:
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return {
            "n": len(ordered),
            "p50_ms": round(1000 * statistics.median(ordered)),
            "p95_ms": round(1000 * p95),
            "max_ms": round(1000 * ordered[-1]),
        }

    result = figures([s for _, s in samples]) if samples else {"n": 0}
    result["by_command"] = {
        c: figures([s for cmd, s in samples if cmd == c])
        for c in COMMANDS
        if any(cmd == c for cmd, _ in samples)
    }
    return result


async def run(rate: int, n: int, quiet_samples: int, server_url: str | None) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="kpu-latency-"))
    with scratch_database(server_url) as url:
        await prepare(url, n)
        api = await StandIn.start(
            tmp / "accepted.jsonl", "--rate", str(rate), "--per-chat-rate", "1"
        )
        bot = await BotProcess.start(
            bot_env(api, url, tmp, rate=rate), tmp / "bot.log", "--poll-timeout", "10"
        )
        try:
            deadline = time.monotonic() + 60
            while not await api.control("requests", method="getUpdates"):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the bot never started polling; see {tmp / 'bot.log'}")
                await asyncio.sleep(0.1)
            sampler = Sampler(api)
            for _ in range(3):
                await sampler.one()  # warm-up: first queries, imports, connections
            quiet = [await sampler.one() for _ in range(quiet_samples)]
            load_quiet = machine_load()

            await start_broadcast(api, ANNOUNCEMENT)
            started = time.time()
            during: list[tuple[str, float]] = []
            while True:
                stats = await api.control("stats")
                if stats["sends_accepted"] >= 0.97 * n:
                    break
                during.append(await sampler.one())
            broadcast_s = time.time() - started
            await api.wait_for_text(ADMIN_ID, "Laporan siaran", timeout=120)
            stats = await api.control("stats")
            load_during = machine_load()
        finally:
            await bot.stop()
            await api.stop()
    log = (tmp / "bot.log").read_text(encoding="utf-8", errors="replace")
    fragment = ANNOUNCEMENT[:40]
    announced = [m for m in api.accepted() if m.chat_id >= FIRST_CHAT and fragment in m.plain_text]
    per_chat = Counter(m.chat_id for m in announced)
    times = sorted(m.time for m in announced)
    rate_achieved = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return {
        "limit_per_s": rate,
        "recipients": n,
        "backend": "postgresql" if server_url else "sqlite",
        "quiet": summary(quiet),
        "during_broadcast": summary(during),
        "broadcast_rate_per_s": round(rate_achieved, 1),
        "broadcast_lost": n - len(per_chat),
        "broadcast_duplicates": sum(c - 1 for c in per_chat.values()),
        "broadcast_wall_s": round(broadcast_s, 1),
        "too_many_requests": stats["too_many_requests"],
        "tracebacks_in_bot_log": log.count("Traceback"),
        "replies_retried_after_429": log.count("then retry"),
        "load_quiet": load_quiet,
        "load_during": load_during,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=int, default=300)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--quiet-samples", type=int, default=30)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server URL (scratch db)")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args.rate, args.n, args.quiet_samples, args.database_url))))


if __name__ == "__main__":
    main()
