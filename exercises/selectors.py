from django.db.models import QuerySet

from accounts.permissions import clinic_id_of
from exercises.models import Exercise


def exercises_visible_to(user) -> QuerySet[Exercise]:
    """Global exercises and the user's clinic's own; a patient sees those in their plan."""
    exercises = Exercise.objects.all()
    if not user.is_authenticated:
        return exercises.none()
    clinic_id = clinic_id_of(user)
    if clinic_id is not None:
        return exercises.for_clinic(clinic_id)
    if user.is_patient:
        from programs.selectors import exercise_keys_in_published_plan

        return exercises.filter(key__in=exercise_keys_in_published_plan(user.patient))
    if user.is_staff:
        return exercises
    return exercises.none()
