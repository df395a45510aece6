"""Hostile chat input against the real bot over real HTTP (stand-in Bot API), as property tests.

Every command and alias of PRODUCT.md, from staff and from admins, with random arguments
(markup meant literally, emoji, Arabic and Hebrew, bidi controls, control characters, up to
10 KB) and random names; forged callback data on the bot's own buttons; one user flooding the
bot while another keeps working. The bot always answers or refuses, never with its error
apology, never with a message Telegram would refuse (no 400 in the stand-in's log), and never
shows a user's markup as formatting.

One bot serves all examples: it runs with the stand-in on an event loop in a background
thread, and the (synchronous) Hypothesis tests talk to it from the test thread.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
import time
from collections.abc import AsyncIterator, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.guards import PolitenessLimit
from digests import texts
from digests.store.db import Database
from digests.store.models import Article, Broadcast
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.botapi.records import SentMessage
from tests.botapi.server import BotApiServer
from tests.dbutil import fresh_database_url
from tests.e2e_helpers import (
    ADMIN_ID,
    OTHER_ID,
    STAFF_ID,
    BotHarness,
    forge_callback,
    make_settings,
    running_bot,
)
from tests.hostile_strategies import (
    any_hostile_text,
    as_telegram_delivers,
    hostile_text,
    squeeze,
)

pytestmark = pytest.mark.db

PROSE = (
    "Ketua KPU Jatim, Eko Sasmito mengatakan tahapan pemilu berjalan lancar di seluruh "
    "kabupaten dan kota. “Kami memastikan coklit data pemilih selesai tepat waktu,” kata Eko."
)

T = TypeVar("T")

STAFF_COMMANDS = (
    "start",
    "help",
    "bantuan",
    "divisions",
    "divisi",
    "subscribe",
    "langganan",
    "unsubscribe",
    "berhenti",
    "time",
    "waktu",
    "digest",
    "ringkasan",
    "latest",
    "terbaru",
    "summary",
    "ringkas",
    "search",
    "cari",
    "settings",
    "pengaturan",
    "hapusdata",
    "region",
    "wilayah",
)
ADMIN_COMMANDS = (
    "broadcast",
    "siaran",
    "stats",
    "statistik",
    "sources",
    "sumber",
    "crawl",
    "perbarui",
    "addsource",
    "removesource",
    "report",
    "laporan",
)
ADMIN_IDS = tuple(range(900_001, 900_041))

# Markup with a marker inside. Shown literally, each marker follows its own markup; a bot that
# echoed it unescaped would show the marker alone (bold, a link, a spoiler) or decode the entity.
PROBES = {
    "<b>⁂1</b>": "<b>",
    '<a href="javascript:alert(1)">⁂2</a>': '">',
    "<tg-spoiler>⁂3</tg-spoiler>": "<tg-spoiler>",
    "&amp;⁂4": "&amp;",
    "<i>⁂5": "<i>",
    "&lt;⁂6": "&lt;",
}
# Telegram delivers no lone surrogates and cleans control characters (`as_telegram_delivers`);
# everything else a client can type is fair game.
ARGS = any_hostile_text(surrogates=False)
NAMES = st.one_of(st.just("Pengguna"), hostile_text(max_fragments=6, control=False))


# --- one bot for the whole module, on its own loop ------------------------------------------


class _LoopThread:
    """An event loop in a daemon thread; `run` hands it a coroutine and waits for the result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


