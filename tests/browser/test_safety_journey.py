"""Issue #14 item 1 in a real Chromium: an emergency warning sign at a check-in puts the
patient's plan on hold everywhere until their physio closes the concern.

Screenshots of every step: test-artifacts/screenshots/<test name>/.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from followup import services as followup_services
from programs import safety
from reminders.models import ReminderSchedule
from tests.browser.test_foundation_journey import _uncaught_errors
from tests.factories import PASSWORD
from tests.followup.conftest import publish_plan_for

pytestmark = pytest.mark.browser


EMERGENCY = "Go to an emergency department now."


def log_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_an_emergency_check_in_holds_the_plan_until_the_physio_closes_it(
    phone_page, page, screenshot, patient_a1, physio_a, catalogue
):
    patient = phone_page
    publish_plan_for(patient_a1, today=followup_services.local_now(patient_a1).date())
    log_in(patient, patient_a1.email)
    expect(patient.get_by_role("heading", name="Today's exercises")).to_be_visible()

    patient.goto("/me/check-in/")
    patient.get_by_role("group", name="How much pain do you have now?").get_by_label(
        "6", exact=True
    ).check()
    patient.get_by_label("Worse", exact=True).check()
    signs = patient.get_by_role(
        "group", name="Since your last check-in, have you had any of these?"
    )
    patient.get_by_role("group", name="Could you manage your usual daily tasks?").get_by_label(
        "Yes"
    ).check()
    patient.get_by_role("group", name="Any new symptoms since last time?").get_by_label(
        "No"
    ).check()
    # Nothing is answered for the patient (item 2): they say "None of these", then yes to one.
    signs.get_by_role("button", name="None of these").click()
    patient.get_by_role(
        "group", name=re.compile("^Is there numbness or tingling between your legs")
    ).get_by_label("Yes").check()
    patient.get_by_role("button", name="Send my check-in").click()
    expect(patient.get_by_role("heading", name=EMERGENCY)).to_be_visible()
    screenshot("01-emergency-result", page=patient)

    patient.goto("/me/")
    hold = patient.get_by_role("alert")
    expect(hold.get_by_role("heading", name=EMERGENCY)).to_be_visible()
    expect(hold).to_contain_text("Do not do your exercises until your physio has spoken with you.")
    expect(patient.get_by_role("heading", name="Today's exercises")).to_have_count(0)
    screenshot("02-today-on-hold", page=patient)
    assert ReminderSchedule.objects.get(patient=patient_a1).next_slot_at is None

    log_in(page, physio_a.user.email)
    expect(page.get_by_text("EMERGENCY: plan on hold")).to_be_visible()
    page.get_by_role("link", name=patient_a1.full_name).click()
    concern = page.get_by_role("alert").filter(has_text="RF-EMERG-CES")
    expect(concern).to_contain_text("Emergency: emergency care now")
    screenshot("03-physio-sees-the-concern", page=page)
    concern.get_by_label("What happened").fill(
        "Seen in the emergency department the same day; cauda equina ruled out. Cleared."
    )
    concern.get_by_role("button", name="Close the safety concern").click()
    expect(page.get_by_text("The safety concern is closed and recorded.")).to_be_visible()
    screenshot("04-closed", page=page)

    patient.reload()
    expect(patient.get_by_role("heading", name="Today's exercises")).to_be_visible()
    expect(patient.get_by_role("heading", name=EMERGENCY)).to_have_count(0)
    screenshot("05-today-again", page=patient)
    schedule = ReminderSchedule.objects.get(patient=patient_a1)
    assert (schedule.paused_reason, schedule.next_slot_at is not None) == ("", True)
    assert not safety.state_of(patient_a1).is_open
    assert _uncaught_errors(patient) == [] and _uncaught_errors(page) == []
