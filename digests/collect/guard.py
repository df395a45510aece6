"""The fetch guard and the one capped reader: what may be fetched, and how much of it is read.

`check_url` is PRODUCT.md's trust rule, one guard for `/summary` and the crawler: a configured
source's exact origin is trusted as the operator configured it; anything else must be http(s) on
an allowed host that resolves only to public addresses, checked again on every redirect hop
(`digests.collect.fetch.Fetcher` follows redirects by hand) and pinned to the checked address
(`pinned_request`) so DNS cannot change its answer in between. `/summary` allows the hosts of
ALLOWED_SUMMARY_HOSTS; the crawler allows any host (`ANY_HOST`) but is held to the same address
rule for every link, feed item and redirect it follows.

`read_body` reads a response with the size cap applied to the *decoded* bytes as they are
produced, for every stacked `Content-Encoding`: a 2 KB `gzip, gzip` bomb that decodes to 1 GiB
stops at the cap after decoding a few megabytes, in small pieces.

Both raise exceptions with a reason code (`Refusal`, `BodyProblem`), never a sentence: what a
person reads is chosen from the code in `digests/texts.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import socket
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import httpx

from digests.collect.urls import DEFAULT_PORTS, host_allowed, normal_host, origin_of

__all__ = [
    "ACCEPT_ENCODING",
    "ANY_HOST",
    "BodyProblem",
    "BodyTooLarge",
    "CheckedUrl",
    "Refusal",
    "Resolver",
    "UrlRefused",
    "check_url",
    "pinned_request",
    "read_body",
]

ANY_HOST = ("*",)
# The encodings `read_body` decodes with a bound on each step's output; asked for explicitly so
# httpx's defaults (which grow with optional packages) never decide what a server may send.
ACCEPT_ENCODING = "gzip, deflate"
MAX_ENCODINGS = 3
_UNDECODABLE = frozenset({"br", "zstd", "compress", "x-compress"})
_DECODE_PIECE = 64 * 1024
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$", re.IGNORECASE)

Resolver = Callable[[str, int], Awaitable[list[str]]]


class Refusal(StrEnum):
    """Why the trust rule will not let a URL be fetched."""

    INVALID = "invalid"  # not a URL at all
    SCHEME = "scheme"  # not http(s)
    NO_HOST = "no_host"
    USERINFO = "userinfo"  # user name or password in the URL
    PORT = "port"  # not 80/443 (for /summary)
    ODD_IP = "odd_ip"  # an IP address in an unusual notation (0x7f.1, 2130706433)
    HOST_NOT_ALLOWED = "host_not_allowed"
    HOST_UNKNOWN = "host_unknown"  # the name does not resolve
    INTERNAL_ADDRESS = "internal_address"  # resolves to a private, loopback, ... address


class UrlRefused(ValueError):
    """A URL we will not fetch: `reason`, and the `host` / `port` the reason is about."""

    def __init__(self, reason: Refusal, *, host: str = "", port: int | None = None) -> None:
        super().__init__(f"{reason.value}: {host or '-'}" + (f":{port}" if port else ""))
        self.reason = reason
        self.host = host
        self.port = port


class BodyProblem(StrEnum):
    """Why a response body was not read to its end."""

    DECLARED_TOO_LARGE = "declared_too_large"  # Content-Length over the cap
    TOO_LARGE = "too_large"  # the bytes passed the cap
    TOO_LARGE_DECODED = "too_large_decoded"  # ... once decompressed
    CORRUPT_ENCODING = "corrupt_encoding"
    TOO_MANY_ENCODINGS = "too_many_encodings"
    UNSUPPORTED_ENCODING = "unsupported_encoding"


class BodyTooLarge(Exception):
    """A body past the cap (`limit` bytes; `size` when declared) or one we cannot decode safely
    (`encoding` names the layer, `layers` how many were stacked)."""

    def __init__(
        self,
        reason: BodyProblem,
        *,
        limit: int = 0,
        size: int = 0,
        encoding: str = "",
        layers: int = 0,
    ) -> None:
        super().__init__(f"{reason.value} (limit {limit}, size {size}, encoding {encoding!r})")
        self.reason = reason
        self.limit = limit
        self.size = size
        self.encoding = encoding
        self.layers = layers


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host` (IPv4 and IPv6)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UrlRefused(Refusal.HOST_UNKNOWN, host=host) from exc
    return sorted({info[4][0] for info in infos})


def _public_address(address: str) -> bool:
    """Only globally routable unicast, with IPv4 hidden inside IPv6 unwrapped first."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in ipaddress.ip_network("64:ff9b::/96"):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip.teredo is not None:
            return False
        if embedded is not None:
            return _public_address(str(embedded))
        if ip in ipaddress.ip_network("::/96"):  # deprecated IPv4-compatible form
            return False
    return bool(
        ip.is_global
        and not ip.is_multicast
        and not ip.is_private
        and not ip.is_loopback
        and not ip.is_link_local
        and not ip.is_reserved
        and not ip.is_unspecified
    )


