from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPatient, get_own_patient_or_404
from core.api import INVALID, NOT_FOUND
from reminders import services
from reminders.serializers import ReminderScheduleSerializer


def _representation(patient) -> dict:
    overview = services.reminder_overview(patient)
    schedule = overview["schedule"]
    return ReminderScheduleSerializer(
        {
            "is_enabled": schedule.is_enabled,
            "weekdays": schedule.weekdays,
            "local_time": schedule.local_time,
            "timezone": schedule.timezone,
            "is_subscribed": schedule.is_subscribed,
            "paused_reason": schedule.paused_reason,
            "next_reminder_at": overview["next_at"],
        }
    ).data


class MyRemindersView(APIView):
    """The patient's own reminder schedule."""

    permission_classes = [IsPatient]

    @extend_schema(responses={200: ReminderScheduleSerializer, 404: NOT_FOUND})
    def get(self, request):
        return Response(_representation(get_own_patient_or_404(request.user)))

    @extend_schema(
        request=ReminderScheduleSerializer,
        responses={200: ReminderScheduleSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def put(self, request):
        patient = get_own_patient_or_404(request.user)
        serializer = ReminderScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.update_schedule(patient=patient, by=request.user, **serializer.validated_data)
        return Response(_representation(patient))
