"""Operator-editable word lists behind the text heuristics, loaded once per process.

Each list lives in ``digests/data/<name>.txt``: one entry per line, ``#`` starts a comment,
and ``[section]`` headers split a file into named groups. Keeping them as data lets a
linguist or operator tune the splitter and the speaker finder without touching code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@cache
def sections(name: str) -> dict[str, frozenset[str]]:
    """Return ``{section: entries}`` of ``data/<name>.txt``, entries lower-cased."""
    groups: dict[str, set[str]] = {"": set()}
    current = ""
    for raw in (DATA_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip().lower()
            groups.setdefault(current, set())
            continue
        groups[current].add(line.lower())
    return {key: frozenset(value) for key, value in groups.items()}


@cache
def words(name: str, section: str = "") -> frozenset[str]:
    """Entries of one section (empty when the section is absent). Cached too: the text
    heuristics ask for their lists dozens of times per article."""
    return sections(name).get(section, frozenset())


@cache
def place_names() -> frozenset[tuple[str, ...]]:
    """Indonesia's provinces, their short forms and its 514 regencies and cities, as lower-case
    word tuples ("tanah", "datar"), from ``data/regions.toml`` (Kemendagri's list): a
    capitalised place right after "KPU" or "Kabupaten" is never part of a person's name."""
    import tomllib

    regions = tomllib.loads((DATA_DIR / "regions.toml").read_text(encoding="utf-8"))
    names: set[tuple[str, ...]] = set()
    for province in regions.get("provinces", []):
        names.add(tuple(province["name"].lower().split()))
        names.update((short.lower(),) for short in province.get("short", []))
        for regency in province.get("regencies", []):
            words_ = regency["name"].lower().replace("kab ", "kabupaten ").split()
            if words_ and words_[0] in ("kabupaten", "kota"):
                words_ = words_[1:]
            if words_:
                names.add(tuple(words_))
            names.update(tuple(short.lower().split()) for short in regency.get("short", []))
    return frozenset(names)
