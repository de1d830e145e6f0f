"""The patient's portal in the patient's language (issue #17): a patient whose language is
Spanish sees Today, My plan, the check-in (a warning sign → the emergency page), the reminder
settings and Help in Spanish, with no English left outside names; an English patient's pages
are unchanged."""

from __future__ import annotations

import datetime
import html as html_lib
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse, reverse_lazy
from django.utils import translation

from accounts.models import Language
from followup.forms import CheckInForm
from reminders.forms import ReminderScheduleForm
from reminders.models import ReminderSchedule
from tests.followup.conftest import CALM_DAY_FORM, TODAY

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
CALM = {"pain": "3", "feeling": "better", "zone": "green", **CALM_DAY_FORM}

# Common English words that are not Spanish words: one of them in a Spanish page's text is an
# English text left untranslated. ("plan", "no", "total", "local" are Spanish too.)
ENGLISH_WORDS = {
    "the", "your", "you", "and", "with", "pain", "today", "exercise", "exercises", "please",
    "what", "when", "how", "this", "that", "have", "has", "will", "check", "help", "stop",
    "physio", "reminder", "reminders", "settings", "back", "done", "next", "stage", "of", "to",
    "is", "are", "or", "if", "in", "on", "for", "an", "now", "get", "go", "call", "email",
    "log", "password", "save", "send", "start", "hold", "set", "sets", "each", "side", "week",
}  # fmt: skip
WORD = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]+")


