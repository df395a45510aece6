"""`kpu-digest demo` and `kpu-digest preview` as an operator runs them: real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def kpu_digest(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "digests.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    return kpu_digest("demo", "--database", url), url


def test_demo_crawls_the_sample_site_and_prints_each_divisions_digest(
    demo: tuple[subprocess.CompletedProcess[str], str],
) -> None:
    result, _ = demo
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    out = result.stdout
    assert "0 sources failed" in out
    assert "(19 stories)" in out
    for slug in ("teknis", "perencanaan", "data", "sosdiklih", "sdm", "hukum", "sekretariat"):
        assert f"[{slug}]" in out
    data_section = out.split("[data]")[1].split("\n=== ")[0]
    # the bot's layout: counts on top, KPU RI first in full, older stories as headlines
    assert "📂 Data dan Informasi: 5" in data_section
    assert data_section.index("— Fajar Nugroho") < data_section.index("▪️ Bimtek Banyuwangi")
    assert "Komentar via Facebook" not in out and "authorizing" not in out
    assert "— Arif Rahman Hakim" in out.split("[sekretariat]")[1].split("\n=== ")[0]


def test_preview_shows_one_division_of_a_stored_database(
    demo: tuple[subprocess.CompletedProcess[str], str],
) -> None:
    _, url = demo
    result = kpu_digest(
        "preview", "--division", "data", "--since", "24h", env={"DATABASE_URL": url}
    )
    assert result.returncode == 0, result.stderr
    assert "[data]" in result.stdout and "[teknis]" not in result.stdout
    assert "Bimtek Banyuwangi Ditutup" in result.stdout


def test_preview_refuses_an_unknown_division_with_the_valid_ones(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = kpu_digest("preview", "--division", "keuangan", env=env)
    assert result.returncode == 2
    assert "teknis" in result.stderr and "sekretariat" in result.stderr
    assert "Traceback" not in result.stderr
    bad_since = kpu_digest("preview", "--since", "kemarin", env=env)
    assert bad_since.returncode == 2 and "24h" in bad_since.stderr
