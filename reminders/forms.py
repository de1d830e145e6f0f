from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from accounts.forms import COMMON_TIMEZONES


class ReminderScheduleForm(forms.Form):
    """When reminders arrive. Used by the patient (settings page) and the physio (panel)."""

    is_enabled = forms.BooleanField(label=_("Send me reminder emails"), required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On these days"),
        # Django's weekday names (0 = Monday), in the active language.
        choices=sorted(WEEKDAYS.items()),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    local_time = forms.TimeField(
        label=_("At this time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"), choices=[(name, name) for name in COMMON_TIMEZONES]
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("is_enabled") and not cleaned.get("weekdays"):
            self.add_error("weekdays", _("Choose at least one day, or turn reminders off."))
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
