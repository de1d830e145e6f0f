from collections.abc import Iterable
from typing import Any, cast

from django.db.models import QuerySet

from accounts.permissions import clinic_id_of
from exercises.models import Exercise
from exercises.signals import patient_exercise_keys as _keys_signal


def patient_exercise_keys(patient) -> set[str]:
    """The keys of the exercises the apps above show this patient (exercises/signals.py)."""
    # django-stubs types each response as `str | None`; a receiver returns any value, here
    # the exercise keys of its app.
    responses = cast(
        "list[tuple[Any, Iterable[str]]]", _keys_signal.send(sender=Exercise, patient=patient)
    )
    return {key for _, keys in responses for key in keys}


def exercises_visible_to(user) -> QuerySet[Exercise]:
    """Global exercises and the user's clinic's own; a patient sees those in their plan."""
    exercises = Exercise.objects.all()
    if not user.is_authenticated:
        return exercises.none()
    clinic_id = clinic_id_of(user)
    if clinic_id is not None:
        return exercises.for_clinic(clinic_id)
    if user.is_patient:
        # Keys are unique per clinic only: resolve the plan's keys in the patient's clinic.
        patient = user.patient
        return exercises.for_clinic(patient.clinic_id).filter(
            key__in=patient_exercise_keys(patient)
        )
    if user.is_staff:
        return exercises
    return exercises.none()
