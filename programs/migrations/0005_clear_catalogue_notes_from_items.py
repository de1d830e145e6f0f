# Issue #14 item 6: the planner used to copy an exercise's catalogue notes (meant for the
# physio, e.g. "Settle phase: gentle 10-20 s holds; later phases: 20-30 s") into an item's
# `notes`, which patients read as "From your physio". An item's notes are now only what the
# physio writes, so the copies are cleared. Published revisions stay as they were frozen.

from django.db import migrations
from django.db.models import F


def clear_copied_catalogue_notes(apps, schema_editor):
    Prescription = apps.get_model("programs", "Prescription")
    Prescription.objects.exclude(notes="").filter(notes=F("exercise__physio_notes")).update(
        notes=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0004_safety_concern"),
        ("exercises", "0003_physio_and_patient_notes"),
    ]

    operations = [
        migrations.RunPython(clear_copied_catalogue_notes, migrations.RunPython.noop),
    ]