@dataclass(frozen=True, slots=True)
class CheckedUrl:
    """A URL the trust rule let through, and the address checked for it."""

    url: httpx.URL
    trusted: bool
    address: str | None  # the checked address to connect to (None for trusted origins)


async def check_url(
    url: str | httpx.URL,
    *,
    trusted_origins: Iterable[str],
    allowed_hosts: Iterable[str],
    resolver: Resolver | None = None,
    any_port: bool = False,
) -> CheckedUrl:
    """The trust rule for one URL: a `CheckedUrl` to connect to, or `UrlRefused` with a reason.

    `trusted_origins` are the configured sources' URLs (or origins); `allowed_hosts` globs
    (`ANY_HOST` for the crawler); `resolver(host, port)` exists so tests need no DNS.
    `/summary` also keeps to ports 80 and 443; the crawler (`any_port`) follows a public site
    on any port, the address rule being what keeps it out of internal networks.
    """
    try:
        parsed = httpx.URL(str(url).strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise UrlRefused(Refusal.INVALID) from exc
    scheme = parsed.scheme.lower()
    if scheme not in ("http", "https"):
        raise UrlRefused(Refusal.SCHEME)
    host = normal_host(parsed.host or "")
    if not host:
        raise UrlRefused(Refusal.NO_HOST)
    if origin_of(str(parsed)) in {origin_of(origin) for origin in trusted_origins}:
        return CheckedUrl(parsed, trusted=True, address=None)
    if parsed.userinfo:
        raise UrlRefused(Refusal.USERINFO, host=host)
    port = parsed.port or DEFAULT_PORTS[scheme]
    if not any_port and port not in DEFAULT_PORTS.values():
        raise UrlRefused(Refusal.PORT, host=host, port=port)
    if _NUMERIC_HOST.match(host) and not _is_plain_ipv4(host):
        raise UrlRefused(Refusal.ODD_IP, host=host)
    if not host_allowed(host, allowed_hosts):
        raise UrlRefused(Refusal.HOST_NOT_ALLOWED, host=host)
    addresses = [host] if _is_ip_literal(host) else await (resolver or system_resolver)(host, port)
    if not addresses:
        raise UrlRefused(Refusal.HOST_UNKNOWN, host=host)
    if not all(_public_address(address) for address in addresses):
        raise UrlRefused(Refusal.INTERNAL_ADDRESS, host=host)
    return CheckedUrl(parsed, trusted=False, address=addresses[0])


def _is_plain_ipv4(host: str) -> bool:
    try:
        return str(ipaddress.IPv4Address(host)) == host
    except ValueError:
        return False


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def pinned_request(
    client: httpx.AsyncClient, target: CheckedUrl, headers: dict[str, str]
) -> httpx.Request:
    """A GET that connects to the checked address (Host header and TLS SNI keep the name)."""
    headers = {"Accept-Encoding": ACCEPT_ENCODING, **headers}
    if target.trusted or target.address is None or _is_ip_literal(target.url.host):
        return client.build_request("GET", target.url, headers=headers)
    address = target.address
    pinned = target.url.copy_with(host=address)
    request_headers = {**headers, "Host": target.url.netloc.decode("ascii")}
    extensions = {"sni_hostname": target.url.host} if target.url.scheme == "https" else {}
    return client.build_request("GET", pinned, headers=request_headers, extensions=extensions)


# --- bounded bodies --------------------------------------------------------------------------


async def read_body(response: httpx.Response, max_bytes: int, *, truncate: bool = False) -> bytes:
    """The body decoded, at most `max_bytes` of it: `BodyTooLarge` past that (or cut, `truncate`).

    Reads the raw bytes and decodes every `Content-Encoding` layer itself, each step producing
    at most 64 KB at a time, so the cap is checked as the decoded bytes appear; httpx would
    decode a whole network chunk through every layer at once (1.8 KB -> 1 GiB in one call).
    """
    declared = response.headers.get("content-length", "")
    if not truncate and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(BodyProblem.DECLARED_TOO_LARGE, limit=max_bytes, size=int(declared))
    decoders = _decoders(response.headers.get("content-encoding", ""))
    chunks: list[bytes] = []
    size = 0

    async def decoded() -> AsyncIterator[bytes]:
        async for raw in response.aiter_raw():
            for piece in _decode(decoders, raw):
                yield piece
        for piece in _flush(decoders):
            yield piece

    async with contextlib.aclosing(decoded()) as pieces:
        async for piece in pieces:
            size += len(piece)
            if size > max_bytes:
                if truncate:
                    chunks.append(piece[: max_bytes - (size - len(piece))])
                    return b"".join(chunks)
                reason = BodyProblem.TOO_LARGE_DECODED if decoders else BodyProblem.TOO_LARGE
                raise BodyTooLarge(reason, limit=max_bytes)
            chunks.append(piece)
    return b"".join(chunks)


class _Decoder:
    """One `Content-Encoding` layer whose every call yields at most `_DECODE_PIECE` bytes."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._deflate_probe = encoding == "deflate"
        self._obj = self._new()

    def _new(self):  # type: ignore[no-untyped-def]
        if self.encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(zlib.MAX_WBITS | 16)
        return zlib.decompressobj(zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self._obj.decompress(data, _DECODE_PIECE)
            except zlib.error as exc:
                if self._deflate_probe:  # "deflate" sent raw, without the zlib header
                    self._deflate_probe = False
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise BodyTooLarge(BodyProblem.CORRUPT_ENCODING, encoding=self.encoding) from exc
            self._deflate_probe = False
            if out:
                yield out
            if self._obj.unconsumed_tail:
                data = self._obj.unconsumed_tail
            elif self._obj.eof and self._obj.unused_data:
                data = self._obj.unused_data  # a second gzip member follows
                self._obj = self._new()
            else:
                data = b""

    def flush(self) -> Iterator[bytes]:
        # Output zlib still holds comes out in bounded pieces too.
        while True:
            out = self._obj.decompress(b"", _DECODE_PIECE)
            if not out:
                return
            yield out


def _decoders(header: str) -> list[_Decoder]:
    """Decoders in the order to apply them (the header lists encodings as they were applied)."""
    encodings = [e.strip().lower() for e in header.split(",") if e.strip()]
    encodings = [e for e in encodings if e != "identity"]
    if len(encodings) > MAX_ENCODINGS:
        raise BodyTooLarge(BodyProblem.TOO_MANY_ENCODINGS, layers=len(encodings))
    for encoding in encodings:
        if encoding in _UNDECODABLE:
            raise BodyTooLarge(BodyProblem.UNSUPPORTED_ENCODING, encoding=encoding)
    # Any other token (a misconfigured "utf-8", "none") is read as is, as httpx would.
    return [_Decoder(e) for e in reversed(encodings) if e in ("gzip", "x-gzip", "deflate")]


def _decode(decoders: list[_Decoder], data: bytes) -> Iterator[bytes]:
    if not decoders:
        if data:
            yield data
        return
    first, rest = decoders[0], decoders[1:]
    for piece in first.feed(data):
        yield from _decode(rest, piece)


def _flush(decoders: list[_Decoder]) -> Iterator[bytes]:
    for index, decoder in enumerate(decoders):
        for piece in decoder.flush():
            yield from _decode(decoders[index + 1 :], piece)
