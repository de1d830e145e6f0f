"""The Celery app. Settings come from Django settings (CELERY_* names).

The periodic schedule lives in `config/schedule.py`, declared in one place.
"""

import os

from celery import Celery

from config import redis_transport

redis_transport.install()  # before any broker connection: keeps workers up through a Redis loss
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("backcare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_beat_schedule(sender, **kwargs):
    # The schedule names tasks of the apps: read once Django and the apps are set up.
    from config.schedule import BEAT_SCHEDULE  # noqa: PLC0415

    sender.conf.beat_schedule = BEAT_SCHEDULE
