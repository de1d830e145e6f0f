"""Issue #14 item 10, the small things a patient (and their physio) notices: ticks on Today
survive a reload and show as done after the check-in; the physio alert email greets the physio
by name. (Words for answers and phase facts: tests/programs/test_words.py.)"""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from tests.followup.conftest import CALM_DAY_API, CALM_DAY_FORM, TODAY, check_in

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture
def tomorrow_morning(clock):
    """09:00 the day after the plan starts (the heat pack is current then), in London."""
    clock.now = datetime.datetime.combine(TOMORROW, datetime.time(9, 0), tzinfo=LONDON)


def _checked(html: str) -> list[str]:
    return re.findall(r'name="done" value="([^"]+)"[^>]*checked', html)


def _first_item(revision) -> str:
    return revision.followed_phase()["items"][0]["exercise_key"]


def test_ticks_on_today_rewrite_its_address_so_a_reload_keeps_them(
    client, patient_a1, revision_a1, tomorrow_morning
):
    client.force_login(patient_a1.user)
    first = _first_item(revision_a1)

    fresh = client.get(reverse("patient-home")).content.decode()
    reloaded = client.get(
        reverse("patient-home"), {"done": ["heat", "X99", first, "cold"]}
    ).content.decode()

    assert _checked(fresh) == []
    assert (
        f'hx-get="{reverse("patient-home")}" hx-trigger="change" hx-replace-url="true" '
        'hx-swap="none"' in fresh
    )
    # Only today's own ticks, in the page's order: not an unknown key, not yesterday's cold.
    assert _checked(reloaded) == [first, "heat"]


def test_ticks_show_as_done_after_a_check_in_on_the_page(
    client, patient_a1, revision_a1, tomorrow_morning
):
    client.force_login(patient_a1.user)
    first = _first_item(revision_a1)

    posted = client.post(
        reverse("check-in"),
        {
            "pain": "3",
            "feeling": "better",
            "zone": "green",
            "items_done": [first, "heat"],
            **CALM_DAY_FORM,
        },
    )
    today = client.get(reverse("patient-home")).content.decode()

    assert posted.status_code == 302
    assert _checked(today) == [first, "heat"]


def test_ticks_show_as_done_after_a_check_in_through_the_api(
    api, client, clock, patient_a1, revision_a1, tomorrow_morning
):
    first = _first_item(revision_a1)
    client.force_login(patient_a1.user)

    response = api.as_user(patient_a1.user).post(
        "/api/v1/me/check-ins/",
        {"pain": 2, "feeling": "same", "zone": "green", "items_done": [first], **CALM_DAY_API},
        format="json",
    )
    today = client.get(reverse("patient-home")).content.decode()
    clock.advance(days=1)
    next_day = client.get(reverse("patient-home")).content.decode()

    assert response.status_code == 201
    assert _checked(today) == [first]
    assert _checked(next_day) == []  # a new day starts with nothing ticked


def test_the_alert_email_greets_the_physio_by_name(
    patient_a1, revision_a1, django_capture_on_commit_callbacks
):
    physio = patient_a1.physiotherapist.user
    physio.full_name = "Alex Morgan"
    physio.save(update_fields=["full_name"])

    with django_capture_on_commit_callbacks(execute=True):
        check_in(patient_a1, warning_signs=["ces_saddle_numbness"], pain=5)

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.body.startswith("Hello Alex Morgan,\n")
        html = message.alternatives[0][0]
        assert "<p>Hello Alex Morgan,</p>" in html
