from django.db.models import F
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from core.api import INVALID, NOT_FOUND, NOT_FOUND_OR_NO_PAGE, DomainError, ErrorSerializer
from exercises import services
from exercises.filters import ExerciseFilter
from exercises.selectors import exercises_visible_to
from exercises.serializers import ExerciseDetailSerializer, ExerciseSerializer

READ_ONLY = OpenApiResponse(
    ErrorSerializer, description="`read_only`: global catalogue exercises cannot be changed."
)
CHANGE = {200: ExerciseSerializer, 400: INVALID, 403: READ_ONLY, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(
        responses={200: ExerciseSerializer(many=True), 400: INVALID, 404: NOT_FOUND_OR_NO_PAGE}
    ),
    retrieve=extend_schema(responses={200: ExerciseDetailSerializer, 404: NOT_FOUND}),
    create=extend_schema(responses={201: ExerciseSerializer, 400: INVALID, 404: NOT_FOUND}),
    update=extend_schema(responses=CHANGE),
    partial_update=extend_schema(responses=CHANGE),
)
class ExerciseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The exercise catalogue. Physios may add and change their clinic's private exercises."""

    serializer_class = ExerciseSerializer
    filterset_class = ExerciseFilter
    lookup_field = "key"

    def get_queryset(self):
        return (
            exercises_visible_to(self.request.user)
            .annotate(progression_key=F("progression__key"), regression_key=F("regression__key"))
            .order_by("key", "id")
        )

    def get_object(self):
        """The one visible exercise with this key.

        Keys are unique per clinic, and a physio or patient sees one clinic's exercises, so
        for them a key names at most one. Staff see every clinic's: a key two clinics both
        use privately names no single exercise, so it answers 404 (staff read such rows in
        the list, or in the admin) rather than picking one.
        """
        queryset = self.filter_queryset(self.get_queryset())
        matches = list(queryset.filter(key=self.kwargs[self.lookup_field])[:2])
        if len(matches) != 1:
            raise Http404("No such exercise.")
        self.check_object_permissions(self.request, matches[0])
        return matches[0]

    def get_serializer_class(self):
        return ExerciseDetailSerializer if self.action == "retrieve" else ExerciseSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action in ("create", "update", "partial_update"):
            context["visible_exercises"] = exercises_visible_to(self.request.user)
        return context

    def filter_queryset(self, queryset):
        # Building a FilterSet costs more than the query itself: skip it when nothing filters.
        if not set(self.request.query_params) - {"page", "page_size"}:
            return queryset
        return super().filter_queryset(queryset)

    def _physio(self):
        physio = getattr(self.request.user, "physiotherapist", None)
        if physio is None:
            raise Http404
        return physio

    def create(self, request, *args, **kwargs):
        physio = self._physio()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        exercise = services.create_clinic_exercise(
            clinic=physio.clinic, by=request.user, **serializer.validated_data
        )
        exercise = self.get_queryset().get(pk=exercise.pk)
        return Response(self.get_serializer(exercise).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        physio = self._physio()
        exercise = self.get_object()
        if exercise.clinic_id != physio.clinic_id:
            raise DomainError(
                "Global catalogue exercises cannot be changed here.",
                code="read_only",
                status_code=403,
            )
        serializer = self.get_serializer(
            exercise, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        exercise = services.update_clinic_exercise(exercise=exercise, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=exercise.pk)).data)
