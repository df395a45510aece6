"""A stand-in Telegram Bot API server for end-to-end tests and benchmarks.

In a test (fixtures in tests/botapi/fixtures.py)::

    pytest_plugins = ["tests.botapi.fixtures"]

    async def test_start_greets(botapi):
        app = Application.builder().token(botapi.token).base_url(botapi.base_url)...
        await app.updater.start_polling(timeout=1, poll_interval=0)
        botapi.push_message(42, "/start", first_name="Ani")   # a user writes
        [reply] = await botapi.wait_for_sent(42)              # wakes on the bot's request
        botapi.press(42, "Kirim")                             # the user taps a button
        botapi.block(43); botapi.fail_next(44, 2, 429, retry_after=3)

As a process: ``python -m tests.botapi --port 0 --rate 30 --state-file sent.jsonl`` prints
``{"port", "base_url", "token", "control_url"}`` and is driven over ``/_control/...``
(see control.py). Parsing is as strict as Telegram's (html_parse.py, validate.py).
"""

from .html_parse import EntityParseError, parse_html, utf16_len
from .ratelimit import RateLimits
from .records import (
    CallbackAnswer,
    Edit,
    RequestRecord,
    SentMessage,
    Stats,
    default_dedupe_key,
    duplicate_counts,
    read_state_file,
)
from .server import BotApiServer, BotApiThread
from .state import DEFAULT_TOKEN
from .validate import ApiError

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "BotApiServer",
    "BotApiThread",
    "CallbackAnswer",
    "Edit",
    "EntityParseError",
    "RateLimits",
    "RequestRecord",
    "SentMessage",
    "Stats",
    "default_dedupe_key",
    "duplicate_counts",
    "parse_html",
    "read_state_file",
    "utf16_len",
]
