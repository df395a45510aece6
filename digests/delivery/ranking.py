"""Where a story goes in a reader's digest and in which order: home division, ranking.

Pure functions over `DigestEntry` values; the division order and the fallback come from the
catalog (`data/divisions.toml`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from digests.delivery.entries import DigestEntry
from digests.scope import NASIONAL, allowed_regions, scope_provinces
from digests.summary.divisions import load_divisions


def division_name(slug: str) -> str:
    """The display name of a division slug; the slug itself if the catalog does not know it
    (a stored article may carry a slug retired since)."""
    division = load_divisions().get(slug)
    return division.name if division is not None else slug


def division_short_name(slug: str) -> str:
    """The short name for buttons and lists ("Perencanaan & Logistik"); the slug if unknown."""
    division = load_divisions().get(slug)
    return (division.short_name or division.name) if division is not None else slug


def division_order() -> tuple[str, ...]:
    """Slugs in display order: the catalog's (data/divisions.toml lists them in that order)."""
    return tuple(load_divisions().slugs)


def fallback_division() -> str:
    """Where an untagged story goes: the catalog's `fallback` slug (`umum`)."""
    return load_divisions().settings.fallback


def home_division(
    entry: DigestEntry, selected: Collection[str] | None, rank: Mapping[str, int] | None = None
) -> str | None:
    """The one division a story is listed under for a reader: among its tags the reader
    follows, the one the tagger scored best; catalogue order breaks ties and stands in for
    missing scores. None when the reader follows none of its tags."""
    rank = rank if rank is not None else {slug: i for i, slug in enumerate(division_order())}
    tags = list(entry.divisions) or [fallback_division()]
    candidates = [d for d in tags if selected is None or d in selected]
    if not candidates:
        return None

    def key(slug: str) -> tuple[float, int, str]:
        score = entry.score(slug)
        return (-(score if score is not None else float("-inf")), rank.get(slug, len(rank)), slug)

    return min(candidates, key=key)


def ranking_key(entry: DigestEntry, preferred: Collection[str]) -> tuple[int, int, float, int]:
    """Order inside a division: KPU RI and the reader's provinces first, then stories carried
    by more sites, then the newest."""
    near = 0 if set(entry.regions) & set(preferred) else 1
    sites = max(len(entry.site_names), 1)
    return (near, -sites, -entry.sort_time.timestamp(), -(entry.article_id or 0))


def group_by_division(
    entries: Iterable[DigestEntry],
    selected: Collection[str] | None = None,
    *,
    scope: Collection[str] | None = None,
) -> dict[str, list[DigestEntry]]:
    """Entries under their home division (display order), ranked; each story once.

    `selected=None` keeps every entry (/latest, /search); otherwise only the selected divisions,
    and an empty selection gives nothing: a subscriber with no divisions has unsubscribed from
    everything (`/berhenti`), "all divisions" is stored as every slug (`/langganan semua`), and
    an untagged story counts as the catalog's fallback (`umum`). `scope` is the reader's region
    scope (None or `semua`: everything), see `digests.scope.in_scope`.
    """
    order = division_order()
    rank = {slug: i for i, slug in enumerate(order)}
    wanted = None if selected is None else set(selected)
    preferred = scope_provinces(scope) | {NASIONAL}
    allowed = allowed_regions(scope)
    groups: dict[str, list[DigestEntry]] = {}
    for entry in entries:
        if allowed is not None and allowed.isdisjoint(entry.regions):
            continue
        home = home_division(entry, wanted, rank)
        if home is not None:
            groups.setdefault(home, []).append(entry)
    ordered = sorted(groups, key=lambda d: (rank.get(d, len(rank)), d))
    return {slug: sorted(groups[slug], key=lambda e: ranking_key(e, preferred)) for slug in ordered}
