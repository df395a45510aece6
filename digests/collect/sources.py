"""The list of sites to crawl: the operator's TOML file and the admins' changes in chat.

The file seeds the `source` table; admins add and remove sources at run time. Who wins:

- A source an admin removed (`/removesource`) is disabled and marked `removed_at`; file sync
  never re-enables it, even though the file still lists it. `/addsource` with its URL brings
  it back.
- A file source that disappears from the file is disabled (not deleted: its health and its
  articles' history stay); it is enabled again if it comes back to the file.
- Sources added by admins are never touched by file sync.
- Entries are matched by canonical URL first, then by name, so renaming in the file updates
  the row instead of adding a second one.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from digests.collect.urls import canonical_url
from digests.store import articles as store_articles
from digests.store import sources as store_sources
from digests.store.db import Database
from digests.store.models import Source
from digests.store.types import utcnow
from digests.summary.regions import normalise_region, region_from_host

__all__ = [
    "SourceError",
    "SourceHealth",
    "SourceProblem",
    "SourceSpec",
    "SyncResult",
    "add_source",
    "list_sources",
    "load_sources_file",
    "parse_sources",
    "remove_source",
    "seed_from_file",
    "source_health",
    "sync_sources",
    "trusted_origins",
]

KINDS = ("feed", "html")
_KNOWN_KEYS = {"name", "url", "kind", "article_pattern", "region"}
_TABLE_HEADER = re.compile(r"^\s*\[\[\s*sources\s*\]\]")


class SourceProblem(StrEnum):
    """Why a source (a sources file entry, an admin's /addsource) was not taken."""

    FILE_UNREADABLE = "file_unreadable"
    NOT_TOML = "not_toml"
    NOT_A_LIST = "not_a_list"  # `sources` is not an array of tables
    NOT_A_TABLE = "not_a_table"
    UNKNOWN_KEYS = "unknown_keys"
    URL_MISSING = "url_missing"
    URL_INVALID = "url_invalid"
    URL_NOT_HTTP = "url_not_http"  # no http(s) scheme or no host
    URL_HAS_SPACES = "url_has_spaces"
    NAME_EMPTY = "name_empty"
    BAD_KIND = "bad_kind"
    PATTERN_NOT_TEXT = "pattern_not_text"
    BAD_PATTERN = "bad_pattern"
    BAD_REGION = "bad_region"
    DUPLICATE_URL = "duplicate_url"  # twice in the file (`line`: the first)
    DUPLICATE_NAME = "duplicate_name"  # twice in the file (`line`: the first)
    NAME_TAKEN = "name_taken"  # another source already has the name
    ALREADY_ADDED = "already_added"  # the URL is a source already (`detail`: its name)


class SourceError(ValueError):
    """An invalid source: `reason`, the value it is about (`detail`) and, for duplicates in a
    file, the `line` of the first; `digests.texts.source_problem` words it."""

    def __init__(self, reason: SourceProblem, detail: str = "", *, line: int | None = None):
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail
        self.line = line


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One validated entry of the sources file."""

    name: str
    url: str
    kind: str | None = None
    article_pattern: str | None = None
    line: int | None = None
    region: str | None = None  # "nasional" or a province slug; from the file, else the host


def load_sources_file(path: Path | str) -> tuple[list[SourceSpec], list[str]]:
    """Read and validate a sources file: good entries, and one message per bad entry.

    A bad entry is skipped and reported with its line number; the rest still load. A file that
    is not TOML at all gives no entries and one error.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return [], [f"{path}: {_words(SourceError(SourceProblem.FILE_UNREADABLE, str(exc)))}"]
    specs, errors = parse_sources(text)
    return specs, [f"{path}: {error}" for error in errors]


def parse_sources(text: str) -> tuple[list[SourceSpec], list[str]]:
    """`load_sources_file` on a string; errors read `line N: reason`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [], [_words(SourceError(SourceProblem.NOT_TOML, str(exc)))]
    entries = data.get("sources", [])
    if not isinstance(entries, list):
        return [], [_words(SourceError(SourceProblem.NOT_A_LIST))]
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if _TABLE_HEADER.match(line)]
    specs: list[SourceSpec] = []
    errors: list[str] = []
    seen_urls: dict[str, int | None] = {}
    seen_names: dict[str, int | None] = {}
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else None
        where = f"line {line}" if line else f"entry {index + 1}"
        try:
            spec = _validate(entry, line)
        except SourceError as exc:
            errors.append(f"{where}: {_words(exc)}")
            continue
        key = canonical_url(spec.url)
        if key in seen_urls:
            duplicate = SourceError(SourceProblem.DUPLICATE_URL, spec.url, line=seen_urls[key])
            errors.append(f"{where}: {_words(duplicate)}")
            continue
        if spec.name.casefold() in seen_names:
            first = seen_names[spec.name.casefold()]
            duplicate = SourceError(SourceProblem.DUPLICATE_NAME, spec.name, line=first)
            errors.append(f"{where}: {_words(duplicate)}")
            continue
        seen_urls[key] = line
        seen_names[spec.name.casefold()] = line
        specs.append(spec)
    return specs, errors


def _validate(entry: object, line: int | None) -> SourceSpec:
    if not isinstance(entry, dict):
        raise SourceError(SourceProblem.NOT_A_TABLE)
    unknown = sorted(set(entry) - _KNOWN_KEYS)
    if unknown:
        raise SourceError(SourceProblem.UNKNOWN_KEYS, ", ".join(unknown))
    url = entry.get("url")
    if not isinstance(url, str):
        raise SourceError(SourceProblem.URL_MISSING)
    url = validate_url(url)
    name = entry.get("name")
    if name is None:
        name = _name_from_url(url)
    if not isinstance(name, str) or not name.strip():
        raise SourceError(SourceProblem.NAME_EMPTY)
    kind = entry.get("kind")
    if kind is not None and kind not in KINDS:
        raise SourceError(SourceProblem.BAD_KIND, repr(kind))
    pattern = entry.get("article_pattern")
    if pattern is not None:
        if not isinstance(pattern, str) or not pattern:
            raise SourceError(SourceProblem.PATTERN_NOT_TEXT)
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SourceError(SourceProblem.BAD_PATTERN, str(exc)) from exc
    region = entry.get("region")
    if region is not None:
        if not isinstance(region, str) or normalise_region(region) is None:
            raise SourceError(SourceProblem.BAD_REGION, repr(region))
        region = normalise_region(region)
    else:
        region = region_from_host(url)
    return SourceSpec(
        name=name.strip(),
        url=url,
        kind=kind,
        article_pattern=pattern,
        line=line,
        region=region,
    )


def validate_url(url: str) -> str:
    """An absolute http(s) URL with a host, stripped; `SourceError` otherwise."""
    from urllib.parse import urlsplit

    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as exc:
        raise SourceError(SourceProblem.URL_INVALID, repr(url)) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(SourceProblem.URL_NOT_HTTP, repr(url))
    if any(ch.isspace() for ch in url):
        raise SourceError(SourceProblem.URL_HAS_SPACES, repr(url))
    return url


def _words(problem: SourceError) -> str:
    # texts.py imports this module for SourceProblem: imported here, when a problem is worded.
    from digests import texts

    return texts.source_problem(problem)


def _name_from_url(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or url


@dataclass(slots=True)
class SyncResult:
    added: int = 0
    updated: int = 0
    disabled: int = 0
    kept_removed: int = 0
    errors: list[str] | None = None


async def sync_sources(db: Database, specs: list[SourceSpec]) -> SyncResult:
    """Make the `source` table agree with the file (idempotent; see the module docstring)."""
    result = SyncResult(errors=[])
    async with db.session() as session:
        rows = await store_sources.all_sources(session)
        by_url = {canonical_url(row.url): row for row in rows}
        by_name = {row.name.casefold(): row for row in rows}
        matched: set[int] = set()
        for spec in specs:
            row = by_url.get(canonical_url(spec.url)) or by_name.get(spec.name.casefold())
            if row is None:
                row = Source(
                    name=spec.name,
                    url=spec.url,
                    kind=spec.kind,
                    article_pattern=spec.article_pattern,
                    region=spec.region,
                    origin="file",
                )
                store_sources.save_source(session, row)
                by_url[canonical_url(spec.url)] = row
                by_name[spec.name.casefold()] = row
                result.added += 1
                continue
            if row.id is not None:
                matched.add(row.id)
            if row.removed_at is not None:
                result.kept_removed += 1
                continue
            if row.origin != "file":
                continue
            clash = by_name.get(spec.name.casefold())
            if clash is not None and clash is not row:
                result.errors.append(_words(SourceError(SourceProblem.NAME_TAKEN, spec.name)))
                continue
            current = (row.name, row.url, row.kind, row.article_pattern, row.region, row.enabled)
            wanted = (spec.name, spec.url, spec.kind, spec.article_pattern, spec.region, True)
            if current != wanted:
                by_name.pop(row.name.casefold(), None)
                row.name, row.url = spec.name, spec.url
                row.kind, row.article_pattern = spec.kind, spec.article_pattern
                row.region = spec.region
                row.enabled = True
                by_name[row.name.casefold()] = row
                store_sources.save_source(session, row)
                result.updated += 1
        for row in rows:
            if (
                row.origin == "file"
                and row.enabled
                and row.removed_at is None
                and row.id not in matched
            ):
                row.enabled = False
                store_sources.save_source(session, row)
                result.disabled += 1
        await session.commit()
    return result


async def add_source(
    db: Database, url: str, name: str | None = None, *, kind: str | None = None
) -> Source:
    """An admin adds a site (or brings back one they removed). `SourceError` when invalid."""
    url = validate_url(url)
    if kind is not None and kind not in KINDS:
        raise SourceError(SourceProblem.BAD_KIND, repr(kind))
    name = (name or "").strip() or _name_from_url(url)
    async with db.session() as session:
        rows = await store_sources.all_sources(session)
        existing = next((r for r in rows if canonical_url(r.url) == canonical_url(url)), None)
        clash = next((r for r in rows if r.name.casefold() == name.casefold()), None)
        if clash is not None and clash is not existing:
            raise SourceError(SourceProblem.NAME_TAKEN, name)
        if existing is not None:
            if existing.enabled and existing.removed_at is None:
                raise SourceError(SourceProblem.ALREADY_ADDED, existing.name)
            existing.enabled = True
            existing.removed_at = None
            existing.name = name
            existing.kind = kind or existing.kind
            existing.region = existing.region or region_from_host(url)
            existing.consecutive_failures = 0
            existing.next_attempt_at = None
            row = existing
        else:
            row = Source(
                name=name, url=url, kind=kind, region=region_from_host(url), origin="admin"
            )
        return await store_sources.save_source_now(session, row)


async def remove_source(db: Database, name_or_id: str | int) -> Source | None:
    """Disable a source by id, name (any case) or URL; None when nothing matches."""
    key = str(name_or_id).strip()
    async with db.session() as session:
        rows = await store_sources.sources_not_removed(session)
        row = None
        if key.isdigit():
            row = next((r for r in rows if r.id == int(key)), None)
        row = row or next((r for r in rows if r.name.casefold() == key.casefold()), None)
        if row is None and key.startswith(("http://", "https://")):
            row = next((r for r in rows if canonical_url(r.url) == canonical_url(key)), None)
        if row is None:
            return None
        row.enabled = False
        row.removed_at = utcnow()
        return await store_sources.save_source_now(session, row)


async def list_sources(db: Database, *, include_disabled: bool = False) -> list[Source]:
    """Sources by name; enabled ones only unless asked."""
    async with db.session() as session:
        return await store_sources.sources_by_name(session, include_disabled=include_disabled)


class SourceStatus(StrEnum):
    """A source's health at a glance; its words and icons live in `texts.SOURCE_STATUS`."""

    OK = "ok"
    FAILING = "failing"  # its last visit failed; the next tick retries
    BACKING_OFF = "backing-off"  # failed repeatedly, waiting until `next_attempt_at`
    NEW = "new"  # never crawled successfully yet
    DISABLED = "disabled"  # removed by an admin or dropped from the sources file


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """One line of the health table (`kpu-digest sources`, `/sources`)."""

    id: int
    name: str
    url: str
    kind: str | None
    enabled: bool
    articles: int
    last_success_at: datetime | None
    last_crawled_at: datetime | None
    consecutive_failures: int
    last_error: str | None
    next_attempt_at: datetime | None

    @property
    def status(self) -> SourceStatus:
        if not self.enabled:
            return SourceStatus.DISABLED
        if self.consecutive_failures and self.next_attempt_at and self.next_attempt_at > utcnow():
            return SourceStatus.BACKING_OFF
        if self.consecutive_failures:
            return SourceStatus.FAILING
        if self.last_success_at is None:
            return SourceStatus.NEW
        return SourceStatus.OK


async def source_health(db: Database, *, include_disabled: bool = False) -> list[SourceHealth]:
    """Every source with its health and how many articles it has given us."""
    sources = await list_sources(db, include_disabled=include_disabled)
    async with db.session() as session:
        counts = await store_articles.article_counts_by_source(session)
    return [
        SourceHealth(
            id=s.id or 0,
            name=s.name,
            url=s.url,
            kind=s.kind,
            enabled=s.enabled,
            articles=counts.get(s.id, 0),
            last_success_at=s.last_success_at,
            last_crawled_at=s.last_crawled_at,
            consecutive_failures=s.consecutive_failures,
            last_error=s.last_error,
            next_attempt_at=s.next_attempt_at,
        )
        for s in sources
    ]


async def seed_from_file(db: Database, path: Path | str) -> tuple[SyncResult, list[str]]:
    """Load the sources file and sync it into the database; returns the sync and all errors."""
    specs, errors = load_sources_file(path)
    result = await sync_sources(db, specs)
    return result, errors + list(result.errors or [])


async def trusted_origins(db: Database) -> set[str]:
    """The enabled sources' URLs: the origins the trust rule trusts as configured."""
    return {source.url for source in await list_sources(db)}
