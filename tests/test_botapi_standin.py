"""The stand-in Bot API behaves like Telegram towards python-telegram-bot, over real HTTP."""

from __future__ import annotations

import asyncio
import html
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from tests.botapi import BotApiServer, BotApiThread, parse_html, read_state_file
from tests.botapi.html_parse import EntityParseError
from tests.botapi.ratelimit import FloodControl, RateLimits

pytest_plugins = ["tests.botapi.fixtures"]  # the botapi and botapi_thread fixtures

ROOT = Path(__file__).resolve().parents[1]


def make_bot(api: BotApiServer, token: str | None = None, **request_kwargs) -> Bot:
    request = HTTPXRequest(httpx_kwargs={"trust_env": False}, **request_kwargs)
    return Bot(token or api.token, base_url=api.base_url, request=request)


@pytest.fixture
async def bot(botapi: BotApiServer):
    async with make_bot(botapi) as client:
        yield client


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


# ----- sending and what the stand-in records --------------------------------------------------


async def test_sent_message_is_recorded_with_every_option_the_bot_chose(bot, botapi):
    message = await bot.send_message(
        42,
        '<b>Rapat pleno</b> &amp; <a href="https://kpu.go.id/x?a=1&amp;b=2">baca</a>',
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(("Kirim", "send:1")),
        disable_notification=True,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert message.text == "Rapat pleno & baca"
    assert message.chat.id == 42 and message.from_user.is_bot
    [sent] = botapi.sent_to(42)
    assert sent.message_id == message.message_id
    assert sent.parse_mode == "HTML"
    assert sent.plain_text == "Rapat pleno & baca"
    assert sent.disable_notification is True
    assert sent.link_preview_options == {"is_disabled": True}
    assert sent.buttons == [{"text": "Kirim", "callback_data": "send:1"}]
    assert {
        "type": "text_link",
        "offset": 14,
        "length": 4,
        "url": "https://kpu.go.id/x?a=1&b=2",
    } in (sent.entities)


async def test_message_ids_count_up_per_chat_like_a_private_chat(bot, botapi):
    first = await bot.send_message(1, "a")
    second = await bot.send_message(1, "b")
    other = await bot.send_message(2, "c")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)


