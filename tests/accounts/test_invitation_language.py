"""The invitation email in the new patient's language (issue #17), over real SMTP."""

import pytest
from django.urls import reverse

from tests.accounts.test_invitation import NEW_PATIENT, invitation_path


def invite(client, physio, django_capture_on_commit_callbacks, language):
    client.force_login(physio.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("patient-create"), {**NEW_PATIENT, "language": language})
    assert response.status_code == 302


def bodies(message) -> tuple[str, str]:
    return (
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    )


@pytest.mark.django_db
def test_a_spanish_patients_invitation_is_spanish(
    client, physio_a, smtp_server, django_capture_on_commit_callbacks
):
    invite(client, physio_a, django_capture_on_commit_callbacks, "es")

    [message] = smtp_server.wait_for(1)
    text, html = bodies(message)
    assert message["Subject"] == "Cree su cuenta en Clinic A"
    assert '<html lang="es">' in html
    for body in (text, html):
        assert "Hola, Robin:" in body
        assert "le ha creado una cuenta para que pueda seguir su programa de ejercicios" in body
        assert "Si no esperaba este correo, puede ignorarlo." in body
        for english in ("Hello", "has set up an account", "Choose your password", "ignore it"):
            assert english not in body, english
    assert "Elija su contraseña aquí" in text and "Elija su contraseña</a>" in html
    assert " de 20" in text  # the link's end date in Spanish ("15 de diciembre de 2026")
    assert invitation_path(message).startswith("/")


@pytest.mark.django_db
def test_an_english_patients_invitation_is_unchanged(
    client, physio_a, smtp_server, django_capture_on_commit_callbacks
):
    invite(client, physio_a, django_capture_on_commit_callbacks, "en")

    [message] = smtp_server.wait_for(1)
    text, html = bodies(message)
    assert message["Subject"] == "Set up your account with Clinic A"
    assert '<html lang="en">' in html
    assert "Hello Robin," in text and "Choose your password here" in text