@dataclass
class LiveBot:
    loop: _LoopThread
    harness: BotHarness
    started_at: int  # index in the request log once start-up was done
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(100_001))
    admins: Iterator[int] = field(default_factory=lambda: itertools.cycle(ADMIN_IDS))

    @property
    def api(self) -> BotApiServer:
        return self.harness.api

    def write(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Pengguna",
        reply_to: int | None = None,
        timeout: float = 15,
    ) -> list[SentMessage]:
        """`user_id` sends `text`; the bot's replies once it has answered at least once."""
        before = len(self.api.sent_to(user_id))
        self.api.push_message(user_id, text, first_name=first_name, reply_to=reply_to)
        self.api.wait_for_sync(lambda: len(self.api.sent_to(user_id)) > before, timeout)
        return self.api.sent_to(user_id)[before:]

    def buttons_for(self, user_id: int, text: str) -> SentMessage:
        """`user_id` sends `text`; the bot's reply that carries buttons."""
        before = len(self.api.sent_to(user_id))
        self.api.push_message(user_id, text)

        def with_buttons() -> SentMessage | None:
            return next((m for m in self.api.sent_to(user_id)[before:] if m.buttons), None)

        return self.api.wait_for_sync(with_buttons, 15)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBot]:
    tmp: Path = tmp_path_factory.mktemp("hostile")
    loop = _LoopThread()
    try:
        with fresh_database_url(tmp) as db_url:
            api = loop.run(BotApiServer(state_file=str(tmp / "botapi-sent.jsonl")).start())
            db = loop.run(_database(db_url))
            settings_ = make_settings(
                api,
                db_url,
                tmp,
                admin_ids=list(ADMIN_IDS),
                allowed_summary_hosts=["summary.invalid"],  # no link here is ever fetched
            )
            # The flood test below checks the politeness limit; here it would only get in the way.
            bot = running_bot(api, settings_, db, politeness=PolitenessLimit(max_updates=10**6))
            live = LiveBot(loop, loop.run(bot.__aenter__()), started_at=len(api.requests))
            try:
                yield live
            finally:
                loop.run(bot.__aexit__(None, None, None))
                loop.run(db.dispose())
                loop.run(api.stop())
            # Late answers too (a crawl report, a broadcast's parts): never the apology.
            assert texts.ERROR not in [m.plain_text for m in api.sent]
            assert texts.ERROR not in [a.text for a in api.callback_answers]
            _check_no_refusals(live)
    finally:
        loop.close()


async def _database(url: str) -> Database:
    return Database(url)


# --- what every reply must satisfy ------------------------------------------------------------


def _check_replies(live: LiveBot, messages: list[SentMessage]) -> None:
    for message in messages:
        assert message.plain_text != texts.ERROR, "the bot crashed on this input"
        for entity in message.entities:
            assert entity["type"] not in ("spoiler", "custom_emoji"), message.text
            assert not entity.get("url", "").lower().startswith("javascript"), message.text
        for probe, before in PROBES.items():
            marker = probe[probe.index("⁂") : probe.index("⁂") + 2]
            at = message.plain_text.find(marker)
            while at >= 0:
                assert message.plain_text[:at].endswith(before), (
                    f"{probe!r} was not shown literally: {message.plain_text!r}"
                )
                at = message.plain_text.find(marker, at + 1)
    _check_no_refusals(live)


def _check_no_refusals(live: LiveBot) -> None:
    refused = [
        (r.method, r.description)
        for r in live.api.requests[live.started_at :]
        if r.status == 400 and "not modified" not in (r.description or "")
    ]
    assert refused == [], "Telegram would have refused these"


def _compose(command: str, args: str, probe: str | None, newline: bool) -> str:
    if probe is not None:
        cut = len(args) // 2
        args = f"{args[:cut]} {probe} {args[cut:]}"
    separator = "\n" if newline else " "
    return f"/{command}{separator}{args}".rstrip()


# --- commands ---------------------------------------------------------------------------------


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    command=st.sampled_from(STAFF_COMMANDS + ADMIN_COMMANDS),
    args=ARGS,
    probe=st.one_of(st.none(), st.sampled_from(sorted(PROBES))),
    as_admin=st.booleans(),
    newline=st.booleans(),
    first_name=NAMES,
)
@example(
    command="cari", args="", probe="<b>⁂1</b>", as_admin=False, newline=False, first_name="<b>"
)
@example(
    command="langganan",
    args="data, #<i>x</i>",
    probe="&amp;⁂4",
    as_admin=False,
    newline=False,
    first_name="Pengguna",
)
@example(
    command="siaran",
    args="#data\n<b>halo</b> & </a>",
    probe="<tg-spoiler>⁂3</tg-spoiler>",
    as_admin=True,
    newline=True,
    first_name="Pengguna",
)
@example(
    command="waktu",
    args="٠٧:٠٠,25:99",
    probe="<i>⁂5",
    as_admin=False,
    newline=False,
    first_name="Pengguna",
)
@example(
    command="terbaru", args="٣", probe=None, as_admin=False, newline=False, first_name="Pengguna"
)
@example(
    command="addsource",
    args="javascript:alert(1) <b>x",
    probe=None,
    as_admin=True,
    newline=False,
    first_name="Pengguna",
)
@example(
    command="removesource",
    args="x" * 10_000,
    probe="&lt;⁂6",
    as_admin=True,
    newline=False,
    first_name="Pengguna",
)
@example(
    command="ringkas",
    args="😀" * 3000,
    probe=None,
    as_admin=False,
    newline=False,
    first_name="Pengguna",
)
@example(command="cari", args="a%_\\", probe=None, as_admin=False, newline=False, first_name="P")
def test_any_command_with_any_arguments_is_answered_safely(
    live: LiveBot,
    command: str,
    args: str,
    probe: str | None,
    as_admin: bool,
    newline: bool,
    first_name: str,
) -> None:
    user = next(live.admins) if as_admin else next(live.ids)
    text = as_telegram_delivers(_compose(command, args, probe, newline))
    name = as_telegram_delivers(first_name).strip() or "Pengguna"
    replies = live.write(user, text, first_name=name)
    _check_replies(live, replies)
    if command in ADMIN_COMMANDS and not as_admin:
        assert [m.plain_text for m in replies] == [texts.NOT_ADMIN]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=ARGS, first_name=NAMES)