@pytest.mark.parametrize(
    "html, reason",
    [
        ("<p>paragraf</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b>tebal", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("suara < 50%", 'Unsupported start tag "" at byte offset 6'),
        ("R&D KPU", 'Unescaped "&" at byte offset 1'),
        ("a > b", 'Unescaped ">" at byte offset 2'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<br/>", 'Unsupported start tag "br/"'),
    ],
)
async def test_html_that_telegram_refuses_is_refused(bot, html, reason):
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(7, html, parse_mode=ParseMode.HTML)
    # PTB drops "Bad Request: " and lower-cases the rest of Telegram's description
    assert caught.value.message.startswith("Can't parse entities: ")
    assert reason.lower() in caught.value.message.lower()


def test_every_documented_html_tag_parses_into_entities():
    text, entities = parse_html(
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>k</strike><del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler>'
        '<a href="https://kpu.go.id">a</a><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
        '<code>c</code><pre><code class="language-python">x = 1</code></pre>'
        "<blockquote>kutip</blockquote><blockquote expandable>panjang</blockquote>"
        "&lt;&gt;&amp;&quot;&#65;&#x42;"
    )
    assert text.endswith('kutippanjang<>&"AB')
    kinds = [e["type"] for e in entities]
    assert kinds.count("bold") == 2 and kinds.count("italic") == 2
    assert kinds.count("underline") == 2 and kinds.count("strikethrough") == 3
    assert kinds.count("spoiler") == 2
    for kind in ("text_link", "custom_emoji", "code", "pre", "blockquote", "expandable_blockquote"):
        assert kind in kinds
    assert next(e for e in entities if e["type"] == "pre")["language"] == "python"


@settings(max_examples=200, deadline=None)
@given(st.text(), st.booleans())
def test_any_text_escaped_with_html_escape_parses_back_to_itself(text, quote):
    assert parse_html(html.escape(text, quote=quote)) == (text, [])


def test_entity_offsets_count_utf16_units():
    text, entities = parse_html("😀 <b>tebal</b>")
    assert text == "😀 tebal"
    assert entities == [{"offset": 3, "length": 5, "type": "bold"}]


def test_lenient_mode_keeps_a_stray_ampersand_like_telegram_itself():
    assert parse_html("R&D &nbsp; a > b", strict=False)[0] == "R&D &nbsp; a > b"
    with pytest.raises(EntityParseError):
        parse_html("R&D")


async def test_text_length_is_counted_in_utf16_after_tags_are_removed(bot):
    await bot.send_message(8, "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    await bot.send_message(8, "😀" * 2048)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(8, "😀" * 2048 + "a")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(8, "&amp;" * 4097, parse_mode=ParseMode.HTML)


async def test_text_that_is_empty_after_parsing_is_refused(bot):
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(8, "<b> </b>\n", parse_mode=ParseMode.HTML)


async def test_callback_data_longer_than_64_bytes_is_refused(bot, botapi):
    await bot.send_message(9, "ok", reply_markup=keyboard(("Pilih", "é" * 32)))  # 64 bytes
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(9, "no", reply_markup=keyboard(("Pilih", "x" * 65)))
    assert [m.text for m in botapi.sent_to(9)] == ["ok"]


async def test_malformed_reply_markup_gets_telegrams_error_body(botapi):
    async with httpx.AsyncClient(trust_env=False) as client:
        url = f"{botapi.base_url}{botapi.token}/sendMessage"
        answers = [
            await client.post(url, data={"chat_id": "5", "text": "x", "reply_markup": "{oops"}),
            await client.post(
                url,
                data={
                    "chat_id": "5",
                    "text": "x",
                    "reply_markup": json.dumps({"inline_keyboard": [[{"text": "t"}]]}),
                },
            ),
        ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: can't parse reply keyboard markup JSON object",
    }
    assert "Text buttons are unallowed" in answers[1].json()["description"]


async def test_json_and_multipart_bodies_are_accepted_like_form_posts(botapi):
    url = f"{botapi.base_url}{botapi.token}/sendMessage"
    async with httpx.AsyncClient(trust_env=False) as client:
        as_json = await client.post(
            url, json={"chat_id": 11, "text": "<i>json</i>", "parse_mode": "HTML"}
        )
        as_multipart = await client.post(
            url, data={"chat_id": "11", "text": "multi"}, files={"dummy": ("f.txt", b"x")}
        )
        as_query = await client.get(url, params={"chat_id": "11", "text": "query"})
    assert [r.json()["ok"] for r in (as_json, as_multipart, as_query)] == [True] * 3
    assert [m.plain_text for m in botapi.sent_to(11)] == ["json", "multi", "query"]


# ----- errors and how PTB maps them -------------------------------------------------------------


async def test_blocked_and_deactivated_users_raise_forbidden(bot, botapi):
    botapi.block(100)
    botapi.deactivate(101)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(100, "halo")
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(101, "halo")
    botapi.push_message(100, "/start")  # writing to the bot again lifts the block
    await bot.send_message(100, "selamat datang kembali")
    assert [m.text for m in botapi.sent_to(100)] == ["selamat datang kembali"]


async def test_injected_429_raises_retry_after_and_is_counted(bot, botapi):
    botapi.fail_next(55, 2, 429, retry_after=3)
    for _ in range(2):
        with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
            await bot.send_message(55, "x")
    await bot.send_message(55, "x")
    stats = botapi.stats()
    assert (stats.injected_429, stats.too_many_requests, stats.sends_accepted) == (2, 2, 1)


async def test_injected_400_and_500_map_to_bad_request_and_network_error(bot, botapi):
    botapi.fail_next(56, 1, 400, description="Bad Request: chat not found")
    botapi.fail_next(56, 1, 500)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(56, "x")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(56, "x")
    assert [r.status for r in botapi.calls("sendMessage")] == [400, 500]


async def test_dropped_connection_is_a_network_error_and_a_hang_a_timeout(botapi):
    botapi.fail_next(57, 1, "drop")
    botapi.fail_next(57, 1, "hang")  # held until the client gives up
    async with make_bot(botapi, read_timeout=0.2) as bot:
        with pytest.raises(NetworkError) as dropped:
            await bot.send_message(57, "x")
        assert not isinstance(dropped.value, TimedOut)
        with pytest.raises(TimedOut):
            await bot.send_message(57, "x")
        await bot.send_message(57, "akhirnya")
    assert [m.text for m in botapi.sent_to(57)] == ["akhirnya"]


async def test_migrated_group_raises_chat_migrated_with_the_new_id(bot, botapi):
    botapi.migrate(-1234, -1001234)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-1234, "x")
    assert caught.value.new_chat_id == -1001234
    await bot.send_message(-1001234, "x")


async def test_wrong_token_and_unknown_method_are_refused(botapi):
    for token in ("999:wrong-but-well-formed", "not a token"):
        stranger = make_bot(botapi, token=token)
        with pytest.raises(InvalidToken, match="was rejected by the server"):
            await stranger.initialize()
        await stranger.shutdown()
    async with make_bot(botapi) as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("sendHologram", api_kwargs={"chat_id": 1})
    async with httpx.AsyncClient(trust_env=False) as client:
        wrong = await client.post(f"{botapi.base_url}999:abc/getMe")
        unknown = await client.post(f"{botapi.base_url}{botapi.token}/sendHologram")
    assert (wrong.status_code, wrong.json()) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )


# ----- flood control ----------------------------------------------------------------------------


def test_global_window_and_per_chat_bucket_refuse_with_retry_after():
    now = [1000.0]
    flood = FloodControl(RateLimits(global_per_second=3), clock=lambda: now[0])
    assert [flood.try_acquire(c) for c in range(4)] == [None, None, None, 1]
    now[0] += 1.01
    assert flood.try_acquire(9) is None

    flood.configure(RateLimits(per_chat_per_second=1.0, per_chat_burst=2))
    assert [flood.try_acquire(5) for _ in range(3)] == [None, None, 1]
    assert flood.try_acquire(6) is None  # other chats are not held back
    now[0] += 1.0
    assert flood.try_acquire(5) is None

    flood.configure(RateLimits(per_group_per_minute=20))
    assert [flood.try_acquire(-100) for _ in range(21)] == [None] * 20 + [60]
    assert flood.try_acquire(7) is None  # private chats are not group-limited
    now[0] += 30
    assert flood.try_acquire(-100) == 30


async def test_flood_limit_answers_429_like_telegram_and_counts_them(bot, botapi):
    botapi.set_limits(global_per_second=5)
    outcomes = []
    for chat_id in range(200, 208):
        try:
            await bot.send_message(chat_id, "digest")
            outcomes.append("ok")
        except RetryAfter:
            outcomes.append("429")
    assert outcomes == ["ok"] * 5 + ["429"] * 3
    assert botapi.stats().rate_limited == 3
    async with httpx.AsyncClient(trust_env=False) as client:
        answer = await client.post(
            f"{botapi.base_url}{botapi.token}/sendMessage", data={"chat_id": "1", "text": "x"}
        )
    body = answer.json()
    assert answer.status_code == 429 and body["error_code"] == 429
    assert (
        body["description"] == f"Too Many Requests: retry after {body['parameters']['retry_after']}"
    )


# ----- edits, callbacks, commands ---------------------------------------------------------------


async def test_edits_change_what_the_user_sees_and_no_op_edits_are_refused(bot, botapi):
    sent = await bot.send_message(60, "Pratinjau", reply_markup=keyboard(("Kirim", "go")))
    await bot.edit_message_text("<b>Terkirim</b>", 60, sent.message_id, parse_mode=ParseMode.HTML)
    now = botapi.message(60, sent.message_id)
    assert now["text"] == "Terkirim" and "reply_markup" not in now
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<b>Terkirim</b>", 60, sent.message_id, parse_mode="HTML")
    await bot.edit_message_reply_markup(60, sent.message_id, reply_markup=keyboard(("Ulang", "r")))
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", 60, 999)
    assert [e.method for e in botapi.edits] == ["editMessageText", "editMessageReplyMarkup"]
    assert botapi.message(60, sent.message_id)["reply_markup"]["inline_keyboard"][0][0]["text"] == (
        "Ulang"
    )
    await bot.edit_message_reply_markup(60, sent.message_id)  # no markup: keyboard removed
    assert "reply_markup" not in botapi.message(60, sent.message_id)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(60, sent.message_id, reply_markup=keyboard())
    assert len(botapi.edits) == 3


async def test_button_press_reaches_the_bot_and_is_answered_once(bot, botapi):
    sent = await bot.send_message(61, "Siaran?", reply_markup=keyboard(("✅ Kirim", "b:send")))
    with pytest.raises(ValueError, match="no button"):
        botapi.push_callback(61, sent.message_id, "b:forged")
    botapi.press(61, "Kirim")
    [update] = await bot.get_updates(timeout=1)
    query = update.callback_query
    assert (query.data, query.message.message_id, query.from_user.id) == ("b:send", 1, 61)
    assert await query.answer("Dikirim")
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer("lagi")
    [answer] = botapi.callback_answers
    assert (answer.text, answer.chat_id, answer.message_id) == ("Dikirim", 61, 1)


async def test_command_menus_are_kept_per_scope_and_language(bot, botapi):
    await bot.set_my_commands([BotCommand("start", "Mulai"), BotCommand("help", "Bantuan")])
    await bot.set_my_commands(
        [BotCommand("stats", "Statistik")], scope=BotCommandScopeChat(77), language_code="id"
    )
    await bot.set_my_commands([BotCommand("digest", "Ringkasan")], BotCommandScopeAllPrivateChats())
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert botapi.visible_commands(77, "id") == [{"command": "stats", "description": "Statistik"}]
    assert botapi.visible_commands(78)[0]["command"] == "digest"
    await bot.delete_my_commands(BotCommandScopeAllPrivateChats())
    assert botapi.visible_commands(78)[0]["command"] == "start"
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "Mulai")])


