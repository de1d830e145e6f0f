"""Issue #14 item 10: what people read is words, not keys. The fired rules' answers on the
assessment page, "Raynaud's" on the intake form, and the phase facts of a revision."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from clinical.intake import RED_FLAG_QUESTIONS_BY_KEY
from programs.intake_form import answer_in_words
from programs.models import Plan
from programs.services import update_phase
from tests.clock import suite_today
from tests.programs.test_pages import record

pytestmark = pytest.mark.django_db

TODAY = suite_today()


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        (
            "ces_saddle_numbness",
            "yes",
            f"{RED_FLAG_QUESTIONS_BY_KEY['ces_saddle_numbness'].physio_text} Yes",
        ),
        ("age", "55", "Age: 55"),
        (
            "modality_safety",
            "raynauds, cold_urticaria",
            "Cold and heat safety: Raynaud's, Cold urticaria",
        ),
        ("neuro_exam_done", "no", "Neurological examination done: No"),
        ("weakness", "new_or_worsening", "Limb weakness: New or worsening"),
    ],
)
def test_an_answer_reads_as_words(name, value, words):
    assert answer_in_words(name, value) == words


def test_the_assessment_page_gives_the_answers_a_rule_fired_on_in_words(
    client, physio_a, patient_a1, catalogue
):
    client.force_login(physio_a.user)
    assessment = record(client, patient_a1, rf_ces_saddle_numbness="yes")

    html = client.get(reverse("assessment-detail", args=[assessment.pk])).content.decode()

    question = RED_FLAG_QUESTIONS_BY_KEY["ces_saddle_numbness"].physio_text
    assert f"(because: {escape(question)} Yes)" in html
    assert "ces_saddle_numbness" not in html
    assert " = yes" not in html


def test_the_intake_form_spells_raynauds(client, physio_a, patient_a1):
    client.force_login(physio_a.user)

    html = client.get(reverse("assessment-create", args=[patient_a1.pk])).content.decode()

    assert escape("Raynaud's") + "</label>" in html
    assert "Raynauds" not in html


def test_revision_changes_give_phase_facts_in_words(client, physio_a, patient_a1, catalogue):
    client.force_login(physio_a.user)
    assessment = record(client, patient_a1)
    client.post(reverse("plan-generate", args=[assessment.pk]))
    plan = Plan.objects.get()
    client.post(reverse("plan-publish", args=[plan.pk]), {"confirm_warnings": "true"})
    settle = plan.phases.get(code="P1")
    start = settle.start_date
    update_phase(
        phase=settle,
        by=physio_a.user,
        start_date=start + datetime.timedelta(days=1),
        end_date=start + datetime.timedelta(days=14),
    )
    client.post(reverse("plan-publish", args=[plan.pk]), {"confirm_warnings": "true"})

    first = client.get(reverse("revision-changes", args=[plan.pk, 1])).content.decode()
    second = client.get(reverse("revision-changes", args=[plan.pk, 2])).content.decode()

    assert f"<strong>Phase details:</strong> Starts on {_long_date(start)}</p>" in first
    assert "start_date" not in first
    assert "Phase details changed" not in first
    assert (
        "<strong>Phase details changed:</strong> "
        f"Start date now {_long_date(start + datetime.timedelta(days=1))} "
        f"(was {_long_date(start)}); end date now "
        f"{_long_date(start + datetime.timedelta(days=14))}</p>"
    ) in second
    assert "start_date" not in second
