"""A program PDF and the "ready" email in the patient's language (issue #17): a Spanish
patient's PDF read back with pypdf is Spanish, and the same revision in English is another
document with another content hash."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from clinical.education import SAFETY_NET
from core.i18n import localise
from documents import pdf, services
from documents.models import ProgramDocument
from tests.documents.conftest import publish
from tests.documents.pdf_text import collapse, pages_text

pytestmark = pytest.mark.django_db

# The PDF's own texts (templates and documents/pdf.py): in Spanish, none of the English left.
SPANISH_PHRASES = (
    "Su programa de ejercicios",
    "Fisioterapeuta",
    "Versión n.º 1, aprobada el",
    "Página 1 de",
    "Cuándo pedir ayuda",
    "Fase 1:",
    "Ejercicios de esta fase",
    "¿Cuánto dolor es aceptable?",
    "Durante el ejercicio",
    "hoja de control de la semana 1",
    "Dolor de 0 a 10",
)
ENGLISH_PHRASES = (
    "Your exercise program",
    "Physiotherapist",
    "Revision 1",
    "Page 1 of",
    "When to get help",
    "Stage 1:",
    "Exercises in this stage",
    "How much pain is OK?",
    "During exercise",
    "tick-off sheet",
    "Pain 0-10",
    "you are here",
    "Take care:",
)
# Common English words that a Spanish PDF must not show once the clinical core's texts (H5)
# and the catalogue's exercises (H6) are translated too.
ENGLISH_WORDS = ("the", "your", "and", "with", "when", "each", "minutes", "day", "week")


def spanish(patient) -> None:
    patient.language = "es"
    patient.save(update_fields=["language"])


def document_in(revision, language: str) -> ProgramDocument:
    return ProgramDocument(revision=revision, is_large_print=False, language=language)


def test_a_spanish_patients_program_pdf_is_spanish(patient_a1, draft_plan):
    spanish(patient_a1)
    revision = publish(draft_plan)
    document = services.request_program_pdf(revision=revision)
    assert document.language == "es"

    text = " ".join(pages_text(pdf.render_pdf(services.program_html(document))))

    for phrase in SPANISH_PHRASES:
        assert phrase in text, phrase
    for phrase in ENGLISH_PHRASES:
        assert phrase not in text, phrase
    assert re.search(
        r"\d+ de (enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|"
        r"octubre|noviembre|diciembre) de \d{4}",
        text,
    )
    assert patient_a1.full_name in text  # names as written
    with translation.override("es"):
        assert collapse(localise(SAFETY_NET)) in text  # the safety net via the catalogue


def test_a_spanish_program_pdf_has_no_common_english_words(patient_a1, draft_plan):
    spanish(patient_a1)
    revision = publish(draft_plan)
    document = services.request_program_pdf(revision=revision)
    text = " ".join(pages_text(pdf.render_pdf(services.program_html(document))))
    # Names and rule ids aside, no English word is left.
    text = text.replace(patient_a1.full_name, "").replace(patient_a1.clinic.name, "")
    words = set(re.findall(r"[A-Za-z]+", text.lower()))
    assert not words & set(ENGLISH_WORDS), sorted(words & set(ENGLISH_WORDS))


def test_an_english_patients_pdf_is_unchanged(revision):
    html = services.program_html(document_in(revision, "en"))

    assert '<html lang="en"' in html
    for phrase in ("Your exercise program", "When to get help", "Stage 1:", "Pain 0-10"):
        assert phrase in html
    assert collapse(SAFETY_NET) in collapse(html)


def test_the_same_revision_in_spanish_and_english_is_two_documents(patient_a1, revision):
    english = services.request_program_pdf(revision=revision, language="en")
    spanish_document = services.request_program_pdf(revision=revision, language="es")
    again = services.request_program_pdf(revision=revision, language="es")

    assert english.pk != spanish_document.pk and again.pk == spanish_document.pk
    english_html = services.program_html(english)
    spanish_html = services.program_html(spanish_document)
    assert '<html lang="en"' in english_html and '<html lang="es"' in spanish_html
    assert pdf.content_hash(english_html) != pdf.content_hash(spanish_html)


def test_a_patients_documents_follow_their_language(patient_a1, revision):
    english = services.request_program_pdf(revision=revision)
    assert english.language == "en"
    spanish(patient_a1)
    revision.plan.patient.refresh_from_db()

    spanish_document = services.request_program_pdf(revision=revision)

    assert spanish_document.language == "es" and spanish_document.pk != english.pk
    assert services.document_of(revision, large_print=False) == spanish_document


def test_the_ready_email_to_a_spanish_patient_is_spanish(
    smtp_server, patient_a1, draft_plan, django_capture_on_commit_callbacks
):
    spanish(patient_a1)
    with django_capture_on_commit_callbacks(execute=True):
        publish(draft_plan)

    [message] = smtp_server.wait_for(1)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert message["Subject"] == "Su programa de ejercicios está listo"
    assert f"Hola, {patient_a1.first_name}:" in text
    assert "está listo" in text and "está listo" in html
    assert "Abrir su programa" in html and '<html lang="es">' in html
    for body in (text, re.sub(r"<[^>]+>", " ", html)):
        for english in ("Hello", "ready", "Open your program", "sign in"):
            assert english not in body, english
