"""What reminders does when programs says something happened (programs/signals.py)."""

from django.dispatch import receiver

from programs.signals import plan_published
from reminders.services import apply_default_schedule


@receiver(plan_published, dispatch_uid="reminders.start_default_schedule")
def start_default_schedule(*, plan, **_) -> None:
    apply_default_schedule(plan=plan)
