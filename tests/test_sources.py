"""The sources file and the admins' changes: validation, idempotent sync, removals that stick."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digests import texts
from digests.collect.guard import UrlRefused, check_url
from digests.collect.sources import (
    SourceError,
    SourceProblem,
    SourceStatus,
    add_source,
    list_sources,
    load_sources_file,
    parse_sources,
    remove_source,
    seed_from_file,
    source_health,
    sync_sources,
    trusted_origins,
)
from digests.config import BUNDLED_SOURCES_FILE
from digests.store.db import Database

GOOD_AND_BAD = """\
[[sources]]
name = "KPU Provinsi Jawa Timur"
url = "https://jatim.kpu.go.id/index.php/blog/category/104"
kind = "html"
article_pattern = "/blog/read/"

[[sources]]
name = "Tanpa URL"

[[sources]]
name = "Jenis Salah"
url = "https://jabar.kpu.go.id/index.php/blog/category/104"
kind = "rss"

[[sources]]
name = "Pola Rusak"
url = "https://jateng.kpu.go.id/index.php/blog/category/104"
article_pattern = "/blog/(read"

[[sources]]
name = "Bukan Web"
url = "ftp://kpu.go.id/berita"

[[sources]]
name = "KPU RI"
url = "https://www.kpu.go.id/berita/104/berita-terkini"

[[sources]]
name = "Ganda"
url = "https://JATIM.kpu.go.id/index.php/blog/category/104/"

[[sources]]
name = "Salah Ketik"
url = "https://bali.kpu.go.id/index.php/blog/category/104"
knd = "html"

[[sources]]
url = "https://ntb.kpu.go.id/feed/"
kind = "feed"
"""


def test_bad_entries_are_reported_by_line_and_the_rest_load(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(GOOD_AND_BAD, encoding="utf-8")
    specs, errors = load_sources_file(path)
    assert [s.name for s in specs] == ["KPU Provinsi Jawa Timur", "KPU RI", "ntb.kpu.go.id"]
    assert specs[0].kind == "html" and specs[0].article_pattern == "/blog/read/"
    assert specs[0].line == 1
    lines = [re.search(r": (line \d+): ", error).group(1) for error in errors]  # type: ignore[union-attr]
    assert lines == ["line 7", "line 10", "line 15", "line 20", "line 28", "line 32"]
    joined = "\n".join(errors)
    for reason in ("`url` wajib", "`kind`", "regex", "http://", "sudah ada di baris 1", "knd"):
        assert reason in joined


def test_a_file_that_is_not_toml_gives_one_error_and_no_sources(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text("[[sources]\nname = ", encoding="utf-8")
    specs, errors = load_sources_file(path)
    assert specs == [] and len(errors) == 1 and "TOML" in errors[0]


def test_bundled_list_has_kpu_ri_and_38_provinces_in_the_real_url_shapes() -> None:
    specs, errors = load_sources_file(BUNDLED_SOURCES_FILE)
    assert errors == []
    assert len(specs) == 39
    regional = [s for s in specs if s.name.startswith("KPU Provinsi")]
    assert len(regional) == 38
    assert all(s.url.endswith(".kpu.go.id/index.php/blog/category/104") for s in regional)
    assert any(s.url == "https://www.kpu.go.id/berita/104/berita-terkini" for s in specs)


@pytest.mark.db
async def test_sync_is_idempotent_and_follows_renames(database: Database) -> None:
    specs, _ = parse_sources(GOOD_AND_BAD)
    first = await sync_sources(database, specs)
    again = await sync_sources(database, specs)
    assert (first.added, again.added, again.updated, again.disabled) == (3, 0, 0, 0)

    renamed, _ = parse_sources(GOOD_AND_BAD.replace("KPU RI", "KPU Republik Indonesia"))
    result = await sync_sources(database, renamed)
    assert (result.added, result.updated) == (0, 1)
    names = [s.name for s in await list_sources(database)]
    assert "KPU Republik Indonesia" in names and "KPU RI" not in names


@pytest.mark.db
async def test_source_removed_by_an_admin_is_not_resurrected_by_the_file(
    database: Database,
) -> None:
    specs, _ = parse_sources(GOOD_AND_BAD)
    await sync_sources(database, specs)
    removed = await remove_source(database, "kpu ri")
    assert removed is not None and not removed.enabled

    result = await sync_sources(database, specs)
    assert result.kept_removed == 1
    assert "KPU RI" not in [s.name for s in await list_sources(database)]

    back = await add_source(database, "https://www.kpu.go.id/berita/104/berita-terkini", "KPU RI")
    assert back.id == removed.id and back.enabled and back.removed_at is None


@pytest.mark.db
async def test_source_dropped_from_the_file_is_disabled_and_returns_with_it(
    database: Database,
) -> None:
    specs, _ = parse_sources(GOOD_AND_BAD)
    await sync_sources(database, specs)
    admin = await add_source(database, "https://sumut.kpu.go.id/index.php/blog/category/104")
    assert admin.name == "sumut.kpu.go.id" and admin.origin == "admin"

    result = await sync_sources(database, specs[:1])
    assert result.disabled == 2  # the two file sources no longer listed; the admin's stays
    names = {s.name for s in await list_sources(database)}
    assert names == {"KPU Provinsi Jawa Timur", "sumut.kpu.go.id"}

    result = await sync_sources(database, specs)
    assert result.updated == 2
    assert len(await list_sources(database)) == 4


@pytest.mark.db
async def test_admin_additions_are_validated(database: Database) -> None:
    for bad in ("jatim.kpu.go.id", "ftp://kpu.go.id/x", "https://", "https://a b.go.id/"):
        with pytest.raises(SourceError):
            await add_source(database, bad)
    await add_source(database, "https://bali.kpu.go.id/index.php/blog/category/104", "KPU Bali")
    with pytest.raises(SourceError) as again:
        await add_source(database, "https://BALI.kpu.go.id/index.php/blog/category/104/")
    assert again.value.reason is SourceProblem.ALREADY_ADDED
    assert texts.source_problem(again.value) == "sumber ini sudah terdaftar sebagai 'KPU Bali'"
    with pytest.raises(SourceError) as taken:
        await add_source(database, "https://ntt.kpu.go.id/index.php/blog/category/104", "kpu bali")
    assert taken.value.reason is SourceProblem.NAME_TAKEN and "nama" in texts.source_problem(
        taken.value
    )


@pytest.mark.db
async def test_remove_by_id_name_or_url_and_unknown_gives_none(database: Database) -> None:
    specs, _ = parse_sources(GOOD_AND_BAD)
    await sync_sources(database, specs)
    rows = await list_sources(database)
    by_id = await remove_source(database, str(rows[0].id))
    assert by_id is not None and by_id.id == rows[0].id
    by_url = await remove_source(database, "https://ntb.kpu.go.id/feed")
    assert by_url is not None and by_url.name == "ntb.kpu.go.id"
    assert await remove_source(database, "tidak ada") is None
    health = await source_health(database, include_disabled=True)
    assert sorted(h.status for h in health) == [
        SourceStatus.DISABLED,
        SourceStatus.DISABLED,
        SourceStatus.NEW,
    ]


@pytest.mark.db
async def test_configured_sources_are_trusted_for_summary_and_removed_ones_are_not(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[sources]]\nname = "Lokal"\nurl = "http://10.0.0.5:8080/index.php/blog/category/104"\n'
        '[[sources]]\nname = "Lain"\nurl = "http://10.0.0.6/feed/"\n',
        encoding="utf-8",
    )
    result, errors = await seed_from_file(database, path)
    assert (result.added, errors) == (2, [])
    await remove_source(database, "Lain")
    trusted = await trusted_origins(database)
    await check_url(
        "http://10.0.0.5:8080/index.php/blog/read/1_a", trusted_origins=trusted, allowed_hosts=[]
    )
    with pytest.raises(UrlRefused):
        await check_url("http://10.0.0.6/2024/01/01/a/", trusted_origins=trusted, allowed_hosts=[])


# --- regions ------------------------------------------------------------------------------------

REGIONS = """\
[[sources]]
name = "KPU Kabupaten Kediri"
url = "https://kab-kediri.kpu.go.id/index.php/blog/category/104"

