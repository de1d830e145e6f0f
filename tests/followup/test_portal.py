"""The patient portal: Today, My plan, Help, the check-in form and its result page."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.html import escape

from clinical import follow_up
from followup import services
from followup.forms import PAIN_ERROR
from followup.models import Alert, CheckIn
from programs.models import Plan, Prescription
from programs.services import publish_plan, update_prescription
from reminders.models import ReminderSchedule
from tests.followup.conftest import CALM_DAY_FORM, TODAY, check_in

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
CALM = {"pain": "3", "feeling": "better", "items_done": ["F01"], "zone": "green", **CALM_DAY_FORM}


@pytest.fixture
def on_day(clock):
    """`on_day(date)`: the clock travels to 09:00 on that date in London (the patient's)."""

    def set_day(day: datetime.date) -> None:
        clock.now = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=LONDON)

    set_day(TODAY + datetime.timedelta(days=1))
    return set_day


@pytest.fixture
def patient_client(client, patient_a1):
    client.force_login(patient_a1.user)
    return client


def _phase(revision, code: str) -> dict:
    return next(p for p in revision.phases if p["code"] == code)


def _ticks(html: str) -> list[str]:
    return re.findall(r'name="done" value="([^"]+)"', html)


def _headings(html: str) -> list[str]:
    return re.findall(r'class="exercise-name">([^<]+)<', html)


