"""Issue #14 item 6: notes meant for the physio stay with the physio. Patients read the
catalogue's tip for them and what their physio wrote, on Today, My plan, the API and the PDF."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils.html import escape

from exercises.models import Exercise
from programs.models import Prescription
from programs.services import publish_plan, update_prescription
from tests.followup.conftest import publish_plan_for

pytestmark = pytest.mark.django_db

F03_PHYSIO_NOTE = "Settle phase: gentle 10-20 s holds; later phases: 20-30 s"


def _catalogue_notes(revision) -> tuple[list[str], list[str]]:
    """The physio notes and the patient tips of every exercise in the revision."""
    keys = revision.exercise_keys()
    exercises = Exercise.objects.filter(clinic=None, key__in=keys)
    physio = sorted(e.physio_notes for e in exercises if e.physio_notes)
    patient = sorted(e.patient_notes for e in exercises if e.patient_notes)
    return physio, patient


def _tips(html: str) -> list[str]:
    return [unescape(tip) for tip in re.findall(r'<p class="tip">([^<]*)</p>', html)]


def test_the_catalogue_keeps_the_physio_note_apart_from_the_patients_tip(catalogue):
    f03 = Exercise.objects.get(clinic=None, key="F03")
    f15 = Exercise.objects.get(clinic=None, key="F15")

    assert (f03.physio_notes, f03.patient_notes) == (F03_PHYSIO_NOTE, "")
    assert (f15.physio_notes, f15.patient_notes) == ("", "Good desk break")


def test_a_proposed_plan_carries_no_catalogue_note_as_the_physios_words(patient_a1, catalogue):
    revision = publish_plan_for(patient_a1)

    assert (
        list(Prescription.objects.filter(phase__plan=revision.plan).values_list("notes", flat=True))
        == [""] * Prescription.objects.filter(phase__plan=revision.plan).count()
    )
    assert {item["notes"] for phase in revision.phases for item in phase["items"]} == {""}


def test_patient_pages_show_the_tip_and_never_the_physio_notes(client, patient_a1, catalogue):
    revision = publish_plan_for(patient_a1)
    physio_notes, tips = _catalogue_notes(revision)
    by_key = {e.key: e for e in Exercise.objects.filter(clinic=None)}
    settle = revision.phase("P1")
    assert settle is not None
    client.force_login(patient_a1.user)

    today = client.get(reverse("patient-home")).content.decode()
    my_plan = client.get(reverse("my-plan")).content.decode()

    assert physio_notes and tips  # the plan has both kinds, so the test can fail
    assert _tips(today) == [
        by_key[i["exercise_key"]].patient_notes
        for i in settle["items"]
        if by_key[i["exercise_key"]].patient_notes
    ]
    assert sorted(set(_tips(my_plan))) == tips
    # Short notes ("2-3 days a week") may also be words of the phase; the long ones are only
    # the catalogue's.
    for note in (n for n in physio_notes if len(n) > 25):
        assert escape(note) not in today
        assert escape(note) not in my_plan
    assert "From your physio" not in today
    assert "From your physio" not in my_plan


def test_what_the_physio_wrote_is_shown_as_from_your_physio(client, patient_a1, catalogue):
    plan = publish_plan_for(patient_a1).plan
    item = Prescription.objects.filter(phase__plan=plan, phase__code="P1").order_by("order")[0]
    update_prescription(
        prescription=item, by=plan.physiotherapist.user, notes="Slowly, on a soft surface."
    )
    publish_plan(plan=plan, by=plan.physiotherapist.user)
    client.force_login(patient_a1.user)

    today = client.get(reverse("patient-home")).content.decode()

    assert today.count("From your physio:") == 1
    assert "<strong>From your physio:</strong> Slowly, on a soft surface." in today


def test_the_api_gives_patients_the_tip_and_the_physios_words_only(api, patient_a1, catalogue):
    revision = publish_plan_for(patient_a1)
    physio_notes, _tips = _catalogue_notes(revision)
    tips = {
        e.key: e.patient_notes
        for e in Exercise.objects.filter(clinic=None, key__in=revision.exercise_keys())
    }

    response = api.as_user(patient_a1.user).get("/api/v1/me/plan/")

    assert response.status_code == 200
    items = [i for phase in response.json()["snapshot"]["phases"] for i in phase["items"]]
    assert {i["exercise_key"]: i["patient_notes"] for i in items} == {
        i["exercise_key"]: tips[i["exercise_key"]] for i in items
    }
    assert {i["notes"] for i in items} == {""}
    body = json.dumps(response.json())
    assert [note for note in physio_notes if len(note) > 25 and note in body] == []


def test_the_physio_sees_the_catalogue_note_in_the_editor(client, patient_a1, catalogue):
    plan = publish_plan_for(patient_a1).plan
    noted = sorted(
        {
            p.exercise.physio_notes
            for p in Prescription.objects.filter(phase__plan=plan).select_related("exercise")
            if p.exercise.physio_notes
        }
    )
    client.force_login(patient_a1.physiotherapist.user)

    html = client.get(reverse("plan-edit", args=[plan.pk])).content.decode()

    assert noted
    for note in noted:
        assert f"Catalogue note for you (not shown to the patient): {escape(note)}</div>" in html
