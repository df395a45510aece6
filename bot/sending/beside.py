"""The bot's outbox sender running beside another process's work (`kpu-digest crawl`).

The crawl command queues instant pushes through `digests.service.crawl_and_push`, as the bot
does; with a token configured it sends them itself, with this, for the life of its `with` block.
Here, in `bot/`, because it is Telegram: the core's command line imports it only when a token is
set.
"""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Bot

from bot.sending.request import ShardedHTTPXRequest
from bot.sending.sender import OutboxSender
from bot.sending.worker import default_worker_id
from digests.config import Settings
from digests.store import outbox
from digests.store.db import Database

log = logging.getLogger(__name__)


class OutboxSenderBeside:
    """The bot's outbox sender running beside the crawl, for the life of the `with` block."""

    def __init__(self, sender: OutboxSender, bot: Bot, *, start_timeout: float) -> None:
        self.sender = sender
        self.bot = bot
        self.start_timeout = start_timeout
        self.task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        if self.task is not None:
            self.sender.wake()

    async def drain(self, timeout: float) -> bool:
        """Wait until no instant push is left open (True) or `timeout` passes (False)."""
        if self.task is None:
            return False
        db = self.sender.db
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            async with db.session() as session:
                open_pushes = await outbox.open_count(session, kind="instant")
            if not open_pushes and not self.sender.held:
                return True
            self.sender.wake()
            await asyncio.sleep(0.2)
        return False

    async def __aenter__(self) -> OutboxSenderBeside:
        try:
            await asyncio.wait_for(self.bot.initialize(), self.start_timeout)
        except Exception as exc:  # the crawl goes on; the pushes wait in the outbox
            # The type only: some of the library's messages carry the token.
            log.warning(
                "crawl: Bot API not reachable (%s); pushes stay queued for the next sender",
                type(exc).__name__,
            )
            return self
        self.task = asyncio.create_task(self.sender.run(), name="crawl-outbox-sender")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.task is None:
            return
        await self.sender.stop()  # hands unsent rows back to the outbox
        await asyncio.gather(self.task, return_exceptions=True)
        await self.bot.shutdown()


def sender_beside(settings: Settings, db: Database, *, start_timeout: float) -> OutboxSenderBeside:
    """The outbox sender for a process that is not the bot (`kpu-digest crawl`)."""
    assert settings.telegram_bot_token is not None
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        request=ShardedHTTPXRequest(
            shards=2, proxy=settings.outbound_proxy or None, httpx_kwargs={"trust_env": False}
        ),
    )
    sender = OutboxSender(bot, db, settings, worker_id=f"crawl-{default_worker_id()}")
    return OutboxSenderBeside(sender, bot, start_timeout=start_timeout)
