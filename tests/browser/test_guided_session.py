"""The guided session on a phone in a real Chromium (issue #16 item 5): start, a hold counts
down, done, the items are ticked on Today, check in; "Too painful - stop"; offline once
loaded; and the same page with JavaScript off.

The plan's first exercise is a 3-second hold done twice (tests/followup/test_guided_session.py
`publish_short_session_plan`). Screenshots: test-artifacts/screenshots/<test name>/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from followup.models import CheckIn
from tests.browser.conftest import PHONE
from tests.browser.test_foundation_journey import _log_in, _uncaught_errors
from tests.followup.test_guided_session import HOLD_S, publish_short_session_plan

pytestmark = pytest.mark.browser

# Two holds of 3 s with a get-ready count and a rest between them: a wait limit, not a
# timing threshold (nothing asserts how fast it went).
WHOLE_EXERCISE_MS = 30_000


def _answer_the_rest_of_the_check_in(page: Page) -> None:
    page.get_by_role("group", name="How much pain do you have now?").get_by_label(
        "3", exact=True
    ).check()
    page.get_by_role("group", name="Since your last check-in, do you feel…").get_by_label(
        "Better"
    ).check()
    page.get_by_role("group", name="Could you manage your usual daily tasks?").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("group", name="Any new symptoms since last time?").get_by_label("No").check()
    signs = page.get_by_role("group", name="Since your last check-in, have you had any of these?")
    signs.get_by_role("button", name="None of these").click()


def test_guided_session_counts_a_hold_down_then_ticks_today_for_the_check_in(
    phone_page, screenshot, patient_a1, catalogue
):
    page = phone_page
    revision = publish_short_session_plan(patient_a1)
    items = revision.followed_phase()["items"]
    first, second = items[0], items[1]
    _log_in(page, patient_a1.email)

    page.get_by_role("link", name="Start today's session").click()
    expect(page).to_have_url(re.compile(r"/me/session/$"))
    step = page.locator("section.session-step.is-current")
    expect(step.get_by_role("heading", level=2)).to_have_text(first["name"])
    expect(step.get_by_text(f"Exercise 1 of {len(items)}")).to_be_visible()
    expect(page.locator("section.session-step:visible")).to_have_count(1)
    timer = step.locator("[data-timer]")
    number = timer.locator("[data-number]")
    stage = timer.locator("[data-stage]")
    expect(number).to_have_text(str(HOLD_S))
    screenshot("01-first-exercise", full_page=False)

    step.get_by_role("button", name="Start").click()
    expect(stage).to_have_text("Get ready")
    expect(timer.locator("[data-counter]")).to_have_text("Hold 1 of 2")
    expect(stage).to_have_text("Hold")
    expect(number).to_have_text("1")  # counted down from 3, the big number on screen
    expect(step.get_by_role("button", name="Pause")).to_be_visible()
    expect(step.get_by_role("button", name="Start")).to_be_hidden()
    expect(step.get_by_role("button", name="Set done")).to_be_hidden()
    screenshot("02-hold-counting-down", full_page=False)
    expect(stage).to_have_text("Relax")
    expect(timer.locator("[data-counter]")).to_have_text("Hold 2 of 2")
    step.get_by_role("button", name="Pause").click()
    expect(step.get_by_role("button", name="Resume")).to_be_visible()
    expect(timer).to_have_class(re.compile(r"\bis-paused\b"))
    step.get_by_role("button", name="Resume").click()
    expect(stage).to_have_text("Done", timeout=WHOLE_EXERCISE_MS)
    expect(number).to_have_text("✓")
    expect(step.get_by_role("button", name="Pause")).to_be_hidden()
    expect(page.locator("[data-announce]")).to_have_text(
        f"{first['name']}: all done. Tap Done for the next exercise."
    )
    screenshot("03-exercise-done", full_page=False)

    step.get_by_role("button", name="Done: next exercise").click()
    step = page.locator("section.session-step.is-current")
    expect(step.get_by_role("heading", level=2)).to_have_text(second["name"])
    step.get_by_role("button", name="Skip this one").click()
    for index, item in enumerate(items[2:], start=3):
        step = page.locator("section.session-step.is-current")
        expect(step.get_by_text(f"Exercise {index} of {len(items)}")).to_be_visible()
        expect(step.get_by_role("heading", level=2)).to_have_text(item["name"])
        step.get_by_role("button", name=re.compile("^Done: ")).click()

    done = [first["exercise_key"]] + [item["exercise_key"] for item in items[2:]]
    end = page.get_by_role("region", name="Session finished")
    expect(end).to_contain_text(f"You did {len(done)} of {len(items)} exercises.")
    expect(page.get_by_role("button", name="Too painful — stop")).to_be_hidden()
    screenshot("04-session-finished", full_page=False)
    end.get_by_role("button", name="Back to Today to check in").click()

    expect(page).to_have_url(re.compile(r"/me/\?done="))
    today = page.get_by_role("region", name="Today's exercises")
    for item in items:
        tick = today.get_by_label(f"Done: {item['name']}")
        if item["exercise_key"] in done:
            expect(tick).to_be_checked()
        else:
            expect(tick).not_to_be_checked()
    screenshot("05-today-ticked")
    today.get_by_role("button", name="Check in").click()

    ticked = page.get_by_role("group", name="What did you do today?")
    for item in items:
        if item["exercise_key"] in done:
            expect(ticked.get_by_label(item["name"])).to_be_checked()
        else:
            expect(ticked.get_by_label(item["name"])).not_to_be_checked()
    page.get_by_role("group", name="How did the exercises feel?").get_by_label(
        re.compile("^Green")
    ).check()
    _answer_the_rest_of_the_check_in(page)
    page.get_by_role("button", name="Send my check-in").click()

    expect(page.get_by_role("heading", name=re.compile("^Thank you"))).to_be_visible()
    saved = CheckIn.objects.get(patient=patient_a1)
    assert (saved.items_done, saved.zone) == (done, "green")
    assert _uncaught_errors(page) == []


def test_too_painful_stops_the_session_and_opens_the_check_in_red(
    open_page, screenshot, patient_a1, catalogue
):
    page = open_page("reduced_motion", reduced_motion="reduce", **PHONE)
    revision = publish_short_session_plan(patient_a1)
    first, second = revision.followed_phase()["items"][:2]
    _log_in(page, patient_a1.email)
    page.goto("/me/session/")
    page.locator("section.session-step.is-current").get_by_role(
        "button", name="Done: next exercise"
    ).click()
    step = page.locator("section.session-step.is-current")
    expect(step.get_by_role("heading", level=2)).to_have_text(second["name"])
    step.get_by_role("button", name="Start").click()
    expect(step.locator("[data-stage]")).to_have_text("Get ready")
    # Asked for less motion: the number changes without a transition.
    assert (
        step.locator("[data-number]").evaluate("e => getComputedStyle(e).transitionDuration")
        == "0s"
    )

    page.get_by_role("button", name="Too painful — stop").click()

    expect(page).to_have_url(re.compile(r"/me/check-in/\?"))
    expect(page.get_by_text("You stopped your session because it was too painful")).to_be_visible()
    done = page.get_by_role("group", name="What did you do today?")
    expect(done.get_by_label(first["name"])).to_be_checked()
    expect(done.get_by_label(second["name"])).not_to_be_checked()
    feel = page.get_by_role("group", name="How did the exercises feel?")
    expect(feel.get_by_label(re.compile("^Red"))).to_be_checked()
    # The patient's own answer, and nothing more: pain and the warning signs wait for them.
    for answer in (
        page.get_by_role("group", name="How much pain do you have now?").get_by_role("radio").all()
    ):
        expect(answer).not_to_be_checked()
    signs = page.get_by_role("group", name="Since your last check-in, have you had any of these?")
    for answer in signs.get_by_role("radio").all():
        expect(answer).not_to_be_checked()
    screenshot("01-check-in-after-stopping", page, full_page=False)
    _answer_the_rest_of_the_check_in(page)
    page.get_by_role("button", name="Send my check-in").click()

    expect(page.get_by_role("heading", name=re.compile("^Thank you"))).to_be_visible()
    saved = CheckIn.objects.get(patient=patient_a1)
    assert (saved.items_done, saved.zone) == ([first["exercise_key"]], "red")


def test_the_session_runs_offline_and_sends_the_ticks_when_back_online(
    phone_page, screenshot, patient_a1, catalogue
):
    page = phone_page
    revision = publish_short_session_plan(patient_a1)
    items = revision.followed_phase()["items"]
    _log_in(page, patient_a1.email)
    page.goto("/me/session/")
    page.context.set_offline(True)

    step = page.locator("section.session-step.is-current")
    step.get_by_role("button", name="Start").click()
    expect(step.locator("[data-stage]")).to_have_text("Hold")
    step.get_by_role("button", name="Done: next exercise").click()
    for _ in items[1:]:
        page.locator("section.session-step.is-current").get_by_role(
            "button", name="Skip this one"
        ).click()
    page.get_by_role("button", name="Back to Today to check in").click()

    offline = page.get_by_text("You are offline. Your ticks are kept on this page")
    expect(offline).to_be_visible()
    expect(page).to_have_url(re.compile(r"/me/session/$"))
    screenshot("01-offline", full_page=False)
    page.context.set_offline(False)

    expect(page).to_have_url(re.compile(rf"/me/\?done={items[0]['exercise_key']}$"))
    expect(page.get_by_label(f"Done: {items[0]['name']}")).to_be_checked()


def test_without_javascript_the_session_is_a_list_with_ticks(
    open_page, screenshot, patient_a1, catalogue
):
    page = open_page("no_script", java_script_enabled=False, **PHONE)
    revision = publish_short_session_plan(patient_a1)
    items = revision.followed_phase()["items"]
    _log_in(page, patient_a1.email)
    page.goto("/me/session/")

    expect(page.locator("section.session-step")).to_have_count(len(items))
    for section, item in zip(page.locator("section.session-step").all(), items, strict=True):
        expect(section).to_be_visible()
        expect(section.get_by_role("heading", level=2)).to_have_text(item["name"])
    expect(page.get_by_role("button", name="Start")).to_have_count(0)
    page.get_by_label("I did this").nth(1).check()
    screenshot("01-no-script-list", page)
    page.get_by_role("button", name="Back to Today to check in").click()

    expect(page).to_have_url(re.compile(rf"/me/\?done={items[1]['exercise_key']}$"))
    expect(page.get_by_label(f"Done: {items[1]['name']}")).to_be_checked()
    expect(page.get_by_label(f"Done: {items[0]['name']}")).not_to_be_checked()
