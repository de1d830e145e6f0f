"""Issue #14 item 6: the migration clears an item's notes that were the catalogue's physio
notes copied by the planner, and keeps what a physio wrote."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from programs.models import Prescription
from tests.documents.conftest import make_plan

migration = importlib.import_module("programs.migrations.0005_clear_catalogue_notes_from_items")


@pytest.mark.django_db
def test_copied_catalogue_notes_are_cleared_and_the_physios_words_kept(patient_a1, catalogue):
    plan = make_plan(patient_a1)
    noted = [
        p
        for p in Prescription.objects.filter(phase__plan=plan).select_related("exercise")
        if p.exercise.physio_notes
    ]
    copied, written = noted[0], noted[1]
    Prescription.objects.filter(pk=copied.pk).update(notes=copied.exercise.physio_notes)
    Prescription.objects.filter(pk=written.pk).update(notes="Keep the knee soft.")

    migration.clear_copied_catalogue_notes(apps, None)

    assert Prescription.objects.get(pk=copied.pk).notes == ""
    assert Prescription.objects.get(pk=written.pk).notes == "Keep the knee soft."
