"""A stand-in Telegram Bot API server for end-to-end tests and benchmarks.

Start one in a test with the ``botapi`` fixture (tests/botapi/fixtures.py) or
``async with BotApiServer() as api``; point the bot at ``api.base_url`` with ``api.token``.
Run it as a process with ``python -m tests.botapi --port 0``.
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
