"""Reminder schedules (one per patient) and deliveries (one row per patient and slot)."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_timezone
from reminders import slots


def validate_weekdays(value) -> None:
    if not isinstance(value, list) or any(
        not isinstance(day, int) or isinstance(day, bool) or day not in slots.WEEKDAYS
        for day in value
    ):
        raise ValidationError(_("Weekdays are numbers from 0 (Monday) to 6 (Sunday)."))


class ReminderSchedule(models.Model):
    """When one patient gets reminder emails, in their own time zone.

    `next_slot_at` is the next due instant in UTC, kept in step by the services whenever the
    schedule changes or a slot is dispatched, so the dispatcher finds due schedules with one
    indexed range query instead of doing time-zone arithmetic for every patient.
    """

    patient = models.OneToOneField(
        "accounts.Patient", on_delete=models.CASCADE, related_name="reminder_schedule"
    )
    # The unsubscribe link carries this, signed, instead of a guessable patient id.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    is_enabled = models.BooleanField(default=True)
    weekdays = models.JSONField(default=list, validators=[validate_weekdays])
    local_time = models.TimeField(default=datetime.time(8, 0))
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    paused_reason = models.CharField(
        max_length=200, blank=True, help_text=_("Set when reminders stop, e.g. ESC-WORSE.")
    )
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    next_slot_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The dispatcher's query: due, sendable schedules in next-slot order.
            models.Index(
                fields=["next_slot_at"],
                name="reminder_schedule_due",
                condition=Q(is_enabled=True, unsubscribed_at__isnull=True, paused_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Reminders for {self.patient}"

    @property
    def is_subscribed(self) -> bool:
        return self.unsubscribed_at is None

    @property
    def is_sending(self) -> bool:
        return self.is_enabled and self.is_subscribed and not self.paused_reason

    @property
    def weekday_names(self) -> list[str]:
        """The days, named in the active language (Django's weekday names, 0 = Monday)."""
        return [str(WEEKDAYS[day]) for day in sorted(self.weekdays)]

    def as_slot_schedule(self) -> slots.Schedule:
        return slots.Schedule(
            weekdays=frozenset(self.weekdays), local_time=self.local_time, timezone=self.timezone
        )


class ReminderDelivery(models.Model):
    """One reminder for one patient and slot. The unique row is what makes it go out once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    patient = models.ForeignKey(
        "accounts.Patient", on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    slot_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # No run may claim the row before this: while `sending`, the worker's lease (renewed as
    # it works; past it the worker is gone); while `pending`, the next attempt after a
    # transient failure.
    locked_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    # Which dispatcher run inserted the row: only that run enqueues it.
    dispatch_run = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-slot_at"]
        verbose_name_plural = _("reminder deliveries")
        constraints = [
            models.UniqueConstraint(fields=["patient", "slot_at"], name="one_delivery_per_slot"),
        ]
        indexes = [
            # The sweeper's query: rows left in flight.
            models.Index(
                fields=["status", "claimed_at"],
                name="reminder_delivery_in_flight",
                condition=Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder for {self.patient_id} at {self.slot_at:%Y-%m-%d %H:%M} UTC"
