from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Reminder emails"

    def ready(self) -> None:
        # Receivers import models, which are not ready before this point.
        from reminders import receivers  # noqa: F401, PLC0415
