"""Cost of queueing one morning's digests (`enqueue_due_digests`) as subscribers grow.

    .venv/bin/python -m bench.compose                      # 5k and 50k subscribers, 550 sources
    .venv/bin/python -m bench.compose --sizes 5000 50000 500000 --articles 500
    .venv/bin/python -m bench.compose --database-url postgresql://postgres@127.0.0.1:5432/postgres

The news comes from 550 KPU sites with regions as PRODUCT.md has them: KPU RI (`nasional`), the
38 provincial KPUs and 511 regency/city KPUs, each under its province. 500 new articles wait,
each from a random site, tagged with one or two divisions and their scores; one in five is a
press release that two to four other sites of the same province republish (one story, several
articles). Every subscriber picks one to three of the eight divisions at random and a region
scope: `semua` (half), `nasional` (a tenth), one province (a third), or two; all are due at
07:00 with the same watermark. Each size runs in a fresh process on a fresh database
(executemany). Prints one JSON line per size: seconds, peak RSS of the process during the call
beside its RSS before, the distinct (divisions, scope) selections among the subscribers and the
digests rendered (one per selection, not per subscriber) and the time spent rendering them,
the "Lainnya" snapshots stored (one per distinct digest with a division cut at the cap, shared
by its readers), distinct message bodies stored and outbox rows queued. Two sizes show what grows
with subscribers (outbox rows) and what grows only with distinct selections (rendering).
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
from digests.config import Settings
from digests.delivery import scheduled, selection
from digests.store.db import Database, upgrade_schema
from digests.store.models import (
    Article,
    DigestSnapshot,
    MessageBody,
    OutboxItem,
    Story,
    Subscriber,
)
from digests.summary.regions import NASIONAL, provinces

SLUGS = ["teknis", "perencanaan", "data", "sosdiklih", "sdm", "hukum", "sekretariat", "umum"]
DUE = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)  # 07:00 in Jakarta
SOURCES = 550
LEAD = [
    "Komisi Pemilihan Umum menggelar rapat koordinasi persiapan tahapan pemilihan di aula kantor.",
    "Rapat dihadiri jajaran sekretariat dan anggota dari kabupaten dan kota se-provinsi.",
]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def kpu_sites(count: int = SOURCES) -> list[tuple[str, str]]:
    """(site name, region) of KPU RI, the 38 provinces and regencies/cities up to `count`."""
    sites = [("KPU RI", NASIONAL)]
    sites += [(f"KPU Provinsi {p.name}", p.slug) for p in provinces()]
    regencies = [(f"KPU {r.name}", p.slug) for p in provinces() for r in p.regencies]
    return sites + regencies[: count - len(sites)]


def scope_for(rng: random.Random) -> list[str]:
    """A subscriber's region scope, in the proportions the docstring gives."""
    roll = rng.random()
    slugs = [p.slug for p in provinces()]
    if roll < 0.5:
        return ["semua"]
    if roll < 0.6:
        return [NASIONAL]
    if roll < 0.93:
        return [NASIONAL, rng.choice(slugs)]
    return [NASIONAL, *sorted(rng.sample(slugs, 2))]


def article_rows(rng: random.Random, count: int) -> tuple[list[dict[str, Any]], int]:
    """`count` articles from the 550 sites; returns them and how many stories they need."""
    sites = kpu_sites()
    by_region: dict[str, list[tuple[str, str]]] = {}
    for site in sites:
        by_region.setdefault(site[1], []).append(site)
    rows: list[dict[str, Any]] = []
    story = 0
    while len(rows) < count:
        story += 1
        name, region = rng.choice(sites)
        divisions = rng.sample(SLUGS, rng.randint(1, 2))
        scores = {d: round(rng.uniform(0.5, 5.0), 2) for d in divisions}
        carriers = [(name, region)]
        if rng.random() < 0.2:  # a press release republished by other offices of the province
            others = [s for s in by_region[region] if s[0] != name]
            carriers += rng.sample(others, min(len(others), rng.randint(2, 4)))
        for copy, (site, site_region) in enumerate(carriers[: count - len(rows)]):
            i = len(rows)
            rows.append(
                {
                    "url": f"https://kpu.example/{i}/berita",
                    "source_name": site,
                    "story_id": story,
                    "title": f"Berita {story}: tahapan pemilu dan persiapan logistik",
                    "content_hash": str(i),
                    "lead": LEAD,
                    "quotes": [{"text": "Kami siap melaksanakan tahapan", "speaker": "Ketua"}],
                    "divisions": divisions,
                    "division_scores": scores,
                    "region": site_region,
                    "is_news": True,
                    "first_seen_at": DUE - timedelta(minutes=i + 1) + timedelta(seconds=copy),
                    "published_at": DUE - timedelta(hours=3),
                }
            )
    return rows, story


