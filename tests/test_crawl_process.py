"""`kpu-digest crawl` as its own process: it pushes, survives SIGKILL and SIGTERM without losing
a push, stops quickly, keeps its memory bounded on a bomb, and says when every source failed.

Real processes throughout: the crawler (`python -m digests.cli crawl`), the stand-in Bot API in
its own process (recording every accepted send in a state file), fixture news sites on
127.0.0.1 and the test database.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlmodel import select

from bot.catalog import division_slugs
from digests.sample.loopback import LoopbackServer, Response, Site
from digests.store.db import Database
from digests.store.models import Article, OutboxItem, Source, Subscriber
from digests.store.types import utcnow
from tests.e2e_helpers import ADMIN_ID
from tests.fixture_site import NewsSite
from tests.hostile_servers import forwarding_proxy, gzip_bomb
from tests.processes import BotProcess, StandIn, bot_env, clean_env, deliveries

pytestmark = pytest.mark.db

INSTANT_CHATS = [31_000_001, 31_000_002, 31_000_003]
LISTING = "/index.php/blog/category/104"


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as loopback:
        yield loopback


async def start_crawl(
    env: dict[str, str], log_path: Path, *args: str
) -> asyncio.subprocess.Process:
    with log_path.open("ab") as log_file:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "digests.cli",
            "crawl",
            *args,
            env=env,
            cwd=log_path.parent,
            stdout=log_file,
            stderr=log_file,
        )


def crawl_env(
    db_url: str, sources: Path, api: StandIn | None = None, **extra: str
) -> dict[str, str]:
    values = {"DATABASE_URL": db_url, "SOURCES_FILE": str(sources), "SEND_RATE_PER_SECOND": "50"}
    if api is not None:
        values.update(TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_BASE_URL=api.base_url)
    return clean_env(**values, **extra)


def served_sources(site: NewsSite, server: LoopbackServer, tmp_path: Path) -> Path:
    """Serve `site` on the loopback server; the sources file that names it."""
    site.serve(server)
    sources = tmp_path / "sources.toml"
    sources.write_text(site.source_toml(), encoding="utf-8")
    return sources


async def prepare(db_url: str, instant_chats: list[int] = INSTANT_CHATS) -> None:
    """The schema, and staff who asked for instant news of every division."""
    db = Database(db_url)
    try:
        await db.upgrade()
        rows = [
            {
                "chat_id": chat,
                "user_id": chat,
                "first_name": "Staf",
                "active": True,
                "divisions": list(division_slugs()),
                "delivery_times": [],
                "instant": True,
                "created_at": utcnow(),
            }
            for chat in instant_chats
        ]
        async with db.session() as session:
            connection = await session.connection()
            await connection.execute(insert(Subscriber.__table__), rows)  # type: ignore[attr-defined]
            await session.commit()
    finally:
        await db.dispose()


async def stored(db_url: str) -> tuple[list[Article], list[OutboxItem]]:
    db = Database(db_url)
    try:
        async with db.session() as session:
            articles = list((await session.exec(select(Article))).all())
            queued = list((await session.exec(select(OutboxItem))).all())
            return articles, queued
    finally:
        await db.dispose()


async def wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.2)


def pushes_per_article(api: StandIn, articles: list[Article]) -> dict[str, dict[int, int]]:
    """For each stored article (by title): how many instant pushes each chat accepted."""
    accepted = api.accepted()
    return {a.title: deliveries(accepted, a.title[:40]) for a in articles}


async def finish(process: asyncio.subprocess.Process, timeout: float = 60) -> int:
    try:
        return await asyncio.wait_for(process.wait(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise


# --- point 7: the crawl process pushes ---------------------------------------------------------


async def test_crawl_process_with_a_token_pushes_instant_news_to_subscribers(
    db_url: str, tmp_path: Path, server: LoopbackServer
) -> None:
    site = NewsSite("regional", name="KPU Proses Crawl", count=4, seed=201)
    sources = served_sources(site, server, tmp_path)
    await prepare(db_url)
    api = await StandIn.start(tmp_path / "accepted.jsonl")
    try:
        process = await start_crawl(
            crawl_env(db_url, sources, api), tmp_path / "crawl.log", "--once"
        )
        assert await finish(process) == 0, (tmp_path / "crawl.log").read_text()
        articles, _ = await stored(db_url)
        assert len(articles) == 4
        per_article = pushes_per_article(api, articles)
        assert per_article == {a.title: dict.fromkeys(INSTANT_CHATS, 1) for a in articles}
    finally:
        await api.stop()


# --- point 3: SIGKILL between storing and queueing loses nothing ------------------------------


async def test_killed_between_storing_and_queueing_every_subscriber_still_gets_each_article_once(
    db_url: str, tmp_path: Path, server: LoopbackServer
) -> None:
    site = NewsSite("regional", name="KPU Dibunuh", count=6, seed=202)
    sources = served_sources(site, server, tmp_path)
    await prepare(db_url)
    api = await StandIn.start(tmp_path / "accepted.jsonl")
    log_path = tmp_path / "crawl.log"
    try:
        env = crawl_env(db_url, sources, api, KPU_DIGEST_PAUSE_BEFORE_PUSH="60")
        first = await start_crawl(env, log_path)

        async def paused() -> bool:
            return "pausing" in log_path.read_text(errors="replace")

        await wait_for(paused, 60, "the crawl never reached the point between storing and queueing")
        first.send_signal(signal.SIGKILL)
        await first.wait()
        articles, queued = await stored(db_url)
        assert len(articles) == 6 and queued == []  # stored, nothing queued, nothing sent
        assert api.accepted() == []

        second = await start_crawl(crawl_env(db_url, sources, api), log_path, "--once")
        assert await finish(second) == 0, log_path.read_text()
        articles, _ = await stored(db_url)
        assert len(articles) == 6
        per_article = pushes_per_article(api, articles)
        assert per_article == {a.title: dict.fromkeys(INSTANT_CHATS, 1) for a in articles}
    finally:
        await api.stop()


# --- point 4: SIGTERM during a crawl ----------------------------------------------------------


async def test_sigterm_during_a_slow_crawl_exits_quickly_and_the_next_run_resumes(
    db_url: str, tmp_path: Path
) -> None:
    with LoopbackServer(latency=0.5) as slow:
        site = NewsSite("regional", name="KPU Lambat", count=20, per_page=20, seed=203)
        site.serve(slow)
        sources = tmp_path / "sources.toml"
        sources.write_text(site.source_toml(), encoding="utf-8")
        await prepare(db_url)
        api = await StandIn.start(tmp_path / "accepted.jsonl")
        log_path = tmp_path / "crawl.log"
        try:
            first = await start_crawl(crawl_env(db_url, sources, api), log_path, "--once")

            async def some_stored() -> bool:
                return len((await stored(db_url))[0]) >= 3

            await wait_for(some_stored, 60, "the slow crawl stored nothing")
            asked = time.monotonic()
            first.send_signal(signal.SIGTERM)
            await finish(first, timeout=30)
            took = time.monotonic() - asked
            print(f"crawl process exited {took:.1f} s after SIGTERM")
            assert took < 10, log_path.read_text()
            partial, _ = await stored(db_url)
            assert 3 <= len(partial) < 20

            slow.latency = 0.0
            second = await start_crawl(crawl_env(db_url, sources, api), log_path, "--once")
            assert await finish(second, timeout=120) == 0, log_path.read_text()
            articles, _ = await stored(db_url)
            assert len(articles) == 20
            per_article = pushes_per_article(api, articles)
            assert per_article == {a.title: dict.fromkeys(INSTANT_CHATS, 1) for a in articles}
        finally:
            await api.stop()


# --- point 6: every source failed -------------------------------------------------------------


async def test_crawl_once_exits_1_and_warns_once_when_every_source_failed(
    db_url: str, tmp_path: Path, server: LoopbackServer
) -> None:
    down = server.add_site(Site({LISTING: Response(b"down", status=500)}))
    gone = server.add_site(Site())
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[sources]]\nname = "KPU Mati"\nurl = "{down}{LISTING}"\n'
        f'[[sources]]\nname = "KPU Hilang"\nurl = "{gone}{LISTING}"\n',
        encoding="utf-8",
    )
    log_path = tmp_path / "crawl.log"
    process = await start_crawl(crawl_env(db_url, sources), log_path, "--once")
    assert await finish(process) == 1
    warnings = [line for line in log_path.read_text().splitlines() if "source(s) failed" in line]
    assert len(warnings) == 1 and "WARNING" in warnings[0], warnings
    assert "2 of 2 source(s) failed" in warnings[0]

    # one good source among them: not every source failed, exit 0, still one warning
    site = NewsSite("regional", name="KPU Hidup", count=1, seed=204)
    site.serve(server)
    sources.write_text(sources.read_text() + site.source_toml(), encoding="utf-8")
    process = await start_crawl(crawl_env(db_url, sources), log_path, "--once")
    assert await finish(process) == 0
    assert log_path.read_text().count("2 of 3 source(s) failed") == 1


# --- point 2: a decompression bomb in the real process ----------------------------------------


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
async def test_gzip_bomb_keeps_the_crawler_process_under_300_mb_and_is_named_in_health(
    db_url: str, tmp_path: Path, server: LoopbackServer
) -> None:
    bomb = gzip_bomb()
    site = Site()
    url = server.add_site(site) + LISTING
    site.routes = {
        LISTING: Response(
            b'<html><body><a href="/index.php/blog/read/1_bom">Bom</a></body></html>'
        ),
        "/index.php/blog/read/1_bom": Response(bomb, headers={"Content-Encoding": "gzip, gzip"}),
    }
    listing_bomb = server.add_site(
        Site({LISTING: Response(bomb, headers={"Content-Encoding": "gzip, gzip"})})
    )
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[sources]]\nname = "KPU Artikel Bom"\nurl = "{url}"\n'
        f'[[sources]]\nname = "KPU Daftar Bom"\nurl = "{listing_bomb}{LISTING}"\n',
        encoding="utf-8",
    )
    log_path = tmp_path / "crawl.log"
    process = await start_crawl(crawl_env(db_url, sources), log_path)  # crawls, then waits
    try:

        async def reported() -> bool:
            return "total:" in log_path.read_text(errors="replace")

        await wait_for(reported, 60, "the crawl did not finish")
        peak = _peak_rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        await finish(process, timeout=20)
    print(f"crawler peak RSS {peak:.0f} MB")
    assert peak < 300, f"crawler peak {peak:.0f} MB"
    db = Database(db_url)
    try:
        async with db.session() as session:
            health = {s.name: s for s in (await session.exec(select(Source))).all()}
    finally:
        await db.dispose()
    assert "melebihi 5 MB setelah dibuka" in (health["KPU Daftar Bom"].last_error or "")
    assert "GAGAL: halaman melebihi 5 MB setelah dibuka" in log_path.read_text()


async def test_bot_stopped_during_a_slow_crawl_exits_within_10_s_and_resumes_the_pushes(
    db_url: str, tmp_path: Path
) -> None:
    """SIGTERM while /perbarui crawls: the bot stops in seconds, not after the crawl."""
    with LoopbackServer(latency=1.0) as slow:
        site = NewsSite("regional", name="KPU Lambat Bot", count=30, per_page=30, seed=205)
        site.serve(slow)
        sources = tmp_path / "sources.toml"
        sources.write_text(site.source_toml(), encoding="utf-8")
        await prepare(db_url)
        api = await StandIn.start(tmp_path / "accepted.jsonl")
        try:
            env = bot_env(api, db_url, tmp_path, rate=50, SOURCES_FILE=str(sources))
            bot = await BotProcess.start(env, tmp_path / "bot.log", "--poll-timeout", "1")
            deadline = time.monotonic() + 30
            while not await api.control("requests", method="getUpdates"):
                assert time.monotonic() < deadline, bot.log
                await asyncio.sleep(0.1)
            await api.control("push_message", user_id=ADMIN_ID, text="/perbarui")

            async def some_stored() -> bool:
                return len((await stored(db_url))[0]) >= 2

            await wait_for(some_stored, 60, "the slow crawl stored nothing")
            asked = time.monotonic()
            bot.process.send_signal(signal.SIGTERM)
            await finish(bot.process, timeout=90)
            took = time.monotonic() - asked
            print(f"bot exited {took:.1f} s after SIGTERM")
            assert took < 10, f"{took:.1f} s\n{bot.log}"
            partial, _ = await stored(db_url)
            assert len(partial) < 30

            slow.latency = 0.0
            crawl = await start_crawl(crawl_env(db_url, sources, api), tmp_path / "c.log", "--once")
            assert await finish(crawl, timeout=120) == 0
            articles, _ = await stored(db_url)
            assert len(articles) == 30
            per_article = pushes_per_article(api, articles)
            assert all(counts == dict.fromkeys(INSTANT_CHATS, 1) for counts in per_article.values())
        finally:
            await api.stop()


async def test_crawler_process_and_bot_send_everything_through_outbound_proxy(
    db_url: str, tmp_path: Path, server: LoopbackServer
) -> None:
    """OUTBOUND_PROXY carries the news sites and the Bot API; proxy variables carry nothing."""
    site = NewsSite("regional", name="KPU Kantor", count=2, seed=206)
    sources = served_sources(site, server, tmp_path)
    await prepare(db_url)
    api = await StandIn.start(tmp_path / "accepted.jsonl")
    dead = {"HTTP_PROXY": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}
    try:
        with forwarding_proxy() as proxy:
            env = crawl_env(db_url, sources, api, OUTBOUND_PROXY=proxy.url, **dead)
            crawl = await start_crawl(env, tmp_path / "crawl.log", "--once")
            assert await finish(crawl) == 0, (tmp_path / "crawl.log").read_text()
            crawled = list(proxy.requests)

            env = bot_env(api, db_url, tmp_path, rate=50, OUTBOUND_PROXY=proxy.url, **dead)
            bot = await BotProcess.start(env, tmp_path / "bot.log", "--poll-timeout", "1")
            try:
                await api.control("push_message", user_id=ADMIN_ID, text="/bantuan")
                await api.wait_for_text(ADMIN_ID, "/langganan", timeout=30)
            finally:
                await bot.stop()
            bot_requests = proxy.requests[len(crawled) :]
    finally:
        await api.stop()
    listing = f"GET {site.site.base_url}{LISTING}"
    assert listing in crawled
    # one instant message per crawl per subscriber, holding both articles
    assert sum("/sendMessage" in line for line in crawled) == len(INSTANT_CHATS)
    assert any("/getUpdates" in line for line in bot_requests)
    assert any("/sendMessage" in line for line in bot_requests)


async def test_crawl_process_with_the_bot_api_down_still_crawls_and_keeps_the_pushes_queued(
    db_url: str, tmp_path: Path, server: LoopbackServer
) -> None:
    site = NewsSite("regional", name="KPU Tanpa Telegram", count=2, seed=207)
    sources = served_sources(site, server, tmp_path)
    await prepare(db_url)
    token = "123456:secret-token-that-must-not-show"
    env = crawl_env(
        db_url,
        sources,
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot",  # nothing listens there
    )
    log_path = tmp_path / "crawl.log"
    process = await start_crawl(env, log_path, "--once")
    assert await finish(process) == 0
    output = log_path.read_text()
    assert "Bot API not reachable" in output and "secret-token" not in output
    articles, queued = await stored(db_url)
    assert len(articles) == 2
    # one instant message per crawl per subscriber, holding both articles
    assert sorted(q.chat_id for q in queued if q.status == "pending") == sorted(INSTANT_CHATS)
