from django.db.models import F
from django.http import Http404
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    quote_etag,
)
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from core.api import INVALID, NOT_FOUND, NOT_FOUND_OR_NO_PAGE, DomainError, ErrorSerializer
from exercises import services
from exercises.filters import ExerciseFilter
from exercises.selectors import (
    catalogue_etag,
    exercise_rows,
    exercises_visible_to,
    with_catalogue_versions,
)
from exercises.serializers import (
    ExerciseDetailSerializer,
    ExerciseSerializer,
    exercise_answer,
    illustration_answers,
)

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

    # --- reads: the lean path (value rows, no serializer per row) with HTTP caching ---------
    # An answer carries an ETag from the catalogue versions (exercises.models.CatalogueVersion)
    # and `Cache-Control: private, no-cache`: a client may keep it but asks again each time,
    # and a matching If-None-Match is answered 304 without reading an exercise row.
    def _answer_parts(self, *parts: object) -> tuple:
        return (*parts, sorted(self.request.query_params.lists()))

    def _not_modified(self, parts: tuple):
        if "If-None-Match" not in self.request.headers:
            return None
        etag = quote_etag(catalogue_etag(self.request.user, *parts))
        response = get_conditional_response(self.request, etag=etag)
        return None if response is None else self._cacheable(response, etag)

    @staticmethod
    def _cacheable(response, etag: str):
        response["ETag"] = etag
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ("Authorization", "Cookie"))
        return response

    def _rows(self, *, detail: bool = False):
        rows = exercise_rows(self.filter_queryset(self.get_queryset()), detail=detail)
        return with_catalogue_versions(rows, self.request.user)

    def list(self, request, *args, **kwargs):
        parts = self._answer_parts("list")
        not_modified = self._not_modified(parts)
        if not_modified is not None:
            return not_modified
        rows = self.paginator.paginate_rows(self._rows(), request)
        if rows is None:  # `?page=last`: the serializer path counts first
            response = super().list(request, *args, **kwargs)
            return self._cacheable(response, quote_etag(catalogue_etag(request.user, *parts)))
        etag = catalogue_etag(request.user, *parts, row=rows[0] if rows else None)
        response = self.paginator.get_rows_response([exercise_answer(row) for row in rows])
        return self._cacheable(response, quote_etag(etag))

    def retrieve(self, request, *args, **kwargs):
        key = self.kwargs[self.lookup_field]
        parts = self._answer_parts("detail", key)
        not_modified = self._not_modified(parts)
        if not_modified is not None:
            return not_modified
        # See get_object: a key that names two visible exercises (staff) names none.
        matches = list(self._rows(detail=True).filter(key=key)[:2])
        if len(matches) != 1:
            raise Http404("No such exercise.")
        row = matches[0]
        answer = exercise_answer(row)
        answer["illustrations"] = illustration_answers(row, row["id"], request)
        etag = catalogue_etag(request.user, *parts, row=row)
        return self._cacheable(Response(answer), quote_etag(etag))

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
                _("Global catalogue exercises cannot be changed here."),
                code="read_only",
                status_code=403,
            )
        serializer = self.get_serializer(
            exercise, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        exercise = services.update_clinic_exercise(exercise=exercise, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=exercise.pk)).data)
