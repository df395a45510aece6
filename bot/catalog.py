"""The division catalog as the bot shows it (loaded once from the operator's data file)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from digests.summary.divisions import load_divisions


@cache
def _catalog():  # type: ignore[no-untyped-def]
    return load_divisions()


def division_slugs() -> tuple[str, ...]:
    return tuple(_catalog().slugs)


def division_names(slugs: Iterable[str]) -> list[str]:
    return [_catalog().name(slug) for slug in slugs]


def division_description(slug: str) -> str | None:
    division = _catalog().get(slug)
    return getattr(division, "description", None) or None
