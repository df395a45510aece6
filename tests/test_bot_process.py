"""`python -m bot` as an operator runs it: a real process against the stand-in Bot API."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from bot.logging_setup import configure_logging, secrets_of
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.botapi.server import BotApiServer
from tests.e2e_helpers import ADMIN_ID, STAFF_ID, write_sources

ROOT = Path(__file__).resolve().parent.parent


def _env(**values: str) -> dict[str, str]:
    """A clean environment: nothing from the developer's shell or `.env` leaks in."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    env.update(values)
    return env


async def _spawn(args: list[str], env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _stop(process: asyncio.subprocess.Process) -> tuple[int, str]:
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=20)
    except TimeoutError:
        process.kill()
        out, err = await process.communicate()
    return process.returncode or 0, (out + err).decode("utf-8", "replace")


async def test_missing_token_is_one_clear_line_and_exit_code_2(tmp_path: Path) -> None:
    process = await _spawn([], _env(), tmp_path)
    out, err = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0]
    assert out == b""


@pytest.mark.db
async def test_bot_process_answers_staff_and_never_logs_the_token(
    botapi: BotApiServer,  # noqa: F811
    tmp_path: Path,
    db_url: str,
) -> None:
    env = _env(
        TELEGRAM_BOT_TOKEN=botapi.token,
        TELEGRAM_API_BASE_URL=botapi.base_url,
        DATABASE_URL=db_url,
        ADMIN_IDS=str(ADMIN_ID),
        SOURCES_FILE=str(write_sources(tmp_path / "sources.toml")),
        HTTPS_PROXY="http://127.0.0.1:9",  # must be ignored: trust_env=False
        HTTP_PROXY="http://127.0.0.1:9",
    )
    process = await _spawn(["--log-level", "DEBUG", "--poll-timeout", "1"], env, tmp_path)
    try:
        await botapi.wait_for_request("getUpdates", timeout=20)
        assert botapi.commands() is not None  # the menu was set on start
        botapi.push_message(STAFF_ID, "/start")
        botapi.push_message(STAFF_ID, "/langganan data")
        sent = await botapi.wait_for_sent(STAFF_ID, 2, timeout=15)
        assert "KPU Digest" in sent[0].plain_text
        assert "Data & Informasi" in sent[1].plain_text  # the short name
    finally:
        code, logs = await _stop(process)
    assert code == 0, logs
    assert "getUpdates" in logs or "polling" in logs.lower()  # it did log at DEBUG
    for secret in secrets_of(botapi.token):
        assert secret not in logs


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.db
async def test_webhook_mode_checks_the_secret_token(
    botapi: BotApiServer,  # noqa: F811
    tmp_path: Path,
    db_url: str,
) -> None:
    import httpx

    port = _free_port()
    env = _env(
        TELEGRAM_BOT_TOKEN=botapi.token,
        TELEGRAM_API_BASE_URL=botapi.base_url,
        DATABASE_URL=db_url,
        SOURCES_FILE=str(write_sources(tmp_path / "sources.toml")),
        PORT=str(port),
        WEBHOOK_URL=f"http://127.0.0.1:{port}",
        WEBHOOK_SECRET="rahasia-webhook-123",
    )
    process = await _spawn(["--webhook"], env, tmp_path)
    try:
        await botapi.wait_for(lambda: botapi.webhook.get("url"), timeout=20)
        assert botapi.webhook["url"] == f"http://127.0.0.1:{port}/telegram"
        assert botapi.webhook["secret_token"] == "rahasia-webhook-123"

        forged = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": STAFF_ID, "type": "private"},
                "from": {"id": STAFF_ID, "is_bot": False, "first_name": "Palsu"},
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        async with httpx.AsyncClient(trust_env=False) as client:
            refused = await client.post(botapi.webhook["url"], json=forged)
            wrong = await client.post(
                botapi.webhook["url"],
                json=forged,
                headers={"X-Telegram-Bot-Api-Secret-Token": "salah"},
            )
        assert refused.status_code == 403 and wrong.status_code == 403

        botapi.push_message(STAFF_ID, "/bantuan")  # delivered by the stand-in with the secret
        sent = await botapi.wait_for_sent(STAFF_ID, 1, timeout=15)
        assert "/ringkasan" in sent[0].plain_text
        assert len(botapi.sent_to(STAFF_ID)) == 1  # the forged /start got no answer
    finally:
        code, logs = await _stop(process)
    assert code == 0, logs
    assert botapi.token not in logs


def test_log_filter_masks_the_token_whoever_logs_it(capsys: pytest.CaptureFixture[str]) -> None:
    token = "123456789:AAE-a-secret-token-value"
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging(logging.DEBUG, secrets_of(token))
        assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
        url = f"https://api.telegram.org/bot{token}/getMe"
        logging.getLogger("httpx").warning("HTTP Request: POST %s", url)
        logging.getLogger("some.lib").error("failed %s", "AAE-a-secret-token-value")
        try:
            raise RuntimeError(f"boom at {url}")
        except RuntimeError:
            logging.getLogger("bot").exception("handler crashed")
        err = capsys.readouterr().err
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)
    assert "getMe" in err and "handler crashed" in err and "boom at" in err
    assert "secret-token" not in err
