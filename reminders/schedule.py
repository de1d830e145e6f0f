"""Periodic work of the reminders app, merged into config/schedule.py."""

from celery.schedules import crontab

REMINDER_SCHEDULE: dict[str, dict] = {
    # Every minute: reminders are promised at the patient's chosen minute. A tick that waits
    # in the queue past the next one is dropped (expires); the next tick does the same work.
    "dispatch-due-reminders": {
        "task": "reminders.tasks.dispatch_due_reminders_task",
        "schedule": crontab(),
        "options": {"queue": "email", "expires": 55},
    },
    # Every 2 minutes: rows left in `sending` by a lost worker, or `pending` with no queued
    # message, go back to the queue (services.SENDING_TIMEOUT / PENDING_TIMEOUT decide).
    "sweep-stuck-reminder-deliveries": {
        "task": "reminders.tasks.sweep_stuck_deliveries_task",
        "schedule": crontab(minute="*/2"),
        "options": {"queue": "email", "expires": 110},
    },
}
