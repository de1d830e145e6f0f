"""The one base for tasks that retry: Celery retries the transient errors a task names, with
capped, jittered exponential backoff; when the last try fails, `record_failure` turns it into
row state for people to see (a failed PDF, an invitation not sent).

    @shared_task(base=RetryingTask, autoretry_for=TRANSIENT_EMAIL_ERRORS,
                 record_failure="accounts.services.record_invitation_failure")
    def send_invitation_email_task(*, invitation_id): ...

A task's queue is named where it is sent; a retry goes back to the queue it came from.
"""

from __future__ import annotations

import logging
import smtplib

from celery.contrib.django.task import DjangoTask
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# SMTP and network failures are worth retrying; anything else is a bug to surface.
TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


class RetryLater(Exception):
    """Raised by a task whose service asked to be tried again later (the row says why)."""


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
