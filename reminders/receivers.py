"""What reminders does when programs says something happened (programs/signals.py)."""

from django.dispatch import receiver

from programs.signals import plan_published, safety_concern_raised, safety_concern_resolved
from reminders.services import (
    apply_default_schedule,
    pause_for_safety,
    resume_after_safety_concern,
)


@receiver(plan_published, dispatch_uid="reminders.start_default_schedule")
def start_default_schedule(*, plan, **_) -> None:
    apply_default_schedule(plan=plan)


@receiver(safety_concern_raised, dispatch_uid="reminders.pause_for_safety_concern")
def pause_for_safety_concern(*, concern, **_) -> None:
    pause_for_safety(patient=concern.patient, rule_ids=concern.rule_ids)


@receiver(safety_concern_resolved, dispatch_uid="reminders.resume_after_safety_concern")
def resume_for_closed_concern(*, concern, **_) -> None:
    resume_after_safety_concern(
        patient=concern.patient, rule_ids=concern.rule_ids, by=concern.resolved_by
    )