async def setup(url: str, subscribers: int, articles: int) -> int:
    """Fill a fresh database; returns the distinct (divisions, scope) selections."""
    await asyncio.to_thread(upgrade_schema, url)
    db = Database(url)
    rng = random.Random(7)
    rows, stories = article_rows(rng, articles)
    selections: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
    async with db.session() as session:
        connection = await session.connection()
        await connection.execute(
            insert(Story.__table__), [{"id": n, "created_at": DUE} for n in range(1, stories + 1)]
        )
        await connection.execute(insert(Article.__table__), rows)
        for start in range(0, subscribers, 10_000):
            batch = []
            for i in range(start, min(subscribers, start + 10_000)):
                divisions = sorted(rng.sample(SLUGS, rng.randint(1, 3)))
                scope = scope_for(rng)
                selections.add((tuple(divisions), tuple(scope)))
                batch.append(
                    {
                        "chat_id": 10_000_000 + i,
                        "active": True,
                        "divisions": divisions,
                        "regions": scope,
                        "delivery_times": ["07:00"],
                        "instant": False,
                        "next_digest_at": DUE,
                        "digest_watermark": DUE - timedelta(days=1),
                        "created_at": DUE - timedelta(days=30),
                    }
                )
            await connection.execute(insert(Subscriber.__table__), batch)
        await session.commit()
    await db.dispose()
    return len(selections)


async def measure(url: str, subscribers: int, articles: int) -> dict[str, Any]:
    selections = await setup(url, subscribers, articles)
    renders = 0
    render_seconds = 0.0
    render_group = selection.render_group

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal renders, render_seconds
        renders += 1
        started = time.perf_counter()
        try:
            return render_group(*args, **kwargs)
        finally:
            render_seconds += time.perf_counter() - started

    scheduled.render_group = counting  # type: ignore[assignment]  # count the digests rendered
    db = Database(url)
    rss_before = rss_mb()
    started = time.perf_counter()
    cpu_before = time.process_time()
    queued = await scheduled.enqueue_due_digests(db, Settings(_env_file=None), now=DUE)
    cpu = time.process_time() - cpu_before
    elapsed = time.perf_counter() - started
    peak = rss_mb()
    async with db.session() as session:
        bodies = await session.scalar(select(func.count()).select_from(MessageBody))
        rows = await session.scalar(select(func.count()).select_from(OutboxItem))
        snapshots = await session.scalar(select(func.count()).select_from(DigestSnapshot))
        # A JSON column keeps Python's None as JSON null: tell the buttons apart in Python.
        connection = await session.connection()
        with_buttons = {
            body_id
            for body_id, markup in await connection.execute(
                select(MessageBody.id, MessageBody.reply_markup)
            )
            if markup
        }
        per_body = await connection.execute(
            select(OutboxItem.body_id, func.count()).group_by(OutboxItem.body_id)
        )
        buttons = sum(count for body_id, count in per_body if body_id in with_buttons)
    await db.dispose()
    return {
        "subscribers": subscribers,
        "articles": articles,
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "us_per_outbox_row": round(1e6 * elapsed / max(1, rows), 1),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(peak, 1),
        "sources": SOURCES,
        "distinct_selections": selections,
        "digests_rendered": renders,
        "render_seconds": round(render_seconds, 2),
        "ms_per_render": round(1e3 * render_seconds / max(1, renders), 2),
        "snapshots_stored": snapshots,
        "messages_with_lainnya": buttons,
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
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 50_000])
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
