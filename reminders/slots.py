"""When reminders are due: pure slot arithmetic, no Django.

A patient picks weekdays and a local wall-clock time in their own time zone. A *slot* is one
such (day, time) turned into a UTC instant. Slots are computed per local calendar day, so a
local 08:00 exists exactly once per chosen day, also on the days the clocks change.

Daylight-saving edge cases (PEP 495 semantics, `fold=0`):

- A local time that does not exist (in the spring-forward gap, e.g. 01:30 in Europe/London on
  the last Sunday of March) is moved forward by the length of the gap: 01:30 becomes 02:30
  local, the first valid instant at the same distance from midnight. The day keeps one slot.
- A local time that happens twice (in the autumn fall-back overlap, e.g. 01:30 on the last
  Sunday of October) is the *first* occurrence (the summer-time one). The day keeps one slot.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = datetime.UTC
WEEKDAYS = range(7)  # Monday = 0 … Sunday = 6, as datetime.date.weekday()


@dataclass(frozen=True)
class Schedule:
    """What the slot arithmetic needs of one patient's reminder schedule."""

    weekdays: frozenset[int]
    local_time: datetime.time
    timezone: str


def slot_instant(day: datetime.date, local_time: datetime.time, tz: ZoneInfo) -> datetime.datetime:
    """The UTC instant of `local_time` on the local calendar `day` (see the module docstring)."""
    wall = datetime.datetime.combine(day, local_time.replace(tzinfo=None, fold=0), tzinfo=tz)
    # With fold=0 zoneinfo reads a gap time with the offset before the jump (so it lands the
    # gap length later) and an overlap time with the first offset: exactly the documented rule.
    return wall.astimezone(UTC)


def slots_between(
    schedule: Schedule, start: datetime.datetime, end: datetime.datetime
) -> Iterator[datetime.datetime]:
    """Slot instants (UTC) with start < slot <= end, oldest first."""
    if not schedule.weekdays or end <= start:
        return
    tz = ZoneInfo(schedule.timezone)
    # One local day either side covers every offset (-12 h … +14 h) around the window.
    day = start.astimezone(tz).date() - datetime.timedelta(days=1)
    last_day = end.astimezone(tz).date() + datetime.timedelta(days=1)
    while day <= last_day:
        if day.weekday() in schedule.weekdays:
            instant = slot_instant(day, schedule.local_time, tz)
            if start < instant <= end:
                yield instant
        day += datetime.timedelta(days=1)


def due_slots(
    schedules: dict, now: datetime.datetime, window: datetime.timedelta
) -> dict[object, list[datetime.datetime]]:
    """For each `{key: Schedule}`, the slots in the window (now - window, now], in UTC."""
    start = now - window
    return {key: list(slots_between(s, start, now)) for key, s in schedules.items()}


def next_slot_after(schedule: Schedule, after: datetime.datetime) -> datetime.datetime | None:
    """The first slot strictly after `after`, or None when no weekday is chosen."""
    if not schedule.weekdays:
        return None
    # Eight days always contain each chosen weekday once more.
    return next(slots_between(schedule, after, after + datetime.timedelta(days=8)), None)
