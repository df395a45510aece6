"""Real processes for the resilience tests: the stand-in Bot API and `python -m bot`.

The stand-in runs as its own process with a state file, so it outlives a bot that is killed
and counts every accepted send across restarts. Bot logs go to a file (a pipe nobody reads
would fill up and stall a busy bot).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from digests.store.db import Database
from digests.store.models import Subscriber
from digests.store.types import utcnow
from tests.botapi.records import SentMessage, read_state_file
from tests.e2e_helpers import ADMIN_ID, write_sources

ROOT = Path(__file__).resolve().parent.parent


def clean_env(**values: str) -> dict[str, str]:
    """A clean environment: nothing from the developer's shell or `.env` leaks in."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    env.setdefault("INSTANT_QUIET_HOURS", "false")  # see tests/conftest.py
    env.update(values)
    env["PYTHONPATH"] = str(ROOT)
    return env


@dataclass
class StandIn:
    """The stand-in Bot API in its own process, driven through its control API."""

    process: asyncio.subprocess.Process
    base_url: str
    token: str
    control_url: str
    state_file: Path
    client: httpx.AsyncClient

    @classmethod
    async def start(cls, state_file: Path, *args: str) -> StandIn:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.botapi",
            "--port",
            "0",
            "--state-file",
            str(state_file),
            *args,
            env=clean_env(),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=20)
        info = json.loads(line)
        client = httpx.AsyncClient(trust_env=False, timeout=60)
        return cls(
            process, info["base_url"], info["token"], info["control_url"], state_file, client
        )

    async def control(self, name: str, **args: Any) -> Any:
        response = await self.client.post(f"{self.control_url.rstrip('/')}/{name}", json=args)
        body = response.json()
        if not body.get("ok"):
            raise AssertionError(f"stand-in control {name}: {body.get('description')}")
        return body["result"]

    async def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        return await self.control("sent", chat_id=chat_id)

    async def wait_for_text(self, chat_id: int, fragment: str, timeout: float) -> dict[str, Any]:
        """The first message to `chat_id` whose text contains `fragment`."""
        deadline = time.monotonic() + timeout
        while True:
            for message in await self.sent_to(chat_id):
                if fragment in (message.get("plain_text") or message.get("text") or ""):
                    return message
            if time.monotonic() > deadline:
                raise TimeoutError(f"no message with {fragment!r} to {chat_id} in {timeout} s")
            await asyncio.sleep(0.2)

    def accepted(self) -> list[SentMessage]:
        """Every send the stand-in accepted, from its state file (survives bot restarts)."""
        return read_state_file(self.state_file)

    async def stop(self) -> None:
        await self.client.aclose()
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@dataclass
class BotProcess:
    """`python -m bot …` with its log in a file."""

    process: asyncio.subprocess.Process
    log_path: Path

    @classmethod
    async def start(cls, env: dict[str, str], log_path: Path, *args: str) -> BotProcess:
        with log_path.open("ab") as log_file:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                *args,
                env=env,
                cwd=log_path.parent,
                stdout=log_file,
                stderr=log_file,
            )
        return cls(process, log_path)

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a power cut or the OOM killer."""
        if self.process.returncode is None:
            self.process.kill()

    async def stop(self, timeout: float = 20) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(self.process.wait(), timeout=timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        return self.process.returncode or 0


def bot_env(
    api: StandIn, db_url: str, tmp_path: Path, *, rate: float, **extra: str
) -> dict[str, str]:
    return clean_env(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.base_url,
        DATABASE_URL=db_url,
        ADMIN_IDS=str(ADMIN_ID),
        SOURCES_FILE=str(extra.pop("SOURCES_FILE", None) or write_sources(tmp_path / "src.toml")),
        SEND_RATE_PER_SECOND=str(rate),
        **extra,
    )


async def add_subscribers(db_url: str, chat_ids: Sequence[int]) -> None:
    """Active subscribers following every division, inserted in bulk."""
    db = Database(db_url)
    try:
        now = utcnow()
        rows = [
            {
                "chat_id": chat_id,
                "user_id": chat_id,
                "first_name": "Staf",
                "active": True,
                "divisions": ["teknis"],
                "delivery_times": ["07:00"],
                "instant": False,
                "created_at": now,
            }
            for chat_id in chat_ids
        ]
        async with db.session() as session:
            connection = await session.connection()
            await connection.execute(insert(Subscriber.__table__), rows)  # type: ignore[attr-defined]
            await session.commit()
    finally:
        await db.dispose()


async def start_broadcast(api: StandIn, text: str, timeout: float = 20) -> None:
    """The admin writes /siaran and presses Kirim under the preview, as in the chat."""
    await api.control("push_message", user_id=ADMIN_ID, text=f"/siaran {text}")
    deadline = time.monotonic() + timeout
    while not any(m.get("reply_markup") for m in await api.sent_to(ADMIN_ID)):
        if time.monotonic() > deadline:
            raise TimeoutError("no broadcast preview")
        await asyncio.sleep(0.1)
    await api.control("press", user_id=ADMIN_ID, label="Kirim")
    await api.wait_for_text(ADMIN_ID, "sedang dikirim", timeout)


def deliveries(messages: Sequence[SentMessage], fragment: str) -> dict[int, int]:
    """Per chat: how many accepted messages contain `fragment`."""
    counts: dict[int, int] = {}
    for message in messages:
        if fragment in message.plain_text:
            counts[message.chat_id] = counts.get(message.chat_id, 0) + 1
    return counts
