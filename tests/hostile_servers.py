"""Servers the crawler must not be fooled by: canaries that count every hit, a decompression
bomb, and a tiny forwarding proxy that records what passes through it.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GIB = 1 << 30


@functools.cache
def gzip_bomb(decoded_size: int = GIB, layers: int = 2) -> bytes:
    """Zeros gzipped `layers` times: about 1-2 KB on the wire, `decoded_size` once decoded."""
    data_chunks: list[bytes] = []
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1 << 20)
    for _ in range(decoded_size // len(block)):
        data_chunks.append(compressor.compress(block))
    data_chunks.append(compressor.flush())
    body = b"".join(data_chunks)
    for _ in range(layers - 1):
        outer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        body = outer.compress(body) + outer.flush()
    return body


class _CountingHandler(BaseHTTPRequestHandler):
    server: _CanaryHTTPServer

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        body = b"<html><body><h1>RAHASIA INTERNAL</h1><p>canary</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _CanaryHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], family: int) -> None:
        self.address_family = family
        self.hits: list[str] = []
        super().__init__(address, _CountingHandler)


@dataclass
class Canary:
    """An "internal" HTTP server: any request it receives is a leak."""

    server: _CanaryHTTPServer
    base_url: str

    @property
    def hits(self) -> list[str]:
        return self.server.hits


@contextmanager
def canary(host: str = "127.0.0.1") -> Iterator[Canary]:
    """A counting server on `host` ("127.0.0.1" or "::1"), any free port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server = _CanaryHTTPServer((host, 0), family)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    try:
        yield Canary(server, f"http://{shown}:{port}")
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class ForwardingProxy:
    """An HTTP proxy for plain http: records each request line, forwards, relays the answer.

    (Request lines to a Bot API carry the token; this proxy only ever runs in tests.)"""

    requests: list[str] = field(default_factory=list)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _version = lines[0].split(" ", 2)
            self.requests.append(f"{method} {target}")
            rest = target.split("://", 1)[1]
            hostport, _, path = rest.partition("/")
            host, _, port = hostport.rpartition(":")
            headers = [
                line
                for line in lines[1:]
                if line and not line.lower().startswith(("connection:", "proxy-"))
            ]
            upstream_reader, upstream_writer = await asyncio.open_connection(
                host.strip("[]"), int(port or 80)
            )
            length = next(
                (
                    int(h.split(":", 1)[1])
                    for h in headers
                    if h.lower().startswith("content-length:")
                ),
                0,
            )
            body = await reader.readexactly(length) if length else b""
            request = [f"{method} /{path} HTTP/1.1", *headers, "Connection: close", "", ""]
            upstream_writer.write("\r\n".join(request).encode("latin-1") + body)
            await upstream_writer.drain()
            # One request per connection, and the client is told so: it never reuses a
            # connection this proxy is about to close.
            response_head = await upstream_reader.readuntil(b"\r\n\r\n")
            status_line, _, rest = response_head.partition(b"\r\n")
            writer.write(status_line + b"\r\nConnection: close\r\n" + rest)
            while chunk := await upstream_reader.read(65536):
                writer.write(chunk)
                await writer.drain()
            upstream_writer.close()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError):
            pass
        finally:
            writer.close()


@contextmanager
def forwarding_proxy() -> Iterator[ForwardingProxy]:
    proxy = ForwardingProxy()
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    async def start() -> asyncio.base_events.Server:
        server = await asyncio.start_server(proxy._handle, "127.0.0.1", 0)
        proxy.port = server.sockets[0].getsockname()[1]
        ready.set()
        return server

    def run() -> None:
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(start())
        loop.run_forever()
        server.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield proxy
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
