from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programs: assessments and plans")

    def ready(self) -> None:
        # Receivers import models, which are not ready before this point.
        from programs import receivers  # noqa: F401, PLC0415
