"""The programs REST API: assessments and their screening, plans and their editing, published
revisions, clinic templates, and the patient's own plan.

Each endpoint validates with an input serializer, calls one service and answers with an output
serializer. Everything is looked up among what the user may see (`accounts.permissions`), so
another clinic's objects are *not found*, never forbidden.

Not offered: PATCH `plans/{id}/` (status changes such as pause or complete). There is no service
for status transitions yet, and which transitions are allowed is a domain rule, not a view's.
"""

from __future__ import annotations

from contextlib import contextmanager

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.permissions import (
    IsPatient,
    IsPhysiotherapist,
    get_own_patient_or_404,
    get_physio_or_404,
    get_visible_patient,
)
from core.api import INVALID, NOT_FOUND, NOT_FOUND_OR_NO_PAGE, DomainError, ErrorSerializer
from core.i18n import localise, localise_all
from exercises.selectors import exercises_visible_to
from programs import safety, selectors, services, snapshots
from programs.intake_form import AssessmentInputSerializer
from programs.models import (
    PHASE_CHOICES,
    Assessment,
    Plan,
    PlanPhase,
    PlanRevision,
    PlanTemplate,
    Prescription,
)
from programs.serializers import (
    AmberConfirmationSerializer,
    AssessmentSerializer,
    MoveSerializer,
    PhaseUpdateSerializer,
    PlanCreateSerializer,
    PlanDetailSerializer,
    PlanPhaseSerializer,
    PlanRefusalSerializer,
    PlanRevisionDetailSerializer,
    PlanRevisionSerializer,
    PlanSerializer,
    PlanTemplateCreateSerializer,
    PlanTemplateSerializer,
    PrescriptionCreateSerializer,
    PrescriptionSerializer,
    PrescriptionUpdateSerializer,
    PublishSerializer,
    RevisionChangesSerializer,
    SafetyCloseSerializer,
    SafetyStateSerializer,
    ScreeningSerializer,
    SwapSerializer,
    WarningsNotConfirmedSerializer,
)

CONFLICT = OpenApiResponse(
    ErrorSerializer, description="`conflict`: the plan is not editable in its state."
)
IMMUTABLE = OpenApiResponse(
    ErrorSerializer, description="`revision_immutable`: published revisions never change."
)


@contextmanager
def domain_errors():
    """The services' domain exceptions as API errors in the one error shape."""
    try:
        yield
    except services.PlanRefusedError as refused:
        extra = {
            "rule_ids": refused.rule_ids,
            "patient_message": localise(refused.patient_message),
            "physio_message": localise(refused.physio_message),
        }
        if refused.code == "amber_not_confirmed":
            extra["confirmations"] = refused.confirmations
        raise DomainError(
            localise(refused.detail), code=refused.code, status_code=422, extra=extra
        ) from refused
    except services.PlanConflictError as conflict:
        raise DomainError(
            localise(str(conflict)), code=conflict.code, status_code=409
        ) from conflict
    except safety.SafetyConcernOpen as concern:
        raise DomainError(
            localise(concern.message),
            code="safety_concern_open",
            status_code=409,
            extra={"rule_ids": list(concern.state.rule_ids), "level": concern.state.level},
        ) from concern
    except services.WarningsNotConfirmedError as unconfirmed:
        raise DomainError(
            localise(str(unconfirmed)),
            code="warnings_not_confirmed",
            status_code=409,
            extra={"warnings": unconfirmed.warnings},
        ) from unconfirmed


