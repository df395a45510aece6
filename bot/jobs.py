"""JobQueue callbacks for delivery. The database says what is due; these only look."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from telegram.ext import Application, CallbackContext

from bot.context import deps
from bot.guards import outage_guard
from digests import metrics
from digests.delivery import scheduled

log = logging.getLogger(__name__)

T = TypeVar("T")
STOP_POLL_SECONDS = 0.25


async def until_stopping(
    application: Application[Any, Any, Any, Any, Any, Any], work: Coroutine[Any, Any, T]
) -> T | None:
    """Run `work`; cancel it as soon as `application` begins to stop, and return None then.

    PTB's `Application.stop()` waits for running jobs and `block=False` handlers to finish, so
    a long crawl would hold a SIGTERM for minutes. Everything a crawl stored stays stored with
    its pushes due (`Article.push_pending`): the next crawl resumes from there.
    """
    task = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=STOP_POLL_SECONDS)
            if done:
                return task.result()
            if not application.running:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                return None
    finally:
        if not task.done():
            task.cancel()


async def deliver_due_digests(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Every minute: queue the digests that are due (including any missed while down).

    Safe to run in several processes at once: subscribers are claimed atomically. While the
    database is unavailable it does nothing: the next run, a minute later, finds every digest
    still due (each batch of subscribers is claimed and queued in one transaction).
    """
    d = deps(context)
    with outage_guard(d.db, "digest job") as outage:
        queued = await scheduled.enqueue_due_digests(d.db, d.settings)
    if outage.happened:
        return
    metrics.digest_run_done()
    if queued:
        log.info("digest job: %d message(s) queued", queued)
        d.wake_sender()
