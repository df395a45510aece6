"""Cost of queueing one morning's digests (`enqueue_due_digests`) as subscribers grow.

    .venv/bin/python -m bench.compose                      # 5k, 50k and 500k subscribers
    .venv/bin/python -m bench.compose --sizes 5000 50000 --articles 500
    .venv/bin/python -m bench.compose --database-url postgresql://postgres@127.0.0.1:5432/postgres

Every subscriber picks one to three of the eight divisions at random (as staff would) and is
due at 07:00 with the same watermark; 500 new articles wait. Each size runs in a fresh process
on a fresh database (subscribers bulk-inserted with executemany). Prints one JSON line per size:
seconds, peak RSS of the process during the call beside its RSS before, digests rendered,
distinct message bodies stored, and outbox rows queued. Rendering tracks the distinct division
selections (at most 92 here), not the subscribers; the outbox holds one row per message sent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import resource
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from bench.standin import machine_load, scratch_database
from digests import delivery
from digests.config import Settings
from digests.store.db import Database, upgrade_schema
from digests.store.models import Article, MessageBody, OutboxItem, Subscriber

SLUGS = ["teknis", "perencanaan", "data", "sosdiklih", "sdm", "hukum", "sekretariat", "umum"]
DUE = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)  # 07:00 in Jakarta
LEAD = [
    "Komisi Pemilihan Umum menggelar rapat koordinasi persiapan tahapan pemilihan di aula kantor.",
    "Rapat dihadiri jajaran sekretariat dan anggota dari kabupaten dan kota se-provinsi.",
]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def setup(url: str, subscribers: int, articles: int) -> None:
    await asyncio.to_thread(upgrade_schema, url)
    db = Database(url)
    rng = random.Random(7)
    async with db.session() as session:
        connection = await session.connection()
        await connection.execute(
            insert(Article.__table__),
            [
                {
                    "url": f"https://kpu.go.id/berita/baca/{i}/x",
                    "source_name": f"KPU {i % 30}",
                    "title": f"Berita {i}: tahapan pemilu dan persiapan logistik",
                    "content_hash": str(i),
                    "lead": LEAD,
                    "quotes": [{"text": "Kami siap melaksanakan tahapan", "speaker": "Ketua"}],
                    "divisions": rng.sample(SLUGS, rng.randint(1, 2)),
                    "is_news": True,
                    "first_seen_at": DUE - timedelta(minutes=i + 1),
                    "published_at": DUE - timedelta(hours=3),
                }
                for i in range(articles)
            ],
        )
        for start in range(0, subscribers, 10_000):
            await connection.execute(
                insert(Subscriber.__table__),
                [
                    {
                        "chat_id": 10_000_000 + i,
                        "active": True,
                        "divisions": sorted(rng.sample(SLUGS, rng.randint(1, 3))),
                        "delivery_times": ["07:00"],
                        "instant": False,
                        "next_digest_at": DUE,
                        "digest_watermark": DUE - timedelta(days=1),
                        "created_at": DUE - timedelta(days=30),
                    }
                    for i in range(start, min(subscribers, start + 10_000))
                ],
            )
        await session.commit()
    await db.dispose()


async def measure(url: str, subscribers: int, articles: int) -> dict[str, Any]:
    await setup(url, subscribers, articles)
    renders = 0
    render_group = delivery._render_group

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal renders
        renders += 1
        return render_group(*args, **kwargs)

    delivery._render_group = counting  # count distinct digests rendered
    db = Database(url)
    rss_before = rss_mb()
    started = time.perf_counter()
    cpu_before = time.process_time()
    queued = await delivery.enqueue_due_digests(db, Settings(_env_file=None), now=DUE)
    cpu = time.process_time() - cpu_before
    elapsed = time.perf_counter() - started
    peak = rss_mb()
    async with db.session() as session:
        bodies = await session.scalar(select(func.count()).select_from(MessageBody))
        rows = await session.scalar(select(func.count()).select_from(OutboxItem))
    await db.dispose()
    return {
        "subscribers": subscribers,
        "articles": articles,
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "us_per_outbox_row": round(1e6 * elapsed / max(1, rows), 1),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(peak, 1),
        "digests_rendered": renders,
        "bodies_stored": bodies,
        "outbox_rows": rows,
        "messages_queued": queued,
        "parts_per_subscriber": round(rows / max(1, subscribers), 1),
    }


def child(server_url: str | None, subscribers: int, articles: int, queue: Any) -> None:
    with scratch_database(server_url) as url:
        result = asyncio.run(measure(url, subscribers, articles))
    result["backend"] = "postgresql" if server_url else "sqlite"
    result["load"] = machine_load()
    queue.put(result)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 50_000, 500_000])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server URL (scratch db)")
    args = parser.parse_args(argv)
    ctx = multiprocessing.get_context("spawn")
    for size in args.sizes:
        results = ctx.Queue()
        process = ctx.Process(target=child, args=(args.database_url, size, args.articles, results))
        process.start()
        print(json.dumps(results.get()), flush=True)
        process.join()


if __name__ == "__main__":
    main()
