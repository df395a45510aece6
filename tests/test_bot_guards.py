"""The politeness limit on its own clock: a burst is cut, told once, and forgiven in time; the
outage guard swallows only a database outage, logged once."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from bot.guards import PolitenessLimit, outage_guard
from bot.handlers.admin import parse_broadcast
from digests.store.db import Database
from digests.store.queries import like_pattern


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_over_the_limit_is_stopped_and_told_once_then_forgiven() -> None:
    clock = FakeClock()
    limit = PolitenessLimit(max_updates=3, per_seconds=10, clock=clock)
    assert [limit.allow(1) for _ in range(3)] == [(True, False)] * 3
    assert limit.allow(1) == (False, True)  # the one "pelan-pelan"
    assert limit.allow(1) == (False, False)
    assert limit.allow(2) == (True, False)  # someone else is unaffected
    clock.now += 10.5
    assert limit.allow(1) == (True, False)
    assert limit.allow(1) == (True, False)
    assert limit.allow(1) == (True, False)
    assert limit.allow(1) == (False, True)  # a new burst is told again


def test_steady_use_below_the_limit_is_never_slowed() -> None:
    clock = FakeClock()
    limit = PolitenessLimit(max_updates=20, per_seconds=10, clock=clock)
    for _ in range(200):
        assert limit.allow(7)[0]
        clock.now += 0.6


def test_broadcast_targets_come_from_leading_hashtags_only() -> None:
    assert parse_broadcast("#data #SDM Rapat #besok\nbaris dua") == (
        ["data", "sdm"],
        "Rapat #besok\nbaris dua",
    )
    assert parse_broadcast("#data\nteks di baris baru") == (["data"], "teks di baris baru")
    assert parse_broadcast("Tanpa target") == ([], "Tanpa target")
    assert parse_broadcast("#data") == (["data"], "")


def test_like_pattern_takes_wildcards_literally() -> None:
    assert like_pattern("100%") == "%100\\%%"
    assert like_pattern("KPU_Baru") == "%kpu\\_baru%"
    assert like_pattern("a\\b") == "%a\\\\b%"


async def test_outage_guard_swallows_an_outage_logs_it_once_and_notes_the_recovery(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'guard.db'}")
    try:
        caplog.set_level(logging.WARNING, logger="digests.database")
        for _ in range(3):
            with outage_guard(db, "digest job") as outage:
                raise sqlite3.OperationalError("database is locked")
            assert outage.happened
        assert db.outage.down
        with outage_guard(db, "digest job") as outage:
            pass
        assert not outage.happened and not db.outage.down
        lines = [r.getMessage() for r in caplog.records]
        assert len(lines) == 2
        assert "database unavailable" in lines[0] and "digest job" in lines[0]
        assert "available again" in lines[1]
    finally:
        await db.dispose()


async def test_outage_guard_raises_anything_that_is_not_an_outage(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'guard.db'}")
    try:
        with pytest.raises(ValueError), outage_guard(db, "digest job"):
            raise ValueError("a bug, not an outage")
        with pytest.raises(sqlite3.IntegrityError), outage_guard(db, "digest job"):
            raise sqlite3.IntegrityError("UNIQUE constraint failed")
        assert not db.outage.down
    finally:
        await db.dispose()
