"""Settings read from the environment or `.env` (pydantic-settings).

One `Settings` object is built at start-up and handed to whoever needs it; nothing else reads
the environment.
"""

from __future__ import annotations

from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

BUNDLED_SOURCES_FILE = Path(__file__).parent / "data" / "sources.toml"


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class Settings(BaseSettings):
    """Every knob of PRODUCT.md's configuration table, with its default."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    database_url: str = "sqlite:///kpu_digest.db"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    sources_file: Path = BUNDLED_SOURCES_FILE
    crawl_interval_minutes: int = Field(default=30, ge=1)
    timezone: str = "Asia/Jakarta"
    default_digest_time: time = time(7, 0)
    send_rate_per_second: float = Field(default=25, gt=0)
    # Telegram's paid broadcasts (0.1 Star per message above 30/s) allow up to 1,000/s: an
    # operator who raises SEND_RATE_PER_SECOND above ~30 must opt in here as well.
    allow_paid_broadcast: bool = False
    allowed_summary_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["kpu.go.id", "*.kpu.go.id"]
    )
    news_horizon_days: int = Field(default=7, ge=0)
    # A digest shows each division's newest items up to this many, then a line counting the rest.
    digest_items_per_division: int = Field(default=10, ge=1)
    # No instant pushes 21.00-06.00 in TIMEZONE: held and sent at 06.00 as one message.
    instant_quiet_hours: bool = True
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    port: int = 8443
    contact: str = "https://github.com/kpu-digest"
    # An http(s) proxy for every outgoing request; proxy variables are never read implicitly.
    outbound_proxy: str | None = None
    # Prometheus metrics at http://0.0.0.0:$METRICS_PORT/metrics when set (digests/metrics.py).
    metrics_port: int | None = Field(default=None, ge=1, le=65535)

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _strip_token(cls, value: object) -> object:
        # A token pasted from a file or `echo` often ends in a newline; an empty one is unset.
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("metrics_port", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("sources_file", mode="before")
    @classmethod
    def _bundled_when_empty(cls, value: object) -> object:
        # `SOURCES_FILE=` (as .env.example shows it) means "the bundled list", not ".".
        if value is None or (isinstance(value, str) and not value.strip()):
            return BUNDLED_SOURCES_FILE
        return value

    @field_validator("admin_ids", "allowed_summary_hosts", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids
