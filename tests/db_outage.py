"""Ways to take the database away from a running bot for a while, and give it back.

- PostgreSQL, `TcpProxy`: the bot connects through a small asyncio TCP proxy; `cut()` aborts
  every connection and stops listening, so new connections are refused — what a stopped server
  looks like to a client — and `restore()` listens on the same port again.
- PostgreSQL, `ClusterStop` (only with KPU_REAL_PG_STOP=1): `pg_ctlcluster … stop` / `start`
  on the local cluster of TEST_DATABASE_URL's port. It stops every other test's database on
  that cluster too, so CI does not run it.
- SQLite, `SqliteLock`: another connection holds `BEGIN EXCLUSIVE`. In WAL mode readers carry
  on; every write waits for the busy timeout and then fails with "database is locked".
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

OUTAGE_SECONDS = float(os.environ.get("KPU_OUTAGE_SECONDS", "30"))
REAL_PG_STOP = os.environ.get("KPU_REAL_PG_STOP") == "1"


class TcpProxy:
    """Forwards 127.0.0.1:`port` to the database server until cut."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.refused = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> TcpProxy:
        # Below the ephemeral range (32768+): during the outage nobody's outgoing connection
        # can be handed this port, so listening on it again cannot fail.
        candidates = [self.port] if self.port else random.sample(range(20_000, 32_000), 50)
        for index, port in enumerate(candidates):
            try:
                self._server = await asyncio.start_server(
                    self._on_client, "127.0.0.1", port, reuse_address=True
                )
                break
            except OSError:
                if index == len(candidates) - 1:
                    raise
        assert self._server is not None
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def cut(self) -> None:
        """Stop listening (new connections are refused) and abort every open connection."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def restore(self) -> None:
        await self.start()

    async def stop(self) -> None:
        await self.cut()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def url_for(self, url: str) -> str:
        return (
            make_url(url)
            .set(host="127.0.0.1", port=self.port)
            .render_as_string(hide_password=False)
        )

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            self.refused += 1
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        pipes = [
            asyncio.create_task(self._pipe(reader, up_writer)),
            asyncio.create_task(self._pipe(up_reader, writer)),
        ]
        self._tasks.update(pipes)
        try:
            await asyncio.gather(*pipes, return_exceptions=True)
        finally:
            self._tasks.difference_update(pipes)
            for end in (writer, up_writer):
                self._writers.discard(end)
                end.transport.abort()

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        sink.transport.abort()


class ClusterStop:
    """Stops and starts the local PostgreSQL cluster serving `port` (root only, never in CI).

    Point TEST_DATABASE_URL at a cluster of its own (`pg_createcluster 15 outage -p 5433`) to
    leave the shared one alone.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.version, self.name = _cluster_on(port)

    async def _ctl(self, action: str) -> None:
        ctl = shutil.which("pg_ctlcluster") or "pg_ctlcluster"
        extra = ["-m", "fast"] if action == "stop" else []
        process = await asyncio.create_subprocess_exec(
            ctl, "--skip-systemctl-redirect", self.version, self.name, action, *extra
        )
        assert await process.wait() == 0, f"pg_ctlcluster {action} failed"

    async def cut(self) -> None:
        await self._ctl("stop")

    async def restore(self) -> None:
        await self._ctl("start")
        for _ in range(60):
            ready = await asyncio.create_subprocess_exec(
                "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)
            )
            if await ready.wait() == 0:
                return
            await asyncio.sleep(0.5)
        raise AssertionError("PostgreSQL did not come back")

    async def stop(self) -> None:
        return None


def _cluster_on(port: int) -> tuple[str, str]:
    """(version, name) of the local cluster listening on `port`, from `pg_lsclusters`."""
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True)
    for line in listing.stdout.splitlines():
        version, name, cluster_port, *_ = line.split()
        if int(cluster_port) == port:
            return version, name
    raise AssertionError(f"no local PostgreSQL cluster on port {port}")


class SqliteLock:
    """Holds SQLite's write lock from another connection, as a second process would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None

    async def cut(self) -> None:
        connection = sqlite3.connect(
            self.path, timeout=30, isolation_level=None, check_same_thread=False
        )
        await asyncio.to_thread(connection.execute, "BEGIN EXCLUSIVE")
        self._connection = connection

    async def restore(self) -> None:
        if self._connection is not None:
            self._connection.execute("ROLLBACK")
            self._connection.close()
            self._connection = None

    async def stop(self) -> None:
        await self.restore()


# SQLite: a write waits this long for the lock, then fails and is retried; shorter than the
# outage, so the test sees the failure path and not only a long wait.
SQLITE_TEST_BUSY_SECONDS = 3


async def outage_for(db_url: str) -> tuple[str, TcpProxy | ClusterStop | SqliteLock]:
    """(the URL the bot should use, the outage to apply) for the test database `db_url`."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        return f"{db_url}?timeout={SQLITE_TEST_BUSY_SECONDS}", SqliteLock(Path(url.database))
    if REAL_PG_STOP:
        return db_url, ClusterStop(url.port or 5432)
    proxy = await TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    return proxy.url_for(db_url), proxy
