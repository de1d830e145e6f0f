"""The outbox: one row per background effect that must follow a commit (DESIGN §9)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """A Celery task to run, written in the same transaction as the change that needs it.

    The broker is only the doorbell: the row stays open until the task has done its effect
    (or given up for good, which the task records on its own row), and the relay sends it
    again whenever `relay_after` has passed. Tasks may therefore run twice; each claims its own
    row (document, delivery, alert, invitation) with a conditional update, so the effect
    happens once.
    """

    task = models.CharField(max_length=200)  # the Celery task's registered name
    kwargs = models.JSONField(default=dict)
    queue = models.CharField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now)
    # When the relay may send it (again): set a little ahead at every send, so a message
    # on its way is not doubled; pushed to a later time by a task that must wait (a retry
    # with backoff, a row another worker holds a lease on).
    relay_after = models.DateTimeField(default=timezone.now)
    sends = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The relay's query: open messages whose time has come.
            models.Index(
                fields=["relay_after"], name="outbox_open", condition=Q(done_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task}({self.kwargs})"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
