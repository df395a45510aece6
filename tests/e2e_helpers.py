"""Run the real bot (the Application of `bot.app`) against the stand-in Bot API, and talk to it.

`running_bot(...)` starts it the way `Application.run_polling` does (initialize, post_init,
polling, start; and the reverse on exit) but inside the test's event loop, with
`start_polling(timeout=1)` so shutdown is quick. `BotHarness` plays the users.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application
from bot.context import DEPS_KEY, BotDeps
from digests.collect.crawl import Crawler
from digests.collect.fetch import FetchLimits
from digests.config import Settings
from digests.sample.loopback import LoopbackServer
from digests.store.db import Database
from tests.botapi.records import CallbackAnswer, SentMessage
from tests.botapi.server import BotApiServer
from tests.fixture_site import NewsSite

ADMIN_ID = 9001
STAFF_ID = 4242
OTHER_ID = 4343
# Crawl the loopback news site without the politeness delay a real site gets.
FAST_CRAWL = FetchLimits(connect_timeout=2, read_timeout=2, total_timeout=5, per_host_delay=0.0)


def write_sources(path: Path, sources: list[tuple[str, str]] | None = None) -> Path:
    """A sources TOML with (name, url) entries (empty list: no sources)."""
    lines = []
    for name, url in sources or []:
        lines += ["[[sources]]", f'name = "{name}"', f'url = "{url}"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def make_settings(api: BotApiServer, db_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    if "sources_file" not in overrides:
        overrides["sources_file"] = write_sources(tmp_path / "sources.toml")
    overrides.setdefault("admin_ids", [ADMIN_ID])
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=api.token,
        telegram_api_base_url=api.base_url,
        database_url=db_url,
        **overrides,
    )


@dataclass
class BotHarness:
    app: Application
    api: BotApiServer
    db: Database
    settings: Settings

    @property
    def deps(self) -> BotDeps:
        return self.app.bot_data[DEPS_KEY]

    async def send(
        self, user_id: int, text: str, *, expect: int = 1, timeout: float = 5.0, **kwargs: Any
    ) -> list[SentMessage]:
        """The user writes `text`; wait for `expect` new messages to them and return those."""
        before = len(self.api.sent_to(user_id))
        self.api.push_message(user_id, text, **kwargs)
        await self.api.wait_for(lambda: len(self.api.sent_to(user_id)) >= before + expect, timeout)
        return self.api.sent_to(user_id)[before:]

    async def say(self, user_id: int, text: str, **kwargs: Any) -> SentMessage:
        """The user writes `text`; the bot's one reply."""
        return (await self.send(user_id, text, **kwargs))[-1]

    async def share(self, user_id: int, text: str) -> int:
        """The user posts plain text (a forwarded article, a link); its message id.

        The bot answers plain text with a hint, which is awaited so later replies line up.
        """
        before = len(self.api.sent_to(user_id))
        update = self.api.push_message(user_id, text)
        await self.api.wait_for(lambda: len(self.api.sent_to(user_id)) > before)
        assert "/ringkas" in self.api.sent_to(user_id)[-1].plain_text
        return update["message"]["message_id"]

    async def press(
        self, user_id: int, label: str, *, message_id: int | None = None, timeout: float = 5.0
    ) -> CallbackAnswer:
        """Press the button labelled `label`; wait until the bot answered the press."""
        before = len(self.api.callback_answers)
        self.api.press(user_id, label, message_id=message_id)
        await self.api.wait_for(lambda: len(self.api.callback_answers) > before, timeout)
        return self.api.callback_answers[-1]

    async def press_data(
        self, user_id: int, message_id: int, data: str, timeout: float = 5.0
    ) -> CallbackAnswer:
        before = len(self.api.callback_answers)
        self.api.push_callback(user_id, message_id, data)
        await self.api.wait_for(lambda: len(self.api.callback_answers) > before, timeout)
        return self.api.callback_answers[-1]

    def shown(self, chat_id: int, message_id: int) -> dict:
        """A message as the user sees it now (after the bot's edits)."""
        message = self.api.message(chat_id, message_id)
        assert message is not None
        return message

    async def run_job(self, name: str) -> None:
        """Run a scheduled job now, as the JobQueue would."""
        jobs = self.app.job_queue.get_jobs_by_name(name)  # type: ignore[union-attr]
        assert jobs, f"no job named {name}"
        await jobs[0].run(self.app)