# --- Today ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "advice_title"),
    [(TODAY, "Cold pack"), (TODAY + datetime.timedelta(days=1), "Heat pack")],
)
def test_today_shows_the_items_and_the_advice_current_today(
    patient_client, revision_a1, on_day, day, advice_title
):
    on_day(day)
    settle = _phase(revision_a1, "P1")

    response = patient_client.get(reverse("patient-home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert _headings(html) == [item["name"] for item in settle["items"]] + [advice_title]
    for item in settle["items"]:
        assert escape(item["dosage_text"].capitalize()) in html
        assert escape(item["steps"][0]) in html
    assert _ticks(html) == revision_a1.tickable_keys(day)
    assert _ticks(html)[-1] == advice_title.split()[0].lower()
    assert f'action="{reverse("check-in")}"' in html
    assert "Your physio has not published your plan yet" not in html


def test_today_without_a_published_plan_shows_the_empty_state(patient_client, patient_a1):
    response = patient_client.get(reverse("patient-home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Your physio has not published your plan yet" in html
    assert _ticks(html) == []
    assert "When to get help" in html


def test_today_shows_open_messages_for_the_patient_only(
    patient_client, revision_a1, patient_a2, on_day
):
    plan = revision_a1.plan
    Alert.objects.create(
        patient=plan.patient,
        plan=plan,
        rule_id="ESC-REFER-6W",
        severity="review",
        action="task",
        physio_message="ESC-REFER-6W: …",
        patient_message=follow_up.REFER_6W_PATIENT_TEXT,
        once_key="plan",
    )
    Alert.objects.create(
        patient=plan.patient,
        plan=plan,
        rule_id="PLAN-EXPIRY",
        severity="review",
        action="task",
        physio_message="PLAN-EXPIRY: …",
        patient_message=follow_up.EXPIRY_PATIENT_TEXT,
        once_key="published-2026-01-01",
        resolved_at=datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=datetime.UTC),
    )
    Alert.objects.create(
        patient=plan.patient,
        plan=plan,
        rule_id="CHK-2W",
        severity="review",
        action="task",
        physio_message="CHK-2W: …",
        once_key="plan",
    )

    html = patient_client.get(reverse("patient-home")).content.decode()

    assert re.findall(r'aria-label="Message about your plan"><p>([^<]+)</p>', html) == [
        escape(follow_up.REFER_6W_PATIENT_TEXT)
    ]


def test_today_follows_the_previous_phase_during_a_regression(patient_client, revision_a1, on_day):
    until = TODAY + datetime.timedelta(days=4)
    Plan.objects.filter(pk=revision_a1.plan_id).update(
        current_phase="P2", regressed_to="P1", regressed_until=until
    )

    html = patient_client.get(reverse("patient-home")).content.decode()

    assert _headings(html) == [item["name"] for item in _phase(revision_a1, "P1")["items"]] + [
        "Heat pack"
    ]
    assert escape(follow_up.REGRESS_PATIENT_TEXT) in html
    assert (
        "You are doing the exercises of the <strong>Settle</strong> stage until at least "
        f"{until:%A} {until.day} {until:%B}, then back to <strong>Restore</strong>"
    ) in html


# --- My plan ----------------------------------------------------------------------------


def test_my_plan_shows_every_phase_with_the_current_one_first(patient_client, revision_a1, on_day):
    response = patient_client.get(reverse("my-plan"))

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r"<h2[^>]*>([^<]+)</h2>", html)[:3] == [
        "Your stage now: Settle",
        "Next stages",
        "About your plan",
    ]
    assert re.findall(r"<summary><strong>([^<]+)</strong>", html) == [
        "Restore",
        "Strengthen",
        "Maintain",
    ]
    for phase in revision_a1.phases:
        for item in phase["items"]:
            assert escape(item["dosage_text"].capitalize()) in html
    assert escape(_phase(revision_a1, "P1")["restrictions"][0]) in html
    assert "What changed since your last visit" not in html


def test_my_plan_shows_what_changed_after_a_second_publish(
    patient_client, revision_a1, physio_a, on_day
):
    first = Prescription.objects.filter(phase__plan=revision_a1.plan, phase__code="P1").order_by(
        "order", "id"
    )[0]
    update_prescription(
        prescription=first, by=physio_a.user, sets=2, reps=12, change_reason="progressing"
    )
    second = publish_plan(plan=revision_a1.plan, by=physio_a.user)
    before = _phase(revision_a1, "P1")["items"][0]
    after = _phase(second, "P1")["items"][0]

    html = patient_client.get(reverse("my-plan")).content.decode()

    assert "What changed since your last visit" in html
    assert "Version 2" in html
    assert (
        f"<li><strong>{escape(after['name'])}</strong>: now {escape(after['dosage_text'])} "
        f"(was {escape(before['dosage_text'])})</li>"
    ) in html
    assert before["dosage_text"] != after["dosage_text"]


def test_my_plan_without_a_published_plan_shows_the_empty_state(patient_client):
    html = patient_client.get(reverse("my-plan")).content.decode()

    assert "Your physio has not published your plan yet" in html


def test_help_page_has_the_help_box_and_the_traffic_light(patient_client, patient_a1):
    response = patient_client.get(reverse("patient-help"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Get emergency help now" in html
    assert "Call 999 in an emergency." in html
    assert re.findall(r'<h3 id="zone-\w+">([^<]+)</h3>', html) == [
        "Green: carry on",
        "Amber: stay at this level",
        "Red: stop that exercise",
    ]


# --- Check in ---------------------------------------------------------------------------


def test_check_in_form_is_pre_ticked_from_today(patient_client, revision_a1, on_day):
    response = patient_client.get(reverse("check-in"), {"done": ["F01", "heat", "X99"]})

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'name="items_done" value="([^"]+)"[^>]*checked', html) == ["F01", "heat"]
    assert re.findall(r'name="items_done" value="([^"]+)"', html) == revision_a1.tickable_keys(
        TODAY + datetime.timedelta(days=1)
    )
    assert "Since your last check-in, have you had any of these?" in html
    assert re.findall(r'name="warning_(\w+)" value="no"', html) == [
        question.key for question in services.warning_questions(revision_a1.plan)
    ]
    assert re.findall(r'type="radio"[^>]*checked', html) == []  # nothing answered for them


def test_check_in_saves_and_redirects_to_the_result(
    patient_client, patient_a1, revision_a1, on_day
):
    response = patient_client.post(
        reverse("check-in"), {**CALM, "items_done": ["F01", "heat"], "note": " Went well "}
    )

    saved = CheckIn.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("check-in-result", args=[saved.pk])
    assert (
        saved.patient,
        saved.items_done,
        saved.pain,
        saved.zone,
        saved.feeling,
        saved.warning_signs,
        saved.has_new_symptoms,
        saved.can_manage_daily_tasks,
        saved.pain_eases_with_position,
        saved.note,
        saved.source,
        saved.local_date,
    ) == (
        patient_a1,
        ["F01", "heat"],
        3,
        "green",
        "better",
        [],
        False,
        True,
        None,
        "Went well",
        "portal",
        TODAY + datetime.timedelta(days=1),
    )
    result = patient_client.get(response["Location"]).content.decode()
    assert f"Thank you, {patient_a1.first_name}" in result
    assert "Pain 3 out of 10, feeling better, 2 things done today." in result
    assert follow_up.ZONE_ADVICE[follow_up.Zone.GREEN] in result


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"pain": "12"}, "pain", PAIN_ERROR),
        ({"feeling": ""}, "feeling", "Tell us whether you feel better, about the same, or worse."),
        ({"items_done": ["X99"]}, "items_done", "“X99” is not in today's plan."),
        (
            {"pain": "9"},
            "pain_eases_with_position",
            "With pain this strong, tell us whether it eases when you change position.",
        ),
        ({"zone": ""}, "zone", "Tell us how the exercises felt."),
    ],
    ids=["pain-12", "no-feeling", "unknown-item", "pain-9-no-position", "done-without-zone"],
)
def test_bad_check_in_shows_the_fields_error_and_saves_nothing(
    patient_client, revision_a1, on_day, answers, field, message
):
    response = patient_client.post(reverse("check-in"), {**CALM, **answers})

    html = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="field-error" id="id_{field}_error">{escape(message)}</p>' in html
    assert html.count('class="field-error"') == 1
    assert (CheckIn.objects.count(), Alert.objects.count()) == (0, 0)


