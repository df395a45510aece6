"""`kpu-digest demo`: the whole core offline, on the bundled sample of KPU pages.

Serves `digests/sample/` on 127.0.0.1, crawls it into a fresh SQLite database exactly as the
scheduler crawls real sites, and prints the digest each division would receive.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from digests.cli.crawl import format_report, seed_sources
from digests.cli.preview import print_division_digests, recent_articles
from digests.collect.crawl import Crawler
from digests.config import Settings
from digests.sample.loopback import sample_sources_toml, serve_sample_site
from digests.store.db import Database
from digests.summary.divisions import load_divisions

EVERYTHING = timedelta(days=365 * 100)


async def run_demo(settings: Settings, *, database_url: str | None = None) -> int:
    with tempfile.TemporaryDirectory(prefix="kpu-digest-demo-") as workdir:
        url = database_url or f"sqlite:///{Path(workdir) / 'demo.db'}"
        sources_file = Path(workdir) / "sources.toml"
        db = Database(url)
        try:
            await db.upgrade()
            with serve_sample_site() as base_url:
                sources_file.write_text(sample_sources_toml(base_url), encoding="utf-8")
                demo_settings = settings.model_copy(
                    update={"database_url": url, "sources_file": sources_file}
                )
                print(f"Sample KPU sites served at {base_url}; crawling them into {url}\n")
                await seed_sources(db, demo_settings)
                async with Crawler(db, demo_settings) as crawler:
                    report = await crawler.crawl_all()
                print(format_report(report))
            articles = await recent_articles(db, EVERYTHING)
        finally:
            await db.dispose()
    print(f"\nWhat each division would receive ({len(articles)} stories):")
    print_division_digests(articles, load_divisions().slugs, settings.tz, sys.stdout)
    return 0 if articles else 1
