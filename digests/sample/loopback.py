"""A small HTTP/1.1 server on 127.0.0.1 that serves whole news sites from memory.

The offline demo, the crawler's integration tests and the crawl benchmark all need real HTTP
without the internet: many sites at once (one port each, so per-host politeness applies as it
would in production), conditional GET (ETag / Last-Modified / 304), optional added latency, and
misbehaving pages (slow, huge, wrong type). It runs its own event loop in a daemon thread, so
sync and async callers alike can use it, and it serves every connection concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import threading
import tomllib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "LoopbackServer",
    "Request",
    "Response",
    "Site",
    "sample_site",
    "sample_sources_toml",
    "serve_sample_site",
    "start_sample_site",
]

SAMPLE_SITE_DIR = Path(__file__).parent
_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    404: "Not Found",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
}
_MAX_HEADER_BYTES = 64 * 1024


@dataclass(slots=True)
class Request:
    method: str
    target: str  # path and query as sent
    headers: dict[str, str]

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


@dataclass(slots=True)
class Response:
    """What a route answers. `filler_bytes` streams that many bytes without holding them."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: datetime | None = None
    etag: str | None = None
    conditional: bool = True
    delay: float = 0.0
    filler_bytes: int = 0
    send_length: bool = True  # False: no Content-Length, the body ends when the connection does

    def validators(self) -> tuple[str | None, str | None]:
        if not self.conditional or self.status != 200:
            return None, None
        etag = self.etag or f'"{hashlib.sha1(self.body).hexdigest()[:20]}"'
        modified = format_datetime(self.last_modified, usegmt=True) if self.last_modified else None
        return etag, modified


Handler = Callable[[Request], "Response | Awaitable[Response | None] | None"]


class Site:
    """One web site: exact routes (path with query) plus an optional fallback handler.

    `hits` counts answered requests by (path, status) so tests can assert what a crawl cost.
    """

    def __init__(
        self, routes: dict[str, Response] | None = None, handler: Handler | None = None
    ) -> None:
        self.routes: dict[str, Response] = dict(routes or {})
        self.handler = handler
        self.hits: Counter[tuple[str, int]] = Counter()
        self.user_agents: set[str] = set()
        self.base_url = ""
        self.active = 0
        self.max_active = 0  # most requests in progress at once: the crawler's politeness

    def set(self, target: str, response: Response) -> None:
        self.routes[target] = response

    def reset_counts(self) -> None:
        self.hits.clear()
        self.max_active = 0

    @property
    def requests(self) -> int:
        return sum(self.hits.values())

    def count(self, status: int | None = None, path: str | None = None) -> int:
        return sum(
            n
            for (hit_path, hit_status), n in self.hits.items()
            if (status is None or hit_status == status) and (path is None or hit_path == path)
        )

    async def respond(self, request: Request) -> Response:
        response = self.routes.get(request.target)
        if response is None and "?" in request.target:
            response = self.routes.get(request.path)  # a static site ignores the query
        if response is None and self.handler is not None:
            result = self.handler(request)
            response = await result if inspect.isawaitable(result) else result
        return response or Response(b"<h1>404</h1>", status=404, conditional=False)


class LoopbackServer:
    """Serves any number of `Site`s on 127.0.0.1, one free port each."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._servers: list[asyncio.base_events.Server] = []
        self._started = False

    def start(self) -> LoopbackServer:
        if not self._started:
            self._thread.start()
            self._started = True
        return self

    def add_site(self, site: Site) -> str:
        """Start listening for `site` on a new port; returns its base URL (no trailing slash)."""
        self.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(site), self._loop)
        site.base_url = future.result(timeout=10)
        return site.base_url

    async def _listen(self, site: Site) -> str:
        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            # stop() cancels idle keep-alive connections; asyncio's stream callback would report
            # the cancelled task as an unhandled exception, so the task ends normally instead.
            with contextlib.suppress(asyncio.CancelledError):
                await self._serve_connection(site, reader, writer)

        server = await asyncio.start_server(on_connect, "127.0.0.1", 0, backlog=1024)
        self._servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if not self._started or self._loop.is_closed():
            return

        async def shutdown() -> None:
            for server in self._servers:
                server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _serve_connection(
        self, site: Site, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                keep_alive = request.headers.get("connection", "").lower() != "close"
                keep_alive = await self._answer(site, request, writer) and keep_alive
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def _answer(self, site: Site, request: Request, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection must close afterwards."""
        site.active += 1
        site.max_active = max(site.max_active, site.active)
        try:
            return await self._answer_now(site, request, writer)
        finally:
            site.active -= 1

    async def _answer_now(self, site: Site, request: Request, writer: asyncio.StreamWriter) -> bool:
        response = await site.respond(request)
        if self.latency or response.delay:
            await asyncio.sleep(self.latency + response.delay)
        etag, modified = response.validators()
        status = response.status
        if etag is not None and _not_modified(request, etag, response.last_modified):
            status = 304
        site.hits[(request.path, status)] += 1
        site.user_agents.add(request.headers.get("user-agent", ""))
        length = len(response.body) + response.filler_bytes
        headers = {"Content-Type": response.content_type, **response.headers}
        if etag:
            headers["ETag"] = etag
        if modified:
            headers["Last-Modified"] = modified
        if status == 304:
            headers.pop("Content-Type", None)
            length = 0
        head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        if response.send_length or status == 304:
            head.append(f"Content-Length: {length}")
        else:
            head.append("Connection: close")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if status != 304 and request.method != "HEAD":
            writer.write(response.body)
            await writer.drain()
            chunk = b"x" * 65536
            remaining = response.filler_bytes
            while remaining > 0:
                writer.write(chunk[: min(remaining, len(chunk))])
                remaining -= len(chunk)
                await writer.drain()
        await writer.drain()
        return response.send_length or status == 304


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    if len(raw) > _MAX_HEADER_BYTES:
        return None
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    if length:
        await reader.readexactly(length)
    return Request(method=parts[0].upper(), target=parts[1], headers=headers)


