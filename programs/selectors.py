"""Shared reads of plan data."""

from __future__ import annotations

from programs.models import Plan, PlanRevision

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
