"""`kpu-digest crawl --once` and `kpu-digest sources` on a fixture site and a broken one."""

from __future__ import annotations

from pathlib import Path

import pytest

from digests.cli.crawl import print_sources, run_crawl
from digests.config import Settings
from digests.sample.loopback import LoopbackServer, Response, Site
from tests.fixture_site import NewsSite

pytestmark = pytest.mark.db


async def test_crawl_once_prints_a_line_per_source_and_a_total_then_health(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with LoopbackServer() as server:
        site = NewsSite("regional", name="KPU Provinsi Fixture", count=3, seed=71)
        site.serve(server)
        broken = server.add_site(Site({"/x": Response(b"down", status=500)}))
        sources = tmp_path / "sources.toml"
        sources.write_text(
            site.source_toml()
            + f'\n[[sources]]\nname = "KPU Rusak"\nurl = "{broken}/x"\n'
            + '\n[[sources]]\nname = "Tanpa URL"\n',
            encoding="utf-8",
        )
        settings = Settings(_env_file=None, database_url=db_url, sources_file=sources)  # type: ignore[call-arg]
        assert await run_crawl(settings, once=True) == 0
        out, err = capsys.readouterr()
        assert await print_sources(settings) == 0
        health, _ = capsys.readouterr()

    lines = out.strip().splitlines()
    fixture = next(line for line in lines if line.startswith("KPU Provinsi Fixture"))
    assert fixture.split()[3:7] == ["3", "0", "0", "0"]  # new, updated, unchanged, failed
    assert "GAGAL: HTTP 500" in next(line for line in lines if line.startswith("KPU Rusak"))
    assert lines[-1].startswith("total: 2 sources, 3 new") and "1 sources failed" in lines[-1]
    assert "sources.toml: line 10: " in err and "`url` wajib" in err
    fixture_health = next(line for line in health.splitlines() if "KPU Provinsi Fixture" in line)
    assert " ok " in fixture_health and " 3 " in fixture_health
    assert "HTTP 500" in next(line for line in health.splitlines() if "KPU Rusak" in line)
