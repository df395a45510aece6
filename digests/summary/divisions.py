"""The catalog of KPU divisions that staff subscribe to, loaded from `data/divisions.toml`.

Slugs are the stable interface; names, older names, descriptions and the keywords that tag an
article are data an operator edits (divisions are renamed after almost every KPU reorganisation).
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = ["SHORT_NAME_MAX", "ClassifierSettings", "Division", "DivisionCatalog", "load_divisions"]

# A button label this long still fits on a phone beside its ✅.
SHORT_NAME_MAX = 22


def _folded(text: str) -> str:
    """A name as typed or stored, compared loosely: case, "&"/"dan", punctuation and spaces."""
    words = text.casefold().replace("&", " dan ").replace("/", " ").replace(",", " ").split()
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Division:
    """One division: what staff subscribe to and see in a digest."""

    slug: str
    name: str
    # What lists and buttons show: the full names hold commas and run past a phone's width.
    short_name: str = ""
    description: str = ""
    old_names: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    keywords: MappingProxyType[str, float] = field(default_factory=lambda: MappingProxyType({}))
    # Keywords the last fit gave no weight; they tag nothing, and the next fit tries them again.
    unused: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClassifierSettings:
    """Scoring knobs; see the comment at the top of divisions.toml."""

    threshold: float = 4.0
    relative_cutoff: float = 0.3
    explicit_weight: float = 8.0
    old_name_weight: float = 8.0
    title_multiplier: float = 2.0
    lead_multiplier: float = 1.0
    max_hits_per_keyword: int = 3
    max_divisions: int = 0  # 0: no limit
    fallback: str = "umum"
    mention_triggers: tuple[str, ...] = ("divisi", "membidangi")
    ignore: tuple[str, ...] = ()


class DivisionCatalog:
    """Divisions in display order, looked up by slug."""

    def __init__(self, divisions: list[Division], settings: ClassifierSettings) -> None:
        self._by_slug = {d.slug: d for d in divisions}
        if len(self._by_slug) != len(divisions):
            raise ValueError("divisions.toml: a slug is listed twice")
        if settings.fallback not in self._by_slug:
            raise ValueError(f"divisions.toml: fallback slug {settings.fallback!r} is not listed")
        self.divisions: tuple[Division, ...] = tuple(divisions)
        self.settings = settings

    @property
    def slugs(self) -> list[str]:
        return [d.slug for d in self.divisions]

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    def __iter__(self) -> Iterator[Division]:
        return iter(self.divisions)

    def __len__(self) -> int:
        return len(self.divisions)

    def get(self, slug: str) -> Division | None:
        return self._by_slug.get(slug.strip().casefold())

    def name(self, slug: str) -> str:
        """The display name of `slug`; KeyError naming the valid slugs when it is unknown."""
        division = self.get(slug)
        if division is None:
            raise KeyError(f"unknown division {slug!r}; valid: {', '.join(self.slugs)}")
        return division.name

    def short_name(self, slug: str) -> str:
        """The short name of `slug` (its name when none is set); KeyError when unknown."""
        division = self.get(slug)
        if division is None:
            raise KeyError(f"unknown division {slug!r}; valid: {', '.join(self.slugs)}")
        return division.short_name or division.name

    def find(self, words: str) -> Division | None:
        """The division a user named: its slug, name, short name or an older name, any case."""
        wanted = _folded(words)
        if not wanted:
            return None
        for division in self.divisions:
            names = (division.slug, division.name, division.short_name, *division.old_names)
            if wanted in {_folded(n) for n in names if n}:
                return division
        return None

    def closest(self, words: str) -> Division | None:
        """The division a typo most likely meant ("tekins", "hukm dan pengawasan"), or None."""
        wanted = _folded(words)
        if not wanted:
            return None
        names: dict[str, Division] = {}
        for division in self.divisions:
            for n in (division.slug, division.name, division.short_name, *division.old_names):
                if n:
                    names.setdefault(_folded(n), division)
        found = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.75)
        return names[found[0]] if found else None

    def describe(self) -> str:
        """One line per division, "slug — Name: description", for help texts and logs."""
        lines = []
        for d in self.divisions:
            line = f"{d.slug} — {d.name}"
            if d.description:
                line += f": {d.description}"
            if d.old_names:
                line += f" (dahulu: {'; '.join(d.old_names)})"
            lines.append(line)
        return "\n".join(lines)


def load_divisions(path: Path | None = None) -> DivisionCatalog:
    """Load the catalog from `path`, or the bundled divisions.toml (cached) when None."""
    if path is None:
        return _bundled()
    return _parse(tomllib.loads(Path(path).read_text(encoding="utf-8")), str(path))


@cache
def _bundled() -> DivisionCatalog:
    text = files("digests").joinpath("data", "divisions.toml").read_text(encoding="utf-8")
    return _parse(tomllib.loads(text), "divisions.toml")


def _parse(data: dict[str, Any], source: str) -> DivisionCatalog:
    raw_settings = data.get("settings", {})
    known = set(ClassifierSettings.__dataclass_fields__)
    unknown = set(raw_settings) - known
    if unknown:
        raise ValueError(f"{source}: unknown settings {sorted(unknown)}")
    for listed in ("mention_triggers", "ignore"):
        if listed in raw_settings:
            raw_settings = {**raw_settings, listed: tuple(raw_settings[listed])}
    settings = ClassifierSettings(**raw_settings)
    divisions = []
    for index, entry in enumerate(data.get("divisions", []), start=1):
        slug = str(entry.get("slug", "")).strip()
        name = str(entry.get("name", "")).strip()
        if not slug or not name:
            raise ValueError(f"{source}: division #{index} needs a slug and a name")
        if slug != slug.casefold() or " " in slug:
            raise ValueError(f"{source}: slug {slug!r} must be lower case without spaces")
        keywords = {}
        for keyword, weight in entry.get("keywords", {}).items():
            if not isinstance(weight, int | float) or weight <= 0:
                raise ValueError(f"{source}: {slug} keyword {keyword!r} needs a positive weight")
            keywords[keyword] = float(weight)
        short_name = str(entry.get("short_name", "")).strip()
        if len(short_name) > SHORT_NAME_MAX or "," in short_name:
            raise ValueError(
                f"{source}: {slug} short_name {short_name!r} must be at most {SHORT_NAME_MAX}"
                " characters, without commas"
            )
        divisions.append(
            Division(
                slug=slug,
                name=name,
                short_name=short_name,
                description=str(entry.get("description", "")).strip(),
                old_names=tuple(entry.get("old_names", ())),
                mentions=tuple(entry.get("mentions", ())),
                keywords=MappingProxyType(keywords),
                unused=tuple(entry.get("unused", ())),
            )
        )
    if not divisions:
        raise ValueError(f"{source}: no divisions listed")
    return DivisionCatalog(divisions, settings)
