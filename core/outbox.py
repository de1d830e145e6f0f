"""The outbox (DESIGN §9): every background effect is a row written in the same transaction
as the change that causes it; the broker only rings the bell.

- `add` writes the row; right after the commit the message is sent (a broker error is
  logged, never raised: the request answers what it did, and the relay sends it later).
- `relay` (beat, every few seconds) sends the open rows whose `relay_after` has passed:
  those whose first send failed, whose message was lost with a worker or a flushed Redis,
  and those a task deferred (a retry with backoff, a row another worker holds).
- The task marks its row done when it has finished (`core.tasks.RetryingTask`); the row's
  id travels in the message's `outbox_id` header.

Kept here rather than taken from a library: the Django/Celery outbox packages publish from a
separate relay daemon and forget a row once the broker took it, while DESIGN §9 wants the
row kept until the task has done its work, so a message lost after the broker accepted it
is sent again.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from contextvars import ContextVar

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

RELAY_BATCH = 500
RELAY_MAX_BATCHES = 20

# The message the running task came from (set by core.tasks.RetryingTask when it starts), so
# a lease renewed while it works keeps the message's `relay_after` just past the lease.
running_message: ContextVar[int | None] = ContextVar("running_message", default=None)


class Busy(Exception):
    """Another worker holds the row's lease until `until`: try again after it."""

    def __init__(self, until: datetime.datetime) -> None:
        super().__init__(f"held until {until.isoformat()}")
        self.until = until


def resend_after() -> datetime.timedelta:
    """How long a sent message may take to be done before the relay sends it again."""
    return datetime.timedelta(seconds=settings.OUTBOX_RESEND_SECONDS)


def _task_name(task) -> str:
    return task if isinstance(task, str) else task.name


def add(
    task,
    *,
    kwargs: dict,
    queue: str,
    not_before: datetime.datetime | None = None,
) -> OutboxMessage:
    """Write one message; it is sent once the current transaction commits (at once outside
    one), or by the relay from `not_before` on."""
    return add_many(task, kwargs_list=[kwargs], queue=queue, not_before=not_before)[0]


def add_many(
    task,
    *,
    kwargs_list: Sequence[dict],
    queue: str,
    not_before: datetime.datetime | None = None,
) -> list[OutboxMessage]:
    """Write one message per kwargs (one INSERT), sent after commit like `add`."""
    now = timezone.now()
    name = _task_name(task)
    messages = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                task=name,
                kwargs=kwargs,
                queue=queue,
                created_at=now,
                relay_after=not_before or now + resend_after(),
            )
            for kwargs in kwargs_list
        ]
    )
    if not_before is None and messages:
        transaction.on_commit(lambda: _send(messages))
    return messages


def _send(messages: Iterable[OutboxMessage]) -> int:
    """Hand each message to the broker; the first broker error leaves the rest to the relay
    (at its next run), so a request pays for one failed attempt, not one per message."""
    sent = 0
    pending = list(messages)
    for index, message in enumerate(pending):
        task = current_app.tasks[message.task]
        try:
            task.apply_async(
                kwargs=message.kwargs, queue=message.queue, headers={"outbox_id": str(message.pk)}
            )
        except Exception as error:
            if current_app.conf.task_always_eager:
                raise  # inline tasks (tests, embedded mode): the task's own error, not the broker's
            logger.warning(
                "outbox: could not send %s (%s more waiting); the relay will: %r",
                message,
                len(pending) - index - 1,
                error,
            )
            _leave_to_relay([m.pk for m in pending[index:]], error)
            break
        sent += 1
    return sent


def _leave_to_relay(ids: list[int], error: BaseException) -> None:
    try:
        OutboxMessage.objects.filter(pk__in=ids, done_at=None).update(
            relay_after=timezone.now(), last_error=repr(error)[:1000]
        )
    except Exception:  # the database is down too: the rows' relay_after is near anyway
        logger.exception("outbox: could not mark %s for the relay", ids)


def relay(*, now: datetime.datetime | None = None) -> int:
    """Send the open messages whose time has come, in bounded batches; returns how many.

    Each batch is taken with SKIP LOCKED and pushed `resend_after()` ahead before it is sent,
    so two relays never send one message at once and a message on its way is not doubled.
    """
    now = now or timezone.now()
    total = 0
    for _ in range(RELAY_MAX_BATCHES):
        with transaction.atomic():
            due = list(
                OutboxMessage.objects.filter(done_at=None, relay_after__lte=now)
                .order_by("relay_after")
                .select_for_update(skip_locked=True)[:RELAY_BATCH]
            )
            OutboxMessage.objects.filter(pk__in=[m.pk for m in due]).update(
                relay_after=now + resend_after(), sends=F("sends") + 1
            )
        if not due:
            break
        sent = _send(due)
        total += sent
        if sent < len(due) or len(due) < RELAY_BATCH:
            break
    if total:
        logger.info("outbox: relayed %s messages", total)
    return total


def mark_done(outbox_id: int) -> None:
    OutboxMessage.objects.filter(pk=outbox_id, done_at=None).update(done_at=timezone.now())


def defer(outbox_id: int, *, until: datetime.datetime) -> None:
    """The task could not do its work now (another worker holds the row): send it again
    from `until` on."""
    OutboxMessage.objects.filter(pk=outbox_id, done_at=None).update(relay_after=until)


def purge_done(*, older_than: datetime.timedelta, now: datetime.datetime | None = None) -> int:
    """Delete finished messages older than `older_than`; returns how many."""
    now = now or timezone.now()
    deleted, _ = OutboxMessage.objects.filter(done_at__lt=now - older_than).delete()
    return deleted
