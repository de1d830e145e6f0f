import datetime
import re

import pytest
from django.urls import reverse

from programs.models import AdviceItem, Assessment, Plan, PlanPhase, PlanRevision, Prescription
from tests.clock import suite_today
from tests.programs.intake_data import intake_form_data

TODAY = suite_today()


def record(client, patient, **changes):
    response = client.post(
        reverse("assessment-create", args=[patient.pk]), intake_form_data(**changes)
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    return Assessment.objects.latest("id")


def plan_rows() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Plan, PlanPhase, Prescription, AdviceItem))


@pytest.mark.django_db
def test_physio_records_a_clear_assessment_and_gets_a_plan(client, physio_a, patient_a1, catalogue):
    client.force_login(physio_a.user)

    assessment = record(client, patient_a1)
    detail = client.get(reverse("assessment-detail", args=[assessment.pk]))
    generated = client.post(reverse("plan-generate", args=[assessment.pk]))

    assert assessment.outcome == "clear"
    assert b"Propose a plan" in detail.content
    plan = Plan.objects.get(assessment=assessment)
    assert generated["Location"] == reverse("plan-edit", args=[plan.pk])
    editor = client.get(generated["Location"]).content.decode()
    assert "P1 Settle" in editor and "P4 Maintain" in editor
    assert "Why:" in editor


@pytest.mark.django_db
def test_form_errors_name_the_fields_and_save_nothing(client, physio_a, patient_a1):
    client.force_login(physio_a.user)
    data = intake_form_data(
        pain_now="12",
        onset_date=(TODAY + datetime.timedelta(days=10)).isoformat(),
        radiating_pain="below_knee",
    )
    data.pop("rf_ces_saddle_numbness")

    response = client.post(reverse("assessment-create", args=[patient_a1.pk]), data)

    assert response.status_code == 200
    assert {"pain_now", "onset_date", "neuro_exam_done", "rf_ces_saddle_numbness"} <= set(
        response.context["form"].errors
    )
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_live_screening_shows_an_emergency_answer_at_once(client, physio_a, patient_a1):
    client.force_login(physio_a.user)

    partial = client.post(
        reverse("assessment-screen", args=[patient_a1.pk]), {"rf_ces_saddle_numbness": "yes"}
    )
    full = client.post(
        reverse("assessment-screen", args=[patient_a1.pk]),
        intake_form_data(rf_ces_saddle_numbness="yes"),
    )

    assert b"RF-EMERG-CES" in partial.content
    assert b"Emergency: no plan" in full.content
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_emergency_assessment_shows_referral_and_never_a_plan(
    client, physio_a, patient_a1, catalogue
):
    client.force_login(physio_a.user)
    assessment = record(client, patient_a1, rf_ces_saddle_numbness="yes")

    detail = client.get(reverse("assessment-detail", args=[assessment.pk])).content.decode()
    response = client.post(reverse("plan-generate", args=[assessment.pk]))

    assert assessment.outcome == "emergency"
    assert "Referral, not a plan" in detail and "Propose a plan" not in detail
    assert response.status_code == 302
    assert plan_rows() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_amber_needs_a_recorded_confirmation(client, physio_a, patient_a1, catalogue):
    client.force_login(physio_a.user)
    assessment = record(
        client,
        patient_a1,
        radiating_pain="below_knee",
        paraesthesia="one_limb",
        neuro_exam_done="true",
    )

    refused = client.post(reverse("plan-generate", args=[assessment.pk]))
    assert plan_rows() == (0, 0, 0, 0)
    client.post(
        reverse("assessment-confirm", args=[assessment.pk]),
        {"confirmed": "yes", "note": "Exam normal"},
    )
    client.post(reverse("plan-generate", args=[assessment.pk]))

    assert assessment.outcome == "amber" and "AMB-RADIC" in assessment.rule_ids
    assert refused.status_code == 302
    assessment.refresh_from_db()
    assert assessment.amber_confirmed_by == physio_a.user
    assert assessment.amber_confirmation_note == "Exam normal"
    assert Plan.objects.filter(assessment=assessment).count() == 1


@pytest.mark.django_db
def test_editor_actions_then_publish_and_see_changes(client, physio_a, patient_a1, catalogue):
    client.force_login(physio_a.user)
    assessment = record(client, patient_a1)
    client.post(reverse("plan-generate", args=[assessment.pk]))
    plan = Plan.objects.get()
    client.post(reverse("plan-publish", args=[plan.pk]), {"confirm_warnings": "true"})
    p2 = plan.phases.get(code="P2")
    item = p2.prescriptions.exclude(exercise__regression=None).first()
    old_name = item.exercise.name

    dosage = client.post(
        reverse("item-update", args=[plan.pk, item.pk]),
        {"sets": "2", "reps": "12", "per_day": "1", "change_reason": "easing_off"},
        HTTP_HX_REQUEST="true",
    )
    swap = client.post(
        reverse("item-swap", args=[plan.pk, item.pk]), {"to": "regression"}, HTTP_HX_REQUEST="true"
    )
    bad = client.post(
        reverse("item-update", args=[plan.pk, item.pk]), {"sets": "-3"}, HTTP_HX_REQUEST="true"
    )
    published = client.post(reverse("plan-publish", args=[plan.pk]), {"confirm_warnings": "true"})

    assert dosage.status_code == 200 and b'id="phase-P2"' in dosage.content
    assert swap.status_code == 200
    assert b"Ensure this value is greater than or equal to 0" in bad.content
    item.refresh_from_db()
    assert item.sets is None or item.sets >= 0
    assert published["Location"] == reverse("revision-changes", args=[plan.pk, 2])
    changes = client.get(published["Location"]).content.decode()
    assert f"Removed:</strong> {old_name}" in changes
    assert item.exercise.name in changes
    assert PlanRevision.objects.filter(plan=plan).count() == 2


