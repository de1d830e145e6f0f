from django.apps import AppConfig


class FollowUpConfig(AppConfig):
    """The patient portal, check-ins, alerts, the physio's dashboard and the daily rules.

    The label keeps the tables and migrations of the app's old name (`checkins`)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "followup"
    label = "checkins"
    verbose_name = "Check-ins and follow-up"