async def test_chat_actions_are_checked_and_recorded(bot, botapi):
    assert await bot.send_chat_action(62, "typing")
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(62, "dancing")
    assert [(c, a) for c, a, _ in botapi.chat_actions] == [(62, "typing")]


# ----- updates and long polling -----------------------------------------------------------------


async def test_long_poll_returns_as_soon_as_a_user_writes(bot, botapi):
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await botapi.wait_for_poll()
    botapi.push_message(42, "/langganan teknis", first_name="Ani")
    [update] = await poll
    assert time.monotonic() - started < 2
    message = update.message
    assert (message.chat.id, message.from_user.first_name, message.text) == (
        42,
        "Ani",
        "/langganan teknis",
    )
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 10
    # the next poll confirms it; an empty poll waits out its timeout
    started = time.monotonic()
    assert await bot.get_updates(offset=update.update_id + 1, timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 2
    assert botapi.pending_updates == []


async def test_get_updates_honours_offset_limit_and_allowed_updates(bot, botapi):
    for i in range(4):
        botapi.push_message(46, f"pesan {i}")
    sent = await bot.send_message(46, "pilih", reply_markup=keyboard(("Ya", "y")))
    botapi.press(46, "Ya", message_id=sent.message_id)
    first_two = await bot.get_updates(limit=2)
    assert [u.message.text for u in first_two] == ["pesan 0", "pesan 1"]
    [last] = await bot.get_updates(offset=-1)  # forgets everything before the newest
    assert last.callback_query.data == "y"
    botapi.push_message(46, "lagi")
    botapi.press(46, "Ya", message_id=sent.message_id)
    only_messages = await bot.get_updates(offset=last.update_id + 1, allowed_updates=["message"])
    assert [u.message.text for u in only_messages] == ["lagi"]


async def test_user_replies_carry_the_replied_message_and_link_entities(bot, botapi):
    first = botapi.push_message(43, "Lihat https://kpu.go.id/berita/baca/1/x ya")
    botapi.push_message(43, "/ringkas", reply_to=first["message"]["message_id"])
    updates = await bot.get_updates()
    url_entity = updates[0].message.entities[0]
    assert updates[0].message.parse_entity(url_entity) == "https://kpu.go.id/berita/baca/1/x"
    assert updates[1].message.reply_to_message.text.startswith("Lihat https://")


async def test_a_second_poller_ends_the_first_with_conflict(botapi):
    async with make_bot(botapi) as first, make_bot(botapi) as second:
        waiting = asyncio.create_task(first.get_updates(timeout=5))
        await botapi.wait_for_poll()
        newer = asyncio.create_task(second.get_updates(timeout=0))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await waiting
        await newer


async def test_a_poll_whose_client_hung_up_ends_without_taking_updates(bot, botapi):
    abandoned = asyncio.create_task(bot.get_updates(timeout=30))
    await botapi.wait_for_poll()
    abandoned.cancel()  # like a bot process that stops or is killed mid-poll
    [record] = await botapi.wait_for(lambda: botapi.calls("getUpdates"), timeout=2)
    assert (record.status, record.description) == (0, "client disconnected during the long poll")
    botapi.push_message(45, "masih di sini?")
    [update] = await bot.get_updates(timeout=1)
    assert update.message.text == "masih di sini?"


async def test_polling_while_a_webhook_is_set_is_a_conflict(bot, botapi):
    await bot.set_webhook("http://127.0.0.1:9/hook")
    assert (await bot.get_webhook_info()).url == "http://127.0.0.1:9/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_webhook_receives_pushed_updates_with_the_secret(bot, botapi):
    received: list[tuple[dict, str]] = []
    got_one = asyncio.Event()

    async def hook(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        headers = dict(line.split(": ", 1) for line in head.split("\r\n")[1:] if ": " in line)
        headers = {k.lower(): v for k, v in headers.items()}
        body = await reader.readexactly(int(headers["content-length"]))
        received.append((json.loads(body), headers.get("x-telegram-bot-api-secret-token")))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()
        got_one.set()

    server = await asyncio.start_server(hook, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/tg", secret_token="s3cret")
        botapi.push_message(44, "/start")
        await asyncio.wait_for(got_one.wait(), 5)
        await botapi.wait_for(lambda: not botapi.pending_updates)
    finally:
        await bot.delete_webhook()
        server.close()
    [(update, secret)] = received
    assert update["message"]["text"] == "/start" and secret == "s3cret"


async def test_ptb_application_polls_in_telegrams_call_order(botapi):
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_html(
            "Selamat datang, <b>Ani</b>!", reply_markup=keyboard(("Langganan", "sub"))
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("Oke")
        await update.callback_query.edit_message_text("Berlangganan ✅")

    request = HTTPXRequest(httpx_kwargs={"trust_env": False})
    app = (
        Application.builder()
        .token(botapi.token)
        .base_url(botapi.base_url)
        .request(request)
        .get_updates_request(HTTPXRequest(httpx_kwargs={"trust_env": False}))
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        await app.updater.start_polling(timeout=1, poll_interval=0)
        botapi.push_message(42, "/start")
        [welcome] = await botapi.wait_for_sent(42)
        botapi.press(42, "Langganan")
        await botapi.wait_for(lambda: botapi.edits)
        await app.updater.stop()
        await app.stop()
    methods = [r.method for r in botapi.requests]
    assert methods[:3] == ["getMe", "deleteWebhook", "getUpdates"]
    assert welcome.plain_text == "Selamat datang, Ani!" and welcome.parse_mode == "HTML"
    assert botapi.message(42, welcome.message_id)["text"] == "Berlangganan ✅"
    assert botapi.callback_answers[0].text == "Oke"
    answered = [r for r in botapi.calls("getUpdates") if r.status == 200]
    assert answered[-1].params["timeout"] == "0" and botapi.pending_updates == []


async def test_ptb_webhook_mode_receives_updates_from_the_stand_in(botapi):
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("halo dari webhook")

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = HTTPXRequest(httpx_kwargs={"trust_env": False})
    app = (
        Application.builder().token(botapi.token).base_url(botapi.base_url).request(request).build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="tg",
            webhook_url=f"http://127.0.0.1:{port}/tg",
            secret_token="rahasia",
        )
        botapi.push_message(47, "/start")
        [reply] = await botapi.wait_for_sent(47)
        await app.updater.stop()
        await app.stop()
    assert reply.text == "halo dari webhook"
    assert botapi.webhook["secret_token"] == "rahasia"
    assert [status for _, status, _ in botapi.webhook_deliveries] == [200]


# ----- observing: waits, statistics, state file --------------------------------------------------


async def test_wait_for_wakes_on_the_request_and_times_out_with_a_report(bot, botapi):
    sender = asyncio.create_task(bot.send_message(70, "hai"))
    started = time.monotonic()
    [message] = await botapi.wait_for_sent(70, timeout=5)
    assert message.text == "hai" and time.monotonic() - started < 1
    await sender
    with pytest.raises(TimeoutError, match=r"last bot requests: .*sendMessage->200"):
        await botapi.wait_for(lambda: botapi.sent_to(71), timeout=0.05)


async def test_duplicates_are_counted_by_a_caller_chosen_key(bot, botapi, tmp_path):
    for chat_id, text in [(1, "Digest A"), (1, "Digest A"), (2, "Digest A"), (2, "Digest B")]:
        await bot.send_message(chat_id, text)
    assert botapi.duplicates() == {(1, "Digest A"): 2}
    stats = botapi.stats()
    assert (stats.sends_accepted, stats.unique_deliveries, stats.duplicates) == (4, 3, 1)
    assert sum(stats.per_second) == 4
    assert botapi.stats(key=lambda m: m.chat_id).duplicates == 2
    persisted = read_state_file(botapi.state_file_path)
    assert [(m.chat_id, m.text) for m in persisted] == [(m.chat_id, m.text) for m in botapi.sent]


ECHO_BOT = """
import sys
from telegram.ext import Application, MessageHandler, filters
from telegram.request import HTTPXRequest

async def echo(update, context):
    await update.message.reply_text("echo: " + update.message.text)

def request():
    return HTTPXRequest(httpx_kwargs={"trust_env": False})

app = (Application.builder().token(sys.argv[1]).base_url(sys.argv[2])
       .request(request()).get_updates_request(request()).build())
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(timeout=1, poll_interval=0)
"""


class EchoBotProcess:
    """The echo bot above as a separate OS process that a test can kill like a crash."""

    def __init__(self, api: BotApiServer, script: Path) -> None:
        self.api, self.script = api, script
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.script.write_text(ECHO_BOT)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, str(self.script), self.api.token, self.api.base_url, cwd=ROOT
        )
        await self.api.wait_for_poll(timeout=10)

    async def kill(self) -> None:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.kill()  # SIGKILL: no graceful stop, no final confirming getUpdates
            await self.process.wait()


async def test_updates_sent_while_the_bot_was_down_arrive_after_restart(botapi, tmp_path):
    bot = EchoBotProcess(botapi, tmp_path / "echo_bot.py")
    try:
        await bot.start()
        botapi.push_message(90, "satu")
        await botapi.wait_for_sent(90, 1, timeout=10)
        # the bot's next poll carries the offset that confirms "satu"
        await botapi.wait_for(lambda: botapi.polling and not botapi.pending_updates)
        await bot.kill()
        botapi.push_message(90, "dua")
        await bot.start()
        await botapi.wait_for_sent(90, 2, timeout=10)
    finally:
        await bot.kill()
    assert [m.text for m in read_state_file(botapi.state_file_path)] == ["echo: satu", "echo: dua"]
    assert botapi.duplicates() == {}


async def test_a_crash_before_confirming_an_update_shows_up_as_a_duplicate(botapi, tmp_path):
    bot = EchoBotProcess(botapi, tmp_path / "echo_bot.py")
    try:
        await bot.start()
        # the poll after the one that delivers "satu" never arrives at the server
        botapi.fail_next(None, 1, "hang", method="getUpdates")
        botapi.push_message(91, "satu")
        await botapi.wait_for_sent(91, 1, timeout=10)
        await botapi.wait_for(lambda: botapi.pending_failures == 0, timeout=10)
        await bot.kill()
        await bot.start()  # Telegram hands the unconfirmed update out again
        await botapi.wait_for_sent(91, 2, timeout=10)
    finally:
        await bot.kill()
    assert botapi.duplicates() == {(91, "echo: satu"): 2}
    assert botapi.stats().duplicates == 1


# ----- other ways to run it -----------------------------------------------------------------------


def test_background_thread_server_serves_a_synchronous_client(botapi_thread):
    api = botapi_thread
    api.push_message(5, "/start")
    with httpx.Client(trust_env=False) as client:
        updates = client.post(f"{api.base_url}{api.token}/getUpdates", data={"timeout": "1"}).json()
        assert updates["result"][0]["message"]["text"] == "/start"
        client.post(f"{api.base_url}{api.token}/sendMessage", data={"chat_id": "5", "text": "hai"})
    assert api.wait_for_sync(lambda: api.sent_to(5), timeout=2)[0].text == "hai"


async def test_thread_server_can_be_awaited_from_another_loop():
    with BotApiThread() as api:
        async with make_bot(api) as bot:
            waiting = asyncio.create_task(api.wait_for(lambda: api.sent_to(3), timeout=3))
            await bot.send_message(3, "dari loop lain")
            assert (await waiting)[0].text == "dari loop lain"


async def test_control_http_api_drives_a_standalone_process(tmp_path):
    state = tmp_path / "sent.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.botapi", "--port", "0", "--state-file", str(state)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        info = json.loads(process.stdout.readline())
        control = info["control_url"]
        async with httpx.AsyncClient(trust_env=False) as client:
            pushed = await client.post(
                f"{control}/push_message", json={"user_id": 9, "text": "/start"}
            )
            assert pushed.json()["result"]["message"]["text"] == "/start"
            await client.post(f"{control}/fail_next", json={"chat_id": 9, "kind": 403})
            await client.post(f"{control}/limits", json={"global_per_second": 100})
            api_url = f"{info['base_url']}{info['token']}"
            forbidden = await client.post(
                f"{api_url}/sendMessage", data={"chat_id": 9, "text": "a"}
            )
            ok = await client.post(f"{api_url}/sendMessage", data={"chat_id": 9, "text": "b"})
            waited = await client.get(f"{control}/wait", params={"sent": 1, "timeout": 2})
            stats = (await client.get(f"{control}/stats")).json()["result"]
            sent = (await client.get(f"{control}/sent", params={"chat_id": 9})).json()["result"]
            await client.post(f"{control}/shutdown")
        assert (forbidden.status_code, ok.status_code, waited.json()["result"]) == (403, 200, 1)
        assert stats["sends_accepted"] == 1 and stats["errors_by_status"] == {"403": 1}
        assert [m["text"] for m in sent] == ["b"]
        assert process.wait(timeout=5) == 0
        assert [m.text for m in read_state_file(state)] == ["b"]
    finally:
        if process.poll() is None:
            process.kill()


async def test_keep_alive_clients_in_parallel_all_get_answers(botapi):
    # Throughput is measured by bench/fanout.py, not asserted here.
    async def client(worker: int, count: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", botapi.port)
        for i in range(count):
            body = urlencode(
                {
                    "chat_id": str(worker * 1000 + i),
                    "text": f"<b>Digest</b> {i}",
                    "parse_mode": "HTML",
                }
            ).encode()
            writer.write(
                f"POST /bot{botapi.token}/sendMessage HTTP/1.1\r\nHost: t\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200")
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
        writer.close()

    await asyncio.gather(*(client(w, 200) for w in range(10)))
    assert botapi.stats().sends_accepted == 2000
