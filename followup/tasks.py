"""Thin Celery tasks: each loads by id and calls one service (STYLE.md, Celery)."""

import logging
from typing import Any

from celery import shared_task
from django.utils.module_loading import import_string

from core.tasks import RetryingTask
from followup import services

logger = logging.getLogger(__name__)

EMAIL_QUEUE = "email"
PDF_QUEUE = "pdf"


# SMTP down: try again with backoff (up to ten minutes apart); given up, the alert stays on
# the dashboard, where it was from the start (the review, on the patient's Today).
EMAIL_TASK_OPTIONS: dict[str, Any] = {
    "base": RetryingTask,
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "acks_late": True,
    "soft_time_limit": 30,
    "time_limit": 45,
}


@shared_task(**EMAIL_TASK_OPTIONS)
def send_alert_email_task(*, alert_id: int) -> None:
    services.send_alert_email(alert_id=alert_id)


@shared_task(**EMAIL_TASK_OPTIONS)
def send_function_review_email_task(*, review_id: int) -> None:
    services.send_function_review_email(review_id=review_id)


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def run_daily_rules_task() -> None:
    raised = services.run_daily_rules()
    logger.info("follow-up: %s alerts raised by the daily rules", len(raised))


@shared_task(
    base=RetryingTask,
    autoretry_for=(OSError,),
    max_retries=4,
    retry_backoff_max=120,
    record_failure="followup.progress_report.record_report_failure",
    acks_late=True,
)  # time limits: CELERY_TASK_SOFT_TIME_LIMIT / CELERY_TASK_TIME_LIMIT (settings)
def render_progress_report_task(*, report_id: int) -> None:
    # A path, not an import: progress_report reads the selectors, which read services, which
    # enqueue these tasks while they load (as `record_failure` in core.tasks).
    import_string("followup.progress_report.render_progress_report")(report_id=report_id)
