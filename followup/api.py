from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import (
    IsPatient,
    IsPhysiotherapist,
    get_own_patient_or_404,
    get_visible_patient,
)
from clinical.measures import (
    BOTHERSOME_ITEM,
    NPRS_MCID,
    PSFS_MAX_ACTIVITIES,
    PSFS_MCID,
    START_BACK_INTRODUCTION,
    START_BACK_ITEMS,
    START_BACK_LICENCE,
    Agreement,
    Bothersome,
)
from core.api import INVALID, NOT_FOUND, NOT_FOUND_OR_NO_PAGE, DomainError, ErrorSerializer
from core.i18n import localise
from followup import outcomes, selectors, services
from followup.models import CheckIn, FunctionReview
from followup.serializers import (
    CheckInInputSerializer,
    CheckInResultSerializer,
    CheckInSerializer,
    EpisodeMeasuresSerializer,
    FunctionReviewInputSerializer,
    MeasureDefinitionsSerializer,
    PendingReviewSerializer,
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
            raise DomainError(localise(error.message), code="no_plan")
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
            raise DomainError(localise(error.message), code=error.code) from error
        told = services.told_after(check_in)
        check_in.advice = [
            {
                "rule_id": t.rule_id,
                "severity": t.severity.value,
                "patient_message": localise(t.patient_message),
            }
            for t in told.told
        ]
        check_in.zone_advice = localise(told.zone_advice)
        is_repeat = outcome is None
        return Response(
            CheckInResultSerializer(check_in).data,
            status=status.HTTP_200_OK if is_repeat else status.HTTP_201_CREATED,
        )


# --- outcome measures (issue #18) ----------------------------------------------------------


def _definitions() -> dict:
    return {
        "start_back": {
            "introduction": localise(START_BACK_INTRODUCTION),
            "items": [
                {
                    "number": item.number,
                    "text": localise(item.text),
                    "is_distress": item.is_distress,
                    "answers": [b.value for b in Bothersome]
                    if item.number == BOTHERSOME_ITEM.number
                    else [a.value for a in Agreement],
                }
                for item in START_BACK_ITEMS
            ],
            "scoring": _(
                "Total 0-9 (items 1-8: agree = 1; item 9: very much or extremely = 1); "
                "distress subscale items 5-9 (0-5). Low 0-3; medium 4-9 with subscale 0-3; "
                "high: subscale 4-5 (AMB-HIGHRISK)."
            ),
            "licence": localise(START_BACK_LICENCE),
            "regions": ["lumbar"],
        },
        "psfs": {
            "max_activities": PSFS_MAX_ACTIVITIES,
            "scale": _("0 unable to do the activity - 10 able to do it as before the problem"),
            "mcid": PSFS_MCID,
        },
        "pain_mcid": NPRS_MCID,
    }


class MeasureDefinitionsView(APIView):
    """The questionnaires: the Keele STarT Back items (with the licence statement), the PSFS
    scale and the minimal clinically important changes."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeasureDefinitionsSerializer})
    def get(self, request):
        return Response(MeasureDefinitionsSerializer(_definitions()).data)


def _episode_data(patient) -> dict:
    episode = outcomes.latest_episode(patient)
    if episode is None:
        raise Http404("No published plan yet.")
    data = EpisodeMeasuresSerializer(episode).data
    pending = services.pending_function_review(patient)
    data["pending_review"] = PendingReviewSerializer(pending).data if pending else None
    return data


class MyMeasuresView(APIView):
    """The patient's own measures: STarT Back group, PSFS and pain from baseline, and the PSFS
    re-rating waiting for an answer, if any."""

    permission_classes = [IsPatient]

    @extend_schema(responses={200: EpisodeMeasuresSerializer, 404: NOT_FOUND})
    def get(self, request):
        return Response(_episode_data(get_own_patient_or_404(request.user)))


class MyFunctionReviewView(APIView):
    """Answer a PSFS re-rating: one 0-10 per activity named at the assessment, once."""

    permission_classes = [IsPatient]

    @extend_schema(
        request=FunctionReviewInputSerializer,
        responses={
            200: EpisodeMeasuresSerializer,
            400: INVALID,
            404: NOT_FOUND,
            409: OpenApiResponse(ErrorSerializer, description="`answered`: rated already."),
        },
    )
    def post(self, request, pk):
        patient = get_own_patient_or_404(request.user)
        review = (
            FunctionReview.objects.select_related("plan__assessment", "patient")
            .filter(pk=pk, patient=patient)
            .first()
        )
        if review is None:
            raise Http404("No such review.")
        serializer = FunctionReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if review.is_answered:
            raise DomainError(_("These activities were rated already."), code="answered")
        try:
            services.answer_function_review(
                review=review,
                ratings=serializer.validated_data["ratings"],
                source=FunctionReview.Source.API,
                actor=request.user,
            )
        except ValidationError as error:
            if getattr(error, "code", "") == "answered":
                raise DomainError(localise(error.messages[0]), code="answered") from error
            raise DRFValidationError(error.message_dict) from error
        return Response(_episode_data(patient))


class PatientMeasuresView(APIView):
    """A patient's measures for their physio (own clinic only; others get 404)."""

    permission_classes = [IsPhysiotherapist]

    @extend_schema(responses={200: EpisodeMeasuresSerializer, 404: NOT_FOUND})
    def get(self, request, patient_pk):
        return Response(_episode_data(get_visible_patient(request.user, patient_pk)))
