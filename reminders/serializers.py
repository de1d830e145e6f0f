from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.forms import COMMON_TIMEZONES


@extend_schema_field(
    {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "example": "07:30"}
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time read as HH:MM (HH:MM:SS accepted): not OpenAPI's `time` format,
    which is an RFC 3339 time with seconds and an offset."""


class ReminderScheduleSerializer(serializers.Serializer):
    is_enabled = serializers.BooleanField()
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        allow_empty=True,
        help_text="0 = Monday … 6 = Sunday.",
    )
    local_time = LocalTimeField(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"])
    timezone = serializers.ChoiceField(choices=COMMON_TIMEZONES)
    is_subscribed = serializers.BooleanField(
        help_text="False after an unsubscribe; set true to get reminders again."
    )
    paused_reason = serializers.CharField(read_only=True)
    next_reminder_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def validate_weekdays(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("Each weekday once."))
        return sorted(value)

    def validate(self, data):
        if data.get("is_enabled") and not data.get("weekdays"):
            raise serializers.ValidationError(
                {"weekdays": _("Choose at least one day, or turn reminders off.")}
            )
        return data
