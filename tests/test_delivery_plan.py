"""Delivery's rules as pure planning, without a database: who receives which selection of the
news, when the next digest falls due, which stories an instant push holds.

The SQL that feeds these functions (store.digests, store.subscribers) is covered by
tests/test_delivery.py on a real database; here the inputs are plain values.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from digests.config import Settings
from digests.delivery import instant, scheduled, selection
from digests.delivery.selection import NewsWindow
from digests.store.subscribers import Reader
from tests.botapi.html_parse import parse_html

SETTINGS = Settings(_env_file=None, timezone="Asia/Jakarta")
# 07:00 WIB on 22 November 2026
SEVEN_WIB = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
YESTERDAY_SEVEN = SEVEN_WIB - timedelta(days=1)


def story(
    n: int,
    seen: datetime,
    divisions: list[str],
    *,
    region: str = "jawa-timur",
    story_id: int | None = None,
    source: str = "KPU Provinsi Jawa Timur",
) -> SimpleNamespace:
    """An article row as the store reads it for delivery (`store.tables.ARTICLE_COLUMNS`)."""
    return SimpleNamespace(
        id=n,
        url=f"https://example.kpu.go.id/blog/read/{n}_berita",
        source_name=source,
        story_id=story_id,
        title=f"Berita nomor {n}",
        published_at=seen - timedelta(hours=1),
        lead=[f"Isi berita nomor {n}."],
        quotes=[],
        divisions=divisions,
        first_seen_at=seen,
        region=region,
        division_scores=None,
    )


def reader(
    n: int,
    divisions: list[str],
    *,
    regions: list[str] | None = None,
    watermark: datetime | None = YESTERDAY_SEVEN,
    times: list[str] | None = None,
) -> Reader:
    return Reader(
        id=n,
        chat_id=1000 + n,
        divisions=divisions,
        regions=regions,
        delivery_times=times if times is not None else ["07:00"],
        digest_watermark=watermark,
        next_digest_at=SEVEN_WIB,
    )


def window_of(rows: list[SimpleNamespace], start: datetime, firsts: dict[int, datetime]):
    window = NewsWindow(end=SEVEN_WIB)
    window.fill(start, rows, firsts)
    return window


def planned(readers: list[Reader], window: NewsWindow) -> list[scheduled.DigestGroup]:
    return scheduled.plan_groups(readers, window, SEVEN_WIB, SETTINGS)


def digest_links(window: NewsWindow, group: scheduled.DigestGroup) -> list[str]:
    """The article links the group's readers see in their digest."""
    rendered = selection.render_group(
        window,
        group.start,
        group.divisions,
        SETTINGS.tz,
        SEVEN_WIB,
        SETTINGS.digest_items_per_division,
        group.scope,
    )
    return [e["url"] for part in rendered.parts for e in parse_html(part)[1] if "url" in e]


def url(n: int) -> str:
    return f"https://example.kpu.go.id/blog/read/{n}_berita"


# --- scheduled digests ----------------------------------------------------------------------


def test_readers_with_the_same_divisions_scope_and_window_share_one_digest() -> None:
    rows = [story(1, SEVEN_WIB - timedelta(hours=3), ["data"])]
    window = window_of(rows, YESTERDAY_SEVEN, {})
    groups = planned(
        [reader(1, ["data"]), reader(2, ["teknis"]), reader(3, ["data"])],
        window,
    )
    assert [[r.id for r in g.readers] for g in groups] == [[1, 3], [2]]
    data, teknis = groups
    assert digest_links(window, data) == [url(1)]
    assert digest_links(window, teknis) == []


def test_every_spelling_of_everywhere_is_one_group() -> None:
    window = window_of([], YESTERDAY_SEVEN, {})
    groups = planned(
        [
            reader(1, ["data"], regions=None),
            reader(2, ["data"], regions=["semua"]),
            reader(3, ["data"], regions=[]),
        ],
        window,
    )
    assert len(groups) == 1
    assert [r.id for r in groups[0].readers] == [1, 2, 3]


def test_province_reader_gets_kpu_ri_and_their_province_only() -> None:
    seen = SEVEN_WIB - timedelta(hours=2)
    rows = [
        story(1, seen, ["data"], region="nasional", source="KPU RI"),
        story(2, seen, ["data"], region="jawa-timur"),
        story(3, seen, ["data"], region="dki-jakarta", source="KPU Provinsi DKI Jakarta"),
    ]
    window = window_of(rows, YESTERDAY_SEVEN, {})
    jatim, everywhere = planned(
        [reader(1, ["data"], regions=["nasional", "jawa-timur"]), reader(2, ["data"])], window
    )
    assert sorted(digest_links(window, jatim)) == [url(1), url(2)]
    assert sorted(digest_links(window, everywhere)) == [url(1), url(2), url(3)]


def test_story_shown_before_my_window_is_not_shown_again_when_republished() -> None:
    old_copy_seen = YESTERDAY_SEVEN - timedelta(hours=5)
    republished = story(2, SEVEN_WIB - timedelta(hours=4), ["data"], story_id=50)
    fresh = story(3, SEVEN_WIB - timedelta(hours=3), ["data"])
    window = window_of([republished, fresh], YESTERDAY_SEVEN, {50: old_copy_seen})
    (group,) = planned([reader(1, ["data"])], window)
    assert digest_links(window, group) == [url(3)]


