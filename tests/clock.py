"""The suite's one clock.

Every test runs at the moment `TEST_NOW` names (ISO 8601 with an offset); without it, at the
real time the run started (set once, below, so parallel workers share it). The autouse `clock`
fixture (tests/conftest.py) pins that moment with time-machine for each test, the clock
standing still unless the test moves it. Dates in tests are built from it: `suite_today() - DAY` at
import time (it equals `clock.today` when a test starts), `clock.today` inside a test.
"""

from __future__ import annotations

import datetime
import os

import pytest
import time_machine

DAY = datetime.timedelta(days=1)

# Set at import (the root conftest imports this first), before any conftest or test module
# builds a date from it; parallel workers (xdist) inherit it from the environment.
os.environ.setdefault("TEST_NOW", datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"))


def suite_moment() -> datetime.datetime:
    """The moment every test starts at: `TEST_NOW`, read once per run."""
    raw = os.environ["TEST_NOW"]
    try:
        moment = datetime.datetime.fromisoformat(raw)
    except ValueError:
        raise pytest.UsageError(f"TEST_NOW is not an ISO 8601 datetime: {raw!r}") from None
    if moment.tzinfo is None:
        raise pytest.UsageError(f"TEST_NOW needs an offset (e.g. +00:00): {raw!r}")
    return moment


def suite_today() -> datetime.date:
    """The suite moment's date in the project's TIME_ZONE: `clock.today` in a test that has
    not travelled."""
    from zoneinfo import ZoneInfo

    from django.conf import settings

    return suite_moment().astimezone(ZoneInfo(settings.TIME_ZONE)).date()


class Clock:
    """The pinned clock of one test: `clock.now` (aware, UTC) and `clock.today` read it;
    `clock.now = moment` travels there; `clock.advance(minutes=5)` moves it on."""

    def __init__(self, traveller: time_machine.Coordinates):
        self._traveller = traveller

    @property
    def now(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.UTC)

    @now.setter
    def now(self, moment: datetime.datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("travel to an aware datetime")
        self._traveller.move_to(moment)

    @property
    def today(self) -> datetime.date:
        """Today in the project's TIME_ZONE, as the product's default "today" reads it."""
        from django.utils import timezone

        return timezone.localtime().date()

    def advance(self, **delta) -> datetime.datetime:
        self._traveller.shift(datetime.timedelta(**delta))
        return self.now
