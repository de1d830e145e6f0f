from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.utils import timezone


def sent_to_the_patients_address(apps, schema_editor):
    """Invitations made before this migration went to the patient's address of the time (the
    current one is the best record there is); all but each patient's latest are replaced, as
    sending a new invitation does from now on."""
    Invitation = apps.get_model("accounts", "Invitation")
    Patient = apps.get_model("accounts", "Patient")
    Invitation.objects.update(
        email=Subquery(Patient.objects.filter(pk=OuterRef("patient_id")).values("email")[:1])
    )
    latest = Invitation.objects.filter(patient_id=OuterRef("patient_id")).order_by("-pk")
    Invitation.objects.filter(accepted_at=None).exclude(
        pk=Subquery(latest.values("pk")[:1])
    ).update(replaced_at=timezone.now())


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
