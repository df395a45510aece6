"""The polite fetcher: one shared client, bounded concurrency, robots.txt, conditional GET.

Hundreds of small government sites are crawled every half hour, so every request has to be
cheap for them: at most two at a time per host with a short gap between them, a 304 whenever
nothing changed, robots.txt honoured, an honest User-Agent with a contact. And every request
has to be cheap for us: hard timeouts, a size cap on the decoded bytes enforced while they are
decoded (a 60 MB page or a stacked gzip bomb stops at the cap), only HTML and XML read at all.

And every request obeys PRODUCT.md's trust rule (`digests.collect.guard.check_url`): the
configured sources' exact origins are trusted as configured; any other URL — a feed item on
another host, a redirect, robots.txt of such a host — must be http(s) and resolve only to public
addresses, and is fetched from the address that was checked. The crawler allows any such host;
`/summary` (`digests.service.summarise_url`) only ALLOWED_SUMMARY_HOSTS on ports 80 and 443.
A refused URL raises `FetchError` with `reason=FetchReason.REFUSED` and is never contacted.

Every failure is a `FetchError` with a `FetchReason`; `digests/texts.py` words it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.robotparser import RobotFileParser

import httpx

from digests.collect.guard import (
    ANY_HOST,
    BodyTooLarge,
    CheckedUrl,
    Resolver,
    UrlRefused,
    check_url,
    pinned_request,
    read_body,
)
from digests.collect.urls import origin_of

__all__ = [
    "FetchError",
    "FetchLimits",
    "FetchReason",
    "FetchResult",
    "Fetcher",
    "Tally",
    "make_client",
    "user_agent",
]

BOT_NAME = "KPUDigestBot"
BOT_VERSION = "0.1"
ACCEPTED_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
)
ACCEPT_HEADER = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9"
)


def user_agent(contact: str) -> str:
    """`KPUDigestBot/0.1 (+contact)`: names the bot and where to complain; the one User-Agent
    of every request we make (the crawler, `/summary`, `kpu-digest summarize`)."""
    return f"{BOT_NAME}/{BOT_VERSION} (+{contact})"


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Every bound on one crawl's network use; tests shrink the timeouts."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    global_concurrency: int = 48
    per_host_concurrency: int = 2
    per_host_delay: float = 0.2
    max_crawl_delay: float = 10.0
    robots_ttl: float = 6 * 3600
    robots_retry_ttl: float = 300


def make_client(
    contact: str, limits: FetchLimits | None = None, *, proxy: str | None = None
) -> httpx.AsyncClient:
    """The crawl's shared client: no proxy variables (only an explicit `proxy`), bounded
    connections, and no redirects of its own: the fetcher follows them, checking each hop."""
    limits = limits or FetchLimits()
    return httpx.AsyncClient(
        trust_env=False,
        proxy=proxy or None,
        follow_redirects=False,
        timeout=httpx.Timeout(
            connect=limits.connect_timeout,
            read=limits.read_timeout,
            write=limits.read_timeout,
            pool=limits.total_timeout,
        ),
        limits=httpx.Limits(
            max_connections=limits.global_concurrency,
            max_keepalive_connections=limits.global_concurrency,
        ),
        headers={
            "User-Agent": user_agent(contact),
            "Accept": ACCEPT_HEADER,
            "Accept-Language": "id,en;q=0.5",
        },
    )


class FetchReason(StrEnum):
    """Why a fetch gave nothing usable."""

    REFUSED = "refused"  # the trust rule forbade contacting the URL (`refusal` says why)
    ROBOTS_DISALLOWED = "robots_disallowed"
    NOT_FOUND = "not_found"  # 404 or 410
    HTTP_ERROR = "http_error"  # any other status >= 400 (`status`)
    UNSUPPORTED_STATUS = "unsupported_status"  # a 2xx/3xx we do not handle (`status`)
    NOT_A_PAGE = "not_a_page"  # not HTML or XML (`content_type`)
    TOO_LARGE = "too_large"  # the body passed the cap or cannot be decoded (`body`)
    TOO_MANY_REDIRECTS = "too_many_redirects"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"  # no connection: refused, reset, DNS failure, TLS error
    INVALID_ADDRESS = "invalid_address"


class FetchError(Exception):
    """A request that gave us nothing usable, with its `reason` and what the reason is about:
    `status` for HTTP statuses, `refusal` (a `UrlRefused`) for the trust rule, `body` (a
    `BodyTooLarge`) for the size cap, `content_type` for what is not a page."""

    def __init__(
        self,
        reason: FetchReason,
        url: str | httpx.URL = "",
        *,
        status: int | None = None,
        refusal: UrlRefused | None = None,
        body: BodyTooLarge | None = None,
        content_type: str = "",
        detail: str = "",
    ) -> None:
        what = detail or (str(refusal or body or "") if refusal or body else "")
        super().__init__(
            " ".join(part for part in (reason.value, str(status or ""), str(url), what) if part)
        )
        self.reason = reason
        self.url = _short(url) if url else ""
        self.status = status
        self.refusal = refusal
        self.body = body
        self.content_type = content_type
        self.detail = detail

    @property
    def refused(self) -> bool:
        """The URL was never contacted: the trust rule refused it."""
        return self.reason is FetchReason.REFUSED

    @property
    def final(self) -> bool:
        """Asking again will not help: the page is gone or robots.txt forbids it."""
        return self.reason in (FetchReason.NOT_FOUND, FetchReason.ROBOTS_DISALLOWED)


@dataclass(slots=True)
class FetchResult:
    """A 200 with its body, or a 304 (`not_modified`, empty body)."""

    url: str  # after redirects
    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(slots=True)
class Tally:
    """Requests one source's crawl cost, for the report."""

    requests: int = 0
    not_modified: int = 0


