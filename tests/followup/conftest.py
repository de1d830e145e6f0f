"""A published plan built through the real services, and a short way to check in."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from clinical.follow_up import warning_sign_questions
from followup import services
from programs.intake_form import AssessmentForm
from programs.models import PlanRevision
from programs.services import generate_plan, publish_plan, record_assessment
from tests.clock import suite_today
from tests.programs.intake_data import intake_form_data

# The plans start on the suite's date; tests move the clock from there.
TODAY = suite_today()

# Nothing on the check-in is answered for the patient: every question of a (default, lumbar)
# plan answered calmly, as the patient ticks it on the page or sends it through the API.
LUMBAR_WARNING_KEYS = tuple(question.key for question in warning_sign_questions({"lumbar"}))
CALM_DAY_FORM = {
    "can_manage_daily_tasks": "yes",
    "has_new_symptoms": "no",
    **{f"warning_{key}": "no" for key in LUMBAR_WARNING_KEYS},
}
CALM_DAY_API = {
    "can_manage_daily_tasks": True,
    "has_new_symptoms": False,
    "warning_answers": dict.fromkeys(LUMBAR_WARNING_KEYS, "no"),
}


def publish_plan_for(patient, *, today: datetime.date = TODAY, **intake) -> PlanRevision:
    """Assessment → proposed plan (real planner and catalogue) → published revision 1.

    Defaults: lumbar, onset the day before, pain 6/10: the plan starts in P1 (Settle).
    """
    data = intake_form_data(
        assessment_date=today.isoformat(),
        onset_date=(today - datetime.timedelta(days=1)).isoformat(),
        **intake,
    )
    form = AssessmentForm(data, date_of_birth=patient.date_of_birth, today=today)
    assert form.is_valid(), form.errors
    assessment = record_assessment(
        patient=patient, by=patient.physiotherapist.user, answers=form.answers, today=today
    )
    plan = generate_plan(assessment=assessment, by=patient.physiotherapist.user, today=today)
    return publish_plan(plan=plan, by=patient.physiotherapist.user)


@pytest.fixture
def revision_a1(patient_a1, catalogue) -> PlanRevision:
    return publish_plan_for(patient_a1)


def check_in(patient, *, at: datetime.datetime | None = None, **answers):
    """Record a check-in with calm defaults (pain 3, feeling better, nothing done)."""
    values = {"pain": 3, "feeling": "better", "source": "portal", **answers}
    return services.record_check_in(patient=patient, now=at or timezone.now(), **values)
