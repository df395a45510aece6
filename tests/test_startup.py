"""Starting the bot as an operator does: one clear line per failure, never the token, and a
Bot API that is down at start waited for. Real `python -m bot` / `kpu-digest bot` processes."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import pytest

from bot.logging_setup import secrets_of
from digests.config import BUNDLED_SOURCES_FILE, Settings
from tests.botapi.fixtures import botapi  # noqa: F401  (fixture)
from tests.botapi.server import BotApiServer
from tests.e2e_helpers import STAFF_ID, write_sources
from tests.processes import clean_env

WRONG_TOKEN = "123456789:AAE-not-the-token-of-this-bot-0000"


async def _spawn(
    args: list[str], env: dict[str, str], cwd: Path, module: str = "bot"
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _finish(process: asyncio.subprocess.Process, timeout: float = 30) -> tuple[int, str]:
    out, err = await asyncio.wait_for(process.communicate(), timeout=timeout)
    return process.returncode or 0, (out + err).decode("utf-8", "replace")


async def _stop(process: asyncio.subprocess.Process) -> tuple[int, str]:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    try:
        return await _finish(process, timeout=20)
    except TimeoutError:
        process.kill()
        return await _finish(process)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(base_url: str, token: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return clean_env(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        SOURCES_FILE=str(write_sources(tmp_path / "sources.toml")),
        **extra,
    )


@pytest.mark.parametrize(
    "token",
    [WRONG_TOKEN, WRONG_TOKEN + "\n", "not-even-token-shaped"],
    ids=["401", "401-trailing-newline", "404"],
)
async def test_refused_token_is_one_line_without_the_token(
    botapi: BotApiServer,  # noqa: F811
    tmp_path: Path,
    token: str,
) -> None:
    process = await _spawn([], _env(botapi.base_url, token, tmp_path), tmp_path)
    code, output = await _finish(process)
    lines = output.strip().splitlines()
    assert code == 2, output
    assert len(lines) == 1, output
    assert "refused TELEGRAM_BOT_TOKEN" in lines[0]
    for secret in secrets_of(token.strip()):
        assert secret not in output


async def test_sender_only_with_a_refused_token_is_one_line(
    botapi: BotApiServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    env = _env(botapi.base_url, WRONG_TOKEN, tmp_path)
    process = await _spawn(["--sender-only"], env, tmp_path)
    code, output = await _finish(process)
    assert code == 2 and len(output.strip().splitlines()) == 1, output
    assert "AAE-not-the-token" not in output


async def test_bot_api_down_at_start_is_waited_for_then_served(tmp_path: Path) -> None:
    port = _free_port()
    api = BotApiServer(port=port)
    env = _env(f"http://127.0.0.1:{port}/bot", api.token, tmp_path)
    process = await _spawn(["--poll-timeout", "1"], env, tmp_path)
    try:
        await asyncio.sleep(4)  # nothing listens: the bot must keep trying, not exit
        assert process.returncode is None
        async with api:
            await api.wait_for_request("getUpdates", timeout=40)
            api.push_message(STAFF_ID, "/bantuan")
            sent = await api.wait_for_sent(STAFF_ID, 1, timeout=15)
            assert "/ringkasan" in sent[0].plain_text
            code, output = await _stop(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert code == 0, output
    unreachable = [line for line in output.splitlines() if "not reachable" in line]
    assert len(unreachable) == 1, output  # logged once, not once per attempt
    assert "Traceback" not in output
    assert api.token not in output


async def test_vanished_sqlite_file_is_refused_on_restart(
    botapi: BotApiServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    env = _env(botapi.base_url, botapi.token, tmp_path)
    first = await _spawn(["--poll-timeout", "1"], env, tmp_path)
    await botapi.wait_for_request("getUpdates", timeout=30)
    botapi.push_message(STAFF_ID, "/langganan data")
    await botapi.wait_for_sent(STAFF_ID, 1, timeout=15)
    (tmp_path / "bot.db").unlink()  # an operator's slip, while the bot runs
    code, _ = await _stop(first)
    assert code == 0

    second = await _spawn(["--poll-timeout", "1"], env, tmp_path)
    code, output = await _finish(second)
    failures = [line for line in output.splitlines() if line.startswith("kpu-digest:")]
    assert code == 1, output
    assert len(failures) == 1 and "bot.db is gone" in failures[0], output
    assert "Traceback" not in output


async def test_kpu_digest_bot_takes_the_options_of_python_m_bot(
    botapi: BotApiServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    env = _env(botapi.base_url, botapi.token, tmp_path)
    process = await _spawn(
        ["bot", "--log-level", "DEBUG", "--poll-timeout", "1"], env, tmp_path, "digests.cli"
    )
    try:
        await botapi.wait_for_request("getUpdates", timeout=30)
    finally:
        code, output = await _stop(process)
    assert code == 0, output
    assert " DEBUG " in output  # --log-level reached the bot
    sender = await _spawn(["bot", "--sender-only"], env, tmp_path, "digests.cli")
    try:
        for _ in range(100):
            await asyncio.sleep(0.2)
            if sender.returncode is not None:
                break
        assert sender.returncode is None  # running, not "unrecognized arguments"
    finally:
        code, output = await _stop(sender)
    assert code == 0 and "sender-only process ready" in output, output


def test_empty_sources_file_means_the_bundled_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES_FILE", "")
    assert Settings(_env_file=None).sources_file == BUNDLED_SOURCES_FILE  # type: ignore[call-arg]
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc\n")
    token = Settings(_env_file=None).telegram_bot_token  # type: ignore[call-arg]
    assert token is not None and token.get_secret_value() == "123:abc"


async def test_bot_api_outage_while_running_is_logged_once(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(f"http://127.0.0.1:{port}/bot", BotApiServer().token, tmp_path)
    async with BotApiServer(port=port) as api:
        process = await _spawn(["--poll-timeout", "1"], env, tmp_path)
        await api.wait_for_request("getUpdates", timeout=30)
    try:
        await asyncio.sleep(8)  # several polls fail meanwhile
        async with BotApiServer(port=port) as api:
            await api.wait_for_request("getUpdates", timeout=40)
            api.push_message(STAFF_ID, "/bantuan")
            await api.wait_for_sent(STAFF_ID, 1, timeout=15)
            code, output = await _stop(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert code == 0, output
    assert len([line for line in output.splitlines() if "Bot API unreachable" in line]) == 1
    assert len([line for line in output.splitlines() if "reachable again" in line]) == 1
    assert "Traceback" not in output, output


async def test_unreachable_database_at_start_is_one_line(
    botapi: BotApiServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    env = _env(botapi.base_url, botapi.token, tmp_path)
    env["DATABASE_URL"] = f"postgresql://kpu:rahasia-db@127.0.0.1:{_free_port()}/kpu"
    process = await _spawn([], env, tmp_path)
    code, output = await _finish(process)
    failures = [line for line in output.splitlines() if line.startswith("kpu-digest:")]
    assert code == 1, output
    assert len(failures) == 1 and "database is unavailable" in failures[0], output
    assert "Traceback" not in output and botapi.token not in output
