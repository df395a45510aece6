"""JobQueue callbacks for delivery. The database says what is due; these only look."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import CallbackContext

from bot.context import deps
from digests import delivery
from digests.store.outage import is_unavailable

log = logging.getLogger(__name__)


async def deliver_due_digests(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Every minute: queue the digests that are due (including any missed while down).

    Safe to run in several processes at once: subscribers are claimed atomically. While the
    database is unavailable it does nothing: the next run, a minute later, finds every digest
    still due (each batch of subscribers is claimed and queued in one transaction).
    """
    d = deps(context)
    try:
        queued = await delivery.enqueue_due_digests(d.db, d.settings)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        d.db.outage.failed(exc, "digest job")
        return
    d.db.outage.recovered()
    if queued:
        log.info("digest job: %d message(s) queued", queued)
        d.wake_sender()