@pytest.mark.django_db
def test_adding_a_hidden_item_needs_a_reason(client, physio_a, patient_a1, catalogue):
    client.force_login(physio_a.user)
    assessment = record(
        client,
        patient_a1,
        radiating_pain="below_knee",
        paraesthesia="one_limb",
        neuro_exam_done="true",
    )
    client.post(reverse("assessment-confirm", args=[assessment.pk]), {"confirmed": "yes"})
    client.post(reverse("plan-generate", args=[assessment.pk]))
    plan = Plan.objects.get()
    url = reverse("item-add", args=[plan.pk, "P2"])

    refused = client.post(url, {"exercise": "F07"}, HTTP_HX_REQUEST="true")
    assert not Prescription.objects.filter(phase__plan=plan, exercise__key="F07").exists()
    client.post(
        url,
        {"exercise": "F07", "override_reason": "Neuro exam normal, gentle range"},
        HTTP_HX_REQUEST="true",
    )

    assert b"give a reason" in refused.content
    added = Prescription.objects.get(phase__plan=plan, exercise__key="F07")
    assert added.override_reason == "Neuro exam normal, gentle range"
    assert "radicular_leg" in added.reason


def section(page: str, section_id: str) -> str:
    found = re.search(rf'<section class="card" id="{section_id}">(.*?)</section>', page, re.S)
    return found.group(1) if found else ""


@pytest.mark.django_db
def test_editor_shows_what_was_left_out_to_keep_each_phase_short(
    client, physio_a, patient_a1, catalogue
):
    client.force_login(physio_a.user)
    assessment = record(
        client,
        patient_a1,
        sitting_hours="over_8",
        occupation_load="desk",
        preferred_activity=["water_exercise"],
    )
    client.post(reverse("plan-generate", args=[assessment.pk]))
    plan = Plan.objects.get()

    page = client.get(reverse("plan-edit", args=[plan.pk])).content.decode()

    sizes = {phase.code: phase.prescriptions.count() for phase in plan.phases.all()}
    assert sizes == {"P1": 6, "P2": 8, "P3": 9, "P4": 9}
    left_out, hidden = section(page, "left-out-items"), section(page, "hidden-items")
    assert "<h2>Left out to keep each phase short</h2>" in left_out
    assert (
        "<strong>PO08</strong> (P1): Trimmed: Settle holds at most 6 items (4.2: 3-6; a longer "
        "list is followed less) and the 6 kept rank higher. Proposed for: Desk work (5.4). "
        '<span class="rule">COMP-COUNT</span>'
    ) in left_out
    assert re.findall(r"<strong>(\w+)</strong> \(([\w, ]+)\)", left_out) == [
        (x["exercise_key"], ", ".join(x["phases"])) for x in plan.left_out_items
    ]
    assert re.findall(r"<strong>(\w+)</strong>", hidden) == ["A03"]
    assert "COMP-EQUIPMENT" in hidden and "COMP-COUNT" not in hidden


@pytest.mark.django_db
def test_other_clinic_gets_404_on_every_plan_page_and_changes_nothing(
    client, physio_a, physio_b, patient_a1, catalogue
):
    client.force_login(physio_a.user)
    assessment = record(client, patient_a1)
    client.post(reverse("plan-generate", args=[assessment.pk]))
    plan = Plan.objects.get()
    item = Prescription.objects.filter(phase__plan=plan).first()
    before = list(Prescription.objects.order_by("id").values())
    client.force_login(physio_b.user)

    statuses = [
        client.get(reverse("assessment-create", args=[patient_a1.pk])).status_code,
        client.get(reverse("assessment-detail", args=[assessment.pk])).status_code,
        client.get(reverse("plan-edit", args=[plan.pk])).status_code,
        client.post(reverse("plan-generate", args=[assessment.pk])).status_code,
        client.post(reverse("item-update", args=[plan.pk, item.pk]), {"sets": "9"}).status_code,
        client.post(reverse("item-remove", args=[plan.pk, item.pk])).status_code,
        client.post(reverse("plan-publish", args=[plan.pk])).status_code,
    ]

    assert statuses == [404] * 7
    assert list(Prescription.objects.order_by("id").values()) == before
    assert Plan.objects.count() == 1 and not PlanRevision.objects.exists()


@pytest.mark.django_db
def test_patient_home_shows_only_the_published_revision(client, physio_a, patient_a1, catalogue):
    client.force_login(physio_a.user)
    assessment = record(client, patient_a1)
    client.post(reverse("plan-generate", args=[assessment.pk]))
    plan = Plan.objects.get()
    item = plan.phases.get(code=plan.current_phase).prescriptions.first()
    client.force_login(patient_a1.user)
    before = client.get(reverse("patient-home")).content.decode()
    client.force_login(physio_a.user)
    client.post(reverse("plan-publish", args=[plan.pk]), {"confirm_warnings": "true"})
    client.post(
        reverse("item-update", args=[plan.pk, item.pk]),
        {"sets": "9", "reps": "99", "change_reason": "progressing"},
    )
    client.force_login(patient_a1.user)

    after = client.get(reverse("patient-home")).content.decode()

    assert item.exercise.name not in before
    assert item.exercise.name in after
    assert "9 sets of 99" not in after
