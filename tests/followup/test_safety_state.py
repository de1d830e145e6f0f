"""One safety state per patient (issue #14 item 1): an urgent or emergency red flag from a
check-in or an assessment is kept by `programs.safety` and honoured by every surface until a
physio closes it with what happened."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from documents.models import ProgramDocument
from programs import safety
from programs.intake_form import AssessmentForm
from programs.models import Assessment, SafetyConcern
from programs.services import record_assessment
from reminders.models import ReminderSchedule
from tests.followup.conftest import TODAY, check_in, publish_plan_for
from tests.programs.intake_data import intake_form_data

pytestmark = pytest.mark.django_db

EMERGENCY = "Go to an emergency department now."


@pytest.fixture
def emergency(patient_a1, revision_a1, clock):
    """Patient A1 follows a published plan and reports saddle numbness at a check-in."""
    clock.advance(days=1)
    saved, _ = check_in(patient_a1, warning_signs=["ces_saddle_numbness"])
    return saved


def page(client, user, name, *args) -> str:
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_an_emergency_check_in_opens_the_patients_safety_state(patient_a1, emergency):
    state = safety.state_of(patient_a1)

    assert (state.level, state.rule_ids, state.source) == (
        "emergency",
        ("RF-EMERG-CES",),
        "check_in",
    )
    assert state.concern.source_id == emergency.pk
    assert state.headline == EMERGENCY
    assert SafetyConcern.objects.filter(patient=patient_a1).count() == 1


def test_today_and_my_plan_show_the_advice_first_and_no_exercises(client, patient_a1, emergency):
    today = page(client, patient_a1.user, "patient-home")
    my_plan = page(client, patient_a1.user, "my-plan")

    for html in (today, my_plan):
        assert f'<h1 id="safety-title">{EMERGENCY}</h1>' in html
        assert "Do not do your exercises until your physio has spoken with you." in html
        assert "exercise-list" not in html and "Today's exercises" not in html
        # ESC-WORSE's "contact your physio within 1-2 working days" would be weaker advice.
        assert "1-2 working days" not in html
    assert "Your plan is on hold." in my_plan


def test_reminders_stay_paused_and_the_settings_say_why(client, patient_a1, physio_a, emergency):
    schedule = ReminderSchedule.objects.get(patient=patient_a1)
    settings_page = page(client, patient_a1.user, "reminder-settings")
    client.force_login(physio_a.user)

    resumed = client.post(
        reverse("reminder-physio-edit", args=[patient_a1.pk]), {"action": "resume"}, follow=True
    )

    assert schedule.paused_reason.startswith("RF-EMERG-CES") and schedule.next_slot_at is None
    assert "Your reminders are paused</strong> because of what you reported" in settings_page
    assert "Reminders stay paused while the patient&#x27;s safety concern is open" in (
        resumed.content.decode()
    )
    assert ReminderSchedule.objects.get(patient=patient_a1).paused_reason == schedule.paused_reason


def test_the_patient_cannot_download_the_pdf_but_the_physio_can(
    client, patient_a1, physio_a, revision_a1, emergency
):
    from django.core.files.base import ContentFile

    document = ProgramDocument.objects.get(revision=revision_a1, is_large_print=False)
    document.status = ProgramDocument.Status.READY
    document.file.save("programs/hold.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    client.force_login(patient_a1.user)

    patient = client.get(reverse("document-download", args=[document.pk]))
    api = client.get(f"/api/v1/documents/{document.pk}/download/")
    client.force_login(physio_a.user)
    physio = client.get(reverse("document-download", args=[document.pk]))

    assert patient.status_code == 409 and "Your plan is on hold" in patient.content.decode()
    assert (api.status_code, api.json()["code"]) == (409, "safety_concern_open")
    assert physio.status_code == 200


def test_the_physio_sees_it_first_and_cannot_publish(
    client, api, patient_a1, patient_a2, physio_a, emergency, catalogue
):
    publish_plan_for(patient_a2)
    dashboard = page(client, physio_a.user, "dashboard")
    patient_page = page(client, physio_a.user, "patient-detail", patient_a1.pk)
    plan = emergency.plan
    published = client.post(reverse("plan-publish", args=[plan.pk]), follow=True)
    by_api = api.as_user(physio_a.user).post(f"/api/v1/plans/{plan.pk}/publish/")

    first_row = dashboard.index(patient_a1.full_name)
    assert first_row < dashboard.index(patient_a2.full_name)
    assert "EMERGENCY: plan on hold" in dashboard
    assert "Emergency: emergency care now · RF-EMERG-CES" in patient_page
    assert patient_page.index('id="safety"') < patient_page.index("Assessments")
    assert "A safety concern is open (RF-EMERG-CES)" in published.content.decode()
    assert (by_api.status_code, by_api.json()["code"]) == (409, "safety_concern_open")
    assert plan.revisions.count() == 1


def test_the_patients_plan_api_gives_the_advice_and_no_exercises(api, patient_a1, emergency):
    response = api.as_user(patient_a1.user).get("/api/v1/me/plan/")

    body = response.json()
    assert (response.status_code, body["code"], body["detail"]) == (
        409,
        "safety_concern_open",
        EMERGENCY,
    )
    assert body["level"] == "emergency" and body["rule_ids"] == ["RF-EMERG-CES"]
    assert "phases" not in body


def test_an_emergency_assessment_puts_a_published_plan_on_hold(client, patient_a1, revision_a1):
    data = intake_form_data(
        assessment_date=TODAY.isoformat(),
        onset_date=(TODAY - datetime.timedelta(days=1)).isoformat(),
        rf_ces_saddle_numbness="yes",
    )
    form = AssessmentForm(data, date_of_birth=patient_a1.date_of_birth, today=TODAY)
    assert form.is_valid(), form.errors
    assessment = record_assessment(
        patient=patient_a1, by=patient_a1.physiotherapist.user, answers=form.answers, today=TODAY
    )

    state = safety.state_of(patient_a1)
    assert assessment.outcome == Assessment.Outcome.EMERGENCY
    assert (state.level, state.source, state.concern.source_id) == (
        "emergency",
        "assessment",
        assessment.pk,
    )
    assert "RF-EMERG-CES" in state.rule_ids
    assert ReminderSchedule.objects.get(patient=patient_a1).paused_reason.startswith(
        "safety concern open: RF-EMERG-CES"
    )
    assert "exercise-list" not in page(client, patient_a1.user, "patient-home")


def test_a_later_finding_makes_the_one_open_concern_more_severe(patient_a1, revision_a1, clock):
    clock.advance(days=1)
    check_in(patient_a1, warning_signs=["infection_unwell"])
    urgent = safety.state_of(patient_a1)
    clock.advance(hours=2)
    check_in(patient_a1, warning_signs=["ces_saddle_numbness"])

    state = safety.state_of(patient_a1)
    assert urgent.level == "urgent" and urgent.rule_ids == ("RF-URG-INFECTION",)
    assert state.level == "emergency"
    assert state.rule_ids == ("RF-URG-INFECTION", "RF-EMERG-CES")
    assert SafetyConcern.objects.filter(patient=patient_a1).count() == 1


def test_a_check_in_without_a_red_flag_opens_nothing(patient_a1, revision_a1, clock):
    clock.advance(days=1)
    check_in(patient_a1, has_new_symptoms=True)  # ESC-WORSE: a physio task, not a red flag

    assert not safety.state_of(patient_a1).is_open


def test_only_a_physio_closes_it_with_what_happened_and_the_plan_comes_back(
    client, api, patient_a1, physio_a, emergency
):
    client.force_login(physio_a.user)
    empty = client.post(
        reverse("safety-close", args=[patient_a1.pk]), {"resolution": "  "}, follow=True
    )
    assert "Say what happened" in empty.content.decode()
    assert safety.state_of(patient_a1).is_open

    closed = client.post(
        reverse("safety-close", args=[patient_a1.pk]),
        {"resolution": "Seen in the emergency department, cauda equina ruled out; cleared."},
        follow=True,
    )

    concern = SafetyConcern.objects.get(patient=patient_a1)
    schedule = ReminderSchedule.objects.get(patient=patient_a1)
    assert "The safety concern is closed and recorded." in closed.content.decode()
    assert (concern.resolved_by, concern.resolution) == (
        physio_a.user,
        "Seen in the emergency department, cauda equina ruled out; cleared.",
    )
    assert not safety.state_of(patient_a1).is_open
    assert schedule.paused_reason == "" and schedule.next_slot_at is not None
    assert AuditEvent.objects.filter(
        patient=patient_a1, actor=physio_a.user, detail__startswith="closed safety concern"
    ).exists()
    assert "exercise-list" in page(client, patient_a1.user, "patient-home")
    assert api.as_user(patient_a1.user).get("/api/v1/me/plan/").status_code == 200


def test_the_api_gives_the_state_and_closes_it(api, patient_a1, physio_a, emergency):
    client = api.as_user(physio_a.user)
    url = f"/api/v1/patients/{patient_a1.pk}/safety/"

    before = client.get(url).json()
    refused = client.post(url + "close/", {"resolution": ""}, format="json")
    closed = client.post(url + "close/", {"resolution": "Cleared by the GP."}, format="json")

    assert (before["level"], before["rule_ids"], before["source"]) == (
        "emergency",
        ["RF-EMERG-CES"],
        "check_in",
    )
    assert refused.status_code == 400 and "resolution" in refused.json()["fields"]
    assert closed.status_code == 200 and closed.json()["level"] == "clear"
