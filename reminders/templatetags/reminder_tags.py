from django import template

from reminders import services
from reminders.forms import ReminderScheduleForm

register = template.Library()


@register.simple_tag
def reminder_panel(patient) -> dict:
    """Everything the physio's reminder panel shows, so the panel is a plain include."""
    overview = services.reminder_overview(patient)
    overview["form"] = ReminderScheduleForm.for_schedule(
        overview["schedule"], auto_id="id_reminder_%s"
    )
    return overview
