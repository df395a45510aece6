"""METRICS_PORT: the real bot process serves Prometheus metrics over HTTP after it sent."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest

from digests import metrics
from digests.store.db import Database
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.botapi.server import BotApiServer
from tests.e2e_helpers import STAFF_ID, write_sources
from tests.processes import ROOT, add_subscribers, clean_env
from tests.test_delete_data import _queue_pushes

pytestmark = pytest.mark.db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _value(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name}{labels} not in the metrics"
    return float(match.group(1))


async def test_bot_process_serves_metrics_after_a_send(
    botapi: BotApiServer,  # noqa: F811
    database: Database,
    db_url: str,
    tmp_path: Path,
) -> None:
    await add_subscribers(db_url, [STAFF_ID])
    await _queue_pushes(database, STAFF_ID, 6)  # three go at once, the rest wait their turn
    botapi.fail_next(STAFF_ID, n=1, kind=429, method="sendMessage", retry_after=1)
    port = _free_port()
    env = clean_env(
        TELEGRAM_BOT_TOKEN=botapi.token,
        TELEGRAM_API_BASE_URL=botapi.base_url,
        DATABASE_URL=db_url,
        SOURCES_FILE=str(write_sources(tmp_path / "sources.toml")),
        METRICS_PORT=str(port),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--poll-timeout",
        "1",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await botapi.wait_for(lambda: len(botapi.sent_to(STAFF_ID)) >= 1, timeout=30)
        async with httpx.AsyncClient(trust_env=False) as client:
            response = await client.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
            assert response.status_code == 200
            early = response.text
            await botapi.wait_for(lambda: len(botapi.sent_to(STAFF_ID)) >= 6, timeout=30)
            await asyncio.sleep(metrics_refresh() + 1)
            late = (await client.get(f"http://127.0.0.1:{port}/metrics", timeout=5)).text
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=20)
    assert _value(early, "kpu_digest_outbox_pending", '{kind="instant"}') >= 1
    assert _value(late, "kpu_digest_messages_sent_total") == 6
    assert _value(late, "kpu_digest_rate_limited_total") == 1
    assert _value(late, "kpu_digest_messages_failed_total") == 0
    assert _value(late, "kpu_digest_outbox_pending", '{kind="instant"}') == 0
    for name in (
        "kpu_digest_send_rate_per_second",
        "kpu_digest_crawl_duration_seconds_count",
        "kpu_digest_sources_failing",
        "kpu_digest_articles_stored_total",
        "kpu_digest_last_digest_run_timestamp_seconds",
    ):
        _value(late, name)  # every promised series is there


def metrics_refresh() -> float:
    from bot.app import METRICS_REFRESH_SECONDS

    return METRICS_REFRESH_SECONDS


def test_send_rate_is_messages_per_second_between_refreshes() -> None:
    metrics.update_send_rate(now=100.0)
    for _ in range(10):
        metrics.message_sent()
    assert metrics.update_send_rate(now=105.0) == pytest.approx(2.0)
