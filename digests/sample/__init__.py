"""Bundled static KPU-like sites for the offline demo, tests and benchmarks.

`manifest.toml` beside this file lists the sites and documents how URL paths map to files.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SAMPLE_SITE_DIR", "SamplePage", "SampleSite", "iter_sample_pages", "load_sites"]

SAMPLE_SITE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class SampleSite:
    """One site of the sample: where it lives and how a crawler should read it."""

    key: str
    name: str
    base_path: str
    kind: str  # "html" (a listing page) or "feed"
    listing: str  # URL path of the listing page or feed
    article_pattern: str  # regex on URL paths that picks article links


@dataclass(frozen=True, slots=True)
class SamplePage:
    """An article page: its site key, URL path on the loopback origin, and HTML."""

    site: str
    path: str
    html: str


def load_sites(root: Path = SAMPLE_SITE_DIR) -> list[SampleSite]:
    data = tomllib.loads((root / "manifest.toml").read_text(encoding="utf-8"))
    return [
        SampleSite(
            key=s["key"],
            name=s["name"],
            base_path=s["base_path"],
            kind=s["kind"],
            listing=s["listing"],
            article_pattern=s["article_pattern"],
        )
        for s in data["sites"]
    ]


def iter_sample_pages(root: Path = SAMPLE_SITE_DIR) -> Iterator[SamplePage]:
    """Every article page of every sample site, site by site, in path order."""
    for site in load_sites(root):
        pattern = re.compile(site.article_pattern)
        for file in sorted((root / site.key).rglob("index.html")):
            path = "/" + file.parent.relative_to(root).as_posix()
            if site.kind == "feed":
                path += "/"
            if pattern.search(path):
                yield SamplePage(site.key, path, file.read_text(encoding="utf-8"))
