"""End to end: /ringkas of a decompression bomb is refused with a reason, and the bot keeps
answering everyone else meanwhile (the decoded size is capped as it is produced)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from digests.sample.loopback import LoopbackServer, Response, Site
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.e2e_helpers import (
    OTHER_ID,
    STAFF_ID,
    BotHarness,
    BotStarter,
    start_bot,  # noqa: F401  (fixture)
)
from tests.hostile_servers import gzip_bomb

pytestmark = pytest.mark.db

LISTING = "/index.php/blog/category/104"


@pytest.fixture
def bomb_site() -> Iterator[str]:
    with LoopbackServer() as server:
        site = Site(
            {
                LISTING: Response(b"<html></html>"),
                "/index.php/blog/read/1_bom": Response(
                    gzip_bomb(), headers={"Content-Encoding": "gzip, gzip"}
                ),
            }
        )
        yield server.add_site(site)


@pytest.fixture
async def bot(
    start_bot: BotStarter,  # noqa: F811
    bomb_site: str,
) -> AsyncIterator[BotHarness]:
    async with start_bot([("KPU Bom", bomb_site + LISTING)]) as harness:
        yield harness


async def test_summary_of_a_gzip_bomb_is_refused_and_others_are_answered_meanwhile(
    bot: BotHarness, bomb_site: str
) -> None:
    summary = asyncio.create_task(
        bot.say(STAFF_ID, f"/ringkas {bomb_site}/index.php/blog/read/1_bom", timeout=30)
    )
    await asyncio.sleep(0.05)
    asked = time.monotonic()
    help_reply = await bot.say(OTHER_ID, "/bantuan", timeout=10)
    answered_in = time.monotonic() - asked
    reply = await summary
    assert "/langganan" in help_reply.plain_text and answered_in < 1.0, answered_in
    assert "tidak bisa saya ringkas" in reply.plain_text
    assert "melebihi 5 MB setelah dibuka" in reply.plain_text
