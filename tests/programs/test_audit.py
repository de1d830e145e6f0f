"""The audit trail of plans: every read of an assessment, plan or published revision (pages and
API) is recorded once, in the lookup; every edit records who changed what."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from exercises.models import Exercise
from programs import services
from programs.intake_form import AssessmentForm
from programs.models import Assessment, Plan, PlanRevision, Prescription
from tests.clock import suite_today
from tests.programs.intake_data import intake_form_data

pytestmark = pytest.mark.django_db

TODAY = suite_today()


def assess(patient, **changes) -> Assessment:
    form = AssessmentForm(
        intake_form_data(**changes), date_of_birth=patient.date_of_birth, today=TODAY
    )
    assert form.is_valid(), form.errors
    return services.record_assessment(
        patient=patient, by=patient.physiotherapist.user, answers=form.answers, today=TODAY
    )


@pytest.fixture
def draft(patient_a1, catalogue) -> Plan:
    return services.generate_plan(
        assessment=assess(patient_a1), by=patient_a1.physiotherapist.user, today=TODAY
    )


@pytest.fixture
def published(draft) -> PlanRevision:
    return services.publish_plan(plan=draft, by=draft.physiotherapist.user)


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_since(mark: int) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(pk__gt=mark)
        .order_by("id")
        .values_list("actor", "patient", "action", "detail")
    )


# --- reads -------------------------------------------------------------------------------


def _physio_reads(revision: PlanRevision) -> dict[str, tuple[str, str]]:
    plan_id, assessment_id = revision.plan_id, revision.plan.assessment_id
    return {
        "assessment page": (
            reverse("assessment-detail", args=[assessment_id]),
            f"assessment {assessment_id}",
        ),
        "plan editor page": (reverse("plan-edit", args=[plan_id]), f"plan {plan_id}"),
        "what-changed page": (
            reverse("revision-changes", args=[plan_id, 1]),
            f"changes in plan {plan_id} r1",
        ),
        "assessment api": (f"/api/v1/assessments/{assessment_id}/", f"assessment {assessment_id}"),
        "screening api": (
            f"/api/v1/assessments/{assessment_id}/screening/",
            f"screening of assessment {assessment_id}",
        ),
        "plan api": (f"/api/v1/plans/{plan_id}/", f"plan {plan_id}"),
        "revision api": (f"/api/v1/plans/{plan_id}/revisions/1/", f"plan {plan_id} r1"),
        "what-changed api": (
            f"/api/v1/plans/{plan_id}/revisions/1/changes/",
            f"changes in plan {plan_id} r1",
        ),
    }


def _patient_reads(revision: PlanRevision) -> dict[str, tuple[str, str]]:
    plan_id = revision.plan_id
    return {
        "revision api": (f"/api/v1/plans/{plan_id}/revisions/1/", f"plan {plan_id} r1"),
        "what-changed api": (
            f"/api/v1/plans/{plan_id}/revisions/1/changes/",
            f"changes in plan {plan_id} r1",
        ),
        "my plan api": ("/api/v1/me/plan/", f"plan {plan_id} r1"),
    }


PHYSIO_READS = [
    "assessment page",
    "plan editor page",
    "what-changed page",
    "assessment api",
    "screening api",
    "plan api",
    "revision api",
    "what-changed api",
]


def _get(client, api, user, url: str):
    if url.startswith("/api/"):
        return api.as_user(user).get(url)
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("path", PHYSIO_READS)
def test_a_physio_reading_is_recorded_once(client, api, physio_a, patient_a1, published, path):
    url, detail = _physio_reads(published)[path]
    mark = last_event_id()

    response = _get(client, api, physio_a.user, url)

    assert response.status_code == 200
    assert events_since(mark) == [(physio_a.user.pk, patient_a1.pk, "view", detail)]


@pytest.mark.parametrize("path", ["revision api", "what-changed api", "my plan api"])
def test_the_patient_reading_their_own_plan_is_recorded_once(api, patient_a1, published, path):
    url, detail = _patient_reads(published)[path]
    mark = last_event_id()

    response = api.as_user(patient_a1.user).get(url)

    assert response.status_code == 200
    assert events_since(mark) == [(patient_a1.user.pk, patient_a1.pk, "view", detail)]


@pytest.mark.parametrize("path", PHYSIO_READS)
def test_another_clinic_reads_nothing_and_nothing_is_recorded(
    client, api, physio_b, published, path
):
    url, _ = _physio_reads(published)[path]
    mark = last_event_id()

    response = _get(client, api, physio_b.user, url)

    assert response.status_code == 404
    assert events_since(mark) == []


def test_a_patient_without_a_published_plan_reads_nothing_and_nothing_is_recorded(
    api, patient_a1, draft
):
    mark = last_event_id()

    response = api.as_user(patient_a1.user).get("/api/v1/me/plan/")

    assert response.status_code == 404
    assert events_since(mark) == []


def test_lists_record_no_read(api, physio_a, patient_a1, published):
    api.as_user(physio_a.user)
    mark = last_event_id()

    responses = [
        api.get("/api/v1/plans/"),
        api.get(f"/api/v1/patients/{patient_a1.pk}/assessments/"),
        api.get(f"/api/v1/plans/{published.plan_id}/revisions/"),
        api.get("/api/v1/plan-templates/"),
    ]

    assert [r.status_code for r in responses] == [200] * 4
    assert events_since(mark) == []


def test_an_htmx_refresh_after_an_edit_records_the_edit_and_no_read(
    client, physio_a, patient_a1, draft
):
    client.force_login(physio_a.user)
    mark = last_event_id()

    response = client.post(
        reverse("phase-update", args=[draft.pk, "P1"]),
        {"notes": "Gentle start."},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert events_since(mark) == [
        (physio_a.user.pk, patient_a1.pk, "update", f"plan {draft.pk} P1: notes")
    ]


# --- edits -------------------------------------------------------------------------------


def item_with_sets(plan: Plan) -> Prescription:
    return (
        Prescription.objects.filter(phase__plan=plan, sets__isnull=False, reps__isnull=False)
        .select_related("phase", "exercise")
        .order_by("phase__code", "order")
        .first()
    )


def items_of(plan: Plan, code: str) -> list[Prescription]:
    return list(
        Prescription.objects.filter(phase__plan=plan, phase__code=code)
        .select_related("phase", "exercise__progression")
        .order_by("order", "id")
    )


def test_a_dosage_change_records_each_value_before_and_after(physio_a, patient_a1, draft):
    item = item_with_sets(draft)
    sets, reps = item.sets, item.reps
    mark = last_event_id()

    services.update_prescription(
        prescription=item,
        by=physio_a.user,
        sets=sets + 1,
        reps=reps + 2,
        notes="Slowly.",
        change_reason="progressing",
        change_note="Private words.",
    )

    assert events_since(mark) == [
        (
            physio_a.user.pk,
            patient_a1.pk,
            "update",
            f"plan {draft.pk} {item.phase.code}: dosage of {item.exercise.key} changed: "
            f"sets {sets}→{sets + 1}, reps {reps}→{reps + 2}, notes; "
            "reason: Progressing: the exercise is easy now (4.4)",
        )
    ]


def test_a_notes_change_names_the_item_and_not_the_text(physio_a, patient_a1, draft):
    item = item_with_sets(draft)
    mark = last_event_id()

    services.update_prescription(prescription=item, by=physio_a.user, notes="Private words.")

    assert events_since(mark) == [
        (
            physio_a.user.pk,
            patient_a1.pk,
            "update",
            f"plan {draft.pk} {item.phase.code}: notes of {item.exercise.key} changed",
        )
    ]


def test_saving_the_same_dosage_records_nothing(physio_a, draft):
    item = item_with_sets(draft)
    mark = last_event_id()

    services.update_prescription(prescription=item, by=physio_a.user, sets=item.sets)

    assert events_since(mark) == []


def test_adding_removing_moving_and_swapping_record_who_and_what(physio_a, patient_a1, draft):
    settle = items_of(draft, "P1")
    swappable = next(item for item in settle if item.exercise.progression_id)
    harder = swappable.exercise.progression
    first, second = settle[0], settle[1]
    # Keys as they are now: the swap changes the exercise of the item it swaps.
    keys = {"first": first.exercise.key, "second": second.exercise.key}
    keys["swapped"] = swappable.exercise.key
    restore = draft.phases.get(code="P2")
    mark = last_event_id()

    services.add_prescription(
        phase=restore, exercise=Exercise.objects.get(key="F05"), by=physio_a.user
    )
    services.move_prescription(prescription=first, by=physio_a.user, offset=1)
    services.swap_prescription(prescription=swappable, by=physio_a.user, to="progression")
    services.remove_prescription(prescription=second, by=physio_a.user)

    actor, patient = physio_a.user.pk, patient_a1.pk
    assert events_since(mark) == [
        (actor, patient, "update", f"plan {draft.pk} P2: added F05"),
        (
            actor,
            patient,
            "update",
            f"plan {draft.pk} P1: moved {keys['first']} from position 1 to 2",
        ),
        (
            actor,
            patient,
            "update",
            f"plan {draft.pk} P1: swapped {keys['swapped']} for its progression {harder.key}",
        ),
        (actor, patient, "update", f"plan {draft.pk} P1: removed {keys['second']}"),
    ]


def test_moving_the_last_item_further_down_changes_and_records_nothing(physio_a, draft):
    last = items_of(draft, "P1")[-1]
    mark = last_event_id()

    services.move_prescription(prescription=last, by=physio_a.user, offset=1)

    assert events_since(mark) == []


def test_phase_dates_record_before_and_after(physio_a, patient_a1, draft):
    restore = draft.phases.get(code="P2")
    starts, ends = TODAY + datetime.timedelta(days=7), TODAY + datetime.timedelta(days=21)
    mark = last_event_id()

    services.update_phase(phase=restore, by=physio_a.user, start_date=starts, end_date=ends)

    assert events_since(mark) == [
        (
            physio_a.user.pk,
            patient_a1.pk,
            "update",
            f"plan {draft.pk} P2: start date none→{starts.isoformat()}, "
            f"end date none→{ends.isoformat()}",
        )
    ]


def test_confirming_amber_findings_and_publishing_are_recorded(physio_a, patient_a1, draft):
    amber = assess(patient_a1, radiating_pain="buttock_or_thigh", neuro_exam_done="true")
    mark = last_event_id()

    services.confirm_amber(assessment=amber, by=physio_a.user, note="Checked.")
    services.publish_plan(plan=draft, by=physio_a.user)

    assert events_since(mark) == [
        (
            physio_a.user.pk,
            patient_a1.pk,
            "update",
            f"assessment {amber.pk}: amber findings confirmed",
        ),
        (
            physio_a.user.pk,
            patient_a1.pk,
            "update",
            f"plan {draft.pk} published as revision 1",
        ),
    ]


def test_a_refused_edit_records_nothing(physio_a, draft):
    item = item_with_sets(draft)
    mark = last_event_id()

    with pytest.raises(ValidationError):
        services.update_prescription(prescription=item, by=physio_a.user, sets=2, colour="red")

    assert events_since(mark) == []
