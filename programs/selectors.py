"""Shared reads of plan data."""

from __future__ import annotations

from django.db.models import Max, Prefetch
from django.shortcuts import get_object_or_404

from accounts.models import AuditEvent
from accounts.permissions import patients_visible_to
from accounts.services import record_audit
from programs.models import Assessment, Plan, PlanRevision, Prescription


def current_revision(patient) -> PlanRevision | None:
    """The latest published revision of the patient's current plan: all a patient ever sees."""
    return PlanRevision.objects.current_for(patient)


def exercise_keys_in_published_plan(patient) -> list[str]:
    """Keys of the exercises in the patient's latest published plan revision."""
    revision = current_revision(patient)
    return revision.exercise_keys() if revision else []


def open_warnings(plan: Plan) -> list[dict]:
    """What the physio checks before publishing (the editor's "Check before publishing"): the
    plan's warnings, then each phase's and each of its items' warnings, phase by phase."""
    phases = plan.phases.order_by("code").prefetch_related(
        Prefetch("prescriptions", queryset=Prescription.objects.order_by("order", "id"))
    )
    warnings = list(plan.warnings)
    for phase in phases:
        warnings += phase.warnings
        for item in phase.prescriptions.all():
            warnings += item.warnings
    return warnings


def assessments_visible_to(user):
    return Assessment.objects.filter(patient__in=patients_visible_to(user))


def plans_visible_to(user):
    """Plans of the patients the user may see. A patient never sees a draft (unpublished)."""
    plans = Plan.objects.filter(patient__in=patients_visible_to(user))
    if not user.is_physio:
        plans = plans.exclude(status=Plan.Status.DRAFT)
    return plans


# --- audited lookups ----------------------------------------------------------------------
# Each loads one object a page or API endpoint shows, 404 unless the user may see it, and
# records the read (who, what) once: every path that shows an assessment, a plan or a
# published revision goes through exactly one of these. Writes look objects up unaudited.


def _record_read(user, patient, detail: str) -> None:
    record_audit(actor=user, patient=patient, action=AuditEvent.Action.VIEW, detail=detail)


def get_assessment_for(user, pk, *, part: str = "") -> Assessment:
    """An assessment with its answers and screening (`part`: what of it is read)."""
    assessment = get_object_or_404(
        assessments_visible_to(user).select_related(
            "patient__clinic", "amber_confirmed_by", "recorded_by__user"
        ),
        pk=pk,
    )
    _record_read(user, assessment.patient, " ".join(filter(None, [part, f"assessment {pk}"])))
    return assessment


def get_plan_for(user, pk) -> Plan:
    """A plan as the physio edits it (`latest_revision` annotated for the API)."""
    plan = get_object_or_404(
        plans_visible_to(user)
        .select_related("patient__clinic", "assessment", "physiotherapist__user")
        .annotate(latest_revision=Max("revisions__number")),
        pk=pk,
    )
    _record_read(user, plan.patient, f"plan {plan.pk}")
    return plan


def get_revision_for(user, *, plan_id, number, part: str = "") -> PlanRevision:
    """One published revision of a plan the user may see (`part`: what of it is read)."""
    revision = get_object_or_404(
        PlanRevision.objects.select_related("plan__patient__clinic").filter(
            plan__in=plans_visible_to(user)
        ),
        plan_id=plan_id,
        number=number,
    )
    _record_read(
        user,
        revision.plan.patient,
        " ".join(filter(None, [part, f"plan {plan_id} r{revision.number}"])),
    )
    return revision


def current_revision_for(user, patient) -> PlanRevision | None:
    """`current_revision` as the patient (or whoever `user` is) reads it: audited when there
    is one to read."""
    revision = current_revision(patient)
    if revision is not None:
        _record_read(user, patient, f"plan {revision.plan_id} r{revision.number}")
    return revision
