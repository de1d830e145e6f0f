"""The reminder email in the patient's language (issue #17), over real SMTP; the reasons a
reminder was not sent are stored in English and shown to the physio in theirs."""

import smtplib

import pytest
from django.utils import translation

from clinical.education import SAFETY_NET
from core.i18n import localise
from reminders import services
from tests.reminders.conftest import london, make_plan, make_schedule

SLOT_TIME = london(0, 8, 1)  # a minute after Monday's 08:00 slot in London


def send_one(clock, patient, smtp_server):
    make_plan(patient)
    make_schedule(patient, now=clock.now)
    clock.now = SLOT_TIME
    services.dispatch_due_reminders(now=clock.now)
    [message] = smtp_server.wait_for(1)
    return (
        message,
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


@pytest.mark.django_db
def test_a_spanish_patients_reminder_is_spanish(clock, patient_a1, smtp_server):
    patient_a1.language = "es"
    patient_a1.save(update_fields=["language"])

    message, text, html = send_one(clock, patient_a1, smtp_server)

    assert message["Subject"] == "Su recordatorio de ejercicios"
    assert '<html lang="es">' in html
    for body in (text, html):
        assert f"Hola, {patient_a1.first_name}:" in body
        assert "Le recordamos que hoy tiene que hacer sus ejercicios." in body
        assert "Ejercicios de hoy" in body
        assert "su fisioterapeuta le ha configurado recordatorios" in body
        for english in (
            "Hello",
            "reminder to do your exercises",
            "Today's exercises",
            "See your plan",
            "Unsubscribe",
            "unsubscribe</a>",
        ):
            assert english not in body, english
    assert "Registrar cómo estoy (1 minuto)" in html and "dese de baja" in html
    assert "Registre cómo está después de los ejercicios (1 minuto):" in text
    with translation.override("es"):
        assert localise(SAFETY_NET) in text


@pytest.mark.django_db
def test_an_english_patients_reminder_is_unchanged(clock, patient_a1, smtp_server):
    message, text, html = send_one(clock, patient_a1, smtp_server)

    assert message["Subject"] == "Your exercise reminder"
    assert '<html lang="en">' in html
    assert "This is your reminder to do your exercises today." in text
    assert "Check in after your exercises (1 minute):" in text
    assert SAFETY_NET in text


def test_failure_reasons_are_stored_in_english_and_shown_in_spanish():
    down = services.failure_in_words(OSError("refused"))
    later = services.failure_in_words(smtplib.SMTPResponseException(451, b"try later"))
    gave_up = services.GAVE_UP_TEXT % {"reason": down, "attempts": 6}

    assert gave_up == (
        "Not sent: The email server could not be reached. Tried 6 times until the reminder "
        "was 2 hours late."
    )
    with translation.override("es"):
        assert localise(gave_up) == (
            "No enviado: No se pudo conectar con el servidor de correo. Se intentó 6 veces "
            "hasta que el recordatorio llevaba 2 horas de retraso."
        )
        assert localise(later) == (
            "El servidor de correo pidió que lo intentáramos más tarde (respondió 451 try later)."
        )
        assert (
            localise(services.NOT_SENDING_TEXT[next(iter(services.NOT_SENDING_TEXT))])
            != (services.NOT_SENDING_TEXT[next(iter(services.NOT_SENDING_TEXT))])
        )


def test_pause_reasons_are_shown_in_spanish():
    paused = services.PAUSED_TEXT % {
        "reason": services.SAFETY_PAUSE_TEXT % {"rules": "RF-EMERG-CES"}
    }

    assert paused == "Paused: safety concern open: RF-EMERG-CES"
    assert services.SAFETY_PAUSE == "safety concern open: "
    with translation.override("es"):
        assert localise(paused) == "En pausa: problema de seguridad sin cerrar: RF-EMERG-CES"
        assert localise("Paused: RF-EMERG-CES at the check-in of 2026-12-08") == (
            "En pausa: RF-EMERG-CES en el registro del 2026-12-08"
        )
