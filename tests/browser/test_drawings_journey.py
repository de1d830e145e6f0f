"""Exercise drawings in a real Chromium: the catalogue and an exercise's frames for the physio,
the drawing builder's live preview, and the looping frames on the patient's Today page (still
when the reader prefers less motion, with a pause control).

Screenshots: test-artifacts/screenshots/<test name>/ (the README's catalogue image is one).
"""

import pytest
from playwright.sync_api import expect

from exercises.models import Exercise
from tests.factories import PASSWORD
from tests.followup.conftest import publish_plan_for

pytestmark = pytest.mark.browser


def log_in(page, user) -> None:
    page.goto("/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def loaded_frames(page, selector: str) -> int:
    """How many of the matched drawings the browser decoded (a broken image has no width)."""
    return page.eval_on_selector_all(
        selector, "images => images.filter(i => i.complete && i.naturalWidth > 0).length"
    )


def test_physio_sees_drawings_and_builds_one_for_a_clinic_exercise(
    page, screenshot, physio_a, catalogue
):
    own = Exercise.objects.create(
        key="OWN-1",
        clinic=physio_a.clinic,
        name="Chair knee lift",
        category="core",
        regions=["lumbar"],
        position="sitting",
        direction="neutral",
        difficulty=1,
        phases=["P2"],
        reps=8,
        steps=["Sit tall.", "Lift one knee.", "Lower it slowly."],
    )
    log_in(page, physio_a.user)

    page.goto("/exercises/?category=flexibility")
    frames = page.locator(".exercise-card .frame")
    expect(frames.first).to_be_visible()
    assert frames.count() >= 2 * page.locator(".exercise-card").count()
    assert loaded_frames(page, ".exercise-card .frame") == frames.count()
    screenshot("catalogue", full_page=False)

    page.goto("/exercises/F04/")
    expect(page.get_by_role("img", name="Cat and camel: camel")).to_be_visible()
    screenshot("cat-and-camel")

    page.goto(f"/exercises/{own.key}/")
    page.get_by_role("link", name="Build the drawing").click()
    page.get_by_label("Start pose").select_option("sitting")
    page.get_by_label("End pose").select_option("C13:lean")
    page.get_by_label("chair").check()
    preview = page.locator("#drawing-preview")
    expect(preview.get_by_role("img", name="Chair knee lift: end")).to_be_visible()
    assert loaded_frames(page, "#drawing-preview img") == 2
    screenshot("builder-preview")
    page.get_by_role("button", name="Save the drawing").click()

    expect(page.get_by_role("img", name="Chair knee lift: start")).to_be_visible()
    own.refresh_from_db()
    assert own.drawing["props"] == ["chair"]


def test_todays_frames_loop_pause_and_stay_still_for_reduced_motion(
    phone_page, screenshot, patient_a1, catalogue
):
    page = phone_page
    publish_plan_for(patient_a1)
    log_in(page, patient_a1.user)

    page.goto("/me/")
    first_item = page.locator(".exercise").first
    drawing = first_item.locator(".frames")
    expect(drawing).to_be_visible()
    running = drawing.locator(".frame").first.evaluate("i => getComputedStyle(i).animationName")
    assert running.startswith("frames-show-")
    screenshot("today")

    drawing.get_by_text("Pause").click()
    state = drawing.locator(".frame").first.evaluate("i => getComputedStyle(i).animationPlayState")
    assert state == "paused"

    page.emulate_media(reduced_motion="reduce")
    still = drawing.locator(".frame").first.evaluate("i => getComputedStyle(i).animationName")
    assert still == "none"
    expect(drawing.get_by_text("Pause")).to_be_hidden()
    screenshot("today-reduced-motion")
