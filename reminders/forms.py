from django import forms

from accounts.forms import COMMON_TIMEZONES
from reminders.models import WEEKDAY_NAMES


class ReminderScheduleForm(forms.Form):
    """When reminders arrive. Used by the patient (settings page) and the physio (panel)."""

    is_enabled = forms.BooleanField(label="Send me reminder emails", required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label="On these days",
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    local_time = forms.TimeField(
        label="At this time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    timezone = forms.ChoiceField(
        label="Time zone", choices=[(name, name) for name in COMMON_TIMEZONES]
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("is_enabled") and not cleaned.get("weekdays"):
            self.add_error("weekdays", "Choose at least one day, or turn reminders off.")
        return cleaned

    @classmethod
    def for_schedule(cls, schedule, data=None, **kwargs):
        initial = {
            "is_enabled": schedule.is_enabled,
            "weekdays": list(schedule.weekdays),
            "local_time": schedule.local_time,
            "timezone": schedule.timezone,
        }
        return cls(data, initial=initial, **kwargs)
