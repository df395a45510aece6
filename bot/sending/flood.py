"""Command replies that survive a flood wait during a broadcast.

While a broadcast goes out the outbox sender uses nearly all of the bot's global send budget, so
a reply to /settings can be answered 429 (RetryAfter). The sender retries its own messages per
chat; a handler's `reply_text` would raise instead, and the user would get no answer.
`RetryReplies` (a PTB rate limiter, so it sees every Bot API call) waits the `retry_after`
Telegram asks for and tries again, for every call except the outbox sender's own sends, which
run inside `outbox_send()` and keep the sender's policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

_OUTBOX_SEND: ContextVar[bool] = ContextVar("outbox_send", default=False)


@contextlib.contextmanager
def outbox_send() -> Iterator[None]:
    """Mark the Bot API calls made inside as the outbox sender's (no retry here)."""
    token = _OUTBOX_SEND.set(True)
    try:
        yield
    finally:
        _OUTBOX_SEND.reset(token)


def retry_after_seconds(exc: RetryAfter) -> float:
    value: Any = getattr(exc, "_retry_after", None)
    if value is None:
        value = exc.retry_after
    if isinstance(value, timedelta):
        return max(0.0, value.total_seconds())
    return max(0.0, float(value))


class RetryReplies(BaseRateLimiter[None]):
    """Retry a call answered 429 after the wait Telegram names, up to `max_retries` times.

    A wait longer than `max_wait` seconds is not worth holding a reply for: the error goes to
    the handler (and the error handler) as before.
    """

    def __init__(self, max_retries: int = 2, max_wait: float = 10.0) -> None:
        self.max_retries = max_retries
        self.max_wait = max_wait

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if _OUTBOX_SEND.get():
            return await callback(*args, **kwargs)
        attempt = 0
        while True:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                attempt += 1
                if attempt > self.max_retries or wait > self.max_wait:
                    raise
                log.info("%s: flood wait %.0f s, then retry %d", endpoint, wait, attempt)
                await asyncio.sleep(wait)
