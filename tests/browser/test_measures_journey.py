"""Issue #18 in a real Chromium: on a phone, the patient answers the PSFS re-rating their
physio's review asked for; on a desktop, the physio sees the change and its MCID mark.

Screenshots of every step: test-artifacts/screenshots/<test name>/.
"""

import pytest
from playwright.sync_api import expect

from followup import services as followup_services
from followup.models import FunctionReview
from tests.browser.test_foundation_journey import _uncaught_errors
from tests.browser.test_safety_journey import log_in
from tests.followup.test_measures_journey import high_risk_plan

pytestmark = pytest.mark.browser


def test_the_patient_rates_their_activities_on_a_phone_and_the_physio_sees_the_change(
    phone_page, page, screenshot, patient_a1, physio_a, catalogue
):
    plan = high_risk_plan(patient_a1).plan
    followup_services.request_function_review(plan=plan, rule_id="CHK-2W", once_key="plan")
    phone = phone_page

    log_in(phone, patient_a1.email)
    phone.get_by_role("link", name="Rate my activities").click()
    expect(phone.get_by_role("heading", name="How are your activities going?")).to_be_visible()
    screenshot("01-rate-activities", page=phone)
    phone.get_by_role("group", name="Putting on socks").get_by_label("6", exact=True).check()
    phone.get_by_role("button", name="Send my ratings").click()
    expect(phone.get_by_text("Please rate each activity.")).to_be_visible()
    phone.get_by_role("group", name="Lifting my toddler").get_by_label("5", exact=True).check()
    screenshot("02-rated", page=phone)
    phone.get_by_role("button", name="Send my ratings").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    screenshot("03-thank-you", page=phone)
    assert FunctionReview.objects.get().ratings == [6, 5]
    assert _uncaught_errors(phone) == []

    log_in(page, physio_a.user.email)
    page.goto(f"/patients/{patient_a1.pk}/#outcomes")
    outcomes = page.locator("#outcomes")
    expect(outcomes).to_contain_text("STarT Back: high risk")
    expect(outcomes).to_contain_text("+3.0")
    expect(outcomes.locator(".mcid-mark")).to_have_count(1)
    outcomes.screenshot(
        path=str(screenshot("04-physio-outcomes", page=page).parent / "05-outcomes-card.png")
    )
    assert _uncaught_errors(page) == []
