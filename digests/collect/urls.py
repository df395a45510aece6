"""URL identity: one spelling per page, and which URLs name the same site.

`canonical_url` gives one spelling per page, so an article linked with tracking parameters, a
fragment or an upper-case host is stored once; `origin_of` is what the trust rule compares
(`digests.collect.guard` decides what may be fetched at all).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

__all__ = [
    "DEFAULT_PORTS",
    "canonical_url",
    "host_allowed",
    "normal_host",
    "origin_of",
    "same_site",
]

DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "_ga", "ref_src"}
)
TRACKING_PREFIXES = ("utm_",)
# Path characters left as they are; everything else is percent-encoded (upper-case escapes).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def canonical_url(url: str) -> str:
    """The one spelling of a page's URL we store and compare.

    Lower-case scheme and host, no default port, no fragment, no tracking parameters
    (utm_*, fbclid, gclid, ...), query parameters sorted, dot segments resolved, duplicate and
    trailing slashes dropped (the root keeps its slash), percent-escapes normalised.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = normal_host(parts.hostname or "")
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
    host = normal_host(parts.hostname or "")
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def same_site(url: str, other: str) -> bool:
    """Same host and port, treating `www.` as the same site (KPU links both spellings)."""
    return _site_host(url) == _site_host(other)


def host_allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    """Whether `host` matches one of the glob patterns (`kpu.go.id`, `*.kpu.go.id`)."""
    host = normal_host(host)
    return any(fnmatchcase(host, pattern.strip().lower().rstrip(".")) for pattern in allowed_hosts)


def _site_host(url: str) -> str:
    parts = urlsplit(url)
    host = normal_host(parts.hostname or "").removeprefix("www.")
    port = _port_or_none(parts)
    if port is not None and port != DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return host


def normal_host(host: str) -> str:
    """Lower case, no trailing dot, international names in their ASCII (IDNA) form."""
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
