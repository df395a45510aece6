"""JobQueue callbacks for delivery. The database says what is due; these only look."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import CallbackContext

from bot.context import deps
from digests import delivery

log = logging.getLogger(__name__)


async def deliver_due_digests(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Every minute: queue the digests that are due (including any missed while down).

    Safe to run in several processes at once: subscribers are claimed atomically.
    """
    d = deps(context)
    queued = await delivery.enqueue_due_digests(d.db, d.settings)
    if queued:
        log.info("digest job: %d message(s) queued", queued)
        d.wake_sender()