def test_check_in_without_a_published_plan_shows_the_empty_state(patient_client):
    response = patient_client.post(reverse("check-in"), CALM)

    assert response.status_code == 200
    assert "Your physio has not published your plan yet" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_warning_sign_shows_the_emergency_page_and_pauses_reminders(
    patient_client, patient_a1, revision_a1, on_day
):
    response = patient_client.post(
        reverse("check-in"), {**CALM, "warning_ces_saddle_numbness": "yes"}
    )
    result = patient_client.get(response["Location"])

    html = result.content.decode()
    assert result.status_code == 200
    assert '<h1 id="advice-title">Go to an emergency department now.</h1>' in html
    assert "advice-emergency" in html
    assert "Call 999 in an emergency." in html
    assert 'href="tel:01234000000"' in html
    assert "your reminder emails are paused" in html
    schedule = ReminderSchedule.objects.get(patient=patient_a1)
    tomorrow = TODAY + datetime.timedelta(days=1)  # on_day's default
    assert schedule.paused_reason == f"RF-EMERG-CES at the check-in of {tomorrow.isoformat()}"
    assert schedule.next_slot_at is None
    assert sorted(Alert.objects.values_list("rule_id", "severity")) == [
        ("ESC-WORSE", "urgent"),
        ("RF-EMERG-CES", "emergency"),
    ]
    assert CheckIn.objects.get().warning_signs == ["ces_saddle_numbness"]


@pytest.mark.parametrize(
    ("answers", "heading", "message"),
    [
        (
            {"warning_infection_unwell": "yes"},
            "Get medical advice today",
            follow_up.URGENT_PATIENT_TEXT,
        ),
        (
            {"pain": "9", "pain_eases_with_position": "no"},
            "Get medical advice today",
            follow_up.SEVERE_PATIENT_TEXT,
        ),
        (
            {"has_new_symptoms": "yes"},
            "Stop the exercises that make it worse",
            follow_up.WORSE_PATIENT_TEXT,
        ),
    ],
    ids=["urgent-sign", "severe-pain", "new-symptoms"],
)
def test_the_result_page_gives_the_advice_of_the_rules(
    patient_client, revision_a1, on_day, answers, heading, message
):
    response = patient_client.post(reverse("check-in"), {**CALM, **answers})
    html = patient_client.get(response["Location"]).content.decode()

    assert f'<h1 id="advice-title">{heading}</h1>' in html
    assert f'<p class="advice-lead">{escape(message)}</p>' in html
    assert "Get emergency help now" in html  # the emergency list is repeated


def test_the_advice_is_given_again_when_the_alert_is_still_open(
    patient_client, revision_a1, on_day
):
    severe = {**CALM, "pain": "9", "pain_eases_with_position": "no"}
    patient_client.post(reverse("check-in"), severe)

    response = patient_client.post(reverse("check-in"), severe)
    html = patient_client.get(response["Location"]).content.decode()

    assert Alert.objects.filter(rule_id="ESC-SEVERE").count() == 1  # one open alert ...
    assert f'<p class="advice-lead">{escape(follow_up.SEVERE_PATIENT_TEXT)}</p>' in html


def test_the_result_page_tells_when_the_physio_is_asked_about_the_next_stage(
    patient_client, revision_a1, on_day
):
    on_day(TODAY + datetime.timedelta(days=3))  # P1's minimum of 3 days

    response = patient_client.post(reverse("check-in"), CALM)
    html = patient_client.get(response["Location"]).content.decode()

    assert CheckIn.objects.get().rule_ids == ["PROGRESS"]
    assert "your physio will be told you may be ready for the next stage" in html


def test_another_patients_check_in_result_is_not_found(client, patient_a1, patient_a2, revision_a1):
    saved, _ = check_in(patient_a1)
    client.force_login(patient_a2.user)

    response = client.get(reverse("check-in-result", args=[saved.pk]))

    assert response.status_code == 404


def test_physios_get_not_found_on_patient_pages(client, physio_a, patient_a1, revision_a1):
    saved, _ = check_in(patient_a1)
    client.force_login(physio_a.user)

    statuses = [
        client.get(reverse(name)).status_code
        for name in ("patient-home", "my-plan", "patient-help", "check-in")
    ] + [
        client.get(reverse("check-in-result", args=[saved.pk])).status_code,
        client.post(reverse("check-in"), CALM).status_code,
    ]

    assert statuses == [404] * 6
    assert CheckIn.objects.count() == 1


def test_patient_pages_need_a_login(client):
    paths = [reverse(name) for name in ("patient-home", "my-plan", "patient-help", "check-in")]

    locations = [client.get(path)["Location"] for path in paths]

    assert locations == [f"{reverse('login')}?next={path}" for path in paths]


def test_patient_nav_marks_the_current_page(patient_client):
    html = patient_client.get(reverse("my-plan")).content.decode()

    assert re.findall(r'<a (?:class="[^"]*" )?href="([^"]+)" aria-current="page"', html) == [
        reverse("my-plan")
    ]
    assert re.findall(r'<a (?:class="nav-help" )?href="(/me/[^"]*)"', html) == [
        "/me/",
        "/me/plan/",
        "/me/check-in/",
        "/me/reminders/",
        "/me/help/",
    ]
