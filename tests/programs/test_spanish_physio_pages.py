"""Issue #17: the physio's pages in the physio's own language (Physiotherapist.language), and
the header's switcher keeps the page. A Spanish-speaking physio reads the dashboard, the
patient page, the plan editor, the catalogue, an exercise and a revision's changes in Spanish."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from exercises.models import Exercise
from exercises.templatetags.exercises import exercise_text
from programs.models import Plan
from tests.programs.test_pages import record

pytestmark = pytest.mark.django_db

# Our own English texts of these pages: none may show on a Spanish page (names, rule ids and
# the catalogue's English exercise texts are not in this list).
ENGLISH = [
    "Your patients",
    "Add patient",
    "Edit details",
    "Date of birth",
    "Assessments",
    "Who looked at or changed this record",
    "Reminder emails",
    "Publish to the patient",
    "Publish changes as revision",
    "Save template",
    "Exercise catalogue",
    "Edit dosage or notes",
    "Phase dates and notes",
    "Add from the catalogue",
    "Why:",
    "what changed",
    "Plan editor",
    "Current phase",
    "Phase details",
    "Take care:",
    "Easier version",
    "No exercises match",
    "Nothing reaches the patient",
]


def _spanish(physio):
    physio.language = "es"
    physio.save(update_fields=["language"])


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _no_english(html: str) -> None:
    found = [words for words in ENGLISH if words in html]
    assert not found, found


@pytest.fixture
def published(client, physio_a, patient_a1, catalogue):
    """A plan published twice (revision 2 has changed dates), viewed by a Spanish physio."""
    client.force_login(physio_a.user)
    assessment = record(client, patient_a1)
    client.post(reverse("plan-generate", args=[assessment.pk]))
    plan = Plan.objects.get()
    client.post(reverse("plan-publish", args=[plan.pk]), {"confirm_warnings": "true"})
    settle = plan.phases.get(code="P1")
    client.post(
        reverse("phase-update", args=[plan.pk, "P1"]),
        {"start_date": settle.start_date.isoformat(), "end_date": "", "notes": "Con calma"},
    )
    client.post(reverse("plan-publish", args=[plan.pk]), {"confirm_warnings": "true"})
    _spanish(physio_a)
    return plan


def test_the_dashboard_is_in_spanish(client, physio_a, patient_a1, published):
    html = _page(client, reverse("dashboard"))

    assert 'lang="es"' in html
    assert "Sus pacientes" in html
    assert "Añadir paciente" in html
    assert "Último dolor" in html
    assert "Alertas abiertas" in html
    _no_english(html)


def test_the_patient_page_is_in_spanish(client, patient_a1, published):
    html = _page(client, reverse("patient-detail", args=[patient_a1.pk]))

    for words in ("Fecha de nacimiento", "Valoraciones", "Planes", "Seguimiento"):
        assert words in html, words
    assert "Correos de recordatorio" in html
    assert "Quién ha consultado o modificado este historial" in html
    _no_english(html)


def test_the_plan_editor_is_in_spanish(client, published):
    html = _page(client, reverse("plan-edit", args=[published.pk]))

    assert "Plan de " in html
    assert "Publicar los cambios como versión 3" in html
    assert "Editar dosificación o notas" in html
    assert "Añadir desde el catálogo" in html
    assert "Guardar plantilla" in html
    assert "Por qué:" in html
    # A stored English text is never cut up by a short page message with placeholders
    # ("%(days)s at %(time)s" once turned "at least" into "a las least").
    assert "a las least" not in html
    assert "a las recent" not in html
    _no_english(html)


def test_the_revision_changes_are_in_spanish(client, published):
    html = _page(client, reverse("revision-changes", args=[published.pk, 2]))

    assert "Versión 2: qué ha cambiado" in html
    assert "comparada con la versión 1" in html
    assert "Datos de la fase cambiados:" in html
    assert "sus notas para el paciente han cambiado" in html.lower()
    _no_english(html)


def test_the_catalogue_and_an_exercise_are_in_spanish(client, physio_a, catalogue):
    client.force_login(physio_a.user)
    _spanish(physio_a)

    html = _page(client, reverse("exercise-list"))
    assert "Catálogo de ejercicios" in html
    assert "Buscar" in html
    assert "ejercicios" in html
    _no_english(html)

    exercise = Exercise.objects.exclude(regression=None).order_by("key").first()
    html = _page(client, reverse("exercise-detail", args=[exercise.key]))
    for words in ("Dosificación", "Pasos", "Detalles", "Versión más fácil", "Catálogo"):
        assert words in html, words
    spanish = (exercise.translations or {}).get("es") if hasattr(exercise, "translations") else None
    if spanish:  # the catalogue's Spanish texts (exercises.es.yaml), when loaded
        assert spanish["name"] in html
    _no_english(html)


def test_no_exercise_matches_in_spanish(client, physio_a, catalogue):
    client.force_login(physio_a.user)
    _spanish(physio_a)

    html = _page(client, reverse("exercise-list") + "?search=zzzz-nothing")

    assert "Ningún ejercicio coincide" in html
    _no_english(html)


def test_switching_the_language_keeps_the_page(client, physio_a, published):
    url = reverse("plan-edit", args=[published.pk])
    assert "Editar dosificación o notas" in _page(client, url)

    response = client.post(reverse("set-language"), {"language": "en", "next": url})

    assert response.status_code == 302
    assert response["Location"] == url
    html = _page(client, url)
    assert "Edit dosage or notes" in html
    assert "Editar dosificación o notas" not in html
    physio_a.refresh_from_db()
    assert physio_a.language == "en"

    response = client.post(reverse("set-language"), {"language": "es", "next": url})
    assert response["Location"] == url
    assert "Editar dosificación o notas" in _page(client, url)


class _Item:
    name = "Pelvic tilt lying down"
    steps = ["Lie on your back."]
    translations = {
        "es": {"name": "Basculación pélvica tumbado", "steps": ["Túmbese boca arriba."]}
    }


def test_an_exercise_text_comes_from_its_translation_in_the_active_language():
    with translation.override("es"):
        assert exercise_text(_Item(), "name") == "Basculación pélvica tumbado"
        assert exercise_text(_Item(), "steps") == ["Túmbese boca arriba."]
    with translation.override("en"):
        assert exercise_text(_Item(), "name") == "Pelvic tilt lying down"


def test_an_exercise_without_a_translation_shows_its_english():
    item = _Item()
    item.translations = {}
    with translation.override("es"):
        assert exercise_text(item, "name") == "Pelvic tilt lying down"
