"""Cost of queueing one morning's digests: `enqueue_due_digests` for many subscribers.

    .venv/bin/python -m bench.compose_digests --subscribers 50000 --articles 500

Subscribers pick random division selections (as staff would: one to three divisions), all due
at 07:00. Prints the time taken, messages queued and message bodies stored: bodies track the
distinct selections, not the subscribers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta

from digests import delivery
from digests.config import Settings
from digests.store.db import Database, upgrade_schema
from digests.store.models import Article, MessageBody, Subscriber

SLUGS = ["teknis", "perencanaan", "data", "sosdiklih", "sdm", "hukum", "sekretariat", "umum"]


async def run(subscribers: int, articles: int, url: str | None) -> dict:
    url = url or f"sqlite:///{tempfile.mkdtemp()}/digests.db"
    await asyncio.to_thread(upgrade_schema, url)
    db = Database(url)
    rng = random.Random(7)
    due = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
    async with db.session() as session:
        session.add_all(
            Article(
                url=f"https://kpu.go.id/berita/baca/{i}/x",
                source_name=f"KPU {i % 30}",
                title=f"Berita {i} tentang tahapan pemilu",
                content_hash=str(i),
                lead=["Kalimat pembuka berita yang cukup panjang untuk sebuah ringkasan."] * 2,
                quotes=[{"text": "Kami siap", "speaker": "Ketua"}],
                divisions=rng.sample(SLUGS, rng.randint(1, 2)),
                first_seen_at=due - timedelta(minutes=i + 1),
                published_at=due - timedelta(hours=3),
            )
            for i in range(articles)
        )
        await session.commit()
        for start in range(0, subscribers, 5000):
            session.add_all(
                Subscriber(
                    chat_id=10_000_000 + i,
                    divisions=sorted(rng.sample(SLUGS, rng.randint(1, 3))),
                    next_digest_at=due,
                    digest_watermark=due - timedelta(days=1),
                )
                for i in range(start, min(subscribers, start + 5000))
            )
            await session.commit()
    started = time.perf_counter()
    queued = await delivery.enqueue_due_digests(db, Settings(_env_file=None), now=due)
    elapsed = time.perf_counter() - started
    async with db.session() as session:
        from sqlalchemy import func, select

        bodies = await session.scalar(select(func.count()).select_from(MessageBody))
    await db.dispose()
    return {
        "subscribers": subscribers,
        "articles": articles,
        "seconds": round(elapsed, 2),
        "messages_queued": queued,
        "bodies_stored": bodies,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=50_000)
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.subscribers, args.articles, args.database_url))))


if __name__ == "__main__":
    main()
