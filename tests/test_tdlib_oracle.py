"""TDLib's parser as the stand-in Bot API's oracle, and the bot's messages that it refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from telegram import Bot
from telegram.error import BadRequest
from telegram.request import HTTPXRequest

from digests.delivery.entries import DigestEntry
from digests.delivery.render import render_article
from digests.store.models import Article
from tests.botapi import tdlib
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.botapi.server import BotApiServer
from tests.e2e_helpers import (
    ADMIN_ID,
    STAFF_ID,
    BotHarness,
    staff_bot,  # noqa: F401  (the `bot` fixture)
)

needs_tdlib = pytest.mark.skipif(not tdlib.available(), reason="tdjson (a dev dependency) absent")
INVISIBLE = "\u200b\u2800"


@pytest.fixture
async def client(botapi: BotApiServer) -> AsyncIterator[Bot]:  # noqa: F811
    request = HTTPXRequest(httpx_kwargs={"trust_env": False})
    async with Bot(botapi.token, base_url=botapi.base_url, request=request) as bot:
        yield bot


@needs_tdlib
@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ('<a href="https://kpu.go.id/\x00">berita</a>', "can't parse entities"),
        (INVISIBLE, "message text is empty"),
        (f"<b>{INVISIBLE}</b>", "message text is empty"),
        ("<b></b>", "message text is empty"),
    ],
    ids=["nul-in-href", "invisible", "invisible-bold", "empty-bold"],
)
async def test_what_tdlib_refuses_the_stand_in_refuses(client: Bot, html: str, reason: str) -> None:
    with pytest.raises(BadRequest, match=f"(?i){reason}"):
        await client.send_message(STAFF_ID, html, parse_mode="HTML")


@needs_tdlib
async def test_what_tdlib_accepts_the_stand_in_accepts_as_tdlib_reads_it(
    botapi: BotApiServer,  # noqa: F811
    client: Bot,
) -> None:
    botapi.strict_html = False  # Telegram's own leniency, without the documentation's rule
    await client.send_message(STAFF_ID, "&foo; <a>tanpa tautan</a> <B>tebal</B>", parse_mode="HTML")
    sent = botapi.sent_to(STAFF_ID)[-1]
    assert sent.plain_text == "&foo; tanpa tautan tebal"
    assert [e["type"] for e in sent.entities] == ["bold"]


def test_without_tdlib_the_hand_written_copy_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.botapi import validate

    monkeypatch.setattr(tdlib, "available", lambda: False)
    plain, entities = validate.format_text("<b>tebal</b>", "HTML", None, strict_html=True)
    assert (plain, entities[0]["type"]) == ("tebal", "bold")


@needs_tdlib
def test_an_article_url_with_a_nul_renders_as_a_link_telegram_accepts() -> None:
    entry = DigestEntry(title="Rapat Pleno", url="https://kpu.go.id/berita/baca/9/rapat\x00pleno")
    plain, entities = tdlib.parse_html(render_article(entry, ZoneInfo("Asia/Jakarta")))
    assert "Rapat Pleno" in plain
    links = [e["url"] for e in entities if e["type"] == "text_link"]
    assert links == ["https://kpu.go.id/berita/baca/9/rapat%00pleno"]


@needs_tdlib
@pytest.mark.db
async def test_an_article_with_an_invisible_title_is_still_a_visible_link(bot: BotHarness) -> None:
    async with bot.db.session() as session:
        session.add(
            Article(
                url="https://jatim.kpu.go.id/blog/read/7_tanpa-judul",
                source_name="KPU Jatim",
                title=INVISIBLE,
                text="Rapat koordinasi logistik pemilu.",
                lead=["Rapat koordinasi logistik pemilu digelar di Surabaya."],
                divisions=["teknis"],
                content_hash="inv1",
                published_at=datetime.now(UTC),
            )
        )
        await session.commit()
    reply = await bot.say(STAFF_ID, "/terbaru")
    links = [e for e in reply.entities if e["type"] == "text_link"]
    units = reply.plain_text.encode("utf-16-le")
    start, length = links[0]["offset"] * 2, links[0]["length"] * 2
    assert units[start : start + length].decode("utf-16-le") == "jatim.kpu.go.id"


@needs_tdlib
@pytest.mark.db
async def test_an_invisible_announcement_is_refused_with_the_usage(bot: BotHarness) -> None:
    reply = await bot.say(ADMIN_ID, f"/siaran {INVISIBLE}")
    assert "/siaran" in reply.plain_text and not reply.buttons