def visible_text(page: str) -> str:
    """The words a reader sees (and a screen reader reads): text, titles, labels, alt texts;
    without scripts, styles and the language switcher (each language named in itself)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<form[^>]*class="[^"]*language-(?:switcher|choice)[^"]*".*?</form>', " ",
                  page, flags=re.S)  # fmt: skip
    attributes = " ".join(re.findall(r'(?:aria-label|alt|title|placeholder)="([^"]*)"', page))
    text = re.sub(r"<[^>]+>", " ", page)
    return html_lib.unescape(f"{text} {attributes}")


def english_words(page: str, *, names: tuple[str, ...] = ()) -> list[str]:
    """The English words of a page's visible text, once the people's and clinic's names (shown
    as written) are taken out."""
    text = visible_text(page)
    text = re.sub(r"\S*[/_]\S*", " ", text)  # time zones (Europe/Madrid), addresses: names
    for name in names:
        text = text.replace(name, " ")
    return sorted({word for word in WORD.findall(text) if word.lower() in ENGLISH_WORDS})


@pytest.fixture
def on_day(clock):
    clock.now = datetime.datetime.combine(
        TODAY + datetime.timedelta(days=1), datetime.time(9, 0), tzinfo=LONDON
    )


@pytest.fixture
def spanish_patient(patient_a1, clinic_a):
    patient_a1.language = Language.ES
    patient_a1.save(update_fields=["language"])
    # The clinic's own emergency wording is shown as the clinic wrote it: a Spanish clinic's.
    clinic_a.emergency_wording = "Llame al 112 en caso de emergencia."
    clinic_a.save(update_fields=["emergency_wording"])
    return patient_a1


@pytest.fixture
def spanish_client(client, spanish_patient):
    client.force_login(spanish_patient.user)
    return client


@pytest.fixture
def spanish_revision(spanish_patient, catalogue):
    from tests.followup.conftest import publish_plan_for

    return publish_plan_for(spanish_patient)


def _names(patient) -> tuple[str, ...]:
    physio = patient.physiotherapist
    return (
        str(physio),
        patient.first_name,
        patient.last_name,
        patient.email,
        patient.clinic.name,
        physio.user.get_full_name(),
    )


def _get(client, name: str) -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200, (name, response.status_code)
    assert '<html lang="es">' in response.content.decode()
    return response.content.decode()


# --- the pages in Spanish ---------------------------------------------------------------


def test_today_is_in_spanish(spanish_client, spanish_patient, spanish_revision, on_day):
    page = _get(spanish_client, "patient-home")

    assert f"Hola, {spanish_patient.first_name}" in page
    assert "Ejercicios de hoy" in page
    assert "Empezar la sesión de hoy" in page
    assert "Cuándo pedir ayuda" in page
    # The date in Spanish words: "miércoles 9 de diciembre".
    assert re.search(
        r"\b(lunes|martes|miércoles|jueves|viernes|sábado|domingo) \d+ de [a-z]+", page
    )


def test_my_plan_is_in_spanish(spanish_client, spanish_patient, spanish_revision, on_day):
    page = _get(spanish_client, "my-plan")

    assert "Usted está aquí" in page
    assert "Su fase actual:" in page


def test_the_check_in_form_is_in_spanish(spanish_client, spanish_patient, spanish_revision, on_day):
    page = _get(spanish_client, "check-in")

    assert "¿Cuánto dolor tiene ahora?" in page
    assert "Desde su último registro, ¿ha tenido alguno de estos síntomas?" in page
    assert "Enviar mi registro" in page


def test_a_missing_answer_is_explained_in_spanish(
    spanish_client, spanish_patient, spanish_revision, on_day
):
    response = spanish_client.post(reverse("check-in"), {**CALM, "pain": ""})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Elija un número del 0 (sin dolor) al 10 (el peor dolor imaginable)." in page


def test_a_warning_sign_shows_the_emergency_page_in_spanish(
    spanish_client, spanish_patient, spanish_revision, on_day
):
    response = spanish_client.post(
        reverse("check-in"), {**CALM, "warning_ces_saddle_numbness": "yes"}
    )
    result = spanish_client.get(response["Location"])

    page = result.content.decode()
    assert result.status_code == 200
    assert "advice-emergency" in page
    assert "Llame al 112 en caso de emergencia." in page
    assert "Deje de hacer sus ejercicios." in page
    # Today then shows the open safety concern first, in Spanish too.
    today = _get(spanish_client, "patient-home")
    assert "No haga sus ejercicios hasta que su fisioterapeuta haya hablado con usted." in today


def test_an_urgent_sign_shows_the_urgent_page_in_spanish(
    spanish_client, spanish_patient, spanish_revision, on_day
):
    response = spanish_client.post(reverse("check-in"), {**CALM, "warning_infection_unwell": "yes"})
    page = spanish_client.get(response["Location"]).content.decode()

    assert "Consulte hoy con un médico" in page


def test_a_calm_check_in_thanks_in_spanish(
    spanish_client, spanish_patient, spanish_revision, on_day
):
    response = spanish_client.post(reverse("check-in"), CALM)
    page = spanish_client.get(response["Location"]).content.decode()

    assert "Su registro se ha guardado" in page
    assert "Dolor 3 sobre 10; se encuentra: mejor." in page


def test_the_reminder_settings_are_in_spanish_with_the_weekdays(
    spanish_client, spanish_patient, spanish_revision, on_day
):
    page = _get(spanish_client, "reminder-settings")

    assert "Correos de recordatorio" in page
    for weekday in ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"):
        assert weekday in page
    assert "Idioma" in page  # the patient can change their language here too
    assert english_words(page, names=_names(spanish_patient)) == []

    saved = spanish_client.post(
        reverse("reminder-settings"),
        {"is_enabled": "on", "weekdays": ["0"], "local_time": "08:30", "timezone": "Europe/London"},
    )
    page = spanish_client.get(saved["Location"]).content.decode()
    assert "Su configuración de recordatorios se ha guardado." in page


def test_help_is_in_spanish(spanish_client, spanish_patient, spanish_revision, on_day):
    page = _get(spanish_client, "patient-help")

    assert "Pida ayuda urgente ahora" in page
    assert "¿Cuánto dolor es aceptable?" in page


def test_the_guided_session_loads_its_spanish_script_texts(
    spanish_client, spanish_patient, spanish_revision, on_day
):
    page = _get(spanish_client, "guided-session")
    catalogue = spanish_client.get(reverse("javascript-catalog"))

    assert f'<script src="{reverse("javascript-catalog")}" defer></script>' in page
    assert "La sesión de hoy" in page
    assert catalogue.status_code == 200
    assert "Prep\\u00e1rese" in catalogue.content.decode() or "Prepárese" in (
        catalogue.content.decode()
    )


def test_the_patient_chooses_english_on_the_reminder_settings_page(
    spanish_client, spanish_patient, spanish_revision, on_day
):
    settings_url = reverse("reminder-settings")
    response = spanish_client.post(
        reverse("set-language"), {"language": "en", "next": settings_url}
    )

    assert response["Location"] == settings_url
    spanish_patient.refresh_from_db()
    assert spanish_patient.language == "en"
    assert "Reminder emails" in spanish_client.get(settings_url).content.decode()


# --- no English left on the Spanish pages ------------------------------------------------
@pytest.mark.parametrize(
    "page", ["patient-home", "my-plan", "check-in", "patient-help", "guided-session"]
)
def test_no_english_on_the_spanish_pages(
    spanish_client, spanish_patient, spanish_revision, on_day, page
):
    assert english_words(_get(spanish_client, page), names=_names(spanish_patient)) == []


@pytest.mark.parametrize(
    "answers",
    [
        {"warning_ces_saddle_numbness": "yes"},
        {"warning_infection_unwell": "yes"},
        {"has_new_symptoms": "yes"},
        {},
    ],
    ids=["emergency", "urgent", "worse", "calm"],
)
def test_no_english_on_the_spanish_check_in_results(
    spanish_client, spanish_patient, spanish_revision, on_day, answers
):
    response = spanish_client.post(reverse("check-in"), {**CALM, **answers})
    page = spanish_client.get(response["Location"]).content.decode()

    assert english_words(page, names=_names(spanish_patient)) == []
    if answers.get("warning_ces_saddle_numbness"):
        today = _get(spanish_client, "patient-home")
        assert english_words(today, names=_names(spanish_patient)) == []


@pytest.mark.parametrize(
    ("url", "phrase"),
    [
        ("/login/", "Iniciar sesión"),
        (reverse_lazy("password_reset"), "Restablezca su contraseña"),
        ("/check-in/not-a-token/", "Este enlace de registro no se puede usar"),
        ("/activities/not-a-token/", "Este enlace no se puede usar"),
        ("/reminders/unsubscribe/not-a-token/", "Este enlace de baja no se puede usar"),
        ("/invitation/not-a-token/", "Este enlace de invitación no se puede usar"),
    ],
)
def test_the_pages_before_logging_in_follow_the_browser_language(client, db, url, phrase):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")

    page = response.content.decode()
    assert phrase in page, url
    assert english_words(page) == []


# --- English unchanged ------------------------------------------------------------------


@pytest.fixture
def english_client(client, patient_a1):
    client.force_login(patient_a1.user)
    return client


def test_an_english_patient_still_reads_english(english_client, revision_a1, on_day):
    today = english_client.get(reverse("patient-home")).content.decode()
    check_in = english_client.get(reverse("check-in")).content.decode()
    reminders = english_client.get(reverse("reminder-settings")).content.decode()

    assert "Today's exercises" in today.replace("&#x27;", "'")
    assert "How much pain do you have now?" in check_in
    assert "Monday" in reminders and "lunes" not in reminders
    assert "Ejercicios de hoy" not in today


def test_forms_follow_the_active_language():
    with translation.override("es"):
        form = ReminderScheduleForm()
        assert [label for _, label in form.fields["weekdays"].choices][:2] == ["lunes", "martes"]
        check_in_form = CheckInForm(items=[], questions=[])
        assert check_in_form.fields["pain"].label == "¿Cuánto dolor tiene ahora?"
        assert ReminderSchedule(weekdays=[0, 2]).weekday_names == ["lunes", "miércoles"]
    with translation.override("en"):
        assert str(ReminderScheduleForm().fields["weekdays"].choices[0][1]) == "Monday"
        assert ReminderSchedule(weekdays=[0, 2]).weekday_names == ["Monday", "Wednesday"]


def test_the_invitation_page_is_in_the_invited_patients_language(
    client, physio_a, mailoutbox, django_capture_on_commit_callbacks
):
    from accounts import services as accounts_services
    from tests.browser.test_foundation_journey import _invitation_path

    with django_capture_on_commit_callbacks(execute=True):
        patient = accounts_services.invite_patient(
            physio=physio_a,
            first_name="Lucía",
            last_name="Fernández",
            date_of_birth=datetime.date(1979, 3, 2),
            email="lucia.fernandez@example.com",
            timezone="Europe/Madrid",
            language="es",
        )
    (invitation,) = [m for m in mailoutbox if m.to == [patient.email]][:1]

    page = client.get(_invitation_path(invitation), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="es">' in page
    assert "Bienvenido/a, Lucía" in page
    assert "Guardar la contraseña y continuar" in page
