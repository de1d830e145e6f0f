"""Reads for the reminder pages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max
from django.utils import timezone

from accounts.models import Patient
from reminders.forms import ReminderScheduleForm
from reminders.models import ReminderDelivery
from reminders.services import reminder_overview

# Failed reminders stay on the dashboard this long: long enough to be seen after a weekend.
FAILURES_SHOWN_FOR = datetime.timedelta(days=7)


@dataclass(frozen=True)
class DeliveryFailures:
    """One patient's reminders not delivered lately, with the latest reason in words."""

    patient: Patient
    count: int
    last_slot_at: datetime.datetime
    reason: str


def delivery_failures(*, clinic_id: int, now: datetime.datetime | None = None):
    """The clinic's patients whose reminder emails failed in the last FAILURES_SHOWN_FOR,
    most recent first: two queries however many."""
    since = (now or timezone.now()) - FAILURES_SHOWN_FOR
    failed = ReminderDelivery.objects.filter(
        status=ReminderDelivery.Status.FAILED, slot_at__gte=since, patient__clinic_id=clinic_id
    )
    per_patient = list(
        failed.values("patient_id")
        .annotate(count=Count("id"), last_slot_at=Max("slot_at"))
        .order_by("-last_slot_at")
    )
    latest = {
        row.patient_id: row
        for row in failed.filter(
            slot_at__in=[row["last_slot_at"] for row in per_patient]
        ).select_related("patient")
    }
    return [
        DeliveryFailures(
            patient=latest[row["patient_id"]].patient,
            count=row["count"],
            last_slot_at=row["last_slot_at"],
            reason=latest[row["patient_id"]].last_error,
        )
        for row in per_patient
        if row["patient_id"] in latest
    ]


def physio_panel(patient) -> dict:
    """Everything the physio's reminder panel shows (`reminders/_physio_panel.html`)."""
    overview = reminder_overview(patient)
    overview["form"] = ReminderScheduleForm.for_schedule(
        overview["schedule"], auto_id="id_reminder_%s"
    )
    return overview
