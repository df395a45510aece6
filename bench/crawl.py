"""Crawl benchmark: 550 loopback news sites, 20 articles each, 50 ms added latency per response.

    .venv/bin/python bench/crawl.py [--sites 550] [--articles 20] [--latency 0.05]

The sites are served by a separate process (so the server does not share the crawler's GIL),
each on its own port so per-host politeness applies as in production. Prints the wall time,
requests and peak memory of a first crawl and of a second crawl with nothing changed; the
second must cost at most one request per source and under 10% of the first's time.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digests.collect.crawl import Crawler
from digests.collect.sources import SourceSpec, sync_sources
from digests.config import Settings
from digests.store.db import Database


def serve(sites: int, articles: int, latency: float, conn) -> None:  # type: ignore[no-untyped-def]
    """Server process: build the sites, report their URLs, answer count requests."""
    from digests.sample.loopback import LoopbackServer
    from tests.fixture_site import NewsSite

    server = LoopbackServer(latency=latency).start()
    built = []
    for n in range(sites):
        kind = "ri" if n % 2 else "regional"
        site = NewsSite(kind, name=f"KPU Bench {n:03d}", count=articles, per_page=articles, seed=n)
        site.serve(server)
        built.append(site)
    conn.send([(s.name, s.source_url, "html") for s in built])
    while True:
        message = conn.recv()
        if message == "count":
            conn.send(sum(s.site.requests for s in built))
        elif message == "stop":
            server.stop()
            conn.send("stopped")
            return


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def bench(args: argparse.Namespace) -> int:
    parent, child = mp.Pipe()
    process = mp.get_context("fork").Process(
        target=serve, args=(args.sites, args.articles, args.latency, child), daemon=True
    )
    process.start()
    started = time.monotonic()
    sources = parent.recv()
    print(f"server: {len(sources)} sites ready in {time.monotonic() - started:.1f}s")

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        db = Database(url)
        await db.upgrade()
        await sync_sources(db, [SourceSpec(name, link, kind) for name, link, kind in sources])
        settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
        workers = args.workers if args.workers >= 0 else (os.cpu_count() or 1)
        async with Crawler(db, settings, extract_workers=workers) as crawler:
            rows = []
            for label in ("first", "second"):
                parent.send("count")
                before = parent.recv()
                report = await crawler.crawl_all()
                parent.send("count")
                served = parent.recv() - before
                rows.append((label, report, served))
                print(
                    f"{label:>6} crawl: {report.seconds:7.1f}s  new {report.new:6d}  "
                    f"failed sources {report.failed:3d}  requests {report.requests:6d} "
                    f"(server saw {served}, {report.not_modified} × 304)  "
                    f"peak RSS {peak_mb():.0f} MB"
                )
        await db.dispose()
    parent.send("stop")
    parent.recv()
    process.join(timeout=10)

    (_, first, _), (_, second, served) = rows
    per_source = served / max(len(sources), 1)
    ratio = second.seconds / first.seconds if first.seconds else 0.0
    print(f"second crawl: {per_source:.2f} requests per source, {ratio:.1%} of the first's time")
    ok = per_source <= 1 and ratio < 0.10 and first.failed == 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=550)
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument(
        "--workers",
        type=int,
        default=-1,
        help="extraction processes (default: one per core; 0: threads)",
    )
    return asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