@asynccontextmanager
async def running_bot(
    api: BotApiServer, settings: Settings, db: Database, **build_kwargs: Any
) -> AsyncIterator[BotHarness]:
    build_kwargs.setdefault("digest_job_first", 3600)
    build_kwargs.setdefault("crawl_job_first", 3600)
    app = build_application(settings, db, **build_kwargs)
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.updater.start_polling(  # type: ignore[union-attr]
            timeout=1, poll_interval=0, allowed_updates=ALLOWED_UPDATES
        )
        await app.start()
        try:
            yield BotHarness(app, api, db, settings)
            assert_no_invalid_html(api)
        finally:
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


def assert_no_invalid_html(api: BotApiServer) -> None:
    """The stand-in parses HTML as strictly as Telegram: the bot never had a message refused."""
    refused = [
        (r.method, r.description)
        for r in api.requests
        if r.status == 400 and "parse entities" in (r.description or "")
    ]
    assert refused == []


def labels(message: SentMessage | dict) -> list[str]:
    """Button labels of a sent message (record) or of a message as shown now (dict)."""
    markup = (
        message.reply_markup if isinstance(message, SentMessage) else message.get("reply_markup")
    )
    rows = (markup or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def forge_callback(
    bot: BotHarness, user_id: int, message_id: int, data: str, timeout: float = 5.0
) -> CallbackAnswer:
    """A press carrying `data` no button offers, as a modified client could send it."""
    from tests.botapi.state import CallbackQuery

    api = bot.api
    message = api.message(user_id, message_id)
    assert message is not None
    query_id = f"forged-{len(api.callback_answers)}-{message_id}"
    api._callbacks[query_id] = CallbackQuery(query_id, user_id, message_id, data)
    before = len(api.callback_answers)
    api.add_update(
        {
            "callback_query": {
                "id": query_id,
                "from": api.users.get(user_id)
                or {"id": user_id, "is_bot": False, "first_name": "X"},
                "message": message,
                "chat_instance": str(user_id),
                "data": data,
            }
        }
    )
    await api.wait_for(lambda: len(api.callback_answers) > before, timeout)
    return api.callback_answers[-1]


@pytest.fixture(name="bot")
async def staff_bot(
    botapi: BotApiServer, database: Database, db_url: str, tmp_path: Path
) -> AsyncIterator[BotHarness]:
    """The bot with default settings on a fresh database (modules import it as `bot`)."""
    settings = make_settings(botapi, db_url, tmp_path)
    async with running_bot(botapi, settings, database) as harness:
        yield harness


BotStarter = Callable[..., AbstractAsyncContextManager[BotHarness]]


@pytest.fixture
def start_bot(botapi: BotApiServer, database: Database, db_url: str, tmp_path: Path) -> BotStarter:
    """`async with start_bot(sources=[(name, url)], **settings) as bot`: the bot on this test's
    stand-in and database, reading those sources; other keywords are `Settings` fields."""

    def start(
        sources: list[tuple[str, str]] | None = None, **overrides: Any
    ) -> AbstractAsyncContextManager[BotHarness]:
        if sources is not None:
            overrides["sources_file"] = write_sources(tmp_path / "sources.toml", sources)
        settings = make_settings(botapi, db_url, tmp_path, **overrides)
        return running_bot(botapi, settings, database)

    return start


@pytest.fixture(name="server")
def loopback_server() -> Iterator[LoopbackServer]:
    """A loopback HTTP server for this test's news sites (modules import it as `server`)."""
    with LoopbackServer() as loopback:
        yield loopback


def serve_news(server: LoopbackServer, seed: int) -> NewsSite:
    """A small regional KPU news site (three articles), served on `server`."""
    site = NewsSite("regional", name="KPU Jatim Fixture", count=3, per_page=5, seed=seed)
    site.serve(server)
    return site


@pytest.fixture(name="bot")
async def news_bot(
    botapi: BotApiServer, database: Database, db_url: str, tmp_path: Path, news: NewsSite
) -> AsyncIterator[BotHarness]:
    """The bot whose one source is the module's `news` site, crawled at `FAST_CRAWL` (modules
    import it as `bot` and define `news`, e.g. with `serve_news`)."""
    sources = tmp_path / "sources.toml"
    sources.write_text(news.source_toml(), encoding="utf-8")
    settings = make_settings(botapi, db_url, tmp_path, sources_file=sources)
    crawler = Crawler(database, settings, limits=FAST_CRAWL)
    async with running_bot(botapi, settings, database, crawler=crawler) as harness:
        yield harness
