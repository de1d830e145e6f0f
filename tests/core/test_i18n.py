"""The i18n foundation: stored English texts shown in the reader's language, the language
switcher, and whose language decides a page."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from core import i18n


@pytest.fixture
def spanish_messages(monkeypatch):
    """Two messages added to the Spanish catalogue for the test (one with placeholders)."""
    messages = {
        "Back stiffness": "Rigidez de espalda",
        "Worst pain in a day %(worst)s/10 (%(what)s)": (
            "Dolor máximo en un día %(worst)s/10 (%(what)s)"
        ),
        "%(days)s at %(time)s (%(zone)s)": "%(days)s a las %(time)s (%(zone)s)",
    }
    catalogue = trans_real.translation("es")._catalog
    for english, spanish in messages.items():
        monkeypatch.setitem(catalogue._catalogs[0], english, spanish)
    own = i18n._own_messages("es")
    monkeypatch.setattr(i18n, "_own_messages", lambda language: [*own, *messages])
    i18n.reset_cache()
    yield
    i18n.reset_cache()


def test_a_stored_message_is_shown_in_the_active_language(spanish_messages):
    with translation.override("es"):
        assert i18n.localise("Back stiffness") == "Rigidez de espalda"
    with translation.override("en"):
        assert i18n.localise("Back stiffness") == "Back stiffness"


def test_a_stored_text_with_values_is_recognised_and_its_values_localised(spanish_messages):
    stored = "Worst pain in a day 8/10 (Back stiffness)"

    with translation.override("es"):
        assert i18n.localise(stored) == "Dolor máximo en un día 8/10 (Rigidez de espalda)"


def test_a_message_with_little_text_of_its_own_never_cuts_another_text(spanish_messages):
    stored = "Pain stays at least 2 points below baseline (G19)"

    with translation.override("es"):
        assert i18n.localise(stored) == stored


def test_what_a_physio_wrote_is_shown_as_written(spanish_messages):
    with translation.override("es"):
        assert i18n.localise("Walk the dog twice a day") == "Walk the dog twice a day"
        assert i18n.localise("") == ""


@pytest.mark.django_db
def test_switching_language_keeps_the_page_and_the_physios_choice(client, physio_a):
    client.force_login(physio_a.user)
    page = reverse("dashboard") + "?q=smith"

    response = client.post(reverse("set-language"), {"language": "es", "next": page})

    assert response.status_code == 302
    assert response["Location"] == page
    physio_a.refresh_from_db()
    assert physio_a.language == "es"
    answer = client.get(page)
    assert answer["Content-Language"] == "es"
    assert '<html lang="es">' in answer.content.decode()


@pytest.mark.django_db
def test_the_patients_language_decides_their_pages(client, patient_a1, django_user_model):
    from tests.factories import UserFactory

    patient_a1.user = UserFactory(email="a1-login@example.com")
    patient_a1.language = "es"
    patient_a1.save()
    client.force_login(patient_a1.user)

    # The browser asks for English; the profile says Spanish.
    answer = client.get(reverse("patient-home"), HTTP_ACCEPT_LANGUAGE="en")

    assert answer["Content-Language"] == "es"


@pytest.mark.django_db
def test_an_unknown_language_or_a_foreign_next_page_changes_nothing(client, physio_a):
    client.force_login(physio_a.user)

    response = client.post(
        reverse("set-language"), {"language": "xx", "next": "https://elsewhere.example/"}
    )

    assert response["Location"] == "/"
    physio_a.refresh_from_db()
    assert physio_a.language == "en"


@pytest.mark.parametrize("language", ["en", "es"])
# The "program ready" email carries no health words at all (tests/documents/test_delivery.py:
# whoever sees the inbox learns nothing); the reminder carries the line (tests/reminders).
@pytest.mark.parametrize("template", ["function_review", "invitation"])
def test_every_patient_email_carries_the_safety_net_in_the_readers_language(template, language):
    from django.template.loader import render_to_string

    from clinical.education import SAFETY_NET

    context = {
        "patient": {"first_name": "Ana"},
        "clinic": {"name": "Clinic A", "phone": "0100", "brand_colour": "#123456"},
        "url": "https://backcare.example/me/",
        "activities": [],
    }
    with translation.override(language):
        expected = i18n.localise(SAFETY_NET)
        for part in ("txt", "html"):
            body = render_to_string(f"emails/{template}.{part}", context)
            assert expected in body.replace("&#x27;", "'"), (template, part)
    assert language == "en" or expected != SAFETY_NET
