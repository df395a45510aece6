"""Shared plumbing for the benchmarks that talk to the stand-in Bot API in its own process.

`StandIn` starts `python -m tests.botapi` as a child process and wraps its control HTTP API;
`scratch_database` gives a throw-away SQLite file or PostgreSQL database.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


class StandIn:
    """The stand-in Bot API as a separate process, enforcing `rate` sendMessage calls/s."""

    def __init__(self, rate: int | None, *, per_chat: bool = True) -> None:
        cmd = [sys.executable, "-m", "tests.botapi", "--port", "0"]
        if rate:
            cmd += ["--rate", str(rate)]
        if per_chat:
            cmd += ["--per-chat-rate", "1", "--per-chat-burst", "3"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.info: dict[str, Any] = json.loads(self.proc.stdout.readline())
        self.client = httpx.Client(trust_env=False, timeout=120)

    @property
    def token(self) -> str:
        return self.info["token"]

    @property
    def base_url(self) -> str:
        return self.info["base_url"]

    def control(self, name: str, **params: object) -> Any:
        response = self.client.post(f"{self.info['control_url']}/{name}", json=params)
        body = response.json()
        if not body.get("ok"):
            raise RuntimeError(f"{name}: {body}")
        return body["result"]

    def cpu_seconds(self) -> float:
        """CPU time the stand-in process has used (Linux /proc), to set beside the bot's."""
        import os

        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.client.close()
        self.proc.terminate()
        self.proc.wait()

    def __enter__(self) -> StandIn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def scratch_database(server_url: str | None) -> Iterator[str]:
    """A fresh database URL: a temp-file SQLite, or a new database on the PostgreSQL server."""
    if not server_url:
        yield f"sqlite:///{tempfile.mkdtemp(prefix='kpu-bench-')}/bench.db"
        return
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machine_load() -> str:
    """The 1-minute load average and core count, to quote beside timings on a shared machine."""
    import os

    load1, load5, _ = os.getloadavg()
    return f"load {load1:.2f}/{load5:.2f} on {os.cpu_count()} cores"
