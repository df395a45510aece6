"""Shared fixtures: a real, migrated database per test (SQLite file, or PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from digests.store.db import Database
from tests.dbutil import fresh_database_url

# Instant pushes hold at night (21.00-06.00 WIB): tests that run on the wall clock must not
# depend on the hour; tests/test_delivery.py switches the quiet hours on where it tests them.
os.environ.setdefault("INSTANT_QUIET_HOURS", "false")


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database_url(tmp_path) as url:
        yield url


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    db = Database(db_url)
    try:
        yield db
    finally:
        await db.dispose()


DATABASE_FIXTURES = {"db_url", "database"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that touches a database is a `db` test, whether or not it says so.

    `.ci/run` reruns `-m db` on PostgreSQL, so a forgotten marker must not skip a test there.
    """
    for item in items:
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)
