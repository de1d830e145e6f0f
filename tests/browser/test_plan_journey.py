"""The physio's plan journey in a real Chromium: assessment with live screening, an amber
flag confirmed, plan proposed, one dosage changed and one exercise swapped, published, and
the changes view. Screenshots: test-artifacts/screenshots/<test name>/.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from programs.models import Assessment, Plan, PlanRevision, Prescription
from tests.browser.assessment_form import AssessmentFiller
from tests.factories import PASSWORD
from tests.programs.intake_data import intake_form_data

pytestmark = pytest.mark.browser


def test_physio_assesses_plans_edits_publishes_and_sees_changes(
    page, screenshot, physio_a, patient_a1, catalogue
):
    today = datetime.date.today()
    data = intake_form_data(
        assessment_date=today.isoformat(),
        onset_date=(today - datetime.timedelta(days=20)).isoformat(),
        pain_now="4",
        pain_worst_24h="6",
        radiating_pain="below_knee",
        paraesthesia="one_limb",
        neuro_exam_done="true",
    )
    page.goto("/login/")
    page.get_by_label("Email address").fill(physio_a.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/patients/{patient_a1.pk}/")
    page.get_by_role("link", name="New assessment").click()

    # The red-flag screen starts unanswered: the physio answers each group with its own
    # "None of these" (the lumbar groups), the explicit act that replaces a default.
    red_flags = {name for name in data if name.startswith("rf_")}
    filler = AssessmentFiller(page)
    filler.fill(data)
    expect(page.locator('input[name^="rf_"]:checked')).to_have_count(0)
    filler.none_of_these(data)
    for name in red_flags:
        expect(page.locator(f'[name="{name}"][value="no"]')).to_be_checked()
    expect(page.locator("#screening")).to_contain_text("Amber")
    expect(page.locator("#screening")).to_contain_text("AMB-RADIC")
    screenshot("01-live-screening")
    page.get_by_role("button", name="Record assessment").click()

    expect(page.get_by_role("heading", name="Confirm before planning")).to_be_visible()
    page.get_by_label("I confirm the points above for this patient.").check()
    page.get_by_label("Note (optional)").fill("Neuro exam normal; stable one-sided leg pain.")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Amber findings confirmed")).to_be_visible()
    screenshot("02-amber-confirmed")
    page.get_by_role("button", name="Propose a plan").click()

    expect(page.get_by_role("heading", name=re.compile("Plan for"))).to_be_visible()
    plan = Plan.objects.get(patient=patient_a1)
    assert Assessment.objects.get(patient=patient_a1).amber_confirmed_by == physio_a.user
    screenshot("03-plan-proposed")

    phase = page.locator("#phase-P2")
    first = (
        Prescription.objects.filter(phase__plan=plan, phase__code="P2").order_by("order").first()
    )
    item = phase.locator(f"#item-{first.pk}")
    item.get_by_text("Edit dosage or notes").click()
    item.get_by_label("Sets").fill("3")
    item.get_by_label("Reps").fill("12")
    item.get_by_label("Reason for a dosage change").select_option("progressing")
    item.get_by_role("button", name="Save").click()
    expect(page.locator("#phase-P2")).to_contain_text("dosage saved")
    first.refresh_from_db()
    assert (first.sets, first.reps) == (3, 12)

    swappable = (
        Prescription.objects.filter(phase__plan=plan, phase__code="P2")
        .exclude(exercise__progression=None)
        .exclude(pk=first.pk)
        .select_related("exercise__progression")
        .first()
    )
    harder = swappable.exercise.progression.name
    page.locator(f"#item-{swappable.pk}").get_by_role("button", name=f"Harder: {harder}").click()
    expect(page.locator("#phase-P2")).to_contain_text("Exercise swapped")
    screenshot("04-edited")

    page.get_by_role("button", name="Publish to the patient").click()
    # The plan's "Check before publishing" warnings are confirmed first (issue #14 item 5).
    expect(page.get_by_role("heading", name="Check before publishing")).to_be_visible()
    page.get_by_role("button", name="I have checked these warnings: publish").click()
    expect(page.get_by_role("heading", name="Revision 1: what changed")).to_be_visible()
    screenshot("05-published")
    page.get_by_role("link", name="Plan editor").click()
    page.locator(f"#item-{first.pk}").get_by_text("Edit dosage or notes").click()
    page.locator(f"#item-{first.pk}").get_by_label("Sets").fill("2")
    page.locator(f"#item-{first.pk}").get_by_label("Reason for a dosage change").select_option(
        "easing_off"
    )
    page.locator(f"#item-{first.pk}").get_by_role("button", name="Save").click()
    expect(page.locator("#phase-P2")).to_contain_text("dosage saved")
    page.get_by_role("button", name="Publish changes as revision 2").click()
    page.get_by_role("button", name="I have checked these warnings: publish").click()

    expect(page.get_by_role("heading", name="Revision 2: what changed")).to_be_visible()
    expect(
        page.get_by_text(re.compile(f"{re.escape(first.exercise.name)}:.*3 sets of 12"))
    ).to_be_visible()
    screenshot("06-changes")
    assert PlanRevision.objects.filter(plan=plan).count() == 2