def test_plain_text_and_unknown_commands_get_a_hint(
    live: LiveBot, text: str, first_name: str
) -> None:
    user = next(live.ids)
    text = as_telegram_delivers(text).strip() or "/"
    name = as_telegram_delivers(first_name).strip() or "Pengguna"
    replies = live.write(user, text, first_name=name)
    _check_replies(live, replies)


# --- stored articles and pasted text with hostile content -------------------------------------

# What a crawled page can leave in an article: no control characters (extraction removes them)
# and no lone surrogates (a database cannot store them).
STORED = hostile_text(max_fragments=20, control=False).map(
    lambda text: re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)
)
_URL_TAILS = st.sampled_from(["", '?a=1&b="2"', "#<b>", "?q=<tg-spoiler>&amp;", "%3Cb%3E"])
_serial = itertools.count(1)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    title=STORED,
    lead=st.lists(STORED, min_size=1, max_size=3),
    quote=STORED,
    speaker=st.one_of(st.none(), STORED),
    site=STORED,
    tail=_URL_TAILS,
)
def test_stored_articles_with_markup_are_shown_literally(
    live: LiveBot,
    title: str,
    lead: list[str],
    quote: str,
    speaker: str | None,
    site: str,
    tail: str,
) -> None:
    n = next(_serial)
    token = f"kataunik{n}x"
    article = Article(
        url=f"https://kpu.go.id/berita/baca/{n}/x{tail}",
        source_name=site,
        title=f"{token} {title}",
        text=" ".join(lead),
        lead=lead,
        quotes=[{"text": quote, "speaker": speaker}],
        divisions=["data"],
        content_hash=f"hostile-{n}",
        published_at=datetime.now(UTC) + timedelta(days=n),  # the newest of all
    )
    live.loop.run(_store(live, article))
    user = next(live.ids)
    for command in ("/terbaru 1", f"/cari {token}"):
        replies = live.write(user, command)
        _check_replies(live, replies)
        shown = "\n".join(m.plain_text for m in replies)
        assert f"{token} {title}".strip() in shown or len(title) > 300
        if len(" ".join(lead)) < 300:
            assert " ".join(" ".join(lead).split()) in " ".join(shown.split())
        links = [e["url"] for m in replies for e in m.entities if e["type"] == "text_link"]
        assert article.url in links


async def _store(live: LiveBot, article: Article) -> None:
    async with live.harness.db.session() as session:
        session.add(article)
        await session.commit()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=ARGS, prose=st.booleans())
def test_summarising_any_shared_text_answers_safely(live: LiveBot, text: str, prose: bool) -> None:
    """A user shares a text (maybe an article with markup in it) and replies /ringkas to it."""
    user = next(live.ids)
    if prose:
        text = PROSE + "\n" + text + "\n" + PROSE
    shared = as_telegram_delivers(text).strip() or "?"
    before = len(live.api.sent_to(user))
    update = live.api.push_message(user, shared)
    live.api.wait_for_sync(lambda: len(live.api.sent_to(user)) > before, 15)
    replies = live.write(user, "/ringkas", reply_to=update["message"]["message_id"])
    if prose:  # summarised (or, when the text holds a link, that link refused with a reason)
        shown = "\n".join(m.plain_text for m in replies)
        assert "Eko Sasmito" in shown or shown.startswith("Maaf, tautan itu")
    _check_replies(live, replies)


# --- forged buttons ---------------------------------------------------------------------------

