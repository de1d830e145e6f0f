"""The assessment page is the clinical record (issue #20, item 2): every recorded answer in
words, grouped, unanswered ones marked, the screening with rule ids, who recorded it and when;
reachable from the patient page and the plan editor."""

import datetime
from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse

from clinical.intake import RED_FLAG_QUESTIONS, RED_FLAG_QUESTIONS_BY_KEY
from programs.intake_form import FIELD_SPECS, AssessmentForm
from programs.models import Assessment
from tests.clock import DAY, suite_today
from tests.programs.intake_data import intake_form_data

TODAY = suite_today()


class RecordRows(HTMLParser):
    """The rows of the recorded answers: data-answer name -> (label, answer) as shown."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._name = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-answer" in attrs:
            self._name = attrs["data-answer"]
            self.rows[self._name] = ["", ""]
        elif self._name and tag in ("th", "td"):
            self._cell = 0 if tag == "th" else 1

    def handle_endtag(self, tag):
        if tag in ("th", "td"):
            self._cell = None
        elif tag == "tr":
            self._name = None

    def handle_data(self, data):
        if self._name and self._cell is not None:
            self.rows[self._name][self._cell] += data

    def shown(self) -> dict[str, tuple[str, str]]:
        return {name: (" ".join(th.split()), td.strip()) for name, (th, td) in self.rows.items()}


def full_intake() -> dict:
    """Every question answered, all three regions (the longest record there is)."""
    data = intake_form_data(
        regions=["cervical", "thoracic", "lumbar"],
        known_spinal_dx=["disc_herniation", "spinal_surgery"],
        spinal_surgery_date=(TODAY - 400 * DAY).isoformat(),
        pregnancy_status="not_pregnant",
        sports_category=["endurance"],
        sports_detail="Running",
        start_back_total="4",
        start_back_distress="2",
        clearance_by="Dr Amir Khan",
        clearance_role="GP",
        clearance_date=(TODAY - 2 * DAY).isoformat(),
    )
    for spec in FIELD_SPECS:
        if spec.name not in data and spec.choices and spec.name != "pregnancy_weeks":
            first = spec.choices[0][0]
            data[spec.name] = [first] if spec.kind == "multi" else first
    data.setdefault("neuro_exam_done", "true")
    return data


def expected_words(form: AssessmentForm, name: str, value) -> str:
    """The answer as the page should say it, from the form's own choice labels."""
    field = form.fields[name]
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(field, forms.NullBooleanField):
        return "Yes" if value else "No"
    if isinstance(field, forms.MultipleChoiceField):
        return ", ".join(str(dict(field.choices)[item]) for item in value) if value else "None"
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices)[str(value)])
    if isinstance(field, forms.DateField):
        day = datetime.date.fromisoformat(value)
        return f"{day.day} {day:%b %Y}"
    return str(value)


def record(client, patient, data) -> Assessment:
    response = client.post(reverse("assessment-create", args=[patient.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    return Assessment.objects.latest("id")


@pytest.mark.django_db
def test_the_record_lists_every_stored_answer_in_words(client, physio_a, patient_a1):
    client.force_login(physio_a.user)
    assessment = record(client, patient_a1, full_intake())

    page = client.get(reverse("assessment-detail", args=[assessment.pk])).content.decode()

    parser = RecordRows()
    parser.feed(page)
    shown = parser.shown()
    form = AssessmentForm(date_of_birth=patient_a1.date_of_birth, today=TODAY)
    stored = dict(assessment.answers)
    red_flags = stored.pop("red_flags")
    expected = {
        name: (form.fields[name].label, expected_words(form, name, value))
        for name, value in stored.items()
    }
    questions = {key: RED_FLAG_QUESTIONS_BY_KEY[key] for key in red_flags}
    expected |= {
        f"red-flag-{RED_FLAG_QUESTIONS.index(q) + 1}": (
            f"{q.group.value} {q.physio_text}",
            red_flags[key].capitalize(),
        )
        for key, q in questions.items()
    }
    assert {name: shown[name] for name in expected} == expected
    # Nothing else is shown but questions that apply and were left unanswered.
    unrecorded = {name: words for name, (_, words) in shown.items() if name not in expected}
    assert set(unrecorded.values()) <= {"Not answered"}
    assert f"Recorded by {physio_a.user.get_full_name()} on" in page


@pytest.mark.django_db
def test_unanswered_questions_and_the_screening_rule_ids_are_shown(client, physio_a, patient_a1):
    client.force_login(physio_a.user)
    assessment = record(
        client, patient_a1, intake_form_data(radiating_pain="below_knee", neuro_exam_done="true")
    )

    page = client.get(reverse("assessment-detail", args=[assessment.pk])).content.decode()

    parser = RecordRows()
    parser.feed(page)
    shown = parser.shown()
    assert shown["directional_preference"] == (
        "Directional preference (examination)",
        "Not answered",
    )
    assert shown["radiating_pain"] == ("Pain spreading into a limb", "Below knee")
    # The neck questions were not asked for a low back: not listed as unanswered either.
    neck = [q for q in RED_FLAG_QUESTIONS if q.key in ("cord_signs", "vascular_symptoms")]
    assert [f"{q.group.value} {q.physio_text}" for q in neck if q.physio_text in page] == []
    # STarT Back and pregnancy weeks apply (lumbar) / do not (not pregnant).
    assert shown["start_back_total"][1] == "Not answered"
    assert "pregnancy_weeks" not in shown
    assert assessment.rule_ids == ["AMB-RADIC"]
    assert '<span class="rule">AMB-RADIC</span>' in page


@pytest.mark.django_db
def test_the_record_is_reachable_from_the_patient_page_and_the_plan_editor(
    client, physio_a, patient_a1, catalogue
):
    client.force_login(physio_a.user)
    assessment = record(client, patient_a1, intake_form_data())
    client.post(reverse("plan-generate", args=[assessment.pk]))
    plan = assessment.plans.get()
    link = f'href="{reverse("assessment-detail", args=[assessment.pk])}"'

    patient_page = client.get(reverse("patient-detail", args=[patient_a1.pk])).content.decode()
    editor = client.get(reverse("plan-edit", args=[plan.pk])).content.decode()

    assert link in patient_page
    assert link in editor


@pytest.mark.django_db
def test_another_clinics_physio_cannot_read_the_record(client, physio_a, physio_b, patient_a1):
    client.force_login(physio_a.user)
    assessment = record(client, patient_a1, intake_form_data())
    client.force_login(physio_b.user)

    response = client.get(reverse("assessment-detail", args=[assessment.pk]))

    assert response.status_code == 404
    assert "Recorded answers" not in response.content.decode()
