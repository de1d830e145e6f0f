import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import ADULTS_ONLY, AuditEvent, Invitation, Patient
from tests.factories import PatientFactory

LIST = "/api/v1/patients/"
VALID = {
    "first_name": "Robin",
    "last_name": "Lee",
    "date_of_birth": "1975-03-02",
    "email": "robin@example.com",
    "timezone": "Europe/London",
}


def detail(patient) -> str:
    return f"{LIST}{patient.pk}/"


@pytest.mark.django_db
def test_physio_creates_patient_and_an_invitation_is_sent(
    api, physio_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(physio_a.user).post(LIST, VALID, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "robin@example.com"
    assert body["physiotherapist"] == physio_a.pk
    assert body["has_account"] is False
    patient = Patient.objects.get(pk=body["id"])
    assert patient.clinic == physio_a.clinic
    assert Invitation.objects.filter(patient=patient, sent_at__isnull=False).count() == 1
    assert [m.to for m in mailoutbox] == [["robin@example.com"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": None}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a1@example.com"}, "email"),  # already a patient of this clinic
        ({"email": "A1@Example.com"}, "email"),  # same address, other case
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "yesterday"}, "date_of_birth"),
        ({"first_name": ""}, "first_name"),
    ],
)
def test_bad_input_answers_400_naming_the_field_and_writes_nothing(
    api, physio_a, patient_a1, change, field
):
    data = {**VALID, **change}
    data = {key: value for key, value in data.items() if value is not None}
    before = Patient.objects.count()

    response = api.as_user(physio_a.user).post(LIST, data, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]
    assert field in body["detail"]
    assert Patient.objects.count() == before
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_same_email_is_allowed_in_another_clinic(api, physio_b, patient_a1):
    response = api.as_user(physio_b.user).post(
        LIST, {**VALID, "email": patient_a1.email}, format="json"
    )

    assert response.status_code == 201


@pytest.mark.django_db
def test_list_shows_only_own_clinic(api, physio_a, physio_b, patient_a1, patient_a2):
    PatientFactory(physiotherapist=physio_b, email="b1@example.com")

    response = api.as_user(physio_a.user).get(LIST)

    assert response.status_code == 200
    assert sorted(row["email"] for row in response.json()["results"]) == [
        "a1@example.com",
        "a2@example.com",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_list_runs_a_constant_number_of_queries(api, physio_a, django_assert_num_queries, count):
    PatientFactory.create_batch(count, physiotherapist=physio_a)
    api.as_user(physio_a.user)

    with django_assert_num_queries(2):  # count, page (the user and their profile are in hand)
        response = api.get(LIST)

    assert len(response.json()["results"]) == count


@pytest.mark.django_db
def test_physio_reads_and_updates_own_patient_with_audit(api, physio_a, patient_a1):
    api.as_user(physio_a.user)

    read = api.get(detail(patient_a1))
    update = api.patch(detail(patient_a1), {"timezone": "America/New_York"}, format="json")

    assert read.status_code == 200 and read.json()["email"] == "a1@example.com"
    assert update.status_code == 200 and update.json()["timezone"] == "America/New_York"
    actions = list(AuditEvent.objects.filter(patient=patient_a1).values_list("action", flat=True))
    assert sorted(actions) == ["update", "view"]


@pytest.mark.django_db
def test_update_with_bad_timezone_answers_400_and_keeps_the_old_value(api, physio_a, patient_a1):
    response = api.as_user(physio_a.user).patch(
        detail(patient_a1), {"timezone": "Nowhere/Land"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["timezone"]
    patient_a1.refresh_from_db()
    assert patient_a1.timezone == "Europe/London"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["physio_b", "patient_a1", "patient_a2", "staff_user"])
def test_other_personas_get_404_and_change_nothing(request, api, patient_a1, persona):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)
    before = Patient.objects.values().get(pk=patient_a1.pk)
    api.as_user(user)

    responses = [
        api.get(detail(patient_a1)),
        api.patch(detail(patient_a1), {"first_name": "Changed"}, format="json"),
        api.put(detail(patient_a1), {**VALID, "first_name": "Changed"}, format="json"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert Patient.objects.values().get(pk=patient_a1.pk) == before
    assert not AuditEvent.objects.filter(patient=patient_a1).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["patient_a1", "staff_user"])
def test_non_physios_cannot_list_or_create(request, api, physio_a, persona):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)
    before = Patient.objects.count()
    api.as_user(user)

    assert api.get(LIST).status_code == 404
    assert api.post(LIST, VALID, format="json").status_code == 404
    assert Patient.objects.count() == before


@pytest.mark.django_db
def test_anonymous_gets_401_in_the_error_shape(api, patient_a1):
    response = api.get(detail(patient_a1))

    assert response.status_code == 401
    assert set(response.json()) == {"code", "detail", "fields"}


@pytest.mark.django_db
def test_token_endpoint_exchanges_email_and_password(api, physio_a):
    response = api.post(
        "/api/v1/auth/token/",
        {"email": "physio.a@example.com", "password": "correct-horse-battery-staple"},
    )
    token = response.json()["token"]

    listing = api.get(LIST, HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert listing.status_code == 200


@pytest.mark.django_db
def test_token_endpoint_wrong_password_names_the_field(api, physio_a):
    response = api.post(
        "/api/v1/auth/token/", {"email": "physio.a@example.com", "password": "nope"}
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["password"]


@pytest.mark.django_db
def test_openapi_schema_documents_the_endpoints(api):
    response = api.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")

    paths = response.json()["paths"]
    assert {
        "/api/v1/patients/",
        "/api/v1/patients/{id}/",
        "/api/v1/auth/token/",
        "/api/v1/health/",
    } <= set(paths)


@pytest.mark.django_db
def test_docs_page_is_served(client):
    assert client.get(reverse("api-docs")).status_code == 200


@pytest.mark.django_db
def test_health_reports_each_part(api):
    response = api.get("/api/v1/health/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "cache": "ok", "storage": "ok"},
    }


def test_date_of_birth_today_is_under_18_and_tomorrow_is_in_the_future(clock):
    with pytest.raises(ValidationError) as newborn:
        Patient(date_of_birth=clock.today).clean()
    with pytest.raises(ValidationError) as error:
        Patient(date_of_birth=clock.today + datetime.timedelta(days=1)).clean()

    assert newborn.value.message_dict == {"date_of_birth": [ADULTS_ONLY]}  # issue #14 item 9
    assert error.value.message_dict == {"date_of_birth": ["Date of birth cannot be in the future."]}
