"""Thin Celery tasks: each loads by id and calls one service (STYLE.md, Celery)."""

import logging
from typing import TypedDict

from celery import shared_task
from celery.contrib.django.task import DjangoTask

from core.tasks import RetryingTask, RetryLater
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


# Backoff: about 10, 20, 40, 80, 160 s, then capped at 300 (below PENDING_TIMEOUT).
FIRST_RETRY_DELAY = 10


@shared_task(acks_late=True, soft_time_limit=50, time_limit=55)
def dispatch_due_reminders_task() -> None:
    result = services.dispatch_due_reminders()
    logger.info(
        "reminders: %s schedules due, %s queued, %s skipped",
        result.schedules,
        len(result.queued),
        result.skipped,
    )


# The retry cap lives in the row (attempts, MAX_ATTEMPTS); max_retries is a backstop, and a
# row left pending is found again by the sweep.
@shared_task(
    base=RetryingTask,
    autoretry_for=(RetryLater,),
    max_retries=10,
    retry_backoff=FIRST_RETRY_DELAY,
    acks_late=True,
    **SEND_TIME_LIMITS,
)
def send_reminder_task(*, delivery_id: int) -> None:
    if services.send_reminder(delivery_id=delivery_id) == "retry":
        raise RetryLater(f"delivery {delivery_id}")


# DjangoTask is what Celery's Django fixup makes every task; named here for its
# apply_async_on_commit (reminders.services._enqueue).
@shared_task(base=DjangoTask, acks_late=True, **SEND_TIME_LIMITS)
def send_reminders_batch_task(*, delivery_ids: list[int]) -> None:
    outcomes = services.send_reminders_batch(delivery_ids=delivery_ids)
    for delivery_id, outcome in outcomes.items():
        if outcome == "retry":
            send_reminder_task.apply_async(
                kwargs={"delivery_id": delivery_id}, countdown=FIRST_RETRY_DELAY, queue=QUEUE
            )


@shared_task(acks_late=True, soft_time_limit=50, time_limit=55)
def sweep_stuck_deliveries_task() -> None:
    requeued = services.sweep_stuck_deliveries()
    if requeued:
        logger.warning("reminders: re-enqueued %s stuck deliveries", len(requeued))
