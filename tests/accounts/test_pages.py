import pytest
from django.urls import reverse

from accounts.models import Patient
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_dashboard_empty_state_explains_the_first_step(client, physio_a):
    client.force_login(physio_a.user)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert b"No patients yet" in response.content
    assert reverse("patient-create").encode() in response.content


@pytest.mark.django_db
def test_dashboard_lists_own_clinic_patients_only(client, physio_a, physio_b, patient_a1):
    client.force_login(physio_b.user)
    assert patient_a1.last_name.encode() not in client.get(reverse("dashboard")).content

    client.force_login(physio_a.user)
    assert patient_a1.last_name.encode() in client.get(reverse("dashboard")).content


@pytest.mark.django_db
def test_add_patient_form_shows_field_errors_and_saves_nothing(client, physio_a, patient_a1):
    client.force_login(physio_a.user)

    response = client.post(
        reverse("patient-create"),
        {
            "first_name": "Jo",
            "last_name": "",
            "date_of_birth": "2999-01-01",
            "email": "a1@example.com",
            "timezone": "Nowhere",
            "language": "en",
        },
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        "last_name",
        "date_of_birth",
        "email",
        "timezone",
    }
    assert Patient.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["patient-detail", "patient-edit"])
def test_other_clinic_gets_404_on_patient_pages(client, physio_b, patient_a1, name):
    client.force_login(physio_b.user)

    assert client.get(reverse(name, args=[patient_a1.pk])).status_code == 404


@pytest.mark.django_db
def test_other_clinic_cannot_edit_or_reinvite(client, physio_b, patient_a1):
    client.force_login(physio_b.user)
    before = Patient.objects.values().get(pk=patient_a1.pk)

    edit = client.post(reverse("patient-edit", args=[patient_a1.pk]), {"first_name": "X"})
    reinvite = client.post(reverse("patient-reinvite", args=[patient_a1.pk]))

    assert (edit.status_code, reinvite.status_code) == (404, 404)
    assert Patient.objects.values().get(pk=patient_a1.pk) == before
    assert not patient_a1.invitations.exists()


@pytest.mark.django_db
def test_patient_sees_own_home_and_not_physio_pages(client, patient_a1):
    client.force_login(patient_a1.user)

    assert client.get(reverse("home"))["Location"] == reverse("patient-home")
    home = client.get(reverse("patient-home"))
    assert home.status_code == 200
    assert b"When to get help" in home.content
    assert client.get(reverse("dashboard")).status_code == 404
    assert client.get(reverse("patient-detail", args=[patient_a1.pk])).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, patient_a1):
    response = client.get(reverse("patient-detail", args=[patient_a1.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_login_with_email_and_logout(client, physio_a):
    response = client.post(
        reverse("login"), {"username": "physio.a@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200

    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client, physio_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "physio.a@example.com", "password": "wrong"})

    response = client.post(
        reverse("login"), {"username": "physio.a@example.com", "password": PASSWORD}
    )

    assert response.status_code == 429
    assert b"Too many login attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_sends_a_link(client, physio_a, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "physio.a@example.com"})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/password-reset/" in mailoutbox[0].body
