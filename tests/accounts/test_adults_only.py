"""Issue #14 item 9: patients are adults. Registration (page and API, create and edit) refuses
an under-18 naming `date_of_birth`, by the same threshold as the planner's GATE-AGE."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import ADULTS_ONLY, Invitation, Patient
from clinical.screening import ADULT_FROM_AGE, age_on, is_adult_on, screen
from tests.clinical.builders import TODAY as INTAKE_DAY
from tests.clinical.builders import build_intake

LIST = "/api/v1/patients/"
NEW = {
    "first_name": "Sam",
    "last_name": "Young",
    "email": "sam@example.com",
    "timezone": "Europe/London",
    "language": "en",
}


def birthday(today: datetime.date, *, years: int) -> datetime.date:
    """The date of birth of someone who turns `years` on `today` (29 February: the 28th)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def ages(today: datetime.date) -> dict[str, datetime.date]:
    eighteen = birthday(today, years=ADULT_FROM_AGE)
    return {
        "sixteen": birthday(today, years=16),
        "eighteen-tomorrow": eighteen + datetime.timedelta(days=1),
        "eighteen-today": eighteen,
    }


@pytest.mark.parametrize(
    ("who", "is_adult"),
    [("sixteen", False), ("eighteen-tomorrow", False), ("eighteen-today", True)],
)
def test_registration_and_the_planner_draw_the_line_on_the_same_day(who, is_adult):
    # The pure clinical builders assess on their own day (INTAKE_DAY); no real clock here.
    date_of_birth = ages(INTAKE_DAY)[who]

    gate = screen(build_intake(age=age_on(date_of_birth, INTAKE_DAY)), today=INTAKE_DAY)

    assert is_adult_on(date_of_birth, INTAKE_DAY) is is_adult
    assert ([b.rule_id for b in gate.blocked] == ["GATE-AGE"]) is not is_adult


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["sixteen", "eighteen-tomorrow"])
def test_the_api_refuses_an_under_18_with_a_400_naming_date_of_birth(
    api, physio_a, clock, mailoutbox, django_capture_on_commit_callbacks, who
):
    data = {**NEW, "date_of_birth": ages(clock.today)[who].isoformat()}

    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(physio_a.user).post(LIST, data, format="json")

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["fields"]) == ("invalid", {"date_of_birth": [ADULTS_ONLY]})
    assert "date_of_birth" in body["detail"]
    assert not Patient.objects.exists()
    assert not Invitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_api_registers_someone_who_turns_18_today(api, physio_a, clock):
    data = {**NEW, "date_of_birth": ages(clock.today)["eighteen-today"].isoformat()}

    response = api.as_user(physio_a.user).post(LIST, data, format="json")

    assert response.status_code == 201
    assert Patient.objects.get().date_of_birth == ages(clock.today)["eighteen-today"]


@pytest.mark.django_db
def test_the_api_refuses_to_change_a_date_of_birth_to_an_under_18(api, physio_a, patient_a1, clock):
    before = patient_a1.date_of_birth

    response = api.as_user(physio_a.user).patch(
        f"{LIST}{patient_a1.pk}/",
        {"date_of_birth": ages(clock.today)["sixteen"].isoformat()},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"date_of_birth": [ADULTS_ONLY]}
    patient_a1.refresh_from_db()
    assert patient_a1.date_of_birth == before


@pytest.mark.django_db
def test_the_page_says_why_before_and_after_an_under_18_is_refused(
    client, physio_a, clock, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(physio_a.user)
    form_page = client.get(reverse("patient-create")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("patient-create"),
            {**NEW, "date_of_birth": ages(clock.today)["sixteen"].isoformat()},
        )

    html = response.content.decode()
    assert f"Patients must be {ADULT_FROM_AGE} or over: this service is for adults." in form_page
    assert response.status_code == 200
    assert response.context["form"].errors == {"date_of_birth": [ADULTS_ONLY]}
    assert (
        f'<span class="field-error" id="id_date_of_birth_error">{escape(ADULTS_ONLY)}</span>'
        in html
    )
    assert not Patient.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_edit_page_refuses_an_under_18_date_of_birth(client, physio_a, patient_a1, clock):
    client.force_login(physio_a.user)
    before = patient_a1.date_of_birth

    response = client.post(
        reverse("patient-edit", args=[patient_a1.pk]),
        {
            "first_name": patient_a1.first_name,
            "last_name": patient_a1.last_name,
            "email": patient_a1.email,
            "timezone": patient_a1.timezone,
            "language": patient_a1.language,
            "date_of_birth": ages(clock.today)["sixteen"].isoformat(),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"date_of_birth": [ADULTS_ONLY]}
    patient_a1.refresh_from_db()
    assert patient_a1.date_of_birth == before
