"""The STarT Back questionnaire and the PSFS baseline on the assessment (issue #18): page and
API store the nine answers and the activities, the result shows with the licence statement,
a neck episode is refused the tool, and older typed-in totals are still read."""

from __future__ import annotations

import pytest

from clinical.intake import StartBackRisk
from clinical.measures import START_BACK_LICENCE
from programs.models import Assessment
from tests.programs.intake_data import intake_form_data
from tests.programs.test_api import assessments_url, intake_payload, record

pytestmark = pytest.mark.django_db

HIGH_RISK_ITEMS = [
    "agree",
    "disagree",
    "disagree",
    "disagree",
    "agree",
    "agree",
    "agree",
    "disagree",
]
HIGH_RISK_FORM = {
    **{f"start_back_item_{n}": value for n, value in enumerate(HIGH_RISK_ITEMS, start=1)},
    "start_back_item_9": "very_much",
}
PSFS_FORM = {
    "psfs_activity_1": "Putting on socks",
    "psfs_rating_1": "3",
    "psfs_activity_2": "Lifting my toddler",
    "psfs_rating_2": "2",
}


def new_assessment_url(patient) -> str:
    return f"/patients/{patient.pk}/assessments/new/"


def test_the_form_asks_the_nine_items_with_the_licence_when_the_clinic_uses_the_tool(
    client, physio_a, patient_a1
):
    client.force_login(physio_a.user)
    without = client.get(new_assessment_url(patient_a1)).content.decode()
    physio_a.clinic.is_start_back_enabled = True
    physio_a.clinic.save()

    page = client.get(new_assessment_url(patient_a1)).content.decode()

    assert "start_back_item_1" not in without and "Keele University" not in without
    assert [f'name="start_back_item_{n}"' in page for n in range(1, 10)] == [True] * 9
    assert "Very much" in page and "Extremely" in page
    assert START_BACK_LICENCE in page.replace("&#x27;", "'")
    assert 'name="psfs_activity_5"' in page


def test_the_page_stores_the_answers_scores_them_and_shows_the_group(client, physio_a, patient_a1):
    physio_a.clinic.is_start_back_enabled = True
    physio_a.clinic.save()
    client.force_login(physio_a.user)

    response = client.post(
        new_assessment_url(patient_a1), intake_form_data(**HIGH_RISK_FORM, **PSFS_FORM)
    )

    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert assessment.answers["start_back_answers"] == {
        "items": HIGH_RISK_ITEMS,
        "bothersome": "very_much",
    }
    assert (assessment.start_back.total, assessment.start_back.distress) == (5, 4)
    assert assessment.start_back.risk is StartBackRisk.HIGH
    assert assessment.rule_ids == ["AMB-HIGHRISK"]
    assert assessment.psfs_baseline == [
        {"activity": "Putting on socks", "rating": 3},
        {"activity": "Lifting my toddler", "rating": 2},
    ]
    detail = client.get(response["Location"]).content.decode()
    assert "STarT Back: high risk" in detail
    assert "Putting on socks: 3/10" in detail


def test_the_live_screening_panel_shows_the_group(client, physio_a, patient_a1):
    physio_a.clinic.is_start_back_enabled = True
    physio_a.clinic.save()
    client.force_login(physio_a.user)

    panel = client.post(
        f"/patients/{patient_a1.pk}/assessments/screen/", intake_form_data(**HIGH_RISK_FORM)
    ).content.decode()

    assert "STarT Back: high risk</strong> (total 5/9, distress subscale 4/5)" in panel
    assert "Keele University" in panel


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({**HIGH_RISK_FORM, "start_back_item_9": ""}, "start_back_item_9", "all nine"),
        ({"psfs_activity_1": "Gardening"}, "psfs_activity_1", "rating from 0 to 10"),
        ({"psfs_activity_1": "Gardening", "psfs_rating_1": "11"}, "psfs_rating_1", "10"),
    ],
)
def test_half_answered_measures_are_named_and_nothing_is_stored(
    client, physio_a, patient_a1, changes, field, message
):
    physio_a.clinic.is_start_back_enabled = True
    physio_a.clinic.save()
    client.force_login(physio_a.user)

    response = client.post(new_assessment_url(patient_a1), intake_form_data(**changes))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Assessment.objects.exists()


def test_the_api_takes_start_back_and_psfs(api, physio_a, patient_a1):
    payload = intake_payload(
        start_back={"items": HIGH_RISK_ITEMS, "bothersome": "extremely"},
        psfs_baseline=[{"activity": "Walking the dog", "rating": 4}],
    )

    response = api.as_user(physio_a.user).post(assessments_url(patient_a1), payload, format="json")

    assert response.status_code == 201, response.json()
    assessment = Assessment.objects.get()
    assert assessment.start_back.risk is StartBackRisk.HIGH
    assert assessment.rule_ids == ["AMB-HIGHRISK"]
    assert assessment.psfs_baseline == [{"activity": "Walking the dog", "rating": 4}]


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        (
            {
                "regions": ["cervical"],
                "primary_region": "cervical",
                "start_back": {"items": HIGH_RISK_ITEMS, "bothersome": "slightly"},
            },
            {"start_back"},
        ),
        ({"start_back": {"items": ["agree"] * 7, "bothersome": "slightly"}}, {"start_back"}),
        ({"psfs_baseline": [{"activity": "Run", "rating": 12}]}, {"psfs_baseline"}),
    ],
)
def test_bad_measures_are_a_400_naming_the_field(api, physio_a, patient_a1, changes, fields):
    response = api.as_user(physio_a.user).post(
        assessments_url(patient_a1), intake_payload(**changes), format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) >= fields
    assert not Assessment.objects.exists()


def test_an_older_assessment_with_a_typed_total_is_still_read(physio_a, patient_a1):
    assessment = record(patient_a1, physio_a)
    assessment.answers = {**assessment.answers, "start_back_total": 7, "start_back_distress": 4}
    assessment.save()

    assessment.refresh_from_db()

    assert (assessment.start_back.total, assessment.start_back.risk) == (7, StartBackRisk.HIGH)
