"""The API and the admin in the user's language: an API answer's texts follow the request's
Accept-Language (a token request has no session or profile), in the one error shape, with the
field names and codes unchanged; the admin follows the staff user's language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEvent
from core.api import throttled_detail
from followup.models import Alert, CheckIn
from programs.models import Plan
from tests.factories import PhysiotherapistFactory

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def test_a_validation_error_answers_in_spanish_naming_the_field(api, patient_a1):
    api.as_user(patient_a1.user)

    response = api.put(
        reverse("api-my-reminders"),
        {
            "is_enabled": True,
            "weekdays": [],
            "local_time": "08:00",
            "timezone": "Europe/London",
            "is_subscribed": True,
        },
        format="json",
        **SPANISH,
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "detail": "Datos no válidos: weekdays.",
        "fields": {"weekdays": ["Elija al menos un día o desactive los recordatorios."]},
    }
    assert response["Content-Language"] == "es"


def test_without_the_header_the_same_error_is_in_english(api, patient_a1):
    api.as_user(patient_a1.user)

    response = api.put(
        reverse("api-my-reminders"),
        {"is_enabled": True, "weekdays": [2, 2], "timezone": "Europe/London"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "detail": "Invalid input: is_subscribed, local_time, weekdays.",
        "fields": {
            "is_subscribed": ["This field is required."],
            "local_time": ["This field is required."],
            "weekdays": ["Each weekday once."],
        },
    }


def test_the_token_endpoint_refuses_in_spanish_in_the_product_wording(api, physio_a):
    response = api.post(
        reverse("api-token"), {"email": physio_a.user.email}, format="json", **SPANISH
    )

    assert response.status_code == 400
    # DRF's own message, in our catalogue's wording ("obligatorio", not DRF's "requerido").
    assert response.json() == {
        "code": "invalid",
        "detail": "Datos no válidos: password.",
        "fields": {"password": ["Este campo es obligatorio."]},
    }


def test_wrong_credentials_are_refused_in_spanish(api, physio_a):
    response = api.post(
        reverse("api-token"),
        {"email": physio_a.user.email, "password": "not the password"},
        format="json",
        **SPANISH,
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "password": ["El correo electrónico o la contraseña no son correctos."]
    }


def test_not_found_answers_in_spanish(api, physio_a, patient_a1):
    api.as_user(physio_a.user)

    response = api.get(f"/api/v1/patients/{patient_a1.pk + 1000}/", **SPANISH)

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No encontrado.", "fields": {}}


def test_an_unrouted_api_url_answers_in_spanish(client):
    response = client.get("/api/v1/nothing-here/", **SPANISH)

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No encontrado.", "fields": {}}


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        (SPANISH, "No se han enviado las credenciales de autenticación."),
        ({}, "Authentication credentials were not provided."),
    ],
)
def test_a_request_without_credentials_is_told_in_its_language(client, headers, detail):
    response = client.get(reverse("api-my-reminders"), **headers)

    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "detail": detail, "fields": {}}


def test_an_invalid_token_is_refused_in_spanish(client):
    response = client.get(
        reverse("api-my-reminders"), HTTP_AUTHORIZATION="Token nonsense", **SPANISH
    )

    assert response.status_code == 401
    assert response.json()["detail"] == "Token no válido."


@pytest.mark.parametrize(
    ("language", "wait", "detail"),
    [
        ("es", 1, "Demasiadas solicitudes: inténtelo de nuevo dentro de 1 segundo."),
        ("es", 29.2, "Demasiadas solicitudes: inténtelo de nuevo dentro de 30 segundos."),
        ("en", 1, "Too many requests: try again in 1 second."),
        ("en", None, "Too many requests: try again later."),
    ],
)
def test_the_throttled_detail_says_when_to_try_again(language, wait, detail):
    with translation.override(language):
        assert throttled_detail(wait) == detail


def test_choice_labels_shown_on_pages_translate():
    def labels() -> tuple[str, ...]:
        return (
            str(Plan.Status.DRAFT.label),
            str(Plan(status=Plan.Status.PAUSED).get_status_display()),
            str(Alert(severity=Alert.Severity.URGENT).get_severity_display()),
            str(CheckIn(feeling=CheckIn.Feeling.SAME).get_feeling_display()),
        )

    with translation.override("es"):
        spanish = labels()
    with translation.override("en"):
        english = labels()

    assert spanish == ("Borrador", "En pausa", "Urgente", "Más o menos igual")
    assert english == ("Draft", "Paused", "Urgent", "About the same")


def test_the_admin_speaks_the_staff_users_browser_language(client, staff_user, patient_a1):
    AuditEvent.objects.create(
        actor=staff_user, patient=patient_a1, action=AuditEvent.Action.VIEW, detail="plan 7"
    )
    client.force_login(staff_user)

    index = client.get(reverse("admin:index"), **SPANISH)
    events = client.get(reverse("admin:accounts_auditevent_changelist"), **SPANISH)

    assert index.status_code == events.status_code == 200
    page = index.content.decode()
    assert ("Cuentas y clínicas" in page, "Eventos de auditoría" in page) == (True, True)
    listing = events.content.decode()
    # The action's choice label, the list filter on it and the export action.
    assert '<td class="field-action">consultó</td>' in listing
    assert "Exportar los eventos seleccionados como CSV" in listing


def test_the_admin_speaks_a_staff_physios_own_language(client, clinic_a):
    physio = PhysiotherapistFactory(
        clinic=clinic_a, user__is_staff=True, user__is_superuser=True, language="es"
    )
    client.force_login(physio.user)

    response = client.get(reverse("admin:checkins_alert_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert ("Por gravedad" in page, "Por severity" in page) == (True, False)


def test_the_measure_definitions_explain_the_scales_in_spanish(api, physio_a):
    api.as_user(physio_a.user)

    psfs = api.get(reverse("api-measure-definitions"), **SPANISH).json()["psfs"]

    assert psfs["scale"] == (
        "0 no puede realizar la actividad - 10 puede realizarla como antes del problema"
    )
