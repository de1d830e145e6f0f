from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Program documents (PDF)")

    def ready(self) -> None:
        # Receivers import models, which are not ready before this point.
        from documents import receivers  # noqa: F401, PLC0415
