from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def sent_to_the_patients_address(apps, schema_editor):
    """Invitations made before this migration went to the patient's address of the time;
    the current one is the best record there is."""
    Invitation = apps.get_model("accounts", "Invitation")
    Patient = apps.get_model("accounts", "Patient")
    Invitation.objects.update(
        email=Subquery(Patient.objects.filter(pk=OuterRef("patient_id")).values("email")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="email",
            field=models.EmailField(
                default="", help_text="The address this invitation was sent to.", max_length=254
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="invitation",
            name="replaced_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When a newer invitation or a change of the patient's email ended this one.",
                null=True,
            ),
        ),
        migrations.RunPython(sent_to_the_patients_address, migrations.RunPython.noop),
    ]
