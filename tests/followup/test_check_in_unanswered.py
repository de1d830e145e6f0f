"""Issue #14 item 2 for the check-in: no question is answered for the patient, on the page,
through the email link, or through the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from followup.forms import ANSWER_YES_OR_NO
from followup.models import Alert, CheckIn
from followup.services import check_in_token
from tests.followup.conftest import CALM_DAY_API, CALM_DAY_FORM

pytestmark = pytest.mark.django_db

DAY = {"pain": "3", "feeling": "better"}


@pytest.mark.parametrize(
    "left_out", ["warning_ces_incontinence", "has_new_symptoms", "can_manage_daily_tasks"]
)
@pytest.mark.parametrize("where", ["portal", "email link"])
def test_an_unanswered_question_on_the_page_says_please_answer_and_saves_nothing(
    client, patient_a1, revision_a1, left_out, where
):
    if where == "portal":
        client.force_login(patient_a1.user)
        url = reverse("check-in")
    else:
        url = reverse("check-in-link", args=[check_in_token(patient_a1)])
    answers = {**DAY, **CALM_DAY_FORM}
    del answers[left_out]

    response = client.post(url, answers)

    assert response.status_code == 400
    assert response.context["form"].errors == {left_out: [ANSWER_YES_OR_NO]}
    assert f'id="id_{left_out}_error">{ANSWER_YES_OR_NO}</p>' in response.content.decode()
    assert (CheckIn.objects.count(), Alert.objects.count()) == (0, 0)


def test_the_page_offers_none_of_these_as_the_patients_own_act(client, patient_a1, revision_a1):
    client.force_login(patient_a1.user)

    html = client.get(reverse("check-in")).content.decode()

    assert '<button type="button" class="button secondary none-of-these"' in html
    assert 'data-none-of="warning-signs"' in html
    assert "/static/js/none-of-these.js" in html


URL = "/api/v1/me/check-ins/"


def test_a_warning_sign_left_out_of_the_api_is_a_400_naming_it(api, patient_a1, revision_a1):
    answers = dict(CALM_DAY_API["warning_answers"])
    del answers["ces_saddle_numbness"]

    response = api.as_user(patient_a1.user).post(
        URL, {**DAY, **CALM_DAY_API, "warning_answers": answers}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "warning_answers": {"ces_saddle_numbness": ["Please answer yes or no."]}
    }
    assert (CheckIn.objects.count(), Alert.objects.count()) == (0, 0)


@pytest.mark.parametrize("left_out", ["has_new_symptoms", "can_manage_daily_tasks"])
def test_a_day_question_left_out_of_the_api_is_a_400_naming_it(
    api, patient_a1, revision_a1, left_out
):
    payload = {**DAY, **CALM_DAY_API}
    del payload[left_out]

    response = api.as_user(patient_a1.user).post(URL, payload, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [left_out]
    assert CheckIn.objects.count() == 0


def test_every_answer_given_through_the_api_is_stored_as_given(api, patient_a1, revision_a1):
    response = api.as_user(patient_a1.user).post(
        URL,
        {
            **DAY,
            "has_new_symptoms": True,
            "can_manage_daily_tasks": False,
            "warning_answers": {**CALM_DAY_API["warning_answers"], "cancer_weight_loss": "yes"},
        },
        format="json",
    )

    saved = CheckIn.objects.get()
    assert response.status_code == 201
    assert (saved.warning_signs, saved.has_new_symptoms, saved.can_manage_daily_tasks) == (
        ["cancer_weight_loss"],
        True,
        False,
    )
