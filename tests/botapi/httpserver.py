"""A small keep-alive HTTP/1.1 server on asyncio streams.

Why not a framework: the stand-in must hold long polls open while serving thousands of other
requests per second in one process, and it must be able to cut a connection mid-request to
simulate a network drop. A few dozen lines over ``asyncio.start_server`` do both with no
dependency and little overhead per request.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import parse_qsl, urlsplit

MAX_BODY = 64 * 1024 * 1024


@dataclass
class HttpRequest:
    verb: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    disconnected: Callable[[], bool] = lambda: False  # True once the client has hung up


@dataclass
class HttpResponse:
    status: int
    body: bytes
    content_type: str = "application/json"


# A handler returns None to drop the connection without answering (a simulated network fault).
Handler = Callable[[HttpRequest], Awaitable[HttpResponse | None]]

_PHRASES = {s.value: s.phrase for s in HTTPStatus}


class HttpServer:
    """Serves ``handler`` on ``host:port``; each connection handles its requests in order."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0) -> None:
        self._handler = handler
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task] = set()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.sockets[0].getsockname()[1]

    async def start(self) -> int:
        self._server = await asyncio.start_server(
            self._serve, self._host, self._port, backlog=1024, reuse_address=True
        )
        return self.port

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                request = await self._read_request(reader, writer)
                if request is None:
                    break
                response = await self._handler(request)
                if response is None:
                    writer.transport.abort()
                    return
                keep_alive = request.headers.get("connection", "").lower() != "close"
                writer.write(_encode(response, keep_alive))
                await writer.drain()
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _read_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> HttpRequest | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return None
        except asyncio.LimitOverrunError:
            writer.write(_encode(HttpResponse(431, b"", "text/plain"), False))
            return None
        lines = head.decode("latin-1").split("\r\n")
        try:
            verb, target, version = lines[0].split(" ", 2)
        except ValueError:
            writer.write(_encode(HttpResponse(400, b"", "text/plain"), False))
            return None
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if version == "HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive":
            headers["connection"] = "close"
        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = await _read_body(reader, headers)
        url = urlsplit(target)
        return HttpRequest(
            verb=verb.upper(),
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers=headers,
            body=body,
            disconnected=lambda: reader.at_eof() or writer.transport.is_closing(),
        )


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # trailers are not used by any Bot API client
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    length = int(headers.get("content-length") or 0)
    if length > MAX_BODY:
        raise ConnectionError("request body too large")
    return await reader.readexactly(length) if length else b""


def _encode(response: HttpResponse, keep_alive: bool) -> bytes:
    phrase = _PHRASES.get(response.status, "Unknown")
    head = (
        f"HTTP/1.1 {response.status} {phrase}\r\n"
        "Server: botapi-standin\r\n"
        f"Content-Type: {response.content_type}\r\n"
        f"Content-Length: {len(response.body)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    )
    return head.encode("latin-1") + response.body
