"""Shared reads of plan data."""

from __future__ import annotations

from accounts.permissions import patients_visible_to
from programs.models import Assessment, Plan, PlanRevision

VISIBLE_TO_PATIENT = (Plan.Status.ACTIVE, Plan.Status.PAUSED)


def current_revision(patient) -> PlanRevision | None:
    """The latest published revision of the patient's current plan: all a patient ever sees."""
    return (
        PlanRevision.objects.filter(plan__patient=patient, plan__status__in=VISIBLE_TO_PATIENT)
        .select_related("plan")
        .order_by("-published_at", "-id")
        .first()
    )


def exercise_keys_in_published_plan(patient) -> list[str]:
    """Keys of the exercises in the patient's latest published plan revision."""
    revision = current_revision(patient)
    if revision is None:
        return []
    return sorted(
        {item["exercise_key"] for phase in revision.snapshot["phases"] for item in phase["items"]}
    )


def assessments_visible_to(user):
    return Assessment.objects.filter(patient__in=patients_visible_to(user))


def plans_visible_to(user):
    """Plans of the patients the user may see. A patient never sees a draft (unpublished)."""
    plans = Plan.objects.filter(patient__in=patients_visible_to(user))
    if not user.is_physio:
        plans = plans.exclude(status=Plan.Status.DRAFT)
    return plans
