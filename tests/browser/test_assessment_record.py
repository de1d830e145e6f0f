"""The clinical record prints on at most two A4 pages, even with every question answered for
all three regions (issue #20, item 2). Screenshot: test-artifacts/screenshots/<test>/."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from programs import services
from programs.intake_form import AssessmentForm
from tests.clock import suite_today
from tests.factories import PASSWORD
from tests.programs.test_assessment_record import full_intake

pytestmark = pytest.mark.browser


def test_the_longest_record_prints_on_two_pages(page, screenshot, physio_a, patient_a1):
    form = AssessmentForm(
        full_intake(), date_of_birth=patient_a1.date_of_birth, today=suite_today()
    )
    assert form.is_valid(), form.errors
    assessment = services.record_assessment(
        patient=patient_a1, by=physio_a.user, answers=form.answers
    )
    page.goto("/login/")
    page.get_by_label("Email address").fill(physio_a.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"/assessments/{assessment.pk}/")
    expect(page.get_by_role("heading", name="Recorded answers")).to_be_visible()
    page.emulate_media(media="print")
    printed = page.pdf(format="A4", print_background=True)
    (screenshot("record").parent / "record.pdf").write_bytes(printed)
    pdf = PdfReader(io.BytesIO(printed))

    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert len(pdf.pages) <= 2, len(pdf.pages)
    assert "Recorded answers" in text
    assert "Print the record" not in text
    assert "Numbness or tingling around the genitals" in text
