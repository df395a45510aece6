"""ShardedHTTPXRequest: the bot's Bot API client, against the stand-in over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import Forbidden, RetryAfter

from bot.sending.request import ShardedHTTPXRequest
from tests.botapi import BotApiServer
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)


@pytest.fixture
async def small_pools() -> AsyncIterator[ShardedHTTPXRequest]:
    request = ShardedHTTPXRequest(
        shards=3, shard_size=2, pool_timeout=10.0, httpx_kwargs={"trust_env": False}
    )
    yield request


async def test_more_sends_in_flight_than_connections_all_arrive_once(
    botapi: BotApiServer,  # noqa: F811
    small_pools: ShardedHTTPXRequest,
) -> None:
    bot = Bot(botapi.token, base_url=botapi.base_url, request=small_pools)
    async with bot:
        messages = await asyncio.gather(
            *(bot.send_message(chat_id=500 + i, text=f"pesan {i}") for i in range(40))
        )
    assert sorted(m.chat_id for m in messages) == [500 + i for i in range(40)]
    assert sorted(m.chat_id for m in botapi.sent) == [500 + i for i in range(40)]
    assert botapi.duplicates() == {}


async def test_flood_wait_and_block_still_raise_telegram_errors(
    botapi: BotApiServer,  # noqa: F811
    small_pools: ShardedHTTPXRequest,
) -> None:
    botapi.fail_next(7, 1, 429, retry_after=3)
    botapi.block(8)
    bot = Bot(botapi.token, base_url=botapi.base_url, request=small_pools)
    async with bot:
        with pytest.raises(RetryAfter):
            await bot.send_message(chat_id=7, text="a")
        with pytest.raises(Forbidden):
            await bot.send_message(chat_id=8, text="b")
        assert (await bot.send_message(chat_id=7, text="c")).chat_id == 7


def test_pools_must_have_room() -> None:
    with pytest.raises(ValueError):
        ShardedHTTPXRequest(shards=0)
