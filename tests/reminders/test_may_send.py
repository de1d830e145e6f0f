""" "May a reminder go out" is defined once (`clinical.follow_up.reminder_block`); the
dispatcher's SQL selection plus its check on the selected values must agree with it, case by
case."""

import datetime

import pytest

from clinical.follow_up import ReminderBlock, reminder_block
from programs.models import PlanRevision
from reminders import services
from reminders.models import ReminderDelivery, ReminderSchedule
from tests.factories import PatientFactory
from tests.reminders.conftest import london, make_plan, make_schedule

WEEK = datetime.timedelta(weeks=1)
HOUR = datetime.timedelta(hours=1)

# case: (plan status or None, published this long before the slot, schedule changes or None
# for no schedule, what the clinical core answers)
CASES = {
    "active": ("active", WEEK, {}, None),
    "just-before-expiry": ("active", 6 * WEEK - HOUR, {}, None),
    "expired": ("active", 6 * WEEK + HOUR, {}, ReminderBlock.PLAN_EXPIRED),
    "plan-paused": ("paused", WEEK, {}, ReminderBlock.PLAN_PAUSED),
    "plan-completed": ("completed", WEEK, {}, ReminderBlock.NO_PLAN),
    "plan-archived": ("archived", WEEK, {}, ReminderBlock.NO_PLAN),
    "draft-only": ("draft", None, {}, ReminderBlock.NO_PLAN),
    "no-plan": (None, None, {}, ReminderBlock.NO_PLAN),
    "schedule-paused": ("active", WEEK, {"paused_reason": "ESC-WORSE"}, ReminderBlock.PAUSED),
    "turned-off": ("active", WEEK, {"is_enabled": False}, ReminderBlock.TURNED_OFF),
    "unsubscribed": ("active", WEEK, {"unsubscribed": True}, ReminderBlock.UNSUBSCRIBED),
    "no-weekday": ("active", WEEK, {"weekdays": []}, ReminderBlock.NO_WEEKDAY),
    "no-schedule": ("active", WEEK, None, ReminderBlock.NO_SCHEDULE),
}


def _arrange(patient, slot, plan_status, published_before, changes):
    if plan_status is not None:
        published_at = slot - published_before if published_before else None
        make_plan(patient, status=plan_status, published_at=published_at)
    if changes is None:
        return None
    schedule = make_schedule(patient, now=slot - HOUR)
    if changes.pop("unsubscribed", False):
        changes["unsubscribed_at"] = slot - HOUR
    # Set behind the services' back, so the dispatcher's own filter is what is tested (the
    # services would also clear next_slot_at).
    ReminderSchedule.objects.filter(pk=schedule.pk).update(**changes)
    schedule.refresh_from_db()
    return schedule


def _facts(patient, schedule, now) -> dict:
    current = PlanRevision.objects.current(patient.pk).select_related("plan").first()
    return {
        "has_schedule": schedule is not None,
        "is_subscribed": schedule is None or schedule.unsubscribed_at is None,
        "is_enabled": schedule is None or schedule.is_enabled,
        "paused_reason": schedule.paused_reason if schedule else "",
        "weekdays": schedule.weekdays if schedule else [],
        "plan_status": current.plan.status if current else None,
        "last_published_at": current.published_at if current else None,
        "now": now,
    }


@pytest.mark.django_db
def test_the_dispatcher_sends_exactly_when_the_clinical_core_says_it_may(clock, physio_a, enqueued):
    slot = london(0, 8)
    patients, expected_block, answered = {}, {}, {}
    for name, (plan_status, published_before, changes, block) in CASES.items():
        patient = PatientFactory(physiotherapist=physio_a, email=f"{name}@example.com")
        schedule = _arrange(
            patient, slot, plan_status, published_before, None if changes is None else dict(changes)
        )
        patients[name] = patient
        expected_block[name] = block
        answered[name] = reminder_block(**_facts(patient, schedule, slot + HOUR / 60))
    clock.now = slot + HOUR / 60

    services.dispatch_due_reminders(now=clock.now)

    sent = set(
        ReminderDelivery.objects.filter(status="pending").values_list("patient__email", flat=True)
    )
    assert answered == expected_block
    assert sent == {f"{name}@example.com" for name, block in answered.items() if block is None}
    assert sent == {"active@example.com", "just-before-expiry@example.com"}