# --- assessments --------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="A patient's assessments, newest first",
        responses={200: AssessmentSerializer(many=True), 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Record an intake; the red-flag screen runs at once",
        description="Every required answer must be given, red-flag questions yes / no / unsure "
        "(nothing is assumed); errors name the field, red-flag questions under `red_flags`. "
        "When the answers given already call for an urgent or emergency referral, the "
        "assessment is recorded with the rest empty, `is_complete` false: it gives the "
        "referral and never a plan.",
        request=AssessmentInputSerializer,
        responses={201: AssessmentSerializer, 400: INVALID, 404: NOT_FOUND},
    ),
)
class PatientAssessmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsPhysiotherapist]
    serializer_class = AssessmentSerializer
    queryset = Assessment.objects.none()

    def get_patient(self):
        if not hasattr(self, "_patient"):
            self._patient = get_visible_patient(self.request.user, self.kwargs["patient_pk"])
        return self._patient

    def get_queryset(self):
        return Assessment.objects.filter(patient=self.get_patient()).order_by(
            "-assessment_date", "-id"
        )

    def create(self, request, *args, **kwargs):
        patient = self.get_patient()
        serializer = AssessmentInputSerializer(
            data=request.data,
            context={"date_of_birth": patient.date_of_birth, "today": timezone.localdate()},
        )
        serializer.is_valid(raise_exception=True)
        assessment = services.record_assessment(
            patient=patient,
            by=get_physio_or_404(request.user).user,
            answers=serializer.validated_data,
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(
        summary="An assessment with its answers and screening",
        responses={200: AssessmentSerializer, 404: NOT_FOUND},
    ),
)
class AssessmentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsPhysiotherapist]
    serializer_class = AssessmentSerializer
    queryset = Assessment.objects.none()

    def get_queryset(self):
        return selectors.assessments_visible_to(self.request.user).select_related("patient")

    def retrieve(self, request, *args, **kwargs):
        assessment = selectors.get_assessment_for(request.user, kwargs["pk"])
        return Response(AssessmentSerializer(assessment).data)

    @extend_schema(
        summary="The screening result: outcome, fired rules, confirmations, messages",
        responses={200: ScreeningSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def screening(self, request, *args, **kwargs):
        assessment = selectors.get_assessment_for(request.user, kwargs["pk"], part="screening of")
        return Response(ScreeningSerializer(assessment).data)

    @extend_schema(
        summary="Confirm the amber findings (recorded: who, when, note)",
        request=AmberConfirmationSerializer,
        responses={
            200: ScreeningSerializer,
            400: INVALID,
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer, description="`conflict`: the screening result is not amber."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, *args, **kwargs):
        assessment = self.get_object()
        serializer = AmberConfirmationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            assessment = services.confirm_amber(
                assessment=assessment, by=request.user, note=serializer.validated_data["note"]
            )
        return Response(ScreeningSerializer(assessment).data)


# --- plans --------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class PlanFilter(django_filters.FilterSet):
    patient = IdFilter(field_name="patient_id", help_text="A patient's id.")
    status = django_filters.ChoiceFilter(choices=Plan.Status.choices)

    class Meta:
        model = Plan
        fields = ["patient", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="Plans of your clinic's patients, newest first",
        responses={200: PlanSerializer(many=True), 400: INVALID, 404: NOT_FOUND_OR_NO_PAGE},
    ),
    create=extend_schema(
        summary="Propose a draft plan from an assessment",
        description="The screen runs again. Urgent or emergency red flags refuse with 422 "
        "`red_flags` and the referral messages (so does an assessment recorded incomplete for "
        "a referral); an unconfirmed amber result with 422 "
        "`amber_not_confirmed`; an incomplete or stale assessment with 422 `not_plannable`. "
        "Nothing is written when refused.",
        request=PlanCreateSerializer,
        responses={
            201: PlanDetailSerializer,
            400: INVALID,
            404: NOT_FOUND,
            422: OpenApiResponse(PlanRefusalSerializer, description="No plan may be generated."),
        },
    ),
    retrieve=extend_schema(
        summary="The plan with phases, items (dosage, reasons, rule ids), advice, exclusions",
        responses={200: PlanDetailSerializer, 404: NOT_FOUND},
    ),
)
class PlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsPhysiotherapist]
    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    queryset = Plan.objects.none()

    def get_queryset(self):
        return (
            selectors.plans_visible_to(self.request.user)
            .select_related("patient")
            .annotate(latest_revision=Max("revisions__number"))
            .order_by("-created_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        physio = get_physio_or_404(request.user)
        serializer = PlanCreateSerializer(
            data=request.data,
            context={"templates": PlanTemplate.objects.filter(clinic_id=physio.clinic_id)},
        )
        serializer.is_valid(raise_exception=True)
        assessment = get_object_or_404(
            selectors.assessments_visible_to(request.user),
            pk=serializer.validated_data["assessment"],
        )
        template = serializer.validated_data.get("template")
        with domain_errors():
            if template is None:
                plan = services.generate_plan(assessment=assessment, by=physio.user)
            else:
                plan = services.generate_plan_from_template(
                    template=template, assessment=assessment, by=physio.user
                )
        plan = self.get_queryset().get(pk=plan.pk)
        return Response(PlanDetailSerializer(plan).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, *args, **kwargs):
        plan = selectors.get_plan_for(request.user, kwargs["pk"])
        return Response(PlanDetailSerializer(plan).data)

    @extend_schema(
        summary="Publish the plan as the next numbered revision",
        description="Freezes the plan; the patient sees this revision until the next publish. "
        "While the plan has warnings to check before publishing (plan, phase and item warnings), "
        "it answers 409 `warnings_not_confirmed` with the warnings unless `confirm_warnings` is "
        "true. Any other active or paused plan of the patient is archived: the patient follows "
        "one.",
        request=PublishSerializer,
        responses={
            201: PlanRevisionDetailSerializer,
            400: INVALID,
            404: NOT_FOUND,
            409: OpenApiResponse(
                WarningsNotConfirmedSerializer,
                description="`warnings_not_confirmed`: check the listed warnings, then confirm; "
                "`nothing_to_publish`: the plan is the same as its latest revision; "
                "`safety_concern_open`: the patient's safety concern is open; `conflict`: the "
                "plan is completed or archived.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            revision = services.publish_plan(
                plan=plan,
                by=request.user,
                confirm_warnings=serializer.validated_data["confirm_warnings"],
            )
        return Response(PlanRevisionDetailSerializer(revision).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Save the plan's items as a clinic template",
        request=PlanTemplateCreateSerializer,
        responses={201: PlanTemplateSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def template(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = PlanTemplateCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = services.save_plan_as_template(
            plan=plan, name=serializer.validated_data["name"], by=request.user
        )
        return Response(PlanTemplateSerializer(template).data, status=status.HTTP_201_CREATED)


def _phase_content(plan: Plan, code: str) -> PlanPhase:
    return next(phase for phase in snapshots.load_plan_content(plan) if phase.code == code)


class PlanPhaseView(GenericAPIView):
    permission_classes = [IsPhysiotherapist]
    serializer_class = PhaseUpdateSerializer
    queryset = PlanPhase.objects.none()

    @extend_schema(
        summary="Change a phase's dates or notes",
        parameters=[
            OpenApiParameter(
                "code", str, OpenApiParameter.PATH, enum=[code for code, _ in PHASE_CHOICES]
            )
        ],
        request=PhaseUpdateSerializer,
        responses={200: PlanPhaseSerializer, 400: INVALID, 404: NOT_FOUND, 409: CONFLICT},
    )
    def patch(self, request, plan_pk: int, code: str):
        phase = get_object_or_404(
            PlanPhase.objects.select_related("plan"),
            plan__in=selectors.plans_visible_to(request.user),
            plan_id=plan_pk,
            code=code,
        )
        serializer = PhaseUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            services.update_phase(phase=phase, by=request.user, **serializer.validated_data)
        return Response(PlanPhaseSerializer(_phase_content(phase.plan, phase.code)).data)


@extend_schema_view(
    create=extend_schema(
        summary="Add a catalogue exercise to a phase",
        description="An exercise the screening hides for this patient needs `override_reason`.",
        request=PrescriptionCreateSerializer,
        responses={201: PrescriptionSerializer, 400: INVALID, 404: NOT_FOUND, 409: CONFLICT},
    ),
    partial_update=extend_schema(
        summary="Change an item's dosage or notes",
        request=PrescriptionUpdateSerializer,
        responses={200: PrescriptionSerializer, 400: INVALID, 404: NOT_FOUND, 409: CONFLICT},
    ),
    destroy=extend_schema(
        summary="Remove an item",
        responses={204: None, 404: NOT_FOUND, 409: CONFLICT},
    ),
)
class PlanItemViewSet(viewsets.GenericViewSet):
    """The items (prescriptions) of a plan."""

    permission_classes = [IsPhysiotherapist]
    serializer_class = PrescriptionSerializer
    queryset = Prescription.objects.none()

    def get_plan(self) -> Plan:
        return get_object_or_404(
            selectors.plans_visible_to(self.request.user), pk=self.kwargs["plan_pk"]
        )

    def get_queryset(self):
        return Prescription.objects.select_related(
            "phase__plan", "exercise__progression", "exercise__regression"
        ).filter(
            phase__plan_id=self.kwargs["plan_pk"],
            phase__plan__in=selectors.plans_visible_to(self.request.user),
        )

    def create(self, request, *args, **kwargs):
        plan = self.get_plan()
        serializer = PrescriptionCreateSerializer(
            data=request.data, context={"exercises": exercises_visible_to(request.user)}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        phase = plan.phases.filter(code=data["phase"]).first()
        if phase is None:
            raise ValidationError({"phase": _("This plan has no such phase.")})
        with domain_errors():
            item = services.add_prescription(
                phase=phase,
                exercise=data["exercise"],
                by=request.user,
                override_reason=data["override_reason"],
                notes=data["notes"],
            )
        return Response(PrescriptionSerializer(item).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = PrescriptionUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            item = services.update_prescription(
                prescription=item, by=request.user, **serializer.validated_data
            )
        return Response(PrescriptionSerializer(item).data)

    def destroy(self, request, *args, **kwargs):
        item = self.get_object()
        with domain_errors():
            services.remove_prescription(prescription=item, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Swap an item to its catalogue progression (harder) or regression (easier)",
        request=SwapSerializer,
        responses={200: PrescriptionSerializer, 400: INVALID, 404: NOT_FOUND, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def swap(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = SwapSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            item = services.swap_prescription(
                prescription=item, by=request.user, to=serializer.validated_data["to"]
            )
        return Response(PrescriptionSerializer(item).data)

    @extend_schema(
        summary="Move an item up or down within its phase; answers the phase in its new order",
        request=MoveSerializer,
        responses={200: PlanPhaseSerializer, 400: INVALID, 404: NOT_FOUND, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def move(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            services.move_prescription(
                prescription=item, by=request.user, offset=serializer.validated_data["offset"]
            )
        return Response(PlanPhaseSerializer(_phase_content(item.phase.plan, item.phase.code)).data)


# --- revisions ----------------------------------------------------------------------------


def _immutable(summary: str):
    return extend_schema(summary=summary, request=None, responses={404: NOT_FOUND, 409: IMMUTABLE})


@extend_schema_view(
    list=extend_schema(
        summary="A plan's published revisions, newest first (physio; patient for their own)",
        responses={200: PlanRevisionSerializer(many=True), 404: NOT_FOUND},
    ),
    retrieve=extend_schema(
        summary="One published revision with its frozen snapshot",
        responses={200: PlanRevisionDetailSerializer, 404: NOT_FOUND},
    ),
    update=_immutable("Refused: a published revision never changes (409)"),
    partial_update=_immutable("Refused: a published revision never changes (409)"),
    destroy=_immutable("Refused: a published revision is never deleted (409)"),
)
class PlanRevisionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Published revisions. Physios see their clinic's; a patient sees those of their own
    plans once published (a draft plan is not found)."""

    permission_classes = [IsAuthenticated]
    serializer_class = PlanRevisionSerializer
    queryset = PlanRevision.objects.none()
    lookup_field = "number"

    def get_plan(self) -> Plan:
        if not hasattr(self, "_plan"):
            self._plan = get_object_or_404(
                selectors.plans_visible_to(self.request.user), pk=self.kwargs["plan_pk"]
            )
        return self._plan

    def get_queryset(self):
        return PlanRevision.objects.filter(plan=self.get_plan()).order_by("-number")

    def retrieve(self, request, *args, **kwargs):
        revision = selectors.get_revision_for(
            request.user, plan_id=kwargs["plan_pk"], number=kwargs["number"]
        )
        return Response(PlanRevisionDetailSerializer(revision).data)

    def _refuse_change(self):
        self.get_object()  # an invisible revision is not found before it is immutable
        raise DomainError(
            _("A published revision cannot be changed: edit the plan and publish a new revision."),
            code="revision_immutable",
            status_code=409,
        )

    def update(self, request, *args, **kwargs):
        self._refuse_change()

    def partial_update(self, request, *args, **kwargs):
        self._refuse_change()

    def destroy(self, request, *args, **kwargs):
        self._refuse_change()

    @extend_schema(
        summary="What changed in this revision since the one before",
        responses={200: RevisionChangesSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def changes(self, request, *args, **kwargs):
        revision = selectors.get_revision_for(
            request.user, plan_id=kwargs["plan_pk"], number=kwargs["number"], part="changes in"
        )
        previous = revision.previous()
        changes = revision.changes_from(previous)
        data = {"number": revision.number, "previous": previous and previous.number, **changes}
        return Response(RevisionChangesSerializer(data).data)


# --- templates and the patient's own plan -------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Your clinic's plan templates",
        responses={200: PlanTemplateSerializer(many=True), 404: NOT_FOUND_OR_NO_PAGE},
    )
)
class PlanTemplateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsPhysiotherapist]
    serializer_class = PlanTemplateSerializer
    queryset = PlanTemplate.objects.none()

    def get_queryset(self):
        physio = get_physio_or_404(self.request.user)
        return PlanTemplate.objects.filter(clinic_id=physio.clinic_id).order_by("name", "id")


class MyPlanView(GenericAPIView):
    permission_classes = [IsPatient]
    serializer_class = PlanRevisionDetailSerializer
    queryset = PlanRevision.objects.none()

    @extend_schema(
        summary="Your current plan: the latest published revision",
        responses={
            200: PlanRevisionDetailSerializer,
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer,
                description="`safety_concern_open`: what you reported needs a doctor first; "
                "`detail` says what to do, and no exercises are given until your physio has "
                "spoken with you.",
            ),
        },
    )
    def get(self, request):
        patient = get_own_patient_or_404(request.user)
        state = safety.state_of(patient)
        if state.is_open:  # the advice first, and no exercises, as on the patient's pages
            raise DomainError(
                localise(state.headline),
                code="safety_concern_open",
                status_code=409,
                extra={
                    "level": state.level,
                    "rule_ids": list(state.rule_ids),
                    "messages": localise_all(state.messages),
                },
            )
        revision = selectors.current_revision_for(request.user, patient)
        if revision is None:
            raise exceptions.NotFound(
                _("You have no published plan yet: your physiotherapist will publish one for you.")
            )
        return Response(PlanRevisionDetailSerializer(revision).data)


# --- the patient's safety state ---------------------------------------------------------------


class PatientSafetyView(GenericAPIView):
    """A patient's safety state (programs.safety), for their clinic's physios."""

    permission_classes = [IsPhysiotherapist]
    serializer_class = SafetyStateSerializer

    @extend_schema(responses={200: SafetyStateSerializer, 404: NOT_FOUND})
    def get(self, request, patient_pk: int):
        patient = get_visible_patient(request.user, patient_pk)
        return Response(SafetyStateSerializer(safety.state_of(patient)).data)


class PatientSafetyCloseView(GenericAPIView):
    """Close the patient's open safety concern with what happened; what it paused resumes."""

    permission_classes = [IsPhysiotherapist]
    serializer_class = SafetyCloseSerializer

    @extend_schema(
        request=SafetyCloseSerializer,
        responses={200: SafetyStateSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def post(self, request, patient_pk: int):
        patient = get_visible_patient(request.user, patient_pk)
        serializer = SafetyCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        safety.resolve_concern(
            patient=patient, by=request.user, resolution=serializer.validated_data["resolution"]
        )
        return Response(SafetyStateSerializer(safety.state_of(patient)).data)
