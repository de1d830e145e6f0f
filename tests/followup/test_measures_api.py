"""The measures under /api/v1/ (issue #18): definitions with the licence statement, the
patient's own scores and their PSFS re-rating, the physio's read of their own clinic's
patients only; the dashboard's change since baseline in constant queries."""

from __future__ import annotations

import pytest

from clinical.measures import START_BACK_LICENCE
from followup import outcomes, services
from followup.models import FunctionReview
from tests.factories import PatientFactory
from tests.followup.conftest import check_in, publish_plan_for
from tests.followup.test_measures_journey import high_risk_plan, private_media  # noqa: F401

pytestmark = pytest.mark.django_db


def test_definitions_carry_the_nine_items_and_the_licence(api, physio_a):
    body = api.as_user(physio_a.user).get("/api/v1/measures/").json()

    assert [item["number"] for item in body["start_back"]["items"]] == list(range(1, 10))
    assert body["start_back"]["items"][8]["answers"][-2:] == ["very_much", "extremely"]
    assert body["start_back"]["licence"] == START_BACK_LICENCE
    assert body["start_back"]["regions"] == ["lumbar"]
    assert (body["psfs"]["mcid"], body["pain_mcid"]) == (2.0, 2)


def test_the_patient_reads_and_answers_their_review(api, patient_a1, catalogue):
    plan = high_risk_plan(patient_a1).plan
    review = services.request_function_review(plan=plan, rule_id="CHK-2W", once_key="plan")
    client = api.as_user(patient_a1.user)

    before = client.get("/api/v1/me/measures/").json()
    answered = client.post(
        f"/api/v1/me/function-reviews/{review.pk}/", {"ratings": [5, 5]}, format="json"
    )
    again = client.post(
        f"/api/v1/me/function-reviews/{review.pk}/", {"ratings": [5, 5]}, format="json"
    )

    assert before["start_back"] == {"total": 5, "distress": 4, "group": "high"}
    assert before["psfs_baseline"] == 2.5
    assert before["pending_review"]["rule_id"] == "CHK-2W"
    assert answered.status_code == 200
    assert answered.json()["psfs_change"] == {
        "baseline": 2.5,
        "current": 5.0,
        "improvement": 2.5,
        "is_meaningful": True,
    }
    assert answered.json()["pending_review"] is None
    assert (again.status_code, again.json()["code"]) == (409, "answered")


@pytest.mark.parametrize(
    ("body", "field"),
    [({"ratings": [5]}, "ratings"), ({"ratings": [5, 11]}, "ratings"), ({}, "ratings")],
)
def test_bad_ratings_are_a_400_naming_the_field(api, patient_a1, catalogue, body, field):
    plan = high_risk_plan(patient_a1).plan
    review = services.request_function_review(plan=plan, rule_id="CHK-2W", once_key="plan")

    response = api.as_user(patient_a1.user).post(
        f"/api/v1/me/function-reviews/{review.pk}/", body, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert FunctionReview.objects.get().answered_at is None


def test_another_patient_cannot_answer_and_nothing_changes(api, patient_a1, patient_a2, catalogue):
    plan = high_risk_plan(patient_a1).plan
    review = services.request_function_review(plan=plan, rule_id="CHK-2W", once_key="plan")

    response = api.as_user(patient_a2.user).post(
        f"/api/v1/me/function-reviews/{review.pk}/", {"ratings": [5, 5]}, format="json"
    )

    assert response.status_code == 404
    assert FunctionReview.objects.get().answered_at is None


def test_physios_read_only_their_own_clinics_patients(
    api, physio_a, physio_b, patient_a1, catalogue
):
    high_risk_plan(patient_a1)
    url = f"/api/v1/patients/{patient_a1.pk}/measures/"

    own = api.as_user(physio_a.user).get(url)
    other = api.as_user(physio_b.user).get(url)

    assert own.status_code == 200
    assert own.json()["psfs_activities"] == ["Putting on socks", "Lifting my toddler"]
    assert other.status_code == 404
    assert "Putting on socks" not in other.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_change_since_baseline_in_constant_queries(
    django_assert_num_queries, physio_a, catalogue, count
):
    patients = [
        PatientFactory(physiotherapist=physio_a, clinic=physio_a.clinic) for _ in range(count)
    ]
    for patient in patients:
        publish_plan_for(patient)
        check_in(patient, pain=3)

    with django_assert_num_queries(3):
        changes = outcomes.change_since_baseline([p.pk for p in patients])

    assert {pk: change.pain.improvement for pk, change in changes.items()} == {
        p.pk: 3 for p in patients
    }
    assert all(change.psfs is None for change in changes.values())


def test_the_dashboard_shows_the_change_since_baseline(client, physio_a, patient_a1, catalogue):
    high_risk_plan(patient_a1)
    check_in(patient_a1, pain=3)
    client.force_login(physio_a.user)

    page = client.get("/dashboard/").content.decode()

    assert "Since baseline" in page
    assert "Pain 6→3" in page
