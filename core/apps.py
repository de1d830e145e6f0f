from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core: the outbox of background work"
    default_auto_field = "django.db.models.BigAutoField"
