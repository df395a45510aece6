"""Delivery times: what staff may type after /waktu and when their digest is next due."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from digests import texts
from digests.delivery.schedule import (
    DeliverySpec,
    DeliveryTimeError,
    next_delivery,
    parse_delivery_times,
)

JAKARTA = ZoneInfo("Asia/Jakarta")


def test_two_times_are_sorted_and_deduplicated() -> None:
    spec = parse_delivery_times("17:30,07:00, 07:00")
    assert spec == DeliverySpec(times=(time(7, 0), time(17, 30)), instant=False)
    assert spec.labels == ["07:00", "17:30"]


def test_indonesian_dot_times_and_spaces_are_accepted() -> None:
    assert parse_delivery_times("7.00 17.30").labels == ["07:00", "17:30"]


@pytest.mark.parametrize("word", ["instan", "INSTAN", " instant "])
def test_instant_mode_is_recognised(word: str) -> None:
    assert parse_delivery_times(word) == DeliverySpec(times=(), instant=True)


@pytest.mark.parametrize("spoken", ["jam 7", "7", "pukul 07.00 WIB", "Jam 07:00", "07.00"])
def test_times_are_accepted_as_people_write_them(spoken: str) -> None:
    assert parse_delivery_times(spoken).labels == ["07:00"]


def test_several_spoken_times() -> None:
    assert parse_delivery_times("jam 7 dan 17.30").labels == ["07:00", "17:30"]


@pytest.mark.parametrize("bad", ["25:00", "07:60", "pagi", "", "jam", "7:5", "07:00,instan"])
def test_invalid_times_are_refused_in_indonesian(bad: str) -> None:
    with pytest.raises(DeliveryTimeError) as err:
        parse_delivery_times(bad)
    message = texts.delivery_time_problem(err.value)
    assert any(word in message for word in ("Waktu", "waktu", "Pilih", "Tulis"))


def test_too_many_times_a_day_are_refused() -> None:
    with pytest.raises(DeliveryTimeError) as err:
        parse_delivery_times("01:00,02:00,03:00,04:00,05:00,06:00,07:00")
    assert texts.delivery_time_problem(err.value) == "Paling banyak 6 waktu pengiriman sehari."


def test_next_delivery_later_today_in_jakarta() -> None:
    now = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)  # 07:00 WIB
    due = next_delivery(now, ["07:00", "17:30"], JAKARTA)
    assert due == datetime(2026, 11, 22, 10, 30, tzinfo=UTC)  # 17:30 WIB


def test_next_delivery_is_strictly_after_now_and_rolls_to_tomorrow() -> None:
    now = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)  # exactly 17:30 WIB
    assert next_delivery(now, ["07:00", "17:30"], JAKARTA) == datetime(
        2026, 11, 23, 0, 0, tzinfo=UTC
    )


def test_next_delivery_crosses_the_utc_date_line() -> None:
    now = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)  # 01:00 WIB on the 23rd
    assert next_delivery(now, [time(0, 30)], JAKARTA) == datetime(2026, 11, 23, 17, 30, tzinfo=UTC)


def test_next_delivery_in_a_zone_with_daylight_saving() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    now = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # the day before the spring change
    due = next_delivery(now, ["07:00"], berlin)
    assert due == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)  # 07:00 CEST


def test_next_delivery_refuses_naive_now() -> None:
    with pytest.raises(ValueError):
        next_delivery(datetime(2026, 1, 1), ["07:00"], JAKARTA)


def test_spec_is_described_for_settings_replies() -> None:
    assert texts.schedule_phrase(parse_delivery_times("07:00,12:00,17:30")) == (
        "pukul 07.00, 12.00 dan 17.30"
    )
    assert "instan" in texts.schedule_phrase(parse_delivery_times("instan"))


def test_quiet_hours_run_from_nine_in_the_evening_to_six_in_jakarta() -> None:
    from digests.delivery.schedule import in_quiet_hours, quiet_hours_end

    def wib(hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 11, 22, hour, minute, tzinfo=JAKARTA).astimezone(UTC)

    assert not in_quiet_hours(wib(20, 59), JAKARTA)
    assert in_quiet_hours(wib(21), JAKARTA)
    assert in_quiet_hours(wib(3), JAKARTA)
    assert not in_quiet_hours(wib(6), JAKARTA)
    six_next_day = datetime(2026, 11, 23, 6, 0, tzinfo=JAKARTA).astimezone(UTC)
    assert quiet_hours_end(wib(22, 30), JAKARTA) == six_next_day
    assert quiet_hours_end(wib(5, 59), JAKARTA) == wib(6)
    assert quiet_hours_end(wib(12), JAKARTA) == wib(12)
