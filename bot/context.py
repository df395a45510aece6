"""What every handler needs, built once in `bot.app` and kept in `application.bot_data`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext

from digests.config import Settings
from digests.store.db import Database

if TYPE_CHECKING:
    from bot.sending.sender import OutboxSender
    from digests.collect.crawl import Crawler

DEPS_KEY = "kpu_digest"


@dataclass
class BotDeps:
    """Settings, database and the running outbox sender (set in post_init)."""

    settings: Settings
    db: Database
    sender: OutboxSender | None = None
    crawler: Crawler | None = None
    state: dict[str, Any] = field(default_factory=dict)

    def wake_sender(self) -> None:
        if self.sender is not None:
            self.sender.wake()


def deps(context: CallbackContext[Any, Any, Any, Any]) -> BotDeps:
    return context.bot_data[DEPS_KEY]
