"""URL identity and the fetch guard.

`canonical_url` gives one spelling per page, so an article linked with tracking parameters, a
fragment or an upper-case host is stored once. `check_url` / `fetch_checked` decide whether a
URL may be fetched at all (PRODUCT.md's trust rule, one guard for `/summary` and the crawler):
a configured source's exact origin is trusted as the operator configured it; anything else must
be http(s) on an allowed host that resolves only to public addresses, checked again on every
redirect hop and pinned to the checked address so DNS cannot change its answer in between.
`/summary` allows the hosts of ALLOWED_SUMMARY_HOSTS; the crawler allows any host (`ANY_HOST`)
but is held to the same address rule for every link, feed item and redirect it follows.

`read_body` reads a response with the size cap applied to the *decoded* bytes as they are
produced, for every stacked `Content-Encoding`: a 2 KB `gzip, gzip` bomb that decodes to 1 GiB
stops at the cap after decoding a few megabytes, in small pieces.
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
from fnmatch import fnmatchcase
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

import httpx

__all__ = [
    "ACCEPT_ENCODING",
    "ANY_HOST",
    "BodyTooLarge",
    "CheckedUrl",
    "FetchedPage",
    "Resolver",
    "UrlRefused",
    "canonical_url",
    "check_fetchable",
    "check_url",
    "fetch_checked",
    "host_allowed",
    "origin_of",
    "pinned_request",
    "read_body",
    "same_site",
]

ANY_HOST = ("*",)
# The encodings `read_body` decodes with a bound on each step's output; asked for explicitly so
# httpx's defaults (which grow with optional packages) never decide what a server may send.
ACCEPT_ENCODING = "gzip, deflate"
MAX_ENCODINGS = 3
_UNDECODABLE = frozenset({"br", "zstd", "compress", "x-compress"})
_DECODE_PIECE = 64 * 1024

DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "_ga", "ref_src"}
)
TRACKING_PREFIXES = ("utm_",)
# Path characters left as they are; everything else is percent-encoded (upper-case escapes).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$", re.IGNORECASE)

Resolver = Callable[[str, int], Awaitable[list[str]]]


class UrlRefused(ValueError):
    """A URL we will not fetch; the message is the reason, in Indonesian, for the user."""


class BodyTooLarge(UrlRefused):
    """A response whose (decoded) body passed the cap, or that we cannot decode safely."""


def canonical_url(url: str) -> str:
    """The one spelling of a page's URL we store and compare.

    Lower-case scheme and host, no default port, no fragment, no tracking parameters
    (utm_*, fbclid, gclid, ...), query parameters sorted, dot segments resolved, duplicate and
    trailing slashes dropped (the root keeps its slash), percent-escapes normalised.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = _normal_host(parts.hostname or "")
    if ":" in host:  # an IPv6 literal keeps its brackets: http://[::1]:8080/x
        host = f"[{host}]"
    port = _port_or_none(parts)
    netloc = host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    if parts.username:
        userinfo = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{userinfo}@{netloc}"
    path = _normal_path(parts.path)
    query = _normal_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def origin_of(url: str) -> str:
    """`scheme://host:port` with the port always written, for exact-origin comparisons."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    port = _port_or_none(parts) or DEFAULT_PORTS.get(scheme, 0)
    host = _normal_host(parts.hostname or "")
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def same_site(url: str, other: str) -> bool:
    """Same host and port, treating `www.` as the same site (KPU links both spellings)."""
    return _site_host(url) == _site_host(other)


def host_allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    """Whether `host` matches one of the glob patterns (`kpu.go.id`, `*.kpu.go.id`)."""
    host = _normal_host(host)
    return any(fnmatchcase(host, pattern.strip().lower().rstrip(".")) for pattern in allowed_hosts)


def _site_host(url: str) -> str:
    parts = urlsplit(url)
    host = _normal_host(parts.hostname or "").removeprefix("www.")
    port = _port_or_none(parts)
    if port is not None and port != DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return host


def _normal_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    if host and not host.isascii():
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    return host


def _port_or_none(parts) -> int | None:  # type: ignore[no-untyped-def]
    try:
        return parts.port
    except ValueError:
        return None


def _normal_path(path: str) -> str:
    if not path:
        return "/"
    resolved = urlsplit(urljoin("http://x/", re.sub(r"/{2,}", "/", path))).path
    resolved = quote(unquote(resolved), safe=_PATH_SAFE)
    if len(resolved) > 1:
        resolved = resolved.rstrip("/") or "/"
    return resolved


def _normal_query(query: str) -> str:
    if not query:
        return ""
    pairs = [
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlencode(sorted(pairs))


# --- the fetch guard -------------------------------------------------------------------------


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host` (IPv4 and IPv6)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UrlRefused(f"nama host {host} tidak dapat ditemukan") from exc
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
        raise UrlRefused("alamat tidak valid") from exc
    scheme = parsed.scheme.lower()
    if scheme not in ("http", "https"):
        raise UrlRefused("hanya alamat http atau https yang dapat diringkas")
    host = _normal_host(parsed.host or "")
    if not host:
        raise UrlRefused("alamat tidak memiliki nama host")
    if origin_of(str(parsed)) in {origin_of(origin) for origin in trusted_origins}:
        return CheckedUrl(parsed, trusted=True, address=None)
    if parsed.userinfo:
        raise UrlRefused("alamat dengan nama pengguna atau kata sandi tidak diizinkan")
    port = parsed.port or DEFAULT_PORTS[scheme]
    if not any_port and port not in DEFAULT_PORTS.values():
        raise UrlRefused(f"port {port} tidak diizinkan")
    if _NUMERIC_HOST.match(host) and not _is_plain_ipv4(host):
        raise UrlRefused("alamat IP dalam bentuk tidak lazim tidak diizinkan")
    if not host_allowed(host, allowed_hosts):
        raise UrlRefused(f"situs {host} tidak termasuk situs yang diizinkan")
    addresses = [host] if _is_ip_literal(host) else await (resolver or system_resolver)(host, port)
    if not addresses:
        raise UrlRefused(f"nama host {host} tidak dapat ditemukan")
    if not all(_public_address(address) for address in addresses):
        raise UrlRefused(f"situs {host} mengarah ke alamat jaringan internal")
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


async def check_fetchable(
    url: str,
    *,
    trusted_origins: set[str],
    allowed_hosts: list[str],
    resolver: Resolver | None = None,
) -> None:
    """Raise `UrlRefused` unless PRODUCT.md's trust rule lets us fetch `url`."""
    await check_url(
        url, trusted_origins=trusted_origins, allowed_hosts=allowed_hosts, resolver=resolver
    )


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A page fetched through the guard: the final URL after redirects and its bytes."""

    url: str
    status_code: int
    content_type: str
    body: bytes


async def fetch_checked(
    client: httpx.AsyncClient,
    url: str,
    *,
    trusted_origins: set[str],
    allowed_hosts: list[str],
    resolver: Resolver | None = None,
    max_redirects: int = 5,
    max_bytes: int = 5_000_000,
    headers: dict[str, str] | None = None,
) -> FetchedPage:
    """GET `url`, following redirects by hand and checking every hop with the trust rule.

    Untrusted hops connect to the address that was checked (Host header and TLS SNI keep the
    name), so a DNS answer that changes between check and connect cannot reach inside.
    Raises `UrlRefused` for refused hops, too-large bodies and too many redirects.
    """
    current: str | httpx.URL = url
    for _hop in range(max_redirects + 1):
        target = await check_url(
            current, trusted_origins=trusted_origins, allowed_hosts=allowed_hosts, resolver=resolver
        )
        request = pinned_request(client, target, headers or {})
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            if response.is_redirect and "location" in response.headers:
                current = target.url.join(response.headers["location"])
                continue
            body = await read_body(response, max_bytes)
            return FetchedPage(
                url=str(target.url),
                status_code=response.status_code,
                content_type=response.headers.get("content-type", ""),
                body=body,
            )
        finally:
            await response.aclose()
    raise UrlRefused("terlalu banyak pengalihan (redirect)")


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
        raise BodyTooLarge(f"halaman terlalu besar ({int(declared) // 1_000_000} MB)")
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
                raise BodyTooLarge(_too_large(max_bytes, decoders))
            chunks.append(piece)
    return b"".join(chunks)


def _too_large(max_bytes: int, decoders: list[_Decoder]) -> str:
    limit = f"{max_bytes // 1_000_000} MB" if max_bytes >= 1_000_000 else f"{max_bytes} byte"
    if decoders:
        return f"halaman melebihi {limit} setelah dibuka (kompresi berlapis?)"
    return f"halaman melebihi {limit}"


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
                raise BodyTooLarge(f"isi terkompresi {self.encoding} rusak") from exc
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
        raise BodyTooLarge(f"terlalu banyak lapisan kompresi ({len(encodings)})")
    for encoding in encodings:
        if encoding in _UNDECODABLE:
            raise BodyTooLarge(f"kompresi {encoding} tidak didukung")
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
