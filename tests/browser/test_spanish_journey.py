"""A Spanish-speaking patient's journey in a real Chromium (issue #17, "Done when"): the
invitation email, setting a password, Today, a check-in with a warning sign, the emergency
page, the reminder settings and the PDF contain no English outside names and rule ids.

The pages, the email and the PDF are read as text and searched for common English words
(tests/followup/test_spanish_portal.py's detector). Screenshots: test-artifacts/screenshots/.
"""

import datetime
import io
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts import services as accounts_services
from accounts.models import Clinic
from followup import services as followup_services
from followup.models import CheckIn
from reminders.models import ReminderSchedule
from tests.browser.test_foundation_journey import _invitation_path, _uncaught_errors
from tests.followup.conftest import publish_plan_for
from tests.followup.test_spanish_portal import english_words

pytestmark = pytest.mark.browser

PASSWORD = "estiramiento-lumbar-41"
# Rule ids are never translated; they may appear on the emergency page (RF-EMERG-CES).
RULE_ID = re.compile(r"\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b")


def _no_english(text: str, names: tuple[str, ...]) -> list[str]:
    return english_words(RULE_ID.sub(" ", text), names=names)


def test_a_spanish_speaking_patient_reads_everything_in_spanish(
    phone_page, screenshot, live_server, physio_a, catalogue, mailoutbox
):
    page = phone_page
    Clinic.objects.filter(pk=physio_a.clinic_id).update(
        emergency_wording="Llame al 112 en caso de emergencia."
    )
    patient = accounts_services.invite_patient(
        physio=physio_a,
        first_name="Lucía",
        last_name="Fernández",
        date_of_birth=datetime.date(1979, 3, 2),
        email="lucia.fernandez@example.com",
        timezone="Europe/Madrid",
        language="es",
    )
    names = (
        "Lucía",
        "Fernández",
        patient.email,
        patient.clinic.name,
        str(physio_a),
        physio_a.user.get_full_name(),
    )
    local_today = followup_services.local_now(patient).date()
    revision = publish_plan_for(patient, today=local_today)
    problems: dict[str, list[str]] = {}

    # The invitation email: subject and body in Spanish.
    (invitation,) = [m for m in mailoutbox if m.to == [patient.email]][:1]
    email_text = " ".join(
        [invitation.subject, invitation.body]
        + [content for content, kind in getattr(invitation, "alternatives", [])]
    )
    problems["invitation email"] = _no_english(re.sub(r"https?://\S+", " ", email_text), names)

    # Set the password (fields by name: their labels are in Spanish).
    page.goto(f"{live_server.url}{_invitation_path(invitation)}")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    problems["set password"] = _no_english(page.content(), names)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Guardar la contraseña y continuar").click()

    # Today.
    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("heading", name="Hola, Lucía")).to_be_visible()
    expect(page.get_by_role("heading", name="Ejercicios de hoy")).to_be_visible()
    screenshot("01-hoy")
    problems["Today"] = _no_english(page.content(), names)

    # The guided session: its script's texts come from the JavaScript catalogue, in Spanish.
    page.get_by_role("link", name="Empezar la sesión de hoy").click()
    expect(page.get_by_role("heading", name="La sesión de hoy")).to_be_visible()
    page.locator("[data-step].is-current").get_by_role("button", name="Empezar").click()
    expect(page.locator("[data-step].is-current [data-stage]")).to_have_text("Prepárese")
    screenshot("01b-sesion", full_page=False)
    problems["guided session"] = _no_english(page.content(), names)
    page.goto(f"{live_server.url}{reverse('patient-home')}")

    # The PDF of the program, in Spanish.
    pdf_links = page.locator("a[download]")
    if pdf_links.count():
        response = page.request.get(pdf_links.first.get_attribute("href"))
        assert response.status == 200
        pdf_text = " ".join(
            (sheet.extract_text() or "") for sheet in PdfReader(io.BytesIO(response.body())).pages
        )
        physio_name = str(revision.snapshot.get("physiotherapist", ""))
        problems["PDF"] = _no_english(pdf_text, (*names, physio_name))
    else:
        problems["PDF"] = ["(no download link on Today)"]

    # A check-in with a warning sign → the emergency page.
    page.get_by_role("button", name="Registrar cómo estoy").click()
    expect(page.get_by_role("heading", name="Registrar cómo estoy")).to_be_visible()
    problems["check-in"] = _no_english(page.content(), names)
    page.locator("input[name=pain][value='5']").check()
    page.locator("input[name=feeling][value='worse']").check()
    page.locator("input[name=can_manage_daily_tasks][value='yes']").check()
    page.locator("input[name=has_new_symptoms][value='no']").check()
    page.locator("input[name=warning_ces_saddle_numbness][value='yes']").check()
    page.get_by_role("button", name="Ninguno de estos").click()
    screenshot("02-registro", full_page=False)
    page.get_by_role("button", name="Enviar mi registro").click()

    expect(page.locator(".advice-emergency")).to_be_visible()
    expect(page.get_by_text("Llame al 112 en caso de emergencia.").first).to_be_visible()
    screenshot("03-urgencias")
    problems["emergency page"] = _no_english(page.content(), names)
    assert CheckIn.objects.get(patient=patient).warning_signs == ["ces_saddle_numbness"]

    # The reminder settings: Spanish weekdays, the language choice, the saved message.
    page.goto(f"{live_server.url}{reverse('reminder-settings')}")
    expect(page.get_by_role("heading", name="Correos de recordatorio")).to_be_visible()
    expect(page.get_by_label("lunes")).to_be_visible()
    page.get_by_role("button", name="Guardar", exact=True).click()
    expect(page.get_by_text("Su configuración de recordatorios se ha guardado.")).to_be_visible()
    screenshot("04-recordatorios")
    problems["reminder settings"] = _no_english(page.content(), names)
    assert ReminderSchedule.objects.filter(patient=patient).exists()

    english = {where: words for where, words in problems.items() if words}
    if english:
        pytest.fail(f"English words left (where: words): {english}")
    assert _uncaught_errors(page) == []