def test_a_reader_served_later_gets_only_what_came_after_their_watermark() -> None:
    early = story(1, SEVEN_WIB - timedelta(hours=20), ["data"])
    late = story(2, SEVEN_WIB - timedelta(hours=2), ["data"])
    window = window_of([early, late], YESTERDAY_SEVEN, {})
    behind, recent = planned(
        [
            reader(1, ["data"]),
            reader(2, ["data"], watermark=SEVEN_WIB - timedelta(hours=10)),
        ],
        window,
    )
    assert behind.start == YESTERDAY_SEVEN and recent.start == SEVEN_WIB - timedelta(hours=10)
    assert sorted(digest_links(window, behind)) == [url(1), url(2)]
    assert digest_links(window, recent) == [url(2)]


def test_never_served_reader_looks_back_24_hours_and_no_one_past_the_horizon() -> None:
    never = reader(1, ["data"], watermark=None)
    long_gone = reader(2, ["data"], watermark=SEVEN_WIB - timedelta(days=60))
    assert scheduled.earliest_start([never], SEVEN_WIB, SETTINGS) == SEVEN_WIB - timedelta(hours=24)
    horizon = SEVEN_WIB - timedelta(days=SETTINGS.news_horizon_days)
    assert scheduled.earliest_start([never, long_gone], SEVEN_WIB, SETTINGS) == horizon
    rows = [
        story(1, SEVEN_WIB - timedelta(hours=30), ["data"]),
        story(2, SEVEN_WIB - timedelta(hours=2), ["data"]),
    ]
    window = window_of(rows, horizon, {})
    first_digest, returning = planned([never, long_gone], window)
    assert digest_links(window, first_digest) == [url(2)]
    assert sorted(digest_links(window, returning)) == [url(1), url(2)]


def test_reader_without_divisions_is_planned_but_receives_nothing() -> None:
    window = window_of([story(1, SEVEN_WIB - timedelta(hours=1), ["data"])], YESTERDAY_SEVEN, {})
    (group,) = planned([reader(1, [])], window)
    assert group.divisions == frozenset()
    assert digest_links(window, group) == []


def test_next_due_follows_each_readers_times_and_a_bad_time_falls_back_to_the_default() -> None:
    readers = [
        reader(1, ["data"], times=["07:00"]),
        reader(2, ["data"], times=["07:00", "19:30"]),
        reader(3, ["data"], times=["25:99"]),
        reader(4, ["data"], times=["12:00"]),
    ]
    due = scheduled.plan_next_due(readers, SEVEN_WIB, SETTINGS)
    assert due == {
        SEVEN_WIB + timedelta(days=1): [1, 3],  # tomorrow 07:00 WIB
        SEVEN_WIB + timedelta(hours=12, minutes=30): [2],  # today 19:30 WIB
        SEVEN_WIB + timedelta(hours=5): [4],  # today 12:00 WIB
    }


# --- instant pushes -------------------------------------------------------------------------


def test_instant_push_leaves_out_a_republication_of_an_older_story() -> None:
    new = story(10, SEVEN_WIB, ["data"], story_id=7)
    republished = story(11, SEVEN_WIB, ["data"], story_id=3)
    alone = story(12, SEVEN_WIB, ["data"])
    first_copy = {7: (SEVEN_WIB, 10), 3: (SEVEN_WIB - timedelta(days=2), 4)}
    kept = instant.new_stories([new, republished, alone], first_copy)
    assert [row.id for row in kept] == [10, 12]


def test_instant_readers_are_grouped_by_divisions_and_scope() -> None:
    groups = instant.plan_instant(
        [
            reader(1, ["data", "teknis"]),
            reader(2, ["teknis", "data"]),
            reader(3, ["data"], regions=["nasional", "jawa-timur"]),
        ]
    )
    assert [[r.id for r in g.readers] for g in groups] == [[1, 2], [3]]


def test_instant_push_found_at_night_falls_due_at_six_and_by_day_at_once() -> None:
    ten_pm = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)  # 22:00 WIB
    six_am = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # 06:00 WIB the next day
    quiet = Settings(_env_file=None, timezone="Asia/Jakarta", instant_quiet_hours=True)
    assert instant.instant_due(ten_pm, quiet) == six_am
    noon = datetime(2026, 11, 22, 5, 0, tzinfo=UTC)
    assert instant.instant_due(noon, quiet) == noon
    awake = Settings(_env_file=None, timezone="Asia/Jakarta", instant_quiet_hours=False)
    assert instant.instant_due(ten_pm, awake) == ten_pm


def test_the_same_stories_name_the_same_push_whatever_their_order() -> None:
    from digests.delivery.entries import entries_from_articles

    rows = [story(1, SEVEN_WIB, ["data"], story_id=9), story(2, SEVEN_WIB, ["data"])]
    forward = instant.batch_key(entries_from_articles(rows))
    backward = instant.batch_key(entries_from_articles(list(reversed(rows))))
    other = instant.batch_key(entries_from_articles(rows[:1]))
    assert forward == backward != other
