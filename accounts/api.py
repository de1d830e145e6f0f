from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.models import AuditEvent
from accounts.permissions import IsPhysiotherapist, patients_visible_to
from accounts.serializers import PatientSerializer, TokenRequestSerializer, TokenSerializer
from core.api import INVALID, NOT_FOUND, NOT_FOUND_OR_NO_PAGE, THROTTLED, ScopedRateThrottle


class TokenView(APIView):
    """Exchange email and password for an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: INVALID, 429: THROTTLED},
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


@extend_schema_view(
    list=extend_schema(responses={200: PatientSerializer(many=True), 404: NOT_FOUND_OR_NO_PAGE}),
    create=extend_schema(responses={201: PatientSerializer, 400: INVALID, 404: NOT_FOUND}),
    retrieve=extend_schema(responses={200: PatientSerializer, 404: NOT_FOUND}),
    update=extend_schema(responses={200: PatientSerializer, 400: INVALID, 404: NOT_FOUND}),
    partial_update=extend_schema(responses={200: PatientSerializer, 400: INVALID, 404: NOT_FOUND}),
)
class PatientViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Patients of the physiotherapist's clinic. Creating one sends an invitation email."""

    serializer_class = PatientSerializer
    permission_classes = [IsPhysiotherapist]

    def get_queryset(self):
        return patients_visible_to(self.request.user).order_by("last_name", "first_name", "id")

    def retrieve(self, request, *args, **kwargs):
        patient = self.get_object()
        services.record_audit(actor=request.user, patient=patient, action=AuditEvent.Action.VIEW)
        return Response(self.get_serializer(patient).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        patient = services.invite_patient(
            physio=request.user.physiotherapist, **serializer.validated_data
        )
        return Response(self.get_serializer(patient).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        patient = self.get_object()
        serializer = self.get_serializer(
            patient, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        patient = services.update_patient(
            patient=patient, by=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(patient).data)
