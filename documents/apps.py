from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Program documents (PDF)"

    def ready(self) -> None:
        # Receivers import models, which are not ready before this point.
        from documents import receivers  # noqa: F401, PLC0415
