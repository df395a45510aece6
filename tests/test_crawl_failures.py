"""Broken and hostile sources: each fails alone, shows in its health, and never stalls a crawl."""

from __future__ import annotations

import logging
import random
import resource
import time
from collections.abc import Iterator

import pytest
from sqlmodel import select

from digests import service
from digests.sample.loopback import LoopbackServer, Request, Response, Site
from digests.store.db import Database
from digests.store.models import Article, Source
from tests.fixture_site import NewsSite, generate_paragraphs, generate_title
from tests.test_crawl import all_articles, make_crawler, seed

pytestmark = pytest.mark.db


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as loopback:
        yield loopback


def source(name: str, url: str, kind: str | None = None) -> str:
    line = f'[[sources]]\nname = "{name}"\nurl = "{url}"\n'
    return line + (f'kind = "{kind}"\n' if kind else "")


def one_page_site(server: LoopbackServer, path: str, response: Response) -> str:
    site = Site({path: response})
    return server.add_site(site) + path


def article_page(seed: int) -> bytes:
    """A plausible article page whose text is unique to `seed`."""
    rng = random.Random(seed)
    title = generate_title(rng)
    body = "".join(f"<p>{p}</p>" for p in generate_paragraphs(rng, "kpu.go.id"))
    return (
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
        f"<article>{body}</article></body></html>"
    ).encode()


async def health(database: Database) -> dict[str, Source]:
    async with database.session() as session:
        return {s.name: s for s in (await session.exec(select(Source))).all()}


async def test_broken_sources_fail_alone_and_show_in_their_health(
    database: Database, server: LoopbackServer
) -> None:
    good = NewsSite("regional", name="KPU Sehat", count=5, seed=61)
    good.serve(server)
    listing = "/index.php/blog/category/104"
    bad = {
        "Lambat": (one_page_site(server, listing, Response(b"<html></html>", delay=5)), None),
        "Error 500": (one_page_site(server, listing, Response(b"oops", status=500)), None),
        "Raksasa": (
            one_page_site(server, listing, Response(b"<html>", filler_bytes=60_000_000)),
            None,
        ),
        "Raksasa Tanpa Panjang": (
            one_page_site(
                server,
                listing,
                Response(b"<html>", filler_bytes=60_000_000, send_length=False),
            ),
            None,
        ),
        "PDF": (
            one_page_site(
                server, listing, Response(b"%PDF-1.4 ...", content_type="application/pdf")
            ),
            None,
        ),
        "XML Rusak": (
            one_page_site(
                server,
                "/feed/",
                Response(
                    b"<?xml version='1.0'?><rss><channel><item><title>a</ti",
                    content_type="application/rss+xml",
                ),
            ),
            "feed",
        ),
        "HTML Sampah": (
            one_page_site(server, listing, Response(bytes(range(256)) * 40)),
            None,
        ),
    }
    toml = good.source_toml() + "".join(source(n, u, k) for n, (u, k) in bad.items())
    await seed(database, toml)

    started = time.monotonic()
    async with make_crawler(database) as crawler:
        report = await crawler.crawl_all()
        elapsed = time.monotonic() - started
        rows = await health(database)
        results = {r.name: r for r in report.sources}

        assert results["KPU Sehat"].new == 5 and results["KPU Sehat"].ok
        assert len(await all_articles(database)) == 5
        assert report.failed == len(bad)
        expected = {
            "Lambat": "batas waktu",
            "Error 500": "HTTP 500",
            "Raksasa": "terlalu besar",
            "Raksasa Tanpa Panjang": "melebihi 5 MB",
            "PDF": "application/pdf",
            "XML Rusak": "umpan RSS/Atom rusak",
            "HTML Sampah": "tidak ada tautan",
        }
        for name, fragment in expected.items():
            assert fragment in (results[name].error or ""), (name, results[name].error)
            assert fragment in (rows[name].last_error or "")
            assert rows[name].consecutive_failures == 1
            assert rows[name].last_success_at is None
        assert rows["KPU Sehat"].consecutive_failures == 0
        assert rows["KPU Sehat"].last_success_at is not None
        assert elapsed < 15

        # failing again: they back off; the next crawl leaves them alone
        await crawler.crawl_all()
        rows = await health(database)
        assert all(rows[name].consecutive_failures == 2 for name in bad)
        assert all(rows[name].next_attempt_at is not None for name in bad)
        third = await crawler.crawl_all()
        assert [r.name for r in third.sources] == ["KPU Sehat"]


