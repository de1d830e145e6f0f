from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowUpConfig(AppConfig):
    """The patient portal, check-ins, alerts, the physio's dashboard and the daily rules.

    The label keeps the tables and migrations of the app's old name (`checkins`)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "followup"
    label = "checkins"
    verbose_name = _("Check-ins and follow-up")
