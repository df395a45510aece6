"""A Bot API that answers nobody for a while: the sender holds its messages, logs the outage
once, and delivers everything when Telegram is back (instead of failing each message)."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest
from sqlmodel import select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.sending.sender import OutboxSender
from digests.config import Settings
from digests.store import outbox
from digests.store.db import Database
from digests.store.models import OutboxItem
from digests.store.types import utcnow
from tests.botapi import BotApiServer

pytestmark = pytest.mark.db
CHATS = [61, 62, 63]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_messages_wait_out_a_bot_api_outage_and_it_is_logged_once(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    port = _free_port()
    api = BotApiServer(port=port)
    now = utcnow()
    async with database.session() as session:
        body_ids = await outbox.insert_bodies(
            session, ["kabar"] * len(CHATS), disable_notification=True, now=now
        )
        await outbox.enqueue(
            session,
            [
                {
                    "chat_id": chat,
                    "body_id": body,
                    "kind": "instant",
                    "dedupe_key": f"o{chat}",
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for chat, body in zip(CHATS, body_ids, strict=True)
            ],
        )
        await session.commit()
    request = HTTPXRequest(read_timeout=2.0, httpx_kwargs={"trust_env": False})
    bot = Bot(api.token, base_url=f"http://127.0.0.1:{port}/bot", request=request)
    settings = Settings(_env_file=None, send_rate_per_second=100)  # type: ignore[call-arg]
    sender = OutboxSender(
        bot,
        database,
        settings,
        worker_id="w-outage",
        max_attempts=3,
        backoff_base=0.05,
        poll_interval=0.05,
        flush_interval=0.02,
    )
    caplog.set_level(logging.INFO, logger="bot.sending.sender")
    runner = asyncio.create_task(sender.run())
    try:
        await asyncio.sleep(3)  # every send fails: nothing listens on the port
        async with api:
            await api.wait_for(lambda: len(api.sent) == len(CHATS), timeout=30)
            await asyncio.sleep(0.3)
    finally:
        await sender.stop()
        await runner
        await request.shutdown()
    async with database.session() as session:
        statuses = (await session.exec(select(OutboxItem.status))).all()
    assert statuses == ["sent"] * len(CHATS)
    messages = [r.getMessage() for r in caplog.records]
    assert sum("Bot API unreachable" in m for m in messages) == 1
    assert sum("reachable again" in m for m in messages) == 1
    assert not any("failed" in m and "times" in m for m in messages)
