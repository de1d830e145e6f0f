from django.db import migrations, models

from programs import revision_content


def fill_sessions_per_week(apps, schema_editor):
    """Existing revisions: derive the figures from their snapshots, as `save` now does."""
    PlanRevision = apps.get_model("programs", "PlanRevision")
    batch = []
    for revision in PlanRevision.objects.only("pk", "snapshot").iterator(chunk_size=500):
        revision.sessions_per_week = revision_content.sessions_per_week_by_phase(
            revision.snapshot
        )
        batch.append(revision)
        if len(batch) == 500:
            PlanRevision.objects.bulk_update(batch, ["sessions_per_week"])
            batch = []
    PlanRevision.objects.bulk_update(batch, ["sessions_per_week"])


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0008_start_back_response"),
    ]

    operations = [
        migrations.AddField(
            model_name="planrevision",
            name="sessions_per_week",
            field=models.JSONField(default=dict, editable=False),
        ),
        migrations.RunPython(fill_sessions_per_week, migrations.RunPython.noop, elidable=True),
    ]
