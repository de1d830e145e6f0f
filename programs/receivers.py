"""What programs answers when a lower app asks (exercises/signals.py)."""

from django.dispatch import receiver

from exercises.signals import patient_exercise_keys
from programs.selectors import exercise_keys_in_published_plan


@receiver(patient_exercise_keys, dispatch_uid="programs.exercise_keys_in_published_plan")
def exercise_keys_of_published_plan(*, patient, **_) -> list[str]:
    return exercise_keys_in_published_plan(patient)
