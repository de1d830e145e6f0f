"""The patient answers the Keele STarT Back tool themselves before the first visit (issue
#18): Today asks, the answers are kept, and the physio's assessment form starts from them."""

from __future__ import annotations

import pytest

from programs.models import StartBackResponse

pytestmark = pytest.mark.django_db

HIGH = {
    **{
        f"start_back_item_{n}": value
        for n, value in enumerate(
            ["agree", "disagree", "disagree", "disagree", "agree", "agree", "agree", "disagree"],
            start=1,
        )
    },
    "start_back_item_9": "extremely",
}


@pytest.fixture
def uses_start_back(clinic_a):
    clinic_a.is_start_back_enabled = True
    clinic_a.save()


def test_today_asks_and_the_physio_form_starts_from_the_answers(
    client, uses_start_back, patient_a1, physio_a
):
    client.force_login(patient_a1.user)
    today = client.get("/me/").content.decode()
    page = client.get("/me/start-back/").content.decode()
    done = client.post("/me/start-back/", HIGH)

    assert "Answer the questions" in today
    assert "Keele University" in page
    assert done.status_code == 200
    response = StartBackResponse.objects.get()
    assert (response.patient, response.score.total, response.score.risk.value) == (
        patient_a1,
        5,
        "high",
    )
    assert "Answer the questions" not in client.get("/me/").content.decode()
    client.force_login(physio_a.user)
    form = client.get(f"/patients/{patient_a1.pk}/assessments/new/").context["form"]
    assert form["start_back_item_9"].value() == "extremely"
    assert form["start_back_item_1"].value() == "agree"


def test_every_item_must_be_answered_and_nothing_is_kept(client, uses_start_back, patient_a1):
    client.force_login(patient_a1.user)

    response = client.post("/me/start-back/", {**HIGH, "start_back_item_4": ""})

    assert response.status_code == 400
    assert response.context["form"].errors == {"start_back_item_4": ["Please choose an answer."]}
    assert not StartBackResponse.objects.exists()


def test_a_clinic_without_the_tool_has_no_page(client, patient_a1):
    client.force_login(patient_a1.user)

    assert client.get("/me/start-back/").status_code == 404
    assert client.post("/me/start-back/", HIGH).status_code == 404
    assert "Answer the questions" not in client.get("/me/").content.decode()
    assert not StartBackResponse.objects.exists()
