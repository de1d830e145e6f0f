"""Whose language (issue #17): the urgent alert email follows the physio's language, not the
patient's; the PSFS review email follows the patient's."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from followup import progress_report, services
from followup.models import Alert
from tests.followup.conftest import check_in
from tests.followup.test_measures_journey import high_risk_plan

pytestmark = pytest.mark.django_db


def set_language(profile, language: str) -> None:
    profile.language = language
    profile.save(update_fields=["language"])


def alert_email(patient):
    check_in(patient, warning_signs=["ces_saddle_numbness"], pain=5)
    alert = Alert.objects.get(patient=patient, rule_id="RF-EMERG-CES")
    mail.outbox.clear()
    assert services.send_alert_email(alert_id=alert.pk) is True
    [message] = mail.outbox
    return message, message.alternatives[0][0]


def test_the_alert_email_is_in_a_spanish_physios_language(revision_a1, patient_a1):
    set_language(patient_a1.physiotherapist, "es")

    message, html = alert_email(patient_a1)

    assert message.subject == "Un paciente requiere su atención"
    assert '<html lang="es">' in html
    for body in (message.body, html):
        assert "requiere su atención" in body and "RF-EMERG-CES" in body
        assert "Hello" not in body and "needs your attention" not in body
    assert "Abra la página del paciente" in message.body
    assert "Abrir la página del paciente" in html


def test_the_alert_email_ignores_the_patients_language(revision_a1, patient_a1):
    set_language(patient_a1, "es")

    message, html = alert_email(patient_a1)

    assert message.subject == "A patient needs your attention"
    assert '<html lang="en">' in html and "needs your attention" in message.body


def test_the_email_language_does_not_leak_into_the_caller(revision_a1, patient_a1):
    set_language(patient_a1.physiotherapist, "es")
    with translation.override("en"):
        alert_email(patient_a1)
        assert translation.get_language() == "en"


def test_the_psfs_review_email_follows_the_patients_language(patient_a1, catalogue):

    set_language(patient_a1, "es")
    plan = high_risk_plan(patient_a1).plan
    review = services.request_function_review(plan=plan, rule_id="CHK-2W", once_key="t")
    mail.outbox.clear()

    assert services.send_function_review_email(review_id=review.pk) is True

    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert message.subject == "Una pregunta breve de su fisioterapeuta"
    assert '<html lang="es">' in html
    for body in (message.body, html):
        assert "Su fisioterapeuta quiere saber" in body and "Hello" not in body


def test_the_progress_report_is_in_the_requesting_physios_language(patient_a1, physio_a, catalogue):

    set_language(physio_a, "es")
    plan = high_risk_plan(patient_a1).plan
    report = progress_report.request_progress_report(plan=plan, summary="", by=physio_a.user)

    html = progress_report.progress_report_html(report)

    assert '<html lang="es">' in html
    for phrase in (
        "Informe de evolución",
        "Adherencia",
        "Resumen del fisioterapeuta",
        "Riesgo Alto",
        "No se ha redactado ningún resumen.",
    ):
        assert phrase in html, phrase
    for english in ("Progress report", "Adherence", "Physiotherapist's summary", "High risk"):
        assert english not in html, english
