"""Telling a database outage from a bug, and riding one out.

A stopped or restarting PostgreSQL, a cut network or a SQLite file locked by another process
all look the same to the bot: statements fail for a while, then work again. Work that can wait
(the outbox sender, the digest job, the crawler's writes) retries with a growing pause instead
of failing, and the process logs the outage twice — when it starts and when it ends — instead
of a traceback per attempt. Anything else (a programming error, a constraint violation) is not
an outage and is raised as before.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

from sqlalchemy import exc as sa_exc

log = logging.getLogger("digests.database")

T = TypeVar("T")

# SQLSTATE classes that mean "the server is going away or not there yet": 08 connection
# exception, 57P operator intervention (admin shutdown, crash shutdown, cannot connect now);
# and 57014, a statement cancelled by statement_timeout (digests.store.db): the store is stuck
# for now, which the user hears as "try again shortly".
_UNAVAILABLE_SQLSTATES = ("08", "57P", "57014")
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what it wraps (`orig`) and what caused it, each once."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [getattr(current, "orig", None), current.__cause__, current.__context__]


# An error from these libraries is about HTTP (Telegram, a news site), even though a socket
# error lies underneath: never mistake it for the database going away.
_NOT_DATABASE = ("telegram", "httpx", "httpcore")


def is_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database cannot be reached or used right now."""
    chain = list(_chain(exc))
    if any(type(error).__module__.startswith(_NOT_DATABASE) for error in chain):
        return False
    for error in chain:
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, sa_exc.DisconnectionError | sa_exc.TimeoutError):
            return True  # TimeoutError here is the pool's: every connection is stuck
        if isinstance(error, sqlite3.OperationalError):
            text = str(error).lower()
            if any(marker in text for marker in _SQLITE_UNAVAILABLE):
                return True
        sqlstate = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
            return True
        if type(error).__name__ == "ConnectionDoesNotExistError" or (
            "connection was closed" in str(error) or "connection is closed" in str(error)
        ):
            return True  # asyncpg: "connection was closed in the middle of operation"
        if isinstance(error, OSError):
            return True  # refused, reset, unreachable, DNS: nothing answers on the other end
    return False


def describe(exc: BaseException) -> str:
    """One short line for the log: the innermost cause's type and first line."""
    inner = exc
    for error in _chain(exc):
        inner = error
        if not isinstance(error, sa_exc.StatementError):
            break
    first_line = (str(inner).strip().splitlines() or [""])[0]
    return f"{type(inner).__name__}: {first_line[:200]}"


class OutageLog:
    """One warning when the database becomes unavailable and one when it is back.

    Shared by everything that uses one `Database`, so a 30-second outage costs two log lines,
    not one traceback per retry per loop.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.since: float | None = None
        self.outages = 0

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException, where: str) -> None:
        if self.since is not None:
            return
        self.since = self.clock()
        self.outages += 1
        log.warning(
            "database unavailable (%s, seen by %s); waiting for it and retrying",
            describe(exc),
            where,
        )

    def recovered(self) -> None:
        if self.since is None:
            return
        log.warning("database available again after %.1f s", self.clock() - self.since)
        self.since = None


class Backoff:
    """Pauses between retries: doubling from `first` up to `cap`, reset after a success."""

    def __init__(self, first: float = 0.5, cap: float = 5.0) -> None:
        self.first, self.cap = first, cap
        self._next = first

    def next(self) -> float:
        delay, self._next = self._next, min(self._next * 2, self.cap)
        return delay

    def reset(self) -> None:
        self._next = self.first


async def retry_unavailable(
    outage: OutageLog,
    where: str,
    step: Callable[[], Awaitable[T]],
    *,
    patience: float | None = None,
    backoff: Backoff | None = None,
) -> T:
    """Run `step` (a whole transaction) until it gets through an outage.

    `step` must be safe to run again after a failure: its transaction was rolled back, or (a
    commit whose answer was lost) it took effect and running it again changes nothing. Gives up
    and raises after `patience` seconds of outage (never, when None); other errors are raised
    at once.
    """
    backoff = backoff or Backoff()
    started: float | None = None
    while True:
        try:
            result = await step()
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            outage.failed(exc, where)
            now = outage.clock()
            started = now if started is None else started
            if patience is not None and now - started >= patience:
                raise
            await asyncio.sleep(backoff.next())
            continue
        outage.recovered()
        return result
