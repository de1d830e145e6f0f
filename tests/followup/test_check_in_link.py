"""The signed check-in link of reminder emails: check in without logging in, nothing else."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.models import AuditEvent
from followup import services
from followup.models import Alert, CheckIn
from reminders.models import ReminderSchedule
from tests.followup.conftest import CALM_DAY_FORM, publish_plan_for

pytestmark = pytest.mark.django_db

CALM = {"pain": "2", "feeling": "better", "items_done": ["F01"], "zone": "green", **CALM_DAY_FORM}


def _link(patient) -> str:
    return reverse("check-in-link", kwargs={"token": services.check_in_token(patient)})


def _has_session(client) -> bool:
    return settings.SESSION_COOKIE_NAME in client.cookies


def test_the_link_works_without_a_login_and_records_an_email_link_check_in(
    client, patient_a1, revision_a1
):
    link = _link(patient_a1)
    first = revision_a1.phases[0]["items"][0]

    form = client.get(link)
    result = client.post(link, CALM)

    page = form.content.decode()
    assert form.status_code == 200
    assert f"Check in for {patient_a1.first_name}" in page
    assert escape(first["name"]) in page
    assert escape(first["dosage_text"]) not in page
    assert escape(first["steps"][0]) not in page
    assert reverse("reminder-settings") not in page
    assert result.status_code == 200
    assert f"Thank you, {patient_a1.first_name}" in result.content.decode()
    assert reverse("patient-home") not in result.content.decode()
    saved = CheckIn.objects.get()
    assert (saved.patient, saved.source, saved.items_done, saved.pain) == (
        patient_a1,
        "email_link",
        ["F01"],
        2,
    )
    assert AuditEvent.objects.filter(actor=None, patient=patient_a1).latest("id").detail == (
        "check-in (email_link): pain 2/10"
    )
    assert not _has_session(client)


def test_a_warning_sign_through_the_link_shows_the_emergency_advice_at_once(
    client, patient_a1, revision_a1
):
    response = client.post(_link(patient_a1), {**CALM, "warning_ces_both_legs": "yes"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="advice-title">Go to an emergency department now.</h1>' in html
    assert ReminderSchedule.objects.get(patient=patient_a1).paused_reason.startswith("RF-EMERG-CES")
    assert not _has_session(client)


def test_bad_input_through_the_link_shows_the_error_and_saves_nothing(
    client, patient_a1, revision_a1
):
    response = client.post(_link(patient_a1), {**CALM, "pain": "11"})

    assert response.status_code == 400
    assert 'id="id_pain_error"' in response.content.decode()
    assert not CheckIn.objects.exists()


def test_another_patients_link_acts_only_for_the_patient_in_the_link(
    client, patient_a1, patient_a2, revision_a1
):
    publish_plan_for(patient_a2)
    client.force_login(patient_a2.user)

    response = client.post(_link(patient_a1), CALM)

    assert response.status_code == 200
    assert f"Thank you, {patient_a1.first_name}" in response.content.decode()
    assert list(CheckIn.objects.values_list("patient_id", "source")) == [
        (patient_a1.pk, "email_link")
    ]
    home = client.get(reverse("patient-home")).content.decode()
    assert f"Hello {patient_a2.first_name}" in home  # still patient A2, not switched


def test_an_expired_link_is_gone_and_saves_nothing(client, clock, patient_a1, revision_a1):
    clock.advance(days=-8)
    token = services.check_in_token(patient_a1)  # sent eight days ago
    clock.advance(days=8)
    link = reverse("check-in-link", kwargs={"token": token})

    shown = client.get(link)
    posted = client.post(link, CALM)

    assert (shown.status_code, posted.status_code) == (410, 410)
    assert "The link has expired" in shown.content.decode()
    assert f'href="{reverse("login")}?next={reverse("check-in")}"' in shown.content.decode()
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "not-a-token",
    ],
    ids=["changed-signature", "garbage"],
)
def test_a_tampered_link_is_not_found_and_saves_nothing(client, patient_a1, revision_a1, tamper):
    link = reverse("check-in-link", kwargs={"token": tamper(services.check_in_token(patient_a1))})

    shown = client.get(link)
    posted = client.post(link, CALM)

    assert (shown.status_code, posted.status_code) == (404, 404)
    assert "The link is not valid." in shown.content.decode()
    assert (CheckIn.objects.count(), Alert.objects.count()) == (0, 0)


def test_the_link_opens_nothing_else(client, patient_a1, revision_a1):
    schedule = ReminderSchedule.objects.get(patient=patient_a1)
    before = (schedule.is_enabled, schedule.weekdays, schedule.local_time, schedule.timezone)
    client.get(_link(patient_a1))
    client.post(_link(patient_a1), CALM)

    pages = [reverse(name) for name in ("my-plan", "reminder-settings", "patient-home")]
    locations = [client.get(path).get("Location") for path in pages]
    posted = client.post(
        reverse("reminder-settings"),
        {"is_enabled": "", "weekdays": ["0"], "local_time": "06:00", "timezone": "UTC"},
    )

    assert locations == [f"{reverse('login')}?next={path}" for path in pages]
    assert posted.status_code == 302
    assert posted["Location"] == f"{reverse('login')}?next={reverse('reminder-settings')}"
    schedule.refresh_from_db()
    assert (
        schedule.is_enabled,
        schedule.weekdays,
        schedule.local_time,
        schedule.timezone,
    ) == before
    assert not _has_session(client)


def test_the_link_form_posts_with_its_csrf_cookie_and_no_session(patient_a1, revision_a1):
    browser = Client(enforce_csrf_checks=True)
    link = _link(patient_a1)
    browser.get(link)
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value

    without = browser.post(link, CALM)
    response = browser.post(link, {**CALM, "csrfmiddlewaretoken": token})

    assert (without.status_code, response.status_code) == (403, 200)
    assert CheckIn.objects.count() == 1
    assert not _has_session(browser)
