from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import INVALID, NOT_FOUND, DomainError, ErrorSerializer
from core.i18n import localise
from documents import selectors, services, views
from documents.serializers import DocumentRequestSerializer, ProgramDocumentSerializer

LARGE_PRINT = OpenApiParameter(
    "large_print", OpenApiTypes.BOOL, description="The large-print document (default: standard)."
)


class RevisionDocumentView(APIView):
    """The PDF of one revision: ask for it (202), then poll its status and signed link."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[LARGE_PRINT],
        responses={200: ProgramDocumentSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def get(self, request, plan_id: int, number: int):
        revision = selectors.get_visible_revision(request.user, plan_id=plan_id, number=number)
        query = DocumentRequestSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        document = services.document_of(revision, large_print=query.validated_data["large_print"])
        if document is None:
            raise Http404("No document yet: POST to create it.")
        return Response(ProgramDocumentSerializer(document, context={"request": request}).data)

    @extend_schema(
        request=DocumentRequestSerializer,
        responses={202: ProgramDocumentSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def post(self, request, plan_id: int, number: int):
        revision = selectors.get_visible_revision(request.user, plan_id=plan_id, number=number)
        body = DocumentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        document = services.request_program_pdf(
            revision=revision, large_print=body.validated_data["large_print"]
        )
        data = ProgramDocumentSerializer(document, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED)


class DocumentDownloadView(APIView):
    """The PDF file: for its owner (authenticated) or with a signed link (`?token=`)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("token", OpenApiTypes.STR, description="Signed link.")],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer,
                description="`safety_concern_open`: the patient's plan is on hold (not for "
                "their physios).",
            ),
        },
    )
    def get(self, request, pk: int):
        token = request.query_params.get("token")
        try:
            if token:
                document = selectors.get_document_by_link(token, pk)
            elif request.user.is_authenticated:
                document = selectors.get_document_for(request.user, pk)
            else:
                raise Http404("No such document.")
        except selectors.OnHold as on_hold:
            raise DomainError(
                localise(on_hold.state.headline), code="safety_concern_open", status_code=409
            ) from on_hold
        return views.file_response(document)
