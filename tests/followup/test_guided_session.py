"""The guided session page (`/me/session/`) as a server page: every step in the HTML, the
form that goes back to Today with the ticks, and "Too painful - stop" on the check-in.

The countdown itself runs in the browser: tests/browser/test_guided_session.py.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from followup import services
from followup.models import CheckIn
from programs import safety
from programs.models import PlanRevision, Prescription
from programs.services import publish_plan, update_prescription
from tests.followup.conftest import CALM_DAY_FORM, LUMBAR_WARNING_KEYS, check_in, publish_plan_for

pytestmark = pytest.mark.django_db

HOLD_S = 3


def publish_short_session_plan(patient) -> PlanRevision:
    """A published plan whose first exercise today is a 3-second hold done twice, once (the
    physio's dosage change, revision 2), so a browser sees a whole hold count down quickly."""
    physio = patient.physiotherapist.user
    revision = publish_plan_for(patient, today=services.local_now(patient).date())
    first = Prescription.objects.filter(
        phase__plan=revision.plan, phase__code=revision.plan.current_phase
    ).order_by("order", "id")[0]
    update_prescription(
        prescription=first,
        by=physio,
        sets=1,
        reps=2,
        hold_seconds=HOLD_S,
        minutes=None,
        per_side=False,
        change_reason="progressing",
    )
    return publish_plan(plan=revision.plan, by=physio)


@pytest.fixture
def patient_client(client, patient_a1):
    client.force_login(patient_a1.user)
    return client


@pytest.fixture
def revision(patient_a1, catalogue) -> PlanRevision:
    return publish_short_session_plan(patient_a1)


def _items(revision: PlanRevision) -> list[dict]:
    return revision.followed_phase()["items"]


def _checked(html: str, name: str) -> list[str]:
    return re.findall(
        rf'<input type="(?:checkbox|radio)" name="{name}" value="([^"]+)"[^>]*checked', html
    )


def test_today_links_to_the_session(patient_client, revision):
    html = patient_client.get(reverse("patient-home")).content.decode()

    assert f'href="{reverse("guided-session")}">Start today\'s session</a>' in html


def test_the_session_page_holds_every_step_of_today(patient_client, revision):
    items = _items(revision)

    response = patient_client.get(reverse("guided-session"))

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'data-step data-key="([^"]+)"', html) == [i["exercise_key"] for i in items]
    first = items[0]
    assert (first["sets"], first["reps"], first["hold_seconds"], first["minutes"]) == (
        1,
        2,
        3,
        None,
    )
    assert (
        f'data-sets="1" data-reps="2"\n    data-hold="{HOLD_S}" data-minutes=""\n'
        '    data-per-side="false"'
    ) in html
    for item in items:
        assert f">{item['name']}</h2>" in html
        assert all(step in html for step in item["steps"])
    # Without JavaScript: a tick per exercise, sent to Today; the stop button to the check-in.
    assert re.findall(r'name="done" value="([^"]+)"', html) == [i["exercise_key"] for i in items]
    assert f'<form method="get" action="{reverse("patient-home")}"' in html
    assert f'formaction="{reverse("check-in")}" name="stopped" value="too-painful"' in html
    assert '<script src="/static/js/session.js" defer></script>' in html


def test_items_already_done_today_arrive_ticked(patient_client, revision, patient_a1):
    first, second = _items(revision)[:2]
    check_in(patient_a1, items_done=[first["exercise_key"]], zone="green")

    html = patient_client.get(
        reverse("guided-session"), {"done": [second["exercise_key"], "not-in-the-plan"]}
    ).content.decode()

    assert _checked(html, "done") == [first["exercise_key"], second["exercise_key"]]


def test_finishing_ticks_the_items_on_today(patient_client, revision):
    first, _, third = _items(revision)[:3]
    done = [first["exercise_key"], third["exercise_key"]]

    html = patient_client.get(reverse("patient-home"), {"done": done}).content.decode()

    assert _checked(html, "done") == done


def test_too_painful_starts_the_check_in_red_with_nothing_else_answered(patient_client, revision):
    first = _items(revision)[0]

    response = patient_client.get(
        reverse("check-in"), {"done": first["exercise_key"], "stopped": "too-painful"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "You stopped your session because it was too painful" in html
    assert _checked(html, "items_done") == [first["exercise_key"]]
    assert _checked(html, "zone") == ["red"]
    for name in ("pain", "feeling", "can_manage_daily_tasks", "has_new_symptoms"):
        assert _checked(html, name) == []
    assert re.findall(r'name="warning_\w+" value="\w+"[^>]*checked', html) == []


@pytest.mark.parametrize("stopped", ["", "something-else"])
def test_the_check_in_chooses_no_zone_otherwise(patient_client, revision, stopped):
    html = patient_client.get(reverse("check-in"), {"stopped": stopped}).content.decode()

    assert _checked(html, "zone") == []
    assert "You stopped your session" not in html


def test_the_red_answer_sent_is_recorded_as_the_patients(patient_client, revision, patient_a1):
    first = _items(revision)[0]
    answers = {
        "items_done": [first["exercise_key"]],
        "zone": "red",
        "pain": "5",
        "feeling": "same",
        **CALM_DAY_FORM,
    }

    response = patient_client.post(reverse("check-in") + "?stopped=too-painful", answers)

    saved = CheckIn.objects.get(patient=patient_a1)
    assert response.status_code == 302
    assert (saved.items_done, saved.zone, saved.pain) == ([first["exercise_key"]], "red", 5)


def test_no_plan_goes_back_to_today(patient_client, patient_a1):
    response = patient_client.get(reverse("guided-session"))

    assert (response.status_code, response["Location"]) == (302, reverse("patient-home"))


def test_an_open_safety_state_shows_no_session(patient_client, revision, patient_a1):
    check_in(patient_a1, warning_signs=[LUMBAR_WARNING_KEYS[0]])
    assert safety.state_of(patient_a1).is_open

    response = patient_client.get(reverse("guided-session"))

    assert (response.status_code, response["Location"]) == (302, reverse("patient-home"))
