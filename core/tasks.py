"""The one base for tasks that retry: Celery retries the transient errors a task names, with
capped, jittered exponential backoff; when the last try fails, `record_failure` turns it into
row state for people to see (a failed PDF, an invitation not sent).

    @shared_task(base=RetryingTask, autoretry_for=TRANSIENT_EMAIL_ERRORS,
                 record_failure="accounts.services.record_invitation_failure")
    def send_invitation_email_task(*, invitation_id): ...

A task's queue is named where it is sent; a retry goes back to the queue it came from.

Tasks sent through the outbox (core.outbox) carry their row's id in the `outbox_id` header:
the row is marked done when the task has finished (succeeded, or failed for good and
recorded it), and a task that finds its work held by another worker defers the row instead.
"""

from __future__ import annotations

import datetime
import logging
import smtplib

from celery import shared_task, states
from celery.contrib.django.task import DjangoTask
from celery.exceptions import Ignore
from django.utils.module_loading import import_string

from core import leases, outbox

logger = logging.getLogger(__name__)

# SMTP and network failures are worth retrying; anything else is a bug to surface.
TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


class RetryingTask(DjangoTask):  # DjangoTask: apply_async_on_commit and friends
    autoretry_for: tuple[type[BaseException], ...] = ()
    max_retries = 5
    retry_backoff = 5  # seconds before the first retry, doubled each time ...
    retry_backoff_max = 300  # ... up to five minutes
    retry_jitter = True  # a random part, so retries after an outage do not all arrive at once

    # The dotted path of a function called as f(error=str, **task_kwargs) when the task fails
    # for good. A path, not the function: services enqueue tasks, so tasks.py may not read
    # their attributes while the two modules load.
    record_failure: str = ""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        logger.error("%s %s failed for good: %r", self.name, kwargs, exc)
        if self.record_failure:
            import_string(self.record_failure)(error=str(exc) or repr(exc), **kwargs)

    @property
    def outbox_id(self) -> int | None:
        headers = self.request.headers or {}
        value = headers.get("outbox_id", getattr(self.request, "outbox_id", None))
        return int(value) if isinstance(value, str) and value.isdigit() else None

    def before_start(self, task_id, args, kwargs) -> None:
        # Started: if this worker dies, the relay sends the message again once a lease has
        # passed (leases.renewing keeps pushing that back while the work goes on).
        outbox.running_message.set(self.outbox_id)
        if self.outbox_id is not None:
            outbox.defer(self.outbox_id, until=leases.lease_end())

    def after_return(self, status, retval, task_id, args, kwargs, einfo) -> None:
        # Not on RETRY (Celery does not call this then): the retry message carries the header.
        if status in (states.SUCCESS, states.FAILURE) and self.outbox_id is not None:
            outbox.mark_done(self.outbox_id)

    def defer(self, busy: outbox.Busy):
        """Another worker holds the row: leave this message, have the relay send it again
        once the lease ends (a dead worker's row is taken over then)."""
        if self.outbox_id is not None:
            outbox.defer(self.outbox_id, until=busy.until)
        logger.info("%s %s: %s; deferred", self.name, self.request.kwargs, busy)
        raise Ignore()


# Finished messages are kept a week to look into what happened, then deleted.
DONE_KEPT = datetime.timedelta(days=7)


@shared_task
def relay_outbox_task() -> None:
    outbox.relay()


@shared_task
def purge_outbox_task() -> None:
    outbox.purge_done(older_than=DONE_KEPT)
