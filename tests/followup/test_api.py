"""`me/check-ins/`: a patient checks in and reads their own check-ins; nobody else can."""

from __future__ import annotations

import pytest

from followup.models import Alert, CheckIn
from reminders.models import ReminderSchedule
from tests.followup.conftest import CALM_DAY_API, check_in, publish_plan_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/check-ins/"


def test_a_patient_checks_in_and_gets_the_advice_at_once(api, revision_a1, patient_a1):
    response = api.as_user(patient_a1.user).post(
        URL,
        {
            "pain": 4,
            "feeling": "same",
            **CALM_DAY_API,
            "warning_answers": {**CALM_DAY_API["warning_answers"], "infection_unwell": "yes"},
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["rule_ids"] == ["RF-URG-INFECTION", "ESC-WORSE"]
    assert body["advice_level"] == "urgent"
    assert [a["rule_id"] for a in body["advice"]] == ["RF-URG-INFECTION", "ESC-WORSE"]
    assert body["advice"][0]["patient_message"].startswith("Please see a doctor today")
    assert body["source"] == "api"
    assert ReminderSchedule.objects.get(patient=patient_a1).paused_reason
    assert Alert.objects.filter(patient=patient_a1, severity="urgent").count() == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"pain": 11, "feeling": "same", **CALM_DAY_API}, "pain"),
        ({"pain": "lots", "feeling": "same", **CALM_DAY_API}, "pain"),
        ({"feeling": "same", **CALM_DAY_API}, "pain"),
        ({"pain": 3, **CALM_DAY_API}, "feeling"),
        (
            {
                "pain": 3,
                "feeling": "same",
                **CALM_DAY_API,
                "warning_answers": {**CALM_DAY_API["warning_answers"], "made_up": "no"},
            },
            "warning_answers",
        ),
        (
            {"pain": 3, "feeling": "same", **CALM_DAY_API, "items_done": ["X99"], "zone": "red"},
            "items_done",
        ),
        ({"pain": 9, "feeling": "worse", **CALM_DAY_API}, "pain_eases_with_position"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    api, revision_a1, patient_a1, payload, field
):
    response = api.as_user(patient_a1.user).post(URL, payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == [field]
    assert CheckIn.objects.count() == 0
    assert not ReminderSchedule.objects.get(patient=patient_a1).paused_reason


def test_without_a_published_plan_the_answer_is_409(api, patient_a1):
    response = api.as_user(patient_a1.user).post(URL, {"pain": 3, "feeling": "same"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "no_plan"


def test_a_patient_lists_only_their_own_check_ins(api, catalogue, patient_a1, patient_a2):
    publish_plan_for(patient_a1)
    publish_plan_for(patient_a2)
    mine, _ = check_in(patient_a1, pain=2)
    check_in(patient_a2, pain=7)

    response = api.as_user(patient_a1.user).get(URL)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


@pytest.mark.parametrize("persona", ["physio_a", "physio_b", "staff_user"])
def test_only_patients_may_check_in(api, request, revision_a1, persona):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)

    get = api.as_user(user).get(URL)
    post = api.as_user(user).post(URL, {"pain": 3, "feeling": "same"}, format="json")

    assert (get.status_code, post.status_code) == (404, 404)
    assert CheckIn.objects.count() == 0


def test_anonymous_is_refused(api, revision_a1):
    assert api.post(URL, {"pain": 3, "feeling": "same"}, format="json").status_code in (401, 403)
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_costs_the_same_queries_for_1_and_3_check_ins(
    api, revision_a1, patient_a1, django_assert_num_queries, count
):
    for pain in range(count):
        check_in(patient_a1, pain=pain)  # different answers: not repeats of one check-in
    client = api.as_user(patient_a1.user)

    # The read recorded in the audit trail, count and page (the role is loaded with the user).
    with django_assert_num_queries(3):
        assert len(client.get(URL).json()["results"]) == count
