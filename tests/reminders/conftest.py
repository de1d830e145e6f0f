"""Plans with published revisions, a settable clock, and a captured enqueue for reminders."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from exercises.catalogue_file import load_catalogue_file
from programs.models import Assessment, Plan, PlanRevision
from reminders import services
from reminders.models import ReminderSchedule
from tests.clock import suite_today

UTC = datetime.UTC


F01_DRAWING = load_catalogue_file()["F01"].drawing


def _item(key: str, name: str, dosage_text: str, drawing: dict | None = None) -> dict:
    return {
        **({"drawing": drawing} if drawing else {}),
        "id": None,
        "exercise_key": key,
        "name": name,
        "category": "flexibility",
        "position": "supine",
        "picture": "",
        "steps": ["Lie on your back.", "Move gently."],
        "cautions": "",
        "sets": None,
        "reps": None,
        "hold_seconds": None,
        "minutes": None,
        "per_day": None,
        "days_per_week": None,
        "per_side": False,
        "dosage_text": dosage_text,
        "notes": "",
        "reason": "Test item.",
        "rule_ids": [],
    }


def snapshot(phase: str = "P1") -> dict:
    """A revision snapshot in the shape of `programs.snapshots.plan_snapshot`."""
    items = [
        _item("F01", "Pelvic tilt", "2 sets of 10, twice a day", F01_DRAWING),
        _item("A01", "Walking", "10 minutes, every day"),
    ]
    return {
        "current_phase": phase,
        "plan_advice": [],
        "phases": [
            {
                "code": code,
                "name": code,
                "goals": "",
                "typical_duration": "",
                "minimum_days": None,
                "exit_criteria": [],
                "restrictions": [],
                "session_cap": "",
                "aerobic_target": "",
                "start_date": None,
                "end_date": None,
                "notes": "",
                "items": items if code == phase else [_item("X01", "Other", "x")],
                "advice": [],
            }
            for code in ("P1", "P2", "P3", "P4")
        ],
    }


def make_plan(patient, *, status=Plan.Status.ACTIVE, phase="P1", published_at=None) -> Plan:
    physio = patient.physiotherapist
    assessed = timezone.localtime().date() - datetime.timedelta(days=7)  # a week before now
    assessment = Assessment.objects.create(
        patient=patient,
        recorded_by=physio,
        assessment_date=assessed,
        answers={},
        outcome=Assessment.Outcome.CLEAR,
        screened_on=assessed,
    )
    plan = Plan.objects.create(
        patient=patient,
        physiotherapist=physio,
        assessment=assessment,
        status=status,
        start_date=assessed,
        current_phase=phase,
    )
    if status != Plan.Status.DRAFT:
        revision = PlanRevision.objects.create(
            plan=plan, number=1, snapshot=snapshot(phase), published_by=physio.user
        )
        if published_at:
            PlanRevision.objects.filter(pk=revision.pk).update(published_at=published_at)
    return plan


def make_schedule(patient, *, weekdays=(0, 1, 2, 3, 4, 5, 6), at="08:00", tz=None, now):
    schedule = ReminderSchedule(
        patient=patient,
        weekdays=list(weekdays),
        local_time=datetime.time.fromisoformat(at),
        timezone=tz or patient.timezone,
    )
    # The first slot after "creation", as the services would set it.
    schedule.next_slot_at = services.slots.next_slot_after(schedule.as_slot_schedule(), now)
    schedule.save()
    return schedule


LONDON = ZoneInfo("Europe/London")


def _first_monday() -> datetime.date:
    today = suite_today()
    return today + datetime.timedelta(days=-today.weekday() % 7)


# The reminder tests describe slots by the wall clock in London (the patients' zone): the
# week of the first Monday on or after the suite's date, whatever its UTC offset then.
MONDAY = _first_monday()


def london(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    """`day` days after MONDAY at that wall-clock time in London, as an aware UTC datetime."""
    wall = datetime.datetime.combine(
        MONDAY + datetime.timedelta(days=day), datetime.time(hour, minute, second), LONDON
    )
    return wall.astimezone(UTC)


@pytest.fixture
def clock(clock):
    """The suite's clock, moved to 07:00 in London on MONDAY: an hour before the default
    08:00 slot (auto_now fields follow it)."""
    clock.now = london(0, 7)
    return clock


@pytest.fixture
def enqueued(monkeypatch):
    """Capture what the dispatcher and sweeper enqueue instead of sending at once."""
    ids: list[int] = []
    monkeypatch.setattr(services, "_enqueue", ids.extend)
    return ids


@pytest.fixture(autouse=True)
def run_on_commit_at_once(monkeypatch):
    """Tests run inside one transaction that never commits: run after-commit work at once
    (in eager mode that is the send itself)."""
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )
