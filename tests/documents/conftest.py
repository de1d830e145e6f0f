"""A published plan revision for the PDF tests, built through the real services."""

from __future__ import annotations

import pytest

from programs.intake_form import AssessmentForm
from programs.models import Plan, PlanRevision, Prescription
from programs.services import generate_plan, publish_plan, record_assessment
from tests.clock import suite_today
from tests.programs.intake_data import intake_form_data

TODAY = suite_today()


def make_plan(patient) -> Plan:
    """An assessment → proposed draft plan for the patient (real planner and catalogue)."""
    form = AssessmentForm(intake_form_data(), date_of_birth=patient.date_of_birth, today=TODAY)
    assert form.is_valid(), form.errors
    assessment = record_assessment(
        patient=patient, by=patient.physiotherapist.user, answers=form.answers, today=TODAY
    )
    return generate_plan(assessment=assessment, by=patient.physiotherapist.user, today=TODAY)


def publish(plan: Plan) -> PlanRevision:
    return publish_plan(plan=plan, by=plan.physiotherapist.user)


@pytest.fixture
def draft_plan(patient_a1, catalogue) -> Plan:
    return make_plan(patient_a1)


@pytest.fixture
def revision(draft_plan) -> PlanRevision:
    return publish(draft_plan)


def item_names(revision: PlanRevision) -> list[str]:
    return [item["name"] for phase in revision.phases for item in phase["items"]]


def set_first_note(plan: Plan, note: str) -> None:
    Prescription.objects.filter(pk=plan.phases.first().prescriptions.first().pk).update(notes=note)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """PDFs go to a fresh private directory per test (the worker fixture reads it too)."""
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        },
    }
    return location
