"""Issue #14 items 2 and 3 for the assessment: nothing is answered for the physio, and an
urgent or emergency referral is recordable at once with the rest of the intake empty."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinical.intake import required_red_flag_questions
from programs.intake_form import PLEASE_ANSWER
from programs.models import AdviceItem, Assessment, Plan, PlanPhase, Prescription
from tests.clock import suite_today
from tests.programs.intake_data import intake_form_data
from tests.programs.test_api import assessments_url, everything, intake_payload

pytestmark = pytest.mark.django_db

TODAY = suite_today().isoformat()
# Everything the intake asks for besides the date; with none of it, only a referral may pass.
REQUIRED = [
    "pregnancy_status",
    "regions",
    "primary_region",
    "onset_date",
    "onset_type",
    "triggers",
    "previous_episodes",
    "pain_now",
    "pain_worst_24h",
    "irritability",
    "aggravating",
    "radiating_pain",
    "paraesthesia",
    "weakness",
    "function_walk_10min",
    "work_status",
]


def plan_rows() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Plan, PlanPhase, Prescription, AdviceItem))


# --- item 2: unanswered stays unanswered --------------------------------------------------


@pytest.mark.parametrize(
    "name", ["onset_type", "irritability", "radiating_pain", "pregnancy_status", "work_status"]
)
def test_a_question_left_empty_on_the_page_says_please_answer(client, physio_a, patient_a1, name):
    client.force_login(physio_a.user)
    data = intake_form_data()
    del data[name]

    response = client.post(reverse("assessment-create", args=[patient_a1.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {name: [PLEASE_ANSWER]}
    assert PLEASE_ANSWER in response.content.decode()
    assert not Assessment.objects.exists()


def test_an_empty_page_lists_every_unanswered_question_and_saves_nothing(
    client, physio_a, patient_a1
):
    client.force_login(physio_a.user)

    response = client.post(
        reverse("assessment-create", args=[patient_a1.pk]), {"assessment_date": TODAY}
    )

    errors = response.context["form"].errors
    assert response.status_code == 200
    assert list(errors) == REQUIRED
    assert errors["function_walk_10min"] == ["Answer yes or no."]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("name", ["irritability", "onset_type", "aggravating"])
def test_a_question_left_out_of_the_api_is_a_400_naming_it(api, physio_a, patient_a1, name):
    payload = intake_payload()
    del payload[name]
    before = everything()

    response = api.as_user(physio_a.user).post(assessments_url(patient_a1), payload, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {name: [PLEASE_ANSWER]}
    assert everything() == before


def test_no_movement_makes_it_worse_is_an_answer_on_the_page_and_in_the_api(
    client, api, physio_a, patient_a1
):
    client.force_login(physio_a.user)

    page = client.post(
        reverse("assessment-create", args=[patient_a1.pk]),
        intake_form_data(aggravating=["none"]),
    )
    through_api = api.as_user(physio_a.user).post(
        assessments_url(patient_a1), intake_payload(aggravating=["none"]), format="json"
    )

    assert page.status_code == 302
    assert through_api.status_code == 201
    assert through_api.json()["answers"]["aggravating"] == ["none"]
    assert [a.answers["aggravating"] for a in Assessment.objects.order_by("pk")] == [
        ["none"],
        ["none"],
    ]
    assert [a.outcome for a in Assessment.objects.all()] == ["clear", "clear"]


def test_none_and_a_movement_together_are_refused(client, api, physio_a, patient_a1):
    client.force_login(physio_a.user)

    page = client.post(
        reverse("assessment-create", args=[patient_a1.pk]),
        intake_form_data(aggravating=["none", "sitting"]),
    )
    through_api = api.as_user(physio_a.user).post(
        assessments_url(patient_a1), intake_payload(aggravating=["none", "sitting"]), format="json"
    )

    assert list(page.context["form"].errors) == ["aggravating"]
    assert list(through_api.json()["fields"]) == ["aggravating"]
    assert not Assessment.objects.exists()


# --- item 3: an emergency is recordable at once -------------------------------------------


def test_cauda_equina_signs_alone_are_recorded_incomplete_with_the_referral(
    client, physio_a, patient_a1, catalogue
):
    client.force_login(physio_a.user)

    response = client.post(
        reverse("assessment-create", args=[patient_a1.pk]),
        {"assessment_date": TODAY, "rf_ces_saddle_numbness": "yes", "rf_ces_incontinence": "yes"},
    )

    assessment = Assessment.objects.get()
    assert response["Location"] == reverse("assessment-detail", args=[assessment.pk])
    assert (assessment.outcome, assessment.is_complete) == ("emergency", False)
    assert assessment.patient_message == "Go to an emergency department now."
    # Regions were not recorded: every region's rules read the answers (the cautious reading),
    # so a bladder change also counts as a cord sign (RF-EMERG-CORD, neck and upper back).
    assert [(r["rule_id"], r["severity"]) for r in assessment.fired_rules] == [
        ("RF-EMERG-CES", "emergency"),
        ("RF-EMERG-CORD", "emergency"),
        ("GATE-ASSESSED", "block"),
    ]
    assert assessment.fired_rules[0]["answers"] == [
        ["ces_incontinence", "yes"],
        ["ces_saddle_numbness", "yes"],
    ]
    detail = client.get(response["Location"]).content.decode()
    assert "Incomplete: recorded for the referral only" in detail
    assert "Referral, not a plan" in detail
    assert "Go to an emergency department now." in detail
    assert "Propose a plan" not in detail


def test_limb_symptoms_without_the_neuro_exam_do_not_hold_up_an_emergency(
    client, physio_a, patient_a1
):
    client.force_login(physio_a.user)
    data = intake_form_data(
        radiating_pain="below_knee", rf_ces_urinary_difficulty="yes", aggravating=[]
    )

    response = client.post(reverse("assessment-create", args=[patient_a1.pk]), data)

    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert (assessment.outcome, assessment.is_complete) == ("emergency", False)
    assert assessment.fired_rules[-1]["answers"] == [
        ["aggravating", "unanswered"],
        ["neuro_exam_done", "unanswered"],
    ]


def test_no_plan_ever_comes_from_an_incomplete_assessment_on_the_page(
    client, physio_a, patient_a1, catalogue
):
    client.force_login(physio_a.user)
    client.post(
        reverse("assessment-create", args=[patient_a1.pk]),
        {"assessment_date": TODAY, "rf_infection_unwell": "yes"},
    )
    assessment = Assessment.objects.get()

    response = client.post(reverse("plan-generate", args=[assessment.pk]), follow=True)

    assert (assessment.outcome, assessment.is_complete) == ("urgent", False)
    assert "recorded incomplete for an urgent or emergency referral" in response.content.decode()
    assert plan_rows() == (0, 0, 0, 0)


def test_an_emergency_is_recorded_incomplete_through_the_api_and_refuses_a_plan(
    api, physio_a, patient_a1, catalogue
):
    api.as_user(physio_a.user)

    recorded = api.post(
        assessments_url(patient_a1),
        {"assessment_date": TODAY, "red_flags": {"visceral_cardiac": "yes"}},
        format="json",
    )
    refused = api.post("/api/v1/plans/", {"assessment": recorded.json()["id"]}, format="json")

    assert recorded.status_code == 201
    body = recorded.json()
    assert (body["is_complete"], body["screening"]["outcome"]) == (False, "emergency")
    assert body["screening"]["rule_ids"] == ["RF-EMERG-CARDIO", "GATE-ASSESSED"]
    assert body["screening"]["patient_message"] == "Call the emergency number now."
    assert refused.status_code == 422
    assert (refused.json()["code"], refused.json()["rule_ids"]) == (
        "red_flags",
        ["RF-EMERG-CARDIO", "GATE-ASSESSED"],
    )
    assert refused.json()["patient_message"] == "Call the emergency number now."
    assert plan_rows() == (0, 0, 0, 0)


def test_without_a_referral_an_incomplete_api_intake_is_a_400_naming_every_answer(
    api, physio_a, patient_a1
):
    before = everything()

    response = api.as_user(physio_a.user).post(
        assessments_url(patient_a1),
        {"assessment_date": TODAY, "red_flags": {"ces_incontinence": "no"}},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == REQUIRED
    assert everything() == before


def test_a_complete_intake_still_needs_every_red_flag_answered(api, physio_a, patient_a1):
    """An unanswered red flag is never read as "no", even beside a referral elsewhere: the
    intake is then incomplete, and recorded only for the referral."""
    payload = intake_payload(red_flags={"infection_unwell": "yes"})
    del payload["red_flags"]["cancer_history"]

    response = api.as_user(physio_a.user).post(assessments_url(patient_a1), payload, format="json")

    assessment = Assessment.objects.get()
    assert response.status_code == 201
    assert (assessment.outcome, assessment.is_complete) == ("urgent", False)
    assert "cancer_history" not in assessment.answers["red_flags"]
    assert set(required_red_flag_questions(["lumbar"])) - set(assessment.answers["red_flags"]) == {
        "cancer_history"
    }
