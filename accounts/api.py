from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from knox.models import AuthToken
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.permissions import IsPhysiotherapist, patients_visible_to
from accounts.serializers import (
    ApiSessionSerializer,
    PatientSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
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
        instance, token = services.issue_api_token(user=serializer.validated_data["user"])
        return Response(TokenSerializer({"token": token, "expiry": instance.expiry}).data)


class LogoutView(APIView):
    """End the API token of this request (the others stay)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            services.end_api_session(user=request.user, token_key=request.auth.token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """End every API token of the user."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        services.end_all_api_sessions(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiSessionListView(APIView):
    """The user's own API tokens that are still valid, newest first."""

    @extend_schema(responses={200: ApiSessionSerializer(many=True)})
    def get(self, request):
        context = {"current": request.auth if isinstance(request.auth, AuthToken) else None}
        sessions = services.api_sessions(request.user)
        return Response(ApiSessionSerializer(sessions, many=True, context=context).data)


class ApiSessionView(APIView):
    """Revoke one of the user's own API tokens by its `token_key`."""

    @extend_schema(responses={204: None, 404: NOT_FOUND})
    def delete(self, request, token_key: str):
        if not services.end_api_session(user=request.user, token_key=token_key):
            raise Http404("No such session.")
        return Response(status=status.HTTP_204_NO_CONTENT)


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
        patient = selectors.get_patient_for(request.user, kwargs["pk"])
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
