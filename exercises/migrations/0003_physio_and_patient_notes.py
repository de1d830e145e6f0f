# Issue #14 item 6: the catalogue's dosage notes were for the physio, yet reached patients.
# They keep their text as `physio_notes`; `patient_notes` is the tip a patient may read (the
# global catalogue fills both on its next load).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0002_exercise_key_per_clinic"),
    ]

    operations = [
        migrations.RenameField(
            model_name="exercise",
            old_name="dosage_notes",
            new_name="physio_notes",
        ),
        migrations.AlterField(
            model_name="exercise",
            name="physio_notes",
            field=models.CharField(
                blank=True,
                help_text="For the physio only; never shown to patients.",
                max_length=300,
            ),
        ),
        migrations.AddField(
            model_name="exercise",
            name="patient_notes",
            field=models.CharField(
                blank=True,
                help_text="A tip shown to the patient beside the exercise.",
                max_length=300,
            ),
        ),
    ]
