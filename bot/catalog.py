"""The division catalog as the bot shows it (loaded once from the operator's data file)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from digests.summary.divisions import Division, DivisionCatalog, load_divisions


@cache
def _catalog() -> DivisionCatalog:
    return load_divisions()


def division_slugs() -> tuple[str, ...]:
    return tuple(_catalog().slugs)


def division_names(slugs: Iterable[str]) -> list[str]:
    """Full names, for headings and a single division named on its own."""
    return [_catalog().name(slug) for slug in slugs]


def division_short_names(slugs: Iterable[str]) -> list[str]:
    """Short names, for lists of divisions and buttons (the full names hold commas)."""
    return [_catalog().short_name(slug) for slug in slugs]


def fallback_division() -> str:
    """The slug an article gets when it fits no division (the data file's `fallback`)."""
    return _catalog().settings.fallback


def division_description(slug: str) -> str | None:
    division = _catalog().get(slug)
    return getattr(division, "description", None) or None


def find_division(words: str) -> Division | None:
    """The division a user named by slug, name, short name or older name, in any case."""
    return _catalog().find(words)


def closest_division(words: str) -> Division | None:
    """What a mistyped division name most likely meant, for "Maksud Anda …?"."""
    return _catalog().closest(words)