def _not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match == "*"
    since = request.headers.get("if-modified-since")
    if since and last_modified is not None:
        try:
            return last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


# --- the bundled sample site -----------------------------------------------------------------


def sample_site(root: Path = SAMPLE_SITE_DIR) -> Site:
    """The bundled sample site as a `Site`: every file under `root` at its relative path.

    `manifest.toml` may map URL paths to files (`[[pages]] path = "/..." file = "..."`, with
    an optional `content_type`); files it does not mention are served at their own path, and
    `index.html` also answers for its directory.
    """
    modified = datetime(2024, 10, 21, 3, 0, tzinfo=UTC)
    routes: dict[str, Response] = {}
    for file in sorted(root.rglob("*")):
        if not file.is_file() or file.name == "manifest.toml":
            continue
        relative = "/" + file.relative_to(root).as_posix()
        response = Response(
            file.read_bytes(),
            content_type=_CONTENT_TYPES.get(file.suffix.lower(), "application/octet-stream"),
            last_modified=modified,
        )
        routes[relative] = response
        if file.name == "index.html":
            routes[relative.removesuffix("index.html")] = response
            routes[relative.removesuffix("/index.html") or "/"] = response
    for page in _manifest_pages(root):
        file = root / page["file"]
        if file.is_file():
            routes[page["path"]] = Response(
                file.read_bytes(),
                content_type=page.get("content_type")
                or _CONTENT_TYPES.get(file.suffix.lower(), "text/html; charset=utf-8"),
                last_modified=modified,
            )
    return Site(routes)


def _manifest_pages(root: Path) -> list[dict[str, str]]:
    manifest = root / "manifest.toml"
    if not manifest.is_file():
        return []
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    pages = data.get("pages", [])
    return [p for p in pages if isinstance(p, dict) and "path" in p and "file" in p]


def start_sample_site(root: Path = SAMPLE_SITE_DIR) -> tuple[str, Callable[[], None]]:
    """Serve the sample site on 127.0.0.1:<free port>; returns (base_url, stop)."""
    server = LoopbackServer().start()
    base_url = server.add_site(sample_site(root))
    return base_url, server.stop


@contextmanager
def serve_sample_site(root: Path = SAMPLE_SITE_DIR) -> Iterator[str]:
    """`with serve_sample_site() as base_url: ...`"""
    base_url, stop = start_sample_site(root)
    try:
        yield base_url
    finally:
        stop()


def sample_sources_toml(base_url: str, root: Path = SAMPLE_SITE_DIR) -> str:
    """A sources file (TOML) listing the sample site's news sites at `base_url`."""
    manifest = root / "manifest.toml"
    sites = tomllib.loads(manifest.read_text(encoding="utf-8")).get("sites", [])
    blocks = []
    for site in sites:
        lines = [
            "[[sources]]",
            f"name = {_toml_string(site['name'])}",
            f"url = {_toml_string(base_url.rstrip('/') + site['listing'])}",
        ]
        if site.get("kind"):
            lines.append(f"kind = {_toml_string(site['kind'])}")
        if site.get("article_pattern"):
            lines.append(f"article_pattern = {_toml_string(site['article_pattern'])}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