LATEST_BROADCAST = "bc:send:<the newest broadcast>"
# Callback data is at most 64 bytes; a modified client can put anything there.
_DATA = st.one_of(
    st.text(min_size=1, max_size=64).filter(lambda s: 1 <= len(s.encode()) <= 64),
    st.builds(
        lambda prefix, rest: (prefix + rest).encode()[:64].decode(errors="ignore") or prefix,
        st.sampled_from(
            [
                "div:",
                "div:!",
                "del:",
                "bc:",
                "bc:send:",
                "bc:cancel:",
                "reg:",
                "reg:t:",
                "reg:p:",
                "reg:all:",
                "reg:nas:",
                "more:",
                "more:1:data:",
            ]
        ),
        st.one_of(
            st.text(max_size=60),
            st.integers(-(10**20), 10**20).map(str),
            st.sampled_from(
                [
                    *("!all", "!none", "!done", "data", "yes", "no", "send:1", "0", "done"),
                    *("jawa-timur:0", "jawa-timur:99", "t:aceh:-1", "1:data:10", "1:umum:1"),
                ]
            ),
        ),
    ),
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    data=_DATA,
    target=st.sampled_from(["picker", "delete", "broadcast", "region"]),
    as_admin=st.booleans(),
)
@example(data=LATEST_BROADCAST, target="picker", as_admin=False)
@example(data="reg:t:jawa-timur:0", target="region", as_admin=False)
@example(data="reg:t:<b>x</b>:1", target="region", as_admin=False)
@example(data="reg:p:999999999999999999999", target="region", as_admin=False)
@example(data="reg:done", target="picker", as_admin=False)
@example(data="more:1:data:10", target="region", as_admin=False)
@example(data="more:999999999999:data:999999", target="picker", as_admin=False)
@example(data="bc:send:999999999999", target="broadcast", as_admin=True)
@example(data="div:<b>", target="picker", as_admin=False)
@example(data="del:yes", target="picker", as_admin=False)
def test_forged_button_presses_get_a_polite_answer(
    live: LiveBot, data: str, target: str, as_admin: bool
) -> None:
    """The user's own client sends data no button of that message carries."""
    if target == "broadcast":
        as_admin = True  # only an admin's chat holds a broadcast preview
    user = next(live.admins) if as_admin else next(live.ids)
    command = {
        "picker": "/start",
        "delete": "/hapusdata",
        "broadcast": "/siaran Rapat besok",
        "region": "/wilayah",
    }
    message = live.buttons_for(user, command[target])
    latest = live.loop.run(_latest_broadcast(live))
    if data == LATEST_BROADCAST:
        data = f"bc:send:{latest}"
    before = live.loop.run(_broadcast_status(live, latest))
    answer = live.loop.run(forge_callback(live.harness, user, message.message_id, data))
    assert answer.text != texts.ERROR
    _check_replies(live, live.api.sent_to(user))
    if data.startswith("bc:") and not as_admin:
        assert answer.text == texts.NOT_ADMIN
        assert live.loop.run(_broadcast_status(live, latest)) == before


async def _latest_broadcast(live: LiveBot) -> int | None:
    async with live.harness.db.session() as session:
        ids = (await session.exec(select(Broadcast.id))).all()
    return max(ids, default=None)


async def _broadcast_status(live: LiveBot, broadcast_id: int | None) -> str | None:
    if broadcast_id is None:
        return None
    async with live.harness.db.session() as session:
        row = await session.get(Broadcast, broadcast_id)
    return row.status if row else None


async def _stranger_presses(live: LiveBot, chat_id: int, message_id: int, data: str, presser: int):  # type: ignore[no-untyped-def]
    """A press by someone other than the chat's owner, as any member of a group could make."""
    from tests.botapi.state import CallbackQuery

    api = live.api
    message = api.message(chat_id, message_id)
    assert message is not None
    query_id = f"stranger-{len(api.callback_answers)}-{message_id}"
    api._callbacks[query_id] = CallbackQuery(query_id, chat_id, message_id, data)
    before = len(api.callback_answers)
    api.add_update(
        {
            "callback_query": {
                "id": query_id,
                "from": {"id": presser, "is_bot": False, "first_name": "Orang"},
                "message": message,
                "chat_instance": str(chat_id),
                "data": data,
            }
        }
    )
    await api.wait_for(lambda: len(api.callback_answers) > before, 10)
    return api.callback_answers[-1]


