"""Logs an operator can read, with the bot token never in them.

Bot API URLs carry the token (`…/bot<token>/sendMessage`) and httpx logs every request URL at
INFO. Two guards: the HTTP libraries are quieted to WARNING, and every root handler gets a
filter that masks the token in messages, arguments and tracebacks, whoever logs them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

MASK = "<token>"
NOISY_LOGGERS = ("httpx", "httpcore", "apscheduler", "tornado.access", "alembic.runtime.plugins")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Replace each secret with a mask in the fully rendered record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = str(record.msg)
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self.redact(text)
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def secrets_of(token: str) -> list[str]:
    """The token and its bot id-less secret half, either of which identifies the bot."""
    parts = [token]
    if ":" in token:
        secret_half = token.split(":", 1)[1]
        if len(secret_half) >= 8:
            parts.append(secret_half)
    return parts


def configure_logging(level: int | str = logging.INFO, secrets: Iterable[str] = ()) -> None:
    """Set up the root logger once for the bot process: one stderr handler, token masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
