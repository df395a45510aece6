"""`python -m bot --sender-only`: a process that only sends what the outbox holds.

Run one or more of these beside the bot process (the one that receives updates) to spread
sending over several processes or hosts. They share the PostgreSQL outbox: each claim takes
rows with `FOR UPDATE SKIP LOCKED`, so a message goes to one sender at a time, and each claimed
row carries a lease, so the rows of a sender that dies go to the others when it runs out.
SEND_RATE_PER_SECOND is per process: give each the bot's limit divided by the number of
sending processes (the bot process sends too). The schema is the bot process's business
(`kpu-digest db upgrade`); this one never migrates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket

from telegram import Bot

from bot.sending.request import ShardedHTTPXRequest
from bot.sending.sender import OutboxSender
from digests.config import Settings
from digests.store.db import Database

log = logging.getLogger(__name__)


def default_worker_id() -> str:
    """Unique per process, and readable in the outbox's `claimed_by` column."""
    return f"{socket.gethostname()}-{os.getpid()}"


async def run_sender(settings: Settings, *, lease_seconds: float = 60.0) -> None:
    """Send until SIGTERM or SIGINT, then hand unsent messages back and return."""
    assert settings.telegram_bot_token is not None
    # As the bot process's client (bot/app.py): no proxy variables, 256 connections in shards.
    request = ShardedHTTPXRequest(
        proxy=settings.outbound_proxy or None, httpx_kwargs={"trust_env": False}
    )
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        request=request,
    )
    db = Database(settings.database_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        async with bot:
            sender = OutboxSender(
                bot, db, settings, worker_id=default_worker_id(), lease_seconds=lease_seconds
            )
            task = asyncio.create_task(sender.run(), name="outbox-sender")
            log.info("sender-only process ready (no updates are received here)")
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            await sender.stop()
            await task
    finally:
        await db.dispose()
