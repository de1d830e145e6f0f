"""Reads for the reminder pages."""

from reminders.forms import ReminderScheduleForm
from reminders.services import reminder_overview


def physio_panel(patient) -> dict:
    """Everything the physio's reminder panel shows (`reminders/_physio_panel.html`)."""
    overview = reminder_overview(patient)
    overview["form"] = ReminderScheduleForm.for_schedule(
        overview["schedule"], auto_id="id_reminder_%s"
    )
    return overview
