"""End to end through the email check-in link (issue #7): a reminder over real SMTP → its
check-in link → a warning sign → the emergency advice, reminders paused in the same
transaction, and the physio sees the alert (page and email)."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from followup.models import Alert, CheckIn
from reminders import services as reminders
from reminders.models import ReminderSchedule
from tests.followup.conftest import CALM_DAY_FORM

pytestmark = pytest.mark.django_db


def due_now(patient) -> datetime.datetime:
    """Make the patient's reminder due a minute ago; returns now."""
    now = timezone.now()
    slot = now.replace(second=0, microsecond=0) - datetime.timedelta(minutes=1)
    local = slot.astimezone(datetime.UTC)
    ReminderSchedule.objects.filter(patient=patient).update(
        weekdays=[0, 1, 2, 3, 4, 5, 6],
        local_time=local.time(),
        timezone="UTC",
        next_slot_at=slot,
    )
    return now


def test_a_warning_sign_through_the_email_link(
    revision_a1, patient_a1, physio_a, client, smtp_server, django_capture_on_commit_callbacks
):
    now = due_now(patient_a1)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.dispatch_due_reminders(now=now)
    [reminder] = smtp_server.wait_for(1)
    text = reminder.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/check-in/\S+/", text).group(0)
    assert link in reminder.get_body(("html",)).get_content()

    # The link opens the form without a login, for this patient only.
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    assert b"ces_saddle_numbness" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            urlsplit(link).path,
            {
                "pain": "5",
                "feeling": "worse",
                **CALM_DAY_FORM,
                "warning_ces_saddle_numbness": "yes",
            },
        )

    assert answer.status_code == 200
    assert "Go to an emergency department now." in answer.content.decode()
    assert "_auth_user_id" not in client.session  # the link logs nobody in
    stored = CheckIn.objects.get()
    assert (stored.patient, stored.source) == (patient_a1, "email_link")
    assert stored.rule_ids == ["RF-EMERG-CES", "ESC-WORSE"]
    schedule = ReminderSchedule.objects.get(patient=patient_a1)
    assert schedule.paused_reason.startswith("RF-EMERG-CES")
    assert reminders.dispatch_due_reminders(now=now + datetime.timedelta(days=1)).queued == []

    # The physio is emailed (no health detail in the subject) and sees the alert first.
    alert_emails = smtp_server.wait_for(3)[1:]
    assert {m["Subject"] for m in alert_emails} == {"A patient needs your attention"}
    assert {m["To"] for m in alert_emails} == {physio_a.user.email}
    client.force_login(physio_a.user)
    patient_page = client.get(f"/patients/{patient_a1.pk}/").content.decode()
    assert "RF-EMERG-CES" in patient_page and "ESC-WORSE" in patient_page
    dashboard = client.get("/dashboard/").content.decode()
    assert "RF-EMERG-CES" in dashboard
    assert Alert.objects.filter(patient=patient_a1, resolved_at__isnull=True).count() == 2