def test_a_stranger_cannot_send_an_admins_broadcast(live: LiveBot) -> None:
    admin = next(live.admins)
    preview = live.buttons_for(admin, "/siaran Rapat pleno besok")
    send = next(b["callback_data"] for b in preview.buttons if "Kirim" in b["text"])
    stranger = next(live.ids)
    answer = live.loop.run(
        _stranger_presses(live, admin, preview.message_id, send, presser=stranger)
    )
    assert answer.text == texts.NOT_ADMIN
    broadcast_id = int(send.rsplit(":", 1)[1])
    assert live.loop.run(_broadcast_status(live, broadcast_id)) == "preview"


# --- a hostile announcement all the way to the subscribers -----------------------------------

ANNOUNCEMENTS = {
    "markup": "Rapat <b>pleno</b> & </a> <tg-spoiler>besok</tg-spoiler> &amp; <i\n"
    '<a href="javascript:alert(1)">klik</a> 100% <script>x</script>\n' * 60,
    "one long word": "KPU" * 3000 + "😀" * 500,
    "rtl and emoji": ("مرحبا \u2066שלום\u2069 👨‍👩‍👧 🇮🇩 " * 400).strip(),
}


@pytest.mark.parametrize("kind", sorted(ANNOUNCEMENTS))
async def test_any_announcement_reaches_subscribers_word_for_word(
    polite_bot: BotHarness, kind: str
) -> None:
    bot, text = polite_bot, ANNOUNCEMENTS[kind]
    await bot.say(STAFF_ID, "/langganan semua", expect=1)
    await bot.say(ADMIN_ID, "/start")
    before = len(bot.api.sent_to(STAFF_ID))
    bot.api.push_message(ADMIN_ID, f"/siaran {text}")
    preview = await bot.api.wait_for(
        lambda: next((m for m in bot.api.sent_to(ADMIN_ID) if "Kirim" in str(m.buttons)), None),
        timeout=10,
    )
    await bot.press(ADMIN_ID, "Kirim", message_id=preview.message_id)
    await bot.api.wait_for(
        lambda: any("Laporan siaran" in m.plain_text for m in bot.api.sent_to(ADMIN_ID)),
        timeout=20,
    )
    received = bot.api.sent_to(STAFF_ID)[before:]
    header, _, shown = "".join(m.plain_text for m in received).partition("\n\n")
    assert header.startswith("📢 Pengumuman · ") and header.endswith("\nuntuk semua staf")
    assert squeeze(shown) == squeeze(text)  # every word, shown literally, none formatted
    assert all(e["type"] not in ("spoiler", "text_link") for m in received for e in m.entities)


# --- a flood from one user, while another keeps working ---------------------------------------


@pytest.fixture
async def polite_bot(
    botapi: BotApiServer,  # noqa: F811
    database: Database,
    db_url: str,
    tmp_path: Path,
) -> AsyncIterator[BotHarness]:
    settings_ = make_settings(botapi, db_url, tmp_path)
    async with running_bot(botapi, settings_, database) as harness:  # the default limit
        yield harness


async def test_hundred_commands_in_ten_seconds_are_slowed_with_one_notice_others_served(
    polite_bot: BotHarness,
) -> None:
    bot = polite_bot
    await bot.say(OTHER_ID, "/start")
    latencies: list[float] = []
    for i in range(100):  # 100 commands within about a second: well inside ten seconds
        bot.api.push_message(STAFF_ID, "/bantuan" if i % 2 else "/pengaturan")
        if i % 20 == 10:  # meanwhile another staff member keeps using the bot
            started = time.monotonic()
            reply = await bot.say(OTHER_ID, "/pengaturan")
            latencies.append(time.monotonic() - started)
            assert "Pengaturan Anda" in reply.plain_text
        await asyncio.sleep(0.005)
    await bot.api.wait_for(
        lambda: sum(m.plain_text == texts.SLOW_DOWN for m in bot.api.sent_to(STAFF_ID)) == 1
    )
    await asyncio.sleep(0.3)  # any stray answer to the dropped commands would arrive by now
    told = [m.plain_text for m in bot.api.sent_to(STAFF_ID)]
    assert told.count(texts.SLOW_DOWN) == 1  # one notice for the whole burst
    assert len(told) == PolitenessLimit().max_updates + 1  # the rest dropped quietly
    assert texts.ERROR not in told
    assert max(latencies) < 3.0, latencies  # the other user is answered promptly throughout
