"""The patient's journey on a phone in a real Chromium: accept the invitation, see today's
exercises, tick one, check in, get the PDF, change reminder settings, find help.

Screenshots of every step: test-artifacts/screenshots/<test name>/.
"""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts import services as accounts_services
from documents.models import ProgramDocument
from followup import services as followup_services
from followup.models import CheckIn
from followup.services import check_in_token
from reminders import services as reminder_services
from reminders.models import ReminderSchedule
from tests.browser.test_foundation_journey import _invitation_path, _uncaught_errors
from tests.followup.conftest import publish_plan_for

pytestmark = pytest.mark.browser

PASSWORD = "lumbar-stretch-morning-41"


def test_patient_follows_today_checks_in_and_sets_reminders_on_a_phone(
    phone_page, screenshot, live_server, physio_a, catalogue, mailoutbox
):
    page = phone_page
    patient = accounts_services.invite_patient(
        physio=physio_a,
        first_name="Maya",
        last_name="Okafor",
        date_of_birth=datetime.date(1984, 6, 15),
        email="maya.okafor@example.com",
        timezone="Europe/London",
        language="en",
    )
    local_today = followup_services.local_now(patient).date()
    revision = publish_plan_for(patient, today=local_today)
    settle = next(p for p in revision.phases if p["code"] == "P1")
    first = settle["items"][0]
    cold_or_heat = [
        advice["title"]
        for advice in revision.current_advice(local_today)
        if advice["kind"] in ("cold", "heat")
    ]
    (invitation,) = [m for m in mailoutbox if m.subject == "Set up your account with Clinic A"]

    page.goto(f"{live_server.url}{_invitation_path(invitation)}")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type it again").fill(PASSWORD)
    page.get_by_role("button", name="Set password and continue").click()

    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("heading", name="Hello Maya")).to_be_visible()
    today = page.get_by_role("region", name="Today's exercises")
    expect(today.locator("h3.exercise-name")).to_have_text(
        [item["name"] for item in settle["items"]] + cold_or_heat
    )
    expect(today.get_by_text(first["dosage_text"], exact=False).first).to_be_visible()
    screenshot("01-today")

    today.get_by_text("How to do it").first.click()
    expect(today.get_by_text(first["steps"][0])).to_be_visible()
    today.get_by_label(f"Done: {first['name']}").check()
    screenshot("02-today-ticked", full_page=False)
    today.get_by_role("button", name="Check in").click()

    expect(page).to_have_url(re.compile(rf"/me/check-in/\?done={first['exercise_key']}$"))
    done = page.get_by_role("group", name="What did you do today?")
    expect(done.get_by_label(first["name"])).to_be_checked()
    page.get_by_role("group", name="How did the exercises feel?").get_by_label(
        re.compile("^Green")
    ).check()
    page.get_by_role("group", name="How much pain do you have now?").get_by_label(
        "2", exact=True
    ).check()
    page.get_by_role("group", name="Since your last check-in, do you feel…").get_by_label(
        "Better"
    ).check()
    page.get_by_role("group", name="Could you manage your usual daily tasks?").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("group", name="Any new symptoms since last time?").get_by_label("No").check()
    # Nothing arrives answered: the patient answers the warning signs with one act of their own.
    signs = page.get_by_role("group", name="Since your last check-in, have you had any of these?")
    expect(signs.get_by_label("No")).to_have_count(11)
    for answer in signs.get_by_label("No").all():
        expect(answer).not_to_be_checked()
    signs.get_by_role("button", name="None of these").click()
    for answer in signs.get_by_label("No").all():
        expect(answer).to_be_checked()
    screenshot("03-check-in-filled")
    page.get_by_role("button", name="Send my check-in").click()

    expect(page.get_by_role("heading", name="Thank you, Maya")).to_be_visible()
    expect(page.get_by_text("Carry on with your exercises as planned.")).to_be_visible()
    screenshot("04-thanks")
    saved = CheckIn.objects.get(patient=patient)
    assert (saved.items_done, saved.zone, saved.pain, saved.feeling, saved.source) == (
        [first["exercise_key"]],
        "green",
        2,
        "better",
        "portal",
    )

    page.get_by_role("link", name="Back to Today").click()
    pdf = page.get_by_role("region", name="Printable program (revision 1)")
    pdf.scroll_into_view_if_needed()
    document = ProgramDocument.objects.get(revision=revision, is_large_print=False)
    assert document.status == ProgramDocument.Status.READY
    download = pdf.get_by_role("link", name="Download PDF", exact=True)
    expect(download).to_be_visible()
    screenshot("05-pdf-block")
    response = page.request.get(download.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reminders").click()
    expect(page.get_by_role("heading", name="Reminder emails")).to_be_visible()
    page.get_by_label("Monday").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your reminder settings are saved.")
    expect(page.get_by_label("Monday")).not_to_be_checked()
    screenshot("06-reminders-saved")
    assert ReminderSchedule.objects.get(patient=patient).weekdays == [2, 4]

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Get help").click()
    expect(page.get_by_role("heading", name="Get help", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="When to get help")).to_contain_text(
        "Call Clinic A on 01234 000000."
    )
    expect(page.get_by_role("region", name="How much pain is OK?")).to_be_visible()
    screenshot("07-help")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My plan").click()
    expect(page.get_by_role("heading", name="Your stage now: Settle")).to_be_visible()
    expect(page.get_by_text("What changed since your last visit")).to_have_count(0)
    screenshot("08-my-plan", full_page=False)

    # A reminder email arrives; its unsubscribe link asks first (a GET changes nothing),
    # then one click stops the reminders.
    now = timezone.now()
    slot = now.replace(second=0, microsecond=0) - datetime.timedelta(minutes=1)
    ReminderSchedule.objects.filter(patient=patient).update(
        weekdays=list(range(7)), local_time=slot.time(), timezone="UTC", next_slot_at=slot
    )
    reminder_services.dispatch_due_reminders(now=now)
    (reminder,) = [m for m in mailoutbox if m.subject == "Your exercise reminder"]
    unsubscribe = re.search(r"Unsubscribe: (\S+)", reminder.body).group(1)
    assert reverse("check-in-link", args=["x"])[:-3] in reminder.body  # the check-in link
    page.goto(f"{live_server.url}{urlsplit(unsubscribe).path}")
    expect(page.get_by_role("heading", name="Stop reminder emails?")).to_be_visible()
    assert ReminderSchedule.objects.get(patient=patient).unsubscribed_at is None
    screenshot("09-unsubscribe-confirm")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    screenshot("10-unsubscribed")
    assert ReminderSchedule.objects.get(patient=patient).unsubscribed_at is not None
    assert _uncaught_errors(page) == []


def test_a_warning_sign_through_the_email_link_shows_the_emergency_page_on_a_phone(
    phone_page, screenshot, live_server, patient_a1, catalogue
):
    page = phone_page
    publish_plan_for(patient_a1, today=followup_services.local_now(patient_a1).date())

    page.goto(f"{live_server.url}{reverse('check-in-link', args=[check_in_token(patient_a1)])}")
    expect(
        page.get_by_role("heading", name=f"Check in for {patient_a1.first_name}")
    ).to_be_visible()
    page.get_by_role("group", name="How much pain do you have now?").get_by_label(
        "5", exact=True
    ).check()
    page.get_by_label("Worse", exact=True).check()
    page.get_by_role("group", name="Could you manage your usual daily tasks?").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("group", name="Any new symptoms since last time?").get_by_label("No").check()
    saddle = page.get_by_role(
        "group", name=re.compile("^Is there numbness or tingling between your legs")
    )
    saddle.get_by_label("Yes").check()
    # "None of these" answers No to the rest and never changes the Yes already given.
    signs = page.get_by_role("group", name="Since your last check-in, have you had any of these?")
    signs.get_by_role("button", name="None of these").click()
    expect(saddle.get_by_label("Yes")).to_be_checked()
    expect(signs.locator('input[value="no"]:checked')).to_have_count(10)
    screenshot("01-link-check-in", full_page=False)
    page.get_by_role("button", name="Send my check-in").click()

    alert = page.get_by_role("alert")
    expect(alert.get_by_role("heading", name="Go to an emergency department now.")).to_be_visible()
    expect(alert).to_contain_text("Call 999 in an emergency.")
    expect(alert).to_contain_text("your reminder emails are paused")
    screenshot("02-emergency")
    saved = CheckIn.objects.get(patient=patient_a1)
    assert (saved.source, saved.warning_signs, saved.advice_level) == (
        "email_link",
        ["ces_saddle_numbness"],
        "emergency",
    )
    assert "sessionid" not in {cookie["name"] for cookie in page.context.cookies()}
    assert _uncaught_errors(page) == []
