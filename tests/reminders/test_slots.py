"""The pure slot arithmetic across daylight-saving changes (no database)."""

import datetime

import pytest

from reminders.slots import Schedule, due_slots, next_slot_after, slots_between

UTC = datetime.UTC
EVERY_DAY = frozenset(range(7))


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def daily(at: str, tz: str) -> Schedule:
    return Schedule(weekdays=EVERY_DAY, local_time=datetime.time.fromisoformat(at), timezone=tz)


@pytest.mark.parametrize(
    ("tz", "first_day", "expected_utc_hours"),
    [
        # Europe/London springs forward on Sunday 29 March 2026: 08:00 GMT → 08:00 BST.
        ("Europe/London", datetime.date(2026, 3, 27), [8, 8, 7, 7]),
        # … and falls back on Sunday 25 October 2026.
        ("Europe/London", datetime.date(2026, 10, 23), [7, 7, 8, 8]),
        # America/New_York: Sunday 8 March 2026 and Sunday 1 November 2026.
        ("America/New_York", datetime.date(2026, 3, 6), [13, 13, 12, 12]),
        ("America/New_York", datetime.date(2026, 10, 30), [12, 12, 13, 13]),
    ],
)
def test_one_slot_at_eight_local_each_day_across_the_change(tz, first_day, expected_utc_hours):
    start = utc(first_day.year, first_day.month, first_day.day)
    end = start + datetime.timedelta(days=4)

    found = list(slots_between(daily("08:00", tz), start, end))

    assert [slot.hour for slot in found] == expected_utc_hours
    assert [slot.date() for slot in found] == [
        first_day + datetime.timedelta(days=n) for n in range(4)
    ]
    assert all(slot.astimezone(datetime.UTC).minute == 0 for slot in found)


def test_minute_by_minute_windows_find_each_slot_exactly_once():
    schedule = daily("08:00", "Europe/London")
    now = utc(2026, 3, 27, 0, 0)
    found = []
    while now < utc(2026, 3, 31):
        found += list(slots_between(schedule, now - datetime.timedelta(minutes=1), now))
        now += datetime.timedelta(minutes=1)

    assert found == [
        utc(2026, 3, 27, 8),
        utc(2026, 3, 28, 8),
        utc(2026, 3, 29, 7),
        utc(2026, 3, 30, 7),
    ]


def test_a_time_in_the_spring_gap_moves_forward_by_the_gap():
    # 01:30 does not exist in London on 29 March 2026 (01:00 GMT → 02:00 BST): 02:30 BST.
    found = list(
        slots_between(daily("01:30", "Europe/London"), utc(2026, 3, 28, 12), utc(2026, 3, 30))
    )

    assert found == [utc(2026, 3, 29, 1, 30)]


def test_a_time_in_the_autumn_overlap_is_the_first_occurrence():
    # 01:30 happens twice in London on 25 October 2026: the first is 01:30 BST = 00:30 UTC.
    found = list(
        slots_between(daily("01:30", "Europe/London"), utc(2026, 10, 24, 12), utc(2026, 10, 26))
    )

    assert found == [utc(2026, 10, 25, 0, 30)]


def test_new_york_gap_and_overlap():
    gap = list(slots_between(daily("02:30", "America/New_York"), utc(2026, 3, 8), utc(2026, 3, 9)))
    overlap = list(
        slots_between(daily("01:30", "America/New_York"), utc(2026, 11, 1), utc(2026, 11, 2))
    )

    assert gap == [utc(2026, 3, 8, 7, 30)]  # 03:30 EDT
    assert overlap == [utc(2026, 11, 1, 5, 30)]  # the first 01:30, EDT


def test_weekdays_and_window_bounds():
    mon_wed_fri = Schedule(frozenset({0, 2, 4}), datetime.time(8), "Europe/London")
    now = utc(2026, 11, 25, 9, 0)  # Wednesday 09:00 GMT

    due = due_slots(
        {"a": mon_wed_fri, "b": daily("10:00", "UTC")}, now, datetime.timedelta(hours=2)
    )

    assert due == {"a": [utc(2026, 11, 25, 8)], "b": []}
    assert next_slot_after(mon_wed_fri, now) == utc(2026, 11, 27, 8)
    assert next_slot_after(Schedule(frozenset(), datetime.time(8), "UTC"), now) is None