async def test_hostile_pages_neither_exhaust_memory_nor_stall_the_crawl(
    database: Database, server: LoopbackServer
) -> None:
    def any_article(request: Request) -> Response | None:
        if "/blog/read/" in request.path:
            number = int(request.path.rsplit("/", 1)[1].split("_", 1)[0])
            return Response(article_page(number))
        return None

    links = "".join(f'<a href="/index.php/blog/read/{n}_berita">B{n}</a>' for n in range(10_000))
    many = Site(
        {"/index.php/blog/category/104": Response(f"<html><body>{links}</body></html>".encode())},
        handler=any_article,
    )
    one_line = (
        "<html><body>"
        + "kata " * 200_000
        + '<a href="/index.php/blog/read/77_satu-baris">Satu</a></body></html>'
    )
    long_line = Site(
        {
            "/index.php/blog/category/104": Response(one_line.encode()),
            "/index.php/blog/read/77_satu-baris": Response(
                ("<html><body><p>" + "panjang " * 125_000 + "</p></body></html>").encode()
            ),
        }
    )
    nested = "<div>" * 50_000 + "dalam" + "</div>" * 50_000
    deep = Site(
        {
            "/index.php/blog/category/104": Response(
                b'<html><body><a href="/index.php/blog/read/5_dalam">x</a>'
                + f"{nested}</body></html>".encode()
            ),
            "/index.php/blog/read/5_dalam": Response(
                f"<html><body>{nested}</body></html>".encode()
            ),
        }
    )
    items = "".join(
        f"<item><title>Berita {n}</title><link>/berita/baca/{n % 5}/kabar</link>"
        "<guid>sama-semua</guid></item>"
        for n in range(2_000)
    )
    feed = Site(
        {
            "/feed/": Response(
                f"<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>{items}"
                "</channel></rss>".encode(),
                content_type="application/rss+xml",
            )
        },
        handler=lambda r: (
            Response(article_page(int(r.path.split("/")[3])))
            if r.path.startswith("/berita/baca/")
            else None
        ),
    )
    toml = (
        source("Sepuluh Ribu", server.add_site(many) + "/index.php/blog/category/104")
        + source("Satu Baris", server.add_site(long_line) + "/index.php/blog/category/104")
        + source("Bersarang", server.add_site(deep) + "/index.php/blog/category/104")
        + source("GUID Ganda", server.add_site(feed) + "/feed/", "feed")
    )
    await seed(database, toml)

    started = time.monotonic()
    async with make_crawler(database, max_new_per_source=40) as crawler:
        report = await crawler.crawl_all()
    elapsed = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # whole test process
    results = {r.name: r for r in report.sources}

    assert elapsed < 20
    assert peak_mb < 600, f"peak {peak_mb:.0f} MB"
    assert results["Sepuluh Ribu"].ok and results["Sepuluh Ribu"].new == 40  # capped per crawl
    assert many.count(status=200) == 41  # the listing and 40 articles, not 10,000
    assert results["GUID Ganda"].ok and results["GUID Ganda"].new == 5
    assert results["Satu Baris"].ok and results["Bersarang"].ok
    async with database.session() as session:
        urls = (await session.exec(select(Article.url))).all()
    assert len(urls) == len(set(urls)) == report.new


async def test_a_crawl_with_failed_sources_logs_one_warning_naming_the_count(
    database: Database, server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The bot's scheduled crawl and `kpu-digest crawl` both go through service.crawl_and_push."""
    listing = "/index.php/blog/category/104"
    good = NewsSite("regional", name="KPU Sehat", count=1, seed=62)
    good.serve(server)
    toml = good.source_toml() + "".join(
        source(f"KPU Rusak {n}", one_page_site(server, listing, Response(b"x", status=503)))
        for n in range(3)
    )
    await seed(database, toml)
    async with make_crawler(database) as crawler:
        with caplog.at_level(logging.INFO):
            report = await service.crawl_and_push(crawler, database, crawler.settings)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert report.failed == 3 and not service.all_sources_failed(report)
    assert [r.getMessage() for r in warnings] == [
        "crawl: 3 of 4 source(s) failed (see `kpu-digest sources` or /sumber)"
    ]
