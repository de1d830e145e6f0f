"""Thin Celery tasks: each loads by id and calls one service (STYLE.md, Celery)."""

import logging

from celery import shared_task

from checkins import services

logger = logging.getLogger(__name__)

EMAIL_QUEUE = "email"


@shared_task(bind=True, acks_late=True, max_retries=5, soft_time_limit=30, time_limit=45)
def send_alert_email_task(self, *, alert_id: int) -> None:
    try:
        services.send_alert_email(alert_id=alert_id)
    except OSError as error:  # SMTP down: try again with backoff, then leave it on the dashboard
        raise self.retry(countdown=min(600, 30 * 2**self.request.retries), exc=error) from error


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def run_daily_rules_task() -> None:
    raised = services.run_daily_rules()
    logger.info("follow-up: %s alerts raised by the daily rules", len(raised))