[[sources]]
name = "KPU Jatim lama"
url = "https://kpujatim.go.id/feed/"
kind = "feed"

[[sources]]
name = "Cermin Jatim"
url = "https://cermin.example.org/berita"
region = "jatim"

[[sources]]
name = "KPU RI"
url = "https://www.kpu.go.id/berita/104/berita-terkini"

[[sources]]
name = "Situs Lain"
url = "https://berita.example.org/"

[[sources]]
name = "Wilayah Salah"
url = "https://jabar.kpu.go.id/index.php/blog/category/104"
region = "jawa"
"""


def test_source_region_comes_from_the_file_else_from_the_host() -> None:
    specs, errors = parse_sources(REGIONS)
    assert {s.name: s.region for s in specs} == {
        "KPU Kabupaten Kediri": "jawa-timur",  # a regency's source gets its province
        "KPU Jatim lama": "jawa-timur",
        "Cermin Jatim": "jawa-timur",  # a short form in the file is read as its slug
        "KPU RI": "nasional",
        "Situs Lain": None,
    }
    assert len(errors) == 1 and "line 23" in errors[0] and "'jawa'" in errors[0]


def test_every_bundled_source_has_the_region_of_its_name() -> None:
    from digests.summary.regions import province

    specs, errors = load_sources_file(BUNDLED_SOURCES_FILE)
    assert not errors
    text = Path(BUNDLED_SOURCES_FILE).read_text(encoding="utf-8")
    assert text.count("\nregion = ") == len(specs)  # written in the file, not left to inference
    for spec in specs:
        if spec.name == "KPU RI":
            assert spec.region == "nasional"
            continue
        name = province(spec.region).name.replace("DI ", "Daerah Istimewa ")  # type: ignore[union-attr]
        assert spec.name.endswith(name), spec


async def test_synced_and_added_sources_store_their_region(database: Database) -> None:
    specs, _ = parse_sources(REGIONS)
    await sync_sources(database, specs)
    added = await add_source(
        database, "https://kota-surabaya.kpu.go.id/index.php/blog/category/104"
    )
    assert added.region == "jawa-timur"
    rows = {s.name: s.region for s in await list_sources(database)}
    assert rows["KPU Kabupaten Kediri"] == "jawa-timur" and rows["KPU RI"] == "nasional"
    site = 'url = "https://berita.example.org/"'
    edited, _ = parse_sources(REGIONS.replace(site, site + '\nregion = "bali"'))
    result = await sync_sources(database, edited)
    assert result.updated == 1
    rows = {s.name: s.region for s in await list_sources(database)}
    assert rows["Situs Lain"] == "bali"
