"""The screen's clinical texts reach the reader in their language (issue #17).

The clinical core writes English and marks every text; what it produces (and stores) must be
recognised by ``core.i18n.localise``: either a catalogue message or a message with named
placeholders. Runs the screen on the clinical tests' vignettes so that every rule fires at
least once, and checks each text it produces changes under Spanish.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from clinical.intake import RED_FLAG_QUESTIONS, Answer, MedicalClearance, RadiatingPain
from clinical.measures import START_BACK_EMPHASIS, START_BACK_ITEMS, START_BACK_LICENCE, Bothersome
from clinical.screening import (
    CARDIO_PATIENT_TEXT,
    EMERGENCY_PATIENT_TEXT,
    URGENT_PATIENT_TEXT,
    screen,
    screen_for_referral,
)
from core.i18n import localise
from tests.clinical.builders import TODAY, build_intake
from tests.clinical.test_screening import FIRES

YES = Answer.YES


def _clearance(**overrides):
    fields = {"cleared_by": "Dr A. Jones", "role": "GP", "cleared_on": TODAY}
    fields.update(overrides)
    return MedicalClearance(**fields)


EXTRA_VIGNETTES = [
    {"assessment_date": None},
    {"assessment_date": TODAY - timedelta(days=15)},
    {"assessment_date": TODAY + timedelta(days=1)},
    {"onset_days_ago": -2, "assessment_date": TODAY},
    {"radiating_pain": RadiatingPain.BELOW_KNEE},
    {"age": 16},
    {"red_flags": {"fracture_major_trauma": YES}, "medical_clearance": _clearance()},
    {
        "red_flags": {"fracture_major_trauma": YES},
        "medical_clearance": _clearance(cleared_on=TODAY - timedelta(days=400)),
    },
]


def _screen_texts() -> dict[str, str]:
    """Every text the screen produced, with where it came from."""
    texts: dict[str, str] = {}
    results = [screen(build_intake(**overrides), today=TODAY) for _, overrides, _, _ in FIRES]
    results += [screen(build_intake(**overrides), today=TODAY) for overrides in EXTRA_VIGNETTES]
    results.append(
        screen_for_referral(
            {"age": 40, "assessment_date": TODAY, "red_flags": {"ces_incontinence": "yes"}},
            unanswered=["pain_now"],
            today=TODAY,
        )
    )
    for result in results:
        for rule in result.fired:
            texts[rule.physio_message] = f"{rule.rule_id} physio message"
            if rule.patient_message:
                texts[rule.patient_message] = f"{rule.rule_id} patient message"
        for confirmation in result.confirmations:
            texts[confirmation.text] = f"{confirmation.rule_id} confirmation"
        for block in result.blocked:
            texts[block.physio_message] = f"{block.rule_id} block"
    return texts


def _fired_rule_ids() -> set[str]:
    fired = set()
    for _, overrides, _, _ in FIRES:
        fired |= set(screen(build_intake(**overrides), today=TODAY).rule_ids)
    return fired


def _untranslated(texts: dict[str, str]) -> list[str]:
    with translation.override("es"):
        return [f"{where}: {text}" for text, where in texts.items() if localise(text) == text]


def test_every_screening_text_is_shown_in_spanish():
    texts = _screen_texts()

    assert len(texts) > 40
    assert _untranslated(texts) == []


def test_a_medical_clearance_message_is_translated_whole():
    result = screen(
        build_intake(red_flags={"fracture_major_trauma": YES}, medical_clearance=_clearance()),
        today=TODAY,
    )

    with translation.override("es"):
        physio = localise(result.fired[0].physio_message)
        confirmation = localise(result.confirmations[0].text)

    assert physio.startswith("Alta médica de Dr A. Jones (GP) del ")
    assert "levanta el bloqueo: Posible fractura: valoración médica preferente." in physio
    assert confirmation.endswith("cubre RF-URG-FRACTURE para este episodio.")


def test_red_flag_questions_safety_advice_and_start_back_are_in_spanish():
    texts = {EMERGENCY_PATIENT_TEXT: "emergency", CARDIO_PATIENT_TEXT: "cardio"}
    texts[URGENT_PATIENT_TEXT] = "urgent"
    for question in RED_FLAG_QUESTIONS:
        texts[question.physio_text] = f"{question.key} (physio)"
        texts[question.patient_text] = f"{question.key} (patient)"
    for item in START_BACK_ITEMS:
        texts[item.text] = f"STarT Back item {item.number}"
    for bothersome in Bothersome:
        texts[bothersome.label] = f"STarT Back answer {bothersome.value}"
    for risk, (emphasis, _) in START_BACK_EMPHASIS.items():
        texts[emphasis] = f"STarT Back {risk.value}"
    texts[START_BACK_LICENCE] = "STarT Back licence"

    assert _untranslated(texts) == []


def test_english_stays_english():
    with translation.override("en"):
        assert localise(EMERGENCY_PATIENT_TEXT) == "Go to an emergency department now."


@pytest.mark.django_db
def test_the_assessment_form_is_in_spanish_for_a_spanish_speaking_physio(
    client, physio_a, patient_a1
):
    physio_a.language = "es"
    physio_a.save(update_fields=["language"])
    client.force_login(physio_a.user)

    page = client.get(reverse("assessment-create", args=[patient_a1.pk])).content.decode()

    assert "Cribado de banderas rojas" in page
    assert "¿Incontinencia nueva de orina o heces" in page
    assert "¿Antecedentes de cáncer?" in page
    assert "Fecha de la valoración" in page
    assert "Por debajo de la rodilla" in page  # a choice of radiating_pain
    assert "Any history of cancer?" not in page
