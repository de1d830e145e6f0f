"""The physio's alert actions (acknowledge, approve a progression) and the patient page panel."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from followup import services
from followup.models import Alert
from programs.models import Plan
from tests.followup.conftest import check_in, publish_plan_for

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def an_alert(plan: Plan, **fields) -> Alert:
    values = {
        "rule_id": "ESC-WORSE",
        "severity": "urgent",
        "action": "alert",
        "physio_message": "ESC-WORSE: pain 6/10 has been 2+ points above for 48 hours.",
        "patient_message": "Stop the exercises that make your pain worse.",
        **fields,
    }
    return Alert.objects.create(patient=plan.patient, plan=plan, **values)


def a_suggestion(plan: Plan, *, to: str, needs_rts_sign_off: bool = False) -> Alert:
    return an_alert(
        plan,
        rule_id="PROGRESS",
        severity="info",
        action="suggestion",
        physio_message=f"PROGRESS: exit criteria met. Approve the move to {to}?",
        patient_message="",
        progress_to=to,
        needs_rts_sign_off=needs_rts_sign_off,
    )


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- acknowledge ----------------------------------------------------------------------------


def test_acknowledge_resolves_the_alert_and_records_who(client, physio_a, revision_a1):
    alert = an_alert(revision_a1.plan)
    client.force_login(physio_a.user)

    response = client.post(reverse("alert-acknowledge", args=[alert.pk]), follow=True)

    patient_page = reverse("patient-detail", args=[alert.patient_id])
    assert response.redirect_chain == [(f"{patient_page}#follow-up", 302)]
    assert page_messages(response) == ["ESC-WORSE acknowledged."]
    alert.refresh_from_db()
    assert (alert.is_open, alert.resolution, alert.resolved_by) == (
        False,
        "acknowledged",
        physio_a.user,
    )
    assert AuditEvent.objects.filter(
        actor=physio_a.user, patient=alert.patient, detail="acknowledged alert ESC-WORSE"
    ).exists()


def test_acknowledging_twice_says_so_without_an_error_page(client, physio_a, revision_a1):
    alert = an_alert(revision_a1.plan)
    client.force_login(physio_a.user)
    client.post(reverse("alert-acknowledge", args=[alert.pk]), follow=True)

    response = client.post(reverse("alert-acknowledge", args=[alert.pk]), follow=True)

    assert response.status_code == 200
    assert page_messages(response) == ["This alert was dealt with already."]


def test_declining_a_suggestion_keeps_the_plan(client, physio_a, revision_a1):
    suggestion = a_suggestion(revision_a1.plan, to="P2")
    client.force_login(physio_a.user)

    response = client.post(reverse("alert-acknowledge", args=[suggestion.pk]), follow=True)

    assert page_messages(response) == ["PROGRESS: suggestion declined; the plan stays."]
    suggestion.refresh_from_db()
    assert suggestion.resolution == "declined"
    assert Plan.objects.get(pk=revision_a1.plan_id).current_phase == "P1"


def test_physio_of_another_clinic_gets_404_and_changes_nothing(client, physio_b, revision_a1):
    alert = an_alert(revision_a1.plan)
    suggestion = a_suggestion(revision_a1.plan, to="P2")
    audit_before = AuditEvent.objects.count()
    client.force_login(physio_b.user)

    acknowledged = client.post(reverse("alert-acknowledge", args=[alert.pk]))
    approved = client.post(reverse("alert-approve", args=[suggestion.pk]))

    assert (acknowledged.status_code, approved.status_code) == (404, 404)
    assert Alert.objects.filter(resolved_at__isnull=True).count() == 2
    plan = Plan.objects.get(pk=revision_a1.plan_id)
    assert (plan.current_phase, plan.revisions.count()) == ("P1", 1)
    assert AuditEvent.objects.count() == audit_before


def test_a_patient_gets_404(client, patient_a1, revision_a1):
    alert = an_alert(revision_a1.plan)
    client.force_login(patient_a1.user)

    assert client.post(reverse("alert-acknowledge", args=[alert.pk])).status_code == 404
    assert Alert.objects.get(pk=alert.pk).is_open


@pytest.mark.parametrize("name", ["alert-acknowledge", "alert-approve"])
def test_get_is_not_allowed(client, physio_a, revision_a1, name):
    alert = a_suggestion(revision_a1.plan, to="P2")
    client.force_login(physio_a.user)

    response = client.get(reverse(name, args=[alert.pk]))

    assert response.status_code == 405
    assert Alert.objects.get(pk=alert.pk).is_open


def test_unknown_alert_is_404(client, physio_a):
    client.force_login(physio_a.user)

    assert client.post(reverse("alert-acknowledge", args=[999999])).status_code == 404


# --- approve a progression ------------------------------------------------------------------


def test_approving_a_progression_moves_the_plan_and_publishes_revision_2(
    client, physio_a, revision_a1
):
    suggestion = a_suggestion(revision_a1.plan, to="P2")
    client.force_login(physio_a.user)

    response = client.post(reverse("alert-approve", args=[suggestion.pk]), follow=True)

    assert page_messages(response) == ["Moved to P2; revision 2 published."]
    plan = Plan.objects.get(pk=revision_a1.plan_id)
    assert plan.current_phase == "P2"
    assert list(plan.revisions.values_list("number", flat=True)) == [2, 1]
    suggestion.refresh_from_db()
    assert (suggestion.resolution, suggestion.resolved_by) == ("approved", physio_a.user)


def from_strengthen(plan: Plan) -> Alert:
    Plan.objects.filter(pk=plan.pk).update(
        current_phase="P3", is_return_to_sport_sign_off_required=True
    )
    return a_suggestion(plan, to="P4", needs_rts_sign_off=True)


def test_gate_rts_without_the_sign_off_box_changes_nothing(client, physio_a, revision_a1):
    suggestion = from_strengthen(revision_a1.plan)
    client.force_login(physio_a.user)

    response = client.post(reverse("alert-approve", args=[suggestion.pk]), follow=True)

    (message,) = page_messages(response)
    assert "GATE-RTS" in message
    assert "sign off heavy lifting, heavy manual work or contact/twisting sport" in message
    plan = Plan.objects.get(pk=revision_a1.plan_id)
    assert (plan.current_phase, plan.revisions.count()) == ("P3", 1)
    assert plan.return_to_sport_signed_off_at is None
    assert Alert.objects.get(pk=suggestion.pk).is_open


def test_gate_rts_with_the_sign_off_box_moves_and_records_it(client, physio_a, revision_a1):
    suggestion = from_strengthen(revision_a1.plan)
    client.force_login(physio_a.user)

    response = client.post(
        reverse("alert-approve", args=[suggestion.pk]), {"rts_sign_off": "on"}, follow=True
    )

    assert page_messages(response) == ["Moved to P4; revision 2 published."]
    plan = Plan.objects.get(pk=revision_a1.plan_id)
    assert plan.current_phase == "P4"
    assert plan.return_to_sport_signed_off_at is not None
    assert plan.return_to_sport_signed_off_by == physio_a.user


def test_approving_a_stale_suggestion_says_why(client, physio_a, revision_a1):
    suggestion = a_suggestion(revision_a1.plan, to="P3")  # the plan is in P1
    client.force_login(physio_a.user)

    response = client.post(reverse("alert-approve", args=[suggestion.pk]), follow=True)

    assert page_messages(response) == ["Not moved. The plan is in P1 now, not P2."]
    assert Plan.objects.get(pk=revision_a1.plan_id).revisions.count() == 1


# --- the patient page panel -----------------------------------------------------------------


def patient_page(client, physio, patient) -> str:
    client.force_login(physio.user)
    response = client.get(reverse("patient-detail", args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_patient_page_charts_one_point_per_check_in(client, physio_a, patient_a1, catalogue):
    today = services.local_now(patient_a1).date()
    revision = publish_plan_for(patient_a1, today=today - 9 * DAY)
    items = revision.tickable_keys(today)[:2]
    now = timezone.now()
    for days_ago, pain in ((8, 6), (5, 5), (1, 3)):
        check_in(patient_a1, at=now - days_ago * DAY, pain=pain, items_done=items, zone="green")

    html = patient_page(client, physio_a, patient_a1)

    svg = html[html.index("<svg") : html.index("</svg>")]
    assert re.search(r"<title id=\"follow-up-chart-\d+-title\">Pain at each check-in", svg)
    assert "<desc" in svg and "Pain at 3 check-ins" in svg
    assert svg.count('class="pain-point"') == 3
    assert "first 6/10, latest 3/10" in svg
    # The history table, latest first, with the pain trend above it.
    assert html.index("<svg") < html.index("Check-ins</h3>") < html.index("Reminder emails")
    assert "down from 5" in html


def test_patient_page_without_check_ins_shows_empty_states(client, physio_a, revision_a1):
    html = patient_page(client, physio_a, revision_a1.plan.patient)

    assert "<svg" not in html
    assert "No check-in on this plan yet" in html
    assert "No open alerts or tasks." in html


def test_patient_page_lists_open_alerts_with_their_actions(client, physio_a, revision_a1):
    plan = revision_a1.plan
    check_in(plan.patient, pain=4, warning_signs=["ces_saddle_numbness"])
    gate = from_strengthen(plan)

    html = patient_page(client, physio_a, plan.patient)

    # Most severe first: the emergency before the urgent ESC-WORSE and the suggestion.
    assert html.index("RF-EMERG-CES</span>") < html.index("ESC-WORSE</span>")
    assert html.index("ESC-WORSE</span>") < html.index("PROGRESS</span>")
    assert html.count(">Acknowledge</button>") == 2
    assert reverse("alert-approve", args=[gate.pk]) in html
    assert "Approve move to P4" in html
    assert 'name="rts_sign_off" required' in html
    assert "(GATE-RTS)" in html
    assert "csrfmiddlewaretoken" in html
    # The warning sign in words in the history table.
    assert "Numbness" in html or "numbness" in html


def test_patient_page_shows_the_regression(client, clock, physio_a, revision_a1):
    until = clock.today + datetime.timedelta(days=5)
    Plan.objects.filter(pk=revision_a1.plan_id).update(
        current_phase="P2", regressed_to="P1", regressed_until=until
    )

    html = patient_page(client, physio_a, revision_a1.plan.patient)

    assert "The patient follows the P1 Settle content" in html
    assert f"{until.day} {until:%b %Y}" in html
