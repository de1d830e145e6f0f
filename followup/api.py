from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from accounts.permissions import IsPatient, get_own_patient_or_404
from core.api import INVALID, NOT_FOUND, NOT_FOUND_OR_NO_PAGE, DomainError, ErrorSerializer
from followup import selectors, services
from followup.models import CheckIn
from followup.serializers import (
    CheckInInputSerializer,
    CheckInResultSerializer,
    CheckInSerializer,
)
from programs.selectors import current_revision


class MyCheckInsView(ListAPIView):
    """The patient's own check-ins (latest first); POST checks in and runs the rules at once:
    the answer carries the advice to show (emergency, urgent, worse, or the zone advice)."""

    permission_classes = [IsPatient]
    serializer_class = CheckInSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no patient
            return CheckIn.objects.none()
        return selectors.own_check_ins(self.request.user)

    @extend_schema(responses={200: CheckInSerializer(many=True), 404: NOT_FOUND_OR_NO_PAGE})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=CheckInInputSerializer,
        responses={
            201: CheckInResultSerializer,
            200: OpenApiResponse(
                CheckInResultSerializer,
                description="A repeat: the same `client_token`, or the same answers within "
                "two minutes. The earlier check-in, as it was answered; nothing is done again.",
            ),
            400: INVALID,
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer,
                description="`no_plan`: nothing published yet. `client_token_reused`: the "
                "token of an earlier check-in with other answers.",
            ),
        },
    )
    def post(self, request):
        patient = get_own_patient_or_404(request.user)
        revision = current_revision(patient)
        if revision is None:
            error = services.NoPlanToCheckIn()
            raise DomainError(error.message, code="no_plan")
        serializer = CheckInInputSerializer(
            data=request.data, context={"questions": services.warning_questions(revision.plan)}
        )
        serializer.is_valid(raise_exception=True)
        try:
            check_in, outcome = services.record_check_in(
                patient=patient,
                source=CheckIn.Source.API,
                actor=request.user,
                **serializer.validated_data,
            )
        except (services.NoPlanToCheckIn, services.ClientTokenReused) as error:
            raise DomainError(error.message, code=error.code) from error
        told = services.told_after(check_in)
        check_in.advice = [
            {
                "rule_id": t.rule_id,
                "severity": t.severity.value,
                "patient_message": t.patient_message,
            }
            for t in told.told
        ]
        check_in.zone_advice = told.zone_advice
        is_repeat = outcome is None
        return Response(
            CheckInResultSerializer(check_in).data,
            status=status.HTTP_200_OK if is_repeat else status.HTTP_201_CREATED,
        )