@dataclass(slots=True)
class _Host:
    slots: asyncio.Semaphore
    gate: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float = 0.0
    delay: float = 0.0
    robots: RobotFileParser | None = None
    robots_until: float = 0.0
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Fetcher:
    """Fetches pages politely through one shared `httpx.AsyncClient`."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        contact: str,
        limits: FetchLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        trusted_origins: set[str] | None = None,
        resolver: Resolver | None = None,
        allowed_hosts: tuple[str, ...] | list[str] = ANY_HOST,
        any_port: bool = True,
    ) -> None:
        """`allowed_hosts` and `any_port` are the trust rule's terms for URLs outside the
        trusted origins: the crawler's defaults allow any public host on any port."""
        self.client = client
        self.allowed_hosts = tuple(allowed_hosts)
        self.any_port = any_port
        self.limits = limits or FetchLimits()
        # The configured sources' URLs; the crawler refreshes them before every crawl.
        self.trusted_origins: set[str] = set(trusted_origins or ())
        self.resolver = resolver
        self.agent = user_agent(contact)
        self._global = asyncio.Semaphore(self.limits.global_concurrency)
        self._hosts: dict[str, _Host] = {}
        self._clock = clock
        self.requests = 0

    def _host(self, url: str) -> _Host:
        key = origin_of(url)
        host = self._hosts.get(key)
        if host is None:
            host = _Host(asyncio.Semaphore(self.limits.per_host_concurrency))
            host.delay = self.limits.per_host_delay
            self._hosts[key] = host
        return host

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        tally: Tally | None = None,
        check_robots: bool = True,
    ) -> FetchResult:
        """GET `url` (conditionally when validators are given); raise `FetchError` on failure."""
        await self._check(url)  # before robots.txt: a refused host gets no request at all
        if check_robots and not await self.allowed(url, tally=tally):
            raise FetchError(FetchReason.ROBOTS_DISALLOWED, url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._polite(url, lambda: self._get(url, headers), tally)

    async def _polite(
        self, url: str, request: Callable[[], Awaitable[FetchResult]], tally: Tally | None
    ) -> FetchResult:
        host = self._host(url)
        async with host.slots:
            async with host.gate:
                wait = host.last_start + host.delay - self._clock()
                if wait > 0:
                    await asyncio.sleep(wait)
                host.last_start = self._clock()
            async with self._global:
                self.requests += 1
                if tally is not None:
                    tally.requests += 1
                result = await request()
                if tally is not None and result.not_modified:
                    tally.not_modified += 1
                return result

    async def _check(self, url: str | httpx.URL) -> CheckedUrl:
        try:
            return await check_url(
                url,
                trusted_origins=self.trusted_origins,
                allowed_hosts=self.allowed_hosts,
                resolver=self.resolver,
                any_port=self.any_port,
            )
        except UrlRefused as exc:
            raise FetchError(FetchReason.REFUSED, url, refusal=exc) from exc

    async def _get(self, url: str, headers: dict[str, str], *, robots: bool = False) -> FetchResult:
        """GET with redirects followed by hand: every hop passes the trust rule first."""
        try:
            async with asyncio.timeout(self.limits.total_timeout):
                current: str | httpx.URL = url
                for _hop in range(self.limits.max_redirects + 1):
                    target = await self._check(current)
                    request = pinned_request(self.client, target, headers)
                    response = await self.client.send(request, stream=True)
                    try:
                        if response.is_redirect and "location" in response.headers:
                            current = target.url.join(response.headers["location"])
                            continue
                        if robots:
                            return await self._read_robots(response, str(target.url))
                        return await self._read(response, str(target.url))
                    finally:
                        await response.aclose()
                raise FetchError(FetchReason.TOO_MANY_REDIRECTS, url)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise FetchError(FetchReason.TIMEOUT, url) from exc
        except BodyTooLarge as exc:
            raise FetchError(FetchReason.TOO_LARGE, url, body=exc) from exc
        except httpx.InvalidURL as exc:
            raise FetchError(FetchReason.INVALID_ADDRESS, url, detail=str(exc)) from exc
        except httpx.HTTPError as exc:
            detail = f"{type(exc).__name__}: {exc}"
            raise FetchError(FetchReason.UNREACHABLE, url, detail=detail) from exc

    async def _read(self, response: httpx.Response, final_url: str) -> FetchResult:
        if response.status_code == 304:
            return FetchResult(final_url, 304)
        if response.status_code >= 400:
            raise _status_error(response.status_code, final_url)
        if response.status_code != 200:
            raise FetchError(FetchReason.UNSUPPORTED_STATUS, final_url, status=response.status_code)
        content_type = response.headers.get("content-type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type and media_type not in ACCEPTED_TYPES and not media_type.endswith("+xml"):
            raise FetchError(FetchReason.NOT_A_PAGE, final_url, content_type=media_type)
        body = await read_body(response, self.limits.max_bytes)
        return FetchResult(
            final_url,
            200,
            body,
            content_type,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )

    async def allowed(self, url: str, *, tally: Tally | None = None) -> bool:
        """Whether robots.txt lets our User-Agent fetch `url` (fetched once per host per TTL).

        A missing robots.txt (4xx) allows everything (RFC 9309). When robots.txt cannot be
        read at all (5xx, timeout) we also proceed but ask again in a few minutes: many
        regional KPU servers fail that way while serving their news fine.
        """
        host = self._host(url)
        if host.robots is None or self._clock() >= host.robots_until:
            async with host.robots_lock:
                if host.robots is None or self._clock() >= host.robots_until:
                    await self._load_robots(url, host, tally)
        assert host.robots is not None
        return host.robots.can_fetch(self.agent, url)

    async def _load_robots(self, url: str, host: _Host, tally: Tally | None) -> None:
        robots_url = origin_of(url).rstrip("/") + "/robots.txt"
        parser = RobotFileParser(robots_url)
        ttl = self.limits.robots_ttl
        try:
            result = await self._polite(url, lambda: self._get_robots(robots_url), tally)
            parser.parse(result.body.decode("utf-8", "replace").splitlines())
        except FetchError as exc:
            parser.parse([])
            if exc.status is None or exc.status >= 500:
                ttl = self.limits.robots_retry_ttl
        delay = parser.crawl_delay(self.agent)
        if delay is not None:
            host.delay = min(
                max(float(delay), self.limits.per_host_delay), self.limits.max_crawl_delay
            )
        host.robots = parser
        host.robots_until = self._clock() + ttl

    async def _get_robots(self, robots_url: str) -> FetchResult:
        return await self._get(robots_url, {}, robots=True)

    async def _read_robots(self, response: httpx.Response, final_url: str) -> FetchResult:
        if response.status_code >= 400:
            raise _status_error(response.status_code, final_url)
        # RFC 9309 asks parsers to read at least 500 KiB; the rest is ignored.
        body = await read_body(response, 500_000, truncate=True)
        return FetchResult(final_url, response.status_code, body)


def _status_error(status: int, url: str) -> FetchError:
    reason = FetchReason.NOT_FOUND if status in (404, 410) else FetchReason.HTTP_ERROR
    return FetchError(reason, url, status=status)


def _short(url: str | httpx.URL, limit: int = 120) -> str:
    text = str(url)
    return text if len(text) <= limit else text[: limit - 1] + "…"
