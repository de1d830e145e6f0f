"""The one periodic schedule (Celery beat). Exactly one beat process runs it.

Each entry says why it runs when it does, and sets `expires` so that a backlog after an
outage never runs stale copies: the next tick does the same work again.
"""

from celery.schedules import crontab

from documents.schedule import DOCUMENT_SCHEDULE
from followup.schedule import CHECKIN_SCHEDULE
from reminders.schedule import REMINDER_SCHEDULE

BEAT_SCHEDULE: dict[str, dict] = {
    # Django keeps expired sessions until something deletes them; nightly is enough.
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions_task",
        "schedule": crontab(hour=3, minute=17),
        "options": {"expires": 60 * 60},
    },
    **DOCUMENT_SCHEDULE,
    **REMINDER_SCHEDULE,
    **CHECKIN_SCHEDULE,
}
