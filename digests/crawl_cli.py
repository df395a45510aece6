"""`kpu-digest crawl [--once]` and `kpu-digest sources`: the crawler from the command line."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import datetime

from digests.config import Settings
from digests.crawl import Crawler, CrawlReport
from digests.sources import seed_from_file, source_health
from digests.store.db import Database

__all__ = ["format_report", "print_sources", "run_crawl", "run_crawl_once", "seed_sources"]

NAME_WIDTH = 34


async def seed_sources(db: Database, settings: Settings) -> None:
    """Sync the sources file into the database, reporting bad entries on stderr."""
    _result, errors = await seed_from_file(db, settings.sources_file)
    for error in errors:
        print(f"sources: {error}", file=sys.stderr)


def format_report(report: CrawlReport) -> str:
    """One line per source, then the total."""
    lines = [
        f"{'source':<{NAME_WIDTH}} {'new':>4} {'upd':>4} {'same':>5} {'fail':>4} "
        f"{'req':>4} {'304':>4} {'time':>7}"
    ]
    for r in sorted(report.sources, key=lambda r: r.name.casefold()):
        line = (
            f"{_cut(r.name):<{NAME_WIDTH}} {r.new:>4} {r.updated:>4} {r.unchanged:>5} "
            f"{r.failed:>4} {r.requests:>4} {r.not_modified:>4} {r.seconds:>6.1f}s"
        )
        if r.error:
            line += f"  GAGAL: {r.error}"
        lines.append(line)
    lines.append(
        f"total: {len(report.sources)} sources, {report.new} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.failed} sources failed, "
        f"{report.requests} requests ({report.not_modified} × 304), {report.seconds:.1f}s"
    )
    return "\n".join(lines)


def _cut(name: str) -> str:
    return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"


async def run_crawl_once(settings: Settings) -> int:
    return await run_crawl(settings, once=True)


async def run_crawl(settings: Settings, *, once: bool = False) -> int:
    """Crawl once, or forever every CRAWL_INTERVAL_MINUTES (re-reading the sources file)."""
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        async with Crawler(db, settings, extract_workers=os.cpu_count() or 1) as crawler:
            while True:
                started = time.monotonic()
                await seed_sources(db, settings)
                report = await crawler.crawl_all()
                print(format_report(report), flush=True)
                if once:
                    return 0
                wait = settings.crawl_interval_minutes * 60 - (time.monotonic() - started)
                await asyncio.sleep(max(wait, 0))
    finally:
        await db.dispose()


async def print_sources(settings: Settings) -> int:
    """The health table: status, articles, last success, failures, last error."""
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        rows = await source_health(db, include_disabled=True)
    finally:
        await db.dispose()
    if not rows:
        print("no sources yet: run `kpu-digest crawl --once` to load the sources file")
        return 0
    zone = settings.tz
    print(
        f"{'id':>4} {'source':<{NAME_WIDTH}} {'status':<8} {'art':>5} {'last success':<16} "
        f"{'fail':>4}  last error"
    )
    for row in rows:
        print(
            f"{row.id:>4} {_cut(row.name):<{NAME_WIDTH}} {row.status:<8} {row.articles:>5} "
            f"{_when(row.last_success_at, zone):<16} {row.consecutive_failures:>4}  "
            f"{(row.last_error or '')[:80]}"
        )
    return 0


def _when(moment: datetime | None, zone) -> str:  # type: ignore[no-untyped-def]
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "-"
