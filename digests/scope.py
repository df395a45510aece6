"""Region scopes: which stories reach a reader who follows `semua`, `nasional` or provinces.

PRODUCT.md "Regions": a scope is `semua` (everything), or `nasional` plus provinces. Read by
delivery (which stories a digest holds) and by store's queries (which readers a story reaches).
"""

from __future__ import annotations

from collections.abc import Collection

from digests.summary.regions import NASIONAL

__all__ = [
    "NASIONAL",
    "SCOPE_ALL",
    "allowed_regions",
    "in_scope",
    "scope_everywhere",
    "scope_provinces",
]

SCOPE_ALL = "semua"  # the scope that takes every region


def scope_everywhere(scope: Collection[str] | None) -> bool:
    """No scope stored, or `semua`: every region."""
    return not scope or SCOPE_ALL in scope


def scope_provinces(scope: Collection[str] | None) -> frozenset[str]:
    """The provinces a scope names (without `semua` and `nasional`)."""
    return frozenset(r for r in scope or () if r not in (SCOPE_ALL, NASIONAL))


def in_scope(entry_regions: Collection[str], scope: Collection[str] | None) -> bool:
    """Whether a story reaches a reader with this region scope (PRODUCT.md "Regions").

    `semua` takes everything; otherwise KPU RI (`nasional`) always, plus the scope's provinces.
    A story whose region is unknown reaches only `semua` readers: it might be any province's.
    """
    allowed = allowed_regions(scope)
    return allowed is None or not allowed.isdisjoint(entry_regions)


def allowed_regions(scope: Collection[str] | None) -> frozenset[str] | None:
    """The regions a scope takes; None for everything."""
    if scope_everywhere(scope):
        return None
    return scope_provinces(scope) | {NASIONAL}
