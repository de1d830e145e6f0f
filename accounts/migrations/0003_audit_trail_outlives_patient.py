import django.db.models.deletion
from django.db import migrations, models


def label(pk, first_name, last_name):
    """As accounts.models.patient_label wrote it when this migration was made."""
    initial = f"{first_name.strip()[:1]}. " if first_name.strip() else ""
    name = f"{initial}{last_name.strip()}".strip()
    return f"Patient #{pk} ({name})" if name else f"Patient #{pk}"


def label_existing_events(apps, schema_editor):
    """Events written before this migration name their patient too (one update per patient)."""
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    Patient = apps.get_model("accounts", "Patient")
    patients = Patient.objects.filter(
        pk__in=AuditEvent.objects.filter(patient_label="").values("patient_id")
    ).values_list("pk", "first_name", "last_name")
    for pk, first_name, last_name in patients.iterator(chunk_size=500):
        AuditEvent.objects.filter(patient_id=pk, patient_label="").update(
            patient_label=label(pk, first_name, last_name)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_invitation_email_and_replaced"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="patient_label",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="patient",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="audit_events",
                to="accounts.patient",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["patient", "-at"], name="audit_patient_latest"),
        ),
        # Last: on PostgreSQL no ALTER TABLE may follow an update of the same table in one
        # transaction (pending trigger events).
        migrations.RunPython(label_existing_events, migrations.RunPython.noop, elidable=True),
    ]
