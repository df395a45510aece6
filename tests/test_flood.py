"""RetryReplies: a command reply that meets a flood wait is sent after it; outbox sends are not."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.sending.flood import RetryReplies, outbox_send
from tests.botapi import BotApiServer
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)


@pytest.fixture
async def bot(botapi: BotApiServer) -> AsyncIterator[ExtBot]:  # noqa: F811
    request = HTTPXRequest(httpx_kwargs={"trust_env": False})
    extbot = ExtBot(
        botapi.token, base_url=botapi.base_url, request=request, rate_limiter=RetryReplies()
    )
    async with extbot:
        yield extbot


async def test_reply_meeting_a_flood_wait_arrives_after_the_wait(
    bot: ExtBot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    botapi.fail_next(42, 1, 429, retry_after=1)
    started = time.monotonic()
    message = await bot.send_message(chat_id=42, text="Pengaturan Anda")
    assert time.monotonic() - started >= 0.9
    assert [m.plain_text for m in botapi.sent_to(42)] == ["Pengaturan Anda"]
    assert message.chat_id == 42


async def test_outbox_sends_get_the_flood_wait_to_handle_themselves(
    bot: ExtBot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    botapi.fail_next(43, 1, 429, retry_after=1)
    with outbox_send(), pytest.raises(RetryAfter):
        await bot.send_message(chat_id=43, text="siaran")
    assert botapi.sent_to(43) == []


async def test_a_long_flood_wait_is_not_waited_out(
    bot: ExtBot,
    botapi: BotApiServer,  # noqa: F811
) -> None:
    botapi.fail_next(44, 1, 429, retry_after=60)
    started = time.monotonic()
    with pytest.raises(RetryAfter):
        await bot.send_message(chat_id=44, text="x")
    assert time.monotonic() - started < 5
