"""The crawler obeys PRODUCT.md's trust rule, caps decoded bytes, and can go through a proxy.

Real HTTP on loopback: the fixture sources are trusted as configured (their exact origins, on
127.0.0.1); canaries on other 127.0.0.1 ports, on [::1] and behind `localhost` stand for the
internal services a hostile feed, listing or redirect would point the crawler at.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import select

from digests import texts
from digests.collect.crawl import Crawler
from digests.collect.fetch import Fetcher, FetchError, FetchLimits, FetchReason
from digests.collect.guard import BodyProblem
from digests.config import Settings
from digests.sample.loopback import LoopbackServer, Response, Site
from digests.service import SUMMARY_LIMITS
from digests.store.db import Database
from digests.store.models import Article, Source
from tests.fixture_site import NewsSite
from tests.hostile_servers import Canary, canary, forwarding_proxy, gzip_bomb
from tests.test_crawl import make_crawler, seed
from tests.test_crawl_failures import article_page, source

pytestmark = pytest.mark.db

LISTING = "/index.php/blog/category/104"


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as loopback:
        yield loopback


@pytest.fixture
def canary4() -> Iterator[Canary]:
    with canary("127.0.0.1") as c:
        yield c


@pytest.fixture
def canary6() -> Iterator[Canary]:
    with canary("::1") as c:
        yield c


def redirect(to: str) -> Response:
    return Response(b"", status=302, headers={"Location": to}, conditional=False)


def rss(links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Berita {n}</title><link>{link}</link></item>" for n, link in enumerate(links)
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>{items}</channel></rss>"
    ).encode()


async def sources_by_name(database: Database) -> dict[str, Source]:
    async with database.session() as session:
        return {s.name: s for s in (await session.exec(select(Source))).all()}


async def test_feed_listing_and_redirects_never_reach_internal_hosts(
    database: Database, server: LoopbackServer, canary4: Canary, canary6: Canary
) -> None:
    port4 = canary4.base_url.rsplit(":", 1)[1]
    feed_site = Site()
    feed_url = server.add_site(feed_site) + "/feed/"
    feed_site.routes = {
        "/feed/": Response(
            rss(
                [
                    feed_site.base_url + "/2024/10/21/baik/",
                    canary4.base_url + "/rahasia-v4",
                    canary6.base_url + "/rahasia-v6",
                    f"http://localhost:{port4}/rahasia-localhost",
                    feed_site.base_url + "/2024/10/21/alih/",
                    feed_site.base_url + "/2024/10/21/alih6/",
                ]
            ),
            content_type="application/rss+xml",
        ),
        "/2024/10/21/baik/": Response(article_page(1)),
        "/2024/10/21/alih/": redirect(canary4.base_url + "/dialihkan"),
        "/2024/10/21/alih6/": redirect(canary6.base_url + "/dialihkan"),
    }
    listing_site = Site()
    listing_url = server.add_site(listing_site) + LISTING
    listing_site.routes = {
        LISTING: Response(
            b'<html><body><a href="/index.php/blog/read/1_alih">Satu</a>'
            b'<a href="/index.php/blog/read/2_baik">Dua</a>'
            + f'<a href="http://localhost:{port4}/index.php/blog/read/3_x">Tiga</a>'.encode()
            + b"</body></html>"
        ),
        "/index.php/blog/read/1_alih": redirect(f"http://localhost:{port4}/dialihkan"),
        "/index.php/blog/read/2_baik": Response(article_page(2)),
    }
    moved_site = Site()
    moved_url = server.add_site(moved_site) + LISTING
    moved_site.routes = {LISTING: redirect(canary6.base_url + LISTING)}
    await seed(
        database,
        source("KPU Feed Jebakan", feed_url, "feed")
        + source("KPU Daftar Jebakan", listing_url)
        + source("KPU Dialihkan", moved_url),
    )

    async with make_crawler(database) as crawler:
        report = await crawler.crawl_all()
        await crawler.crawl_all(only_due=False)  # a second crawl asks again, and is refused again

    assert canary4.hits == [] and canary6.hits == []
    results = {r.name: r for r in report.sources}
    assert results["KPU Feed Jebakan"].ok and results["KPU Feed Jebakan"].new == 1
    assert results["KPU Daftar Jebakan"].ok and results["KPU Daftar Jebakan"].new == 1
    health = await sources_by_name(database)
    feed_error = health["KPU Feed Jebakan"].last_error or ""
    assert feed_error.startswith("5 tautan tidak diikuti"), feed_error
    for refused in ("/rahasia-v4", "[::1]", "localhost", "alamat jaringan internal"):
        assert refused in feed_error, (refused, feed_error)
    listing_error = health["KPU Daftar Jebakan"].last_error or ""
    assert "localhost" in listing_error and "alamat jaringan internal" in listing_error
    moved = health["KPU Dialihkan"]
    assert moved.consecutive_failures == 2 and "[::1]" in (moved.last_error or "")
    assert "alamat jaringan internal" in (moved.last_error or "")
    async with database.session() as session:
        stored = (await session.exec(select(Article))).all()
    assert sorted(a.url for a in stored) == sorted(
        [
            feed_site.base_url + "/2024/10/21/baik",
            listing_site.base_url + "/index.php/blog/read/2_baik",
        ]
    )
    assert not any("RAHASIA" in (a.text or "") or "canary" in (a.text or "") for a in stored)


async def test_a_stacked_gzip_bomb_is_refused_with_a_reason_after_a_few_megabytes(
    database: Database, server: LoopbackServer
) -> None:
    bomb = gzip_bomb()
    assert len(bomb) < 2_500
    site = Site()
    url = server.add_site(site) + LISTING
    site.routes = {
        LISTING: Response(
            b'<html><body><a href="/index.php/blog/read/1_bom">Bom</a>'
            b'<a href="/index.php/blog/read/2_baik">Baik</a></body></html>'
        ),
        "/index.php/blog/read/1_bom": Response(bomb, headers={"Content-Encoding": "gzip, gzip"}),
        "/index.php/blog/read/2_baik": Response(article_page(5)),
    }
    bombed = Site({LISTING: Response(bomb, headers={"Content-Encoding": "gzip, gzip"})})
    await seed(
        database,
        source("KPU Artikel Bom", url)
        + source("KPU Daftar Bom", server.add_site(bombed) + LISTING),
    )
    started = time.monotonic()
    async with make_crawler(database) as crawler:
        report = await crawler.crawl_all()
    results = {r.name: r for r in report.sources}
    assert time.monotonic() - started < 10
    assert "melebihi 5 MB setelah dibuka" in (results["KPU Daftar Bom"].error or "")
    assert results["KPU Artikel Bom"].new == 1 and results["KPU Artikel Bom"].failed == 1


async def test_summary_fetch_refuses_a_gzip_bomb_without_stalling_the_event_loop(
    server: LoopbackServer,
) -> None:
    """What /summary fetches goes through the same capped decoding; other updates keep flowing."""
    bomb = gzip_bomb()
    site = Site({"/bom": Response(bomb, headers={"Content-Encoding": "gzip, gzip"})})
    base = server.add_site(site)
    worst_gap = 0.0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal worst_gap
        last = time.monotonic()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.monotonic()
            worst_gap = max(worst_gap, now - last)
            last = now

    tick = asyncio.create_task(ticker())
    async with httpx.AsyncClient(trust_env=False) as client:
        fetcher = Fetcher(
            client, contact="uji", limits=SUMMARY_LIMITS, trusted_origins={base}, any_port=False
        )
        with pytest.raises(FetchError) as refused:
            await fetcher.fetch(base + "/bom", check_robots=False)
    done.set()
    await tick
    assert refused.value.reason is FetchReason.TOO_LARGE and refused.value.body is not None
    assert refused.value.body.reason is BodyProblem.TOO_LARGE_DECODED
    assert "setelah dibuka" in texts.fetch_problem(refused.value)
    assert worst_gap < 0.3, f"event loop stalled {worst_gap:.2f} s"


async def test_crawler_goes_through_outbound_proxy_and_never_through_proxy_variables(
    database: Database, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = NewsSite("regional", name="KPU Lewat Proksi", count=3, seed=91)
    site.serve(server)
    await seed(database, site.source_toml())
    # A dead proxy in the environment must change nothing.
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    with forwarding_proxy() as proxy:
        async with make_crawler(database) as crawler:
            direct = await crawler.crawl_all()
        assert direct.new == 3 and proxy.requests == []

        site.add_article()
        settings = Settings(_env_file=None, database_url=database.url, outbound_proxy=proxy.url)  # type: ignore[call-arg]
        # A new connection per request through the proxy: roomier timeouts on a busy machine.
        limits = FetchLimits(read_timeout=10, total_timeout=20, per_host_delay=0.0)
        async with Crawler(database, settings, limits=limits) as crawler:
            proxied = await crawler.crawl_all()
    assert proxied.failed == 0, [r.error for r in proxied.sources]
    assert proxied.new == 1
    assert f"GET {site.site.base_url}{LISTING}" in proxy.requests
    assert f"GET {site.url_of(site.articles[0])}" in proxy.requests
