"""Periodic work of the documents app, merged into config/schedule.py."""

from celery.schedules import crontab

DOCUMENT_SCHEDULE: dict[str, dict] = {
    # Every 5 minutes: PDFs left in `rendering` by a worker that died (past the task's hard
    # time limit) or `pending` without a queue message are enqueued again; the render claims
    # the row, so a copy that also survived does nothing. A tick stuck in the queue past the
    # next one is dropped.
    "sweep-stuck-documents": {
        "task": "documents.tasks.sweep_stuck_documents_task",
        "schedule": crontab(minute="*/5"),
        "options": {"queue": "pdf", "expires": 4 * 60},
    },
}
