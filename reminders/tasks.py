"""Thin Celery tasks: each loads by id and calls one service (STYLE.md, Celery)."""

import logging
from typing import TypedDict

from celery import shared_task
from django.utils import timezone

from core.outbox import Busy
from core.tasks import RetryingTask
from reminders import services

logger = logging.getLogger(__name__)

# Every task here runs on the "email" queue. The queue is named where a message is sent
# (beat options, apply_async) because the `queue` task attribute is deprecated in Celery 5.
QUEUE = "email"


class _TimeLimits(TypedDict):
    soft_time_limit: int
    time_limit: int


# Sending a batch of 50 over one connection takes seconds; these are generous ceilings.
SEND_TIME_LIMITS: _TimeLimits = {"soft_time_limit": 120, "time_limit": 150}


@shared_task(acks_late=True, soft_time_limit=50, time_limit=55)
def dispatch_due_reminders_task() -> None:
    result = services.dispatch_due_reminders()
    logger.info(
        "reminders: %s schedules due, %s queued, %s skipped",
        result.schedules,
        len(result.queued),
        result.skipped,
    )


# Sent through the outbox (reminders.services._enqueue, and a retry after its backoff). The
# retries live in the rows (services._retry_or_fail), not in Celery: a retry is an outbox
# message for its time, so a broker down at that moment loses nothing.
@shared_task(bind=True, base=RetryingTask, acks_late=True, **SEND_TIME_LIMITS)
def send_reminders_batch_task(self: RetryingTask, *, delivery_ids: list[int]) -> None:
    outcomes = services.send_reminders_batch(delivery_ids=delivery_ids)
    waiting = [pk for pk, outcome in outcomes.items() if outcome == "not_claimed"]
    # Rows another worker is sending (if it dies, this message takes them over) or whose
    # retry is not due yet: send this message again then.
    until = services.held_until(waiting, timezone.now()) if waiting else None
    if until is not None:
        self.defer(Busy(until))


@shared_task(acks_late=True, soft_time_limit=50, time_limit=55)
def sweep_stuck_deliveries_task() -> None:
    requeued = services.sweep_stuck_deliveries()
    if requeued:
        logger.warning("reminders: re-enqueued %s stuck deliveries", len(requeued))
