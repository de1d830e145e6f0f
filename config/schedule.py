"""The one periodic schedule (Celery beat). Exactly one beat process runs it.

Each entry says why it runs when it does, and sets `expires` so that a backlog after an
outage never runs stale copies: the next tick does the same work again.
"""

import datetime

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
    # Every 10 seconds: the outbox relay sends the messages whose first send failed (broker
    # down), whose task has not finished in time (a message lost with a worker or a flushed
    # Redis), or which a task deferred (a retry's backoff, another worker's lease). One
    # indexed query when there is nothing to do; a tick past the next one is dropped.
    "relay-outbox": {
        "task": "core.tasks.relay_outbox_task",
        "schedule": datetime.timedelta(seconds=10),
        "options": {"queue": "default", "expires": 9},
    },
    # Nightly: finished outbox messages older than a week are deleted.
    "purge-outbox": {
        "task": "core.tasks.purge_outbox_task",
        "schedule": crontab(hour=3, minute=41),
        "options": {"queue": "default", "expires": 60 * 60},
    },
    **DOCUMENT_SCHEDULE,
    **REMINDER_SCHEDULE,
    **CHECKIN_SCHEDULE,
}
