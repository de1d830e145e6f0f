from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminder emails")

    def ready(self) -> None:
        # Receivers import models, which are not ready before this point.
        from reminders import receivers  # noqa: F401, PLC0415
