"""API shapes of the programs app: intake input lives in `intake_form`; everything else here.

Input serializers only validate and translate (types, bounds, ids the user may see); the
services decide. Output serializers read stored rows and frozen revision snapshots as they are.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinical.dosing import DOSAGE_CHANGE_REASONS
from core.api import ErrorSerializer
from exercises.models import Exercise
from programs.models import (
    PHASE_CHOICES,
    AdviceItem,
    Assessment,
    Plan,
    PlanPhase,
    PlanRevision,
    PlanTemplate,
    Prescription,
)
from programs.services import PRESCRIPTION_DOSAGE_FIELDS
from programs.snapshots import dosage_text, load_plan_content

# --- errors (core.api documents the one error shape) -----------------------------------


class PlanRefusalSerializer(ErrorSerializer):
    """422: no plan may be generated (`red_flags`, `amber_not_confirmed` or `not_plannable`)."""

    rule_ids = serializers.ListField(child=serializers.CharField())
    patient_message = serializers.CharField()
    physio_message = serializers.CharField()
    confirmations = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        required=False,
        help_text="Only with `amber_not_confirmed`: what the physio must confirm.",
    )


# --- shared pieces ------------------------------------------------------------------------


class AnswerSerializer(serializers.Serializer):
    """One answer behind a rule, stored as a `[field, value]` pair."""

    field = serializers.CharField()
    value = serializers.CharField()

    def to_representation(self, instance):
        field, value = instance
        return {"field": field, "value": value}


class WarningSerializer(serializers.Serializer):
    rule_id = serializers.CharField()
    message = serializers.CharField()
    phase = serializers.CharField(allow_null=True)
    exercise_key = serializers.CharField(allow_null=True)


class WarningsNotConfirmedSerializer(ErrorSerializer):
    """409 on publish: `conflict` (not editable), or `warnings_not_confirmed` with the open
    warnings: publish again with `confirm_warnings: true` once they are checked."""

    warnings = WarningSerializer(
        many=True, required=False, help_text="Only with `warnings_not_confirmed`."
    )


class ExcludedItemSerializer(serializers.Serializer):
    exercise_key = serializers.CharField()
    phases = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()
    rule_ids = serializers.ListField(child=serializers.CharField())
    flags = serializers.ListField(child=serializers.CharField())


class AdviceTextSerializer(serializers.Serializer):
    """Advice frozen as JSON (plan-wide advice, phase restrictions, revision snapshots)."""

    key = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    patient_text = serializers.CharField()
    reason = serializers.CharField()
    rule_ids = serializers.ListField(child=serializers.CharField())
    minutes = serializers.IntegerField(allow_null=True)
    minutes_max = serializers.IntegerField(allow_null=True)
    per_day = serializers.IntegerField(allow_null=True)
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    is_tickable = serializers.BooleanField()
    is_optional = serializers.BooleanField()


class CriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    physio_text = serializers.CharField()
    patient_text = serializers.CharField()
    rule_ids = serializers.ListField(child=serializers.CharField())


# --- assessments and screening ------------------------------------------------------------


class FiredRuleSerializer(serializers.Serializer):
    rule_id = serializers.CharField()
    severity = serializers.CharField(help_text="review, amber, urgent, emergency or block.")
    physio_message = serializers.CharField()
    patient_message = serializers.CharField(allow_blank=True)
    answers = AnswerSerializer(many=True)
    blocks_plan = serializers.BooleanField()
    confirmation = serializers.CharField(allow_null=True, required=False)
    is_cleared = serializers.BooleanField(required=False)


class ConfirmationSerializer(serializers.Serializer):
    rule_id = serializers.CharField()
    text = serializers.CharField()


class ExclusionFlagSerializer(serializers.Serializer):
    flag = serializers.CharField()
    rule_id = serializers.CharField()
    reason = serializers.CharField()
    answers = AnswerSerializer(many=True)


class ScreeningSerializer(serializers.ModelSerializer):
    """The screening result stored with an assessment when it was recorded."""

    assessment = serializers.IntegerField(source="pk", read_only=True)
    fired_rules = FiredRuleSerializer(many=True, read_only=True)
    confirmations = ConfirmationSerializer(many=True, read_only=True)
    exclusion_flags = ExclusionFlagSerializer(many=True, read_only=True)
    rule_ids = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_amber_confirmed = serializers.BooleanField(read_only=True)
    amber_confirmed_by = serializers.IntegerField(
        source="amber_confirmed_by_id", read_only=True, allow_null=True
    )

    class Meta:
        model = Assessment
        fields = [
            "assessment",
            "outcome",
            "rule_ids",
            "fired_rules",
            "confirmations",
            "exclusion_flags",
            "physio_message",
            "patient_message",
            "screened_on",
            "is_amber_confirmed",
            "amber_confirmed_by",
            "amber_confirmed_at",
            "amber_confirmation_note",
        ]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    patient = serializers.IntegerField(source="patient_id", read_only=True)
    recorded_by = serializers.IntegerField(source="recorded_by_id", read_only=True)
    answers = serializers.JSONField(read_only=True, help_text="Every intake answer as recorded.")
    is_complete = serializers.BooleanField(
        read_only=True,
        help_text="False when recorded with required answers empty for an urgent or emergency "
        "referral: such an assessment never gives a plan.",
    )
    screening = ScreeningSerializer(source="*", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "patient",
            "recorded_by",
            "assessment_date",
            "created_at",
            "is_complete",
            "answers",
            "screening",
        ]
        read_only_fields = fields


class AmberConfirmationSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, max_length=2000, required=False, default="")


# --- plans --------------------------------------------------------------------------------


class PlanCreateSerializer(serializers.Serializer):
    """`assessment` is looked up among the assessments the user may see (404 otherwise)."""

    assessment = serializers.IntegerField(min_value=1)
    template = serializers.PrimaryKeyRelatedField(
        queryset=PlanTemplate.objects.none(),
        required=False,
        allow_null=True,
        help_text="A template of your clinic to take the items from.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        templates = self.context.get("templates")
        if templates is not None:
            self.fields["template"].queryset = templates


class ExerciseSummarySerializer(serializers.ModelSerializer):
    picture = serializers.CharField(read_only=True)
    progression = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    regression = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)

    class Meta:
        model = Exercise
        fields = ["key", "name", "category", "position", "picture", "progression", "regression"]
        read_only_fields = fields


class PrescriptionSerializer(serializers.ModelSerializer):
    phase = serializers.CharField(source="phase.code", read_only=True)
    exercise = ExerciseSummarySerializer(read_only=True)
    dosage_text = serializers.SerializerMethodField()
    answers = AnswerSerializer(many=True, read_only=True)
    warnings = WarningSerializer(many=True, read_only=True)
    rule_ids = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Prescription
        fields = [
            "id",
            "phase",
            "exercise",
            "order",
            *PRESCRIPTION_DOSAGE_FIELDS,
            "dosage_text",
            "notes",
            "reason",
            "rule_ids",
            "answers",
            "warnings",
            "override_reason",
            "change_reason",
            "added_by_physio",
        ]
        read_only_fields = fields

    def get_dosage_text(self, prescription) -> str:
        return dosage_text(prescription)


class AdviceItemSerializer(serializers.ModelSerializer):
    answers = AnswerSerializer(many=True, read_only=True)
    rule_ids = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = AdviceItem
        fields = [
            "id",
            "key",
            "kind",
            "title",
            "patient_text",
            "reason",
            "rule_ids",
            "answers",
            "education_key",
            "minutes",
            "minutes_max",
            "per_day",
            "min_gap_minutes",
            "start_date",
            "end_date",
            "is_optional",
            "is_tickable",
            "order",
        ]
        read_only_fields = fields


class PlanPhaseSerializer(serializers.ModelSerializer):
    """A phase with its items and advice; give it phases from `load_plan_content`."""

    exit_criteria = CriterionSerializer(many=True, read_only=True)
    restrictions = AdviceTextSerializer(many=True, read_only=True)
    warnings = WarningSerializer(many=True, read_only=True)
    items = PrescriptionSerializer(source="prescriptions", many=True, read_only=True)
    advice = AdviceItemSerializer(many=True, read_only=True)

    class Meta:
        model = PlanPhase
        fields = [
            "code",
            "name",
            "goals",
            "goals_patient",
            "typical_duration",
            "minimum_days",
            "exit_criteria",
            "restrictions",
            "session_cap",
            "session_cap_minutes",
            "aerobic_target",
            "modality_notes",
            "warnings",
            "start_date",
            "end_date",
            "notes",
            "items",
            "advice",
        ]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    """A plan without its content (lists). Expects `latest_revision` annotated."""

    patient = serializers.IntegerField(source="patient_id", read_only=True)
    patient_name = serializers.CharField(source="patient.full_name", read_only=True)
    physiotherapist = serializers.IntegerField(source="physiotherapist_id", read_only=True)
    assessment = serializers.IntegerField(source="assessment_id", read_only=True)
    latest_revision = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Number of the last published revision."
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            "patient",
            "patient_name",
            "physiotherapist",
            "assessment",
            "status",
            "start_date",
            "current_phase",
            "latest_revision",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    """The whole plan as the physio edits it: phases, items with their reasons, advice."""

    warnings = WarningSerializer(many=True, read_only=True)
    excluded = ExcludedItemSerializer(many=True, read_only=True)
    plan_advice = AdviceTextSerializer(many=True, read_only=True)
    phases = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [
            *PlanSerializer.Meta.fields,
            "starting_phase_reason",
            "is_chronic",
            "is_return_to_sport_sign_off_required",
            "return_to_sport_signed_off_at",
            "warnings",
            "excluded",
            "plan_advice",
            "phases",
        ]
        read_only_fields = fields

    @extend_schema_field(PlanPhaseSerializer(many=True))
    def get_phases(self, plan):
        return PlanPhaseSerializer(load_plan_content(plan), many=True, context=self.context).data


class PhaseUpdateSerializer(serializers.Serializer):
    start_date = serializers.DateField(allow_null=True, required=False)
    end_date = serializers.DateField(allow_null=True, required=False)
    notes = serializers.CharField(allow_blank=True, max_length=2000, required=False)


class PrescriptionCreateSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=PHASE_CHOICES)
    exercise = serializers.SlugRelatedField(
        slug_field="key",
        queryset=Exercise.objects.none(),
        help_text="Key of a catalogue exercise (global or your clinic's).",
    )
    override_reason = serializers.CharField(
        allow_blank=True,
        max_length=1000,
        required=False,
        default="",
        help_text="Needed to add an exercise the screening hides for this patient.",
    )
    notes = serializers.CharField(allow_blank=True, max_length=1000, required=False, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        exercises = self.context.get("exercises")
        if exercises is not None:
            self.fields["exercise"].queryset = exercises


class PrescriptionUpdateSerializer(serializers.ModelSerializer):
    """Dosage and notes; bounds come from the model's validators. A dosage change needs the
    physio's reason: `change_reason` from the list and/or `change_note` in their words."""

    change_reason = serializers.ChoiceField(
        choices=list(DOSAGE_CHANGE_REASONS),
        allow_blank=True,
        required=False,
        default="",
        help_text="Why the dosage changes (needed with a dosage change; `other` needs a note).",
    )
    change_note = serializers.CharField(
        allow_blank=True,
        max_length=300,
        required=False,
        default="",
        help_text="The reason in your words, alone or after the chosen reason.",
    )

    class Meta:
        model = Prescription
        fields = [*PRESCRIPTION_DOSAGE_FIELDS, "notes", "change_reason", "change_note"]
        extra_kwargs = {"notes": {"max_length": 1000}}


class PublishSerializer(serializers.Serializer):
    confirm_warnings = serializers.BooleanField(
        default=False,
        help_text="True: you checked the plan's open warnings (otherwise 409 while any are open).",
    )


class SwapSerializer(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=["progression", "regression"],
        help_text="progression: the harder version; regression: the easier one.",
    )


class MoveSerializer(serializers.Serializer):
    offset = serializers.ChoiceField(choices=[-1, 1], help_text="-1: up one place; 1: down one.")


# --- revisions ----------------------------------------------------------------------------


class SnapshotItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exercise_key = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    position = serializers.CharField()
    picture = serializers.CharField()
    steps = serializers.ListField(child=serializers.CharField())
    cautions = serializers.CharField()
    sets = serializers.IntegerField(allow_null=True)
    reps = serializers.IntegerField(allow_null=True)
    hold_seconds = serializers.IntegerField(allow_null=True)
    minutes = serializers.IntegerField(allow_null=True)
    per_day = serializers.IntegerField(allow_null=True)
    days_per_week = serializers.IntegerField(allow_null=True)
    per_side = serializers.BooleanField()
    dosage_text = serializers.CharField()
    notes = serializers.CharField(help_text="What the physio wrote for this patient.")
    patient_notes = serializers.CharField(
        required=False, help_text="The catalogue's tip for patients (revisions since issue #14)."
    )
    reason = serializers.CharField()
    rule_ids = serializers.ListField(child=serializers.CharField())
    change_reason = serializers.CharField(
        required=False, help_text="The physio's reason for the last dosage change, if any."
    )


class SnapshotPhaseSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    goals = serializers.CharField()
    typical_duration = serializers.CharField()
    minimum_days = serializers.IntegerField(allow_null=True)
    exit_criteria = serializers.ListField(child=serializers.CharField())
    restrictions = serializers.ListField(child=serializers.CharField())
    session_cap = serializers.CharField()
    aerobic_target = serializers.CharField()
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    notes = serializers.CharField()
    items = SnapshotItemSerializer(many=True)
    advice = AdviceTextSerializer(many=True)


class SnapshotPatientSerializer(serializers.Serializer):
    name = serializers.CharField()
    first_name = serializers.CharField()


class SnapshotClinicSerializer(serializers.Serializer):
    name = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    emergency_wording = serializers.CharField()


class SnapshotSerializer(serializers.Serializer):
    """Documents the frozen snapshot; the API returns it exactly as it was published."""

    plan_id = serializers.IntegerField()
    patient = SnapshotPatientSerializer()
    physiotherapist = serializers.CharField()
    clinic = SnapshotClinicSerializer()
    start_date = serializers.DateField()
    current_phase = serializers.CharField()
    plan_advice = AdviceTextSerializer(many=True)
    phases = SnapshotPhaseSerializer(many=True)


class PlanRevisionSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    published_by = serializers.IntegerField(source="published_by_id", read_only=True)

    class Meta:
        model = PlanRevision
        fields = ["plan", "number", "published_at", "published_by"]
        read_only_fields = fields


class PlanRevisionDetailSerializer(PlanRevisionSerializer):
    snapshot = serializers.SerializerMethodField()

    class Meta(PlanRevisionSerializer.Meta):
        fields = [*PlanRevisionSerializer.Meta.fields, "snapshot"]
        read_only_fields = fields

    @extend_schema_field(SnapshotSerializer)
    def get_snapshot(self, revision) -> dict:
        # Verbatim: a revision shows what was published, even if the shape grew since.
        return revision.snapshot


class DosageChangeSerializer(serializers.Serializer):
    name = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()
    reason = serializers.CharField(
        allow_blank=True, help_text="The physio's reason for the change (PHYSIO-CHANGE)."
    )


class PhaseChangesSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    added = serializers.ListField(child=serializers.CharField(), help_text="Exercise names.")
    removed = serializers.ListField(child=serializers.CharField(), help_text="Exercise names.")
    dosage = DosageChangeSerializer(many=True)
    notes_changed = serializers.ListField(
        child=serializers.CharField(), help_text="Exercises whose notes changed."
    )
    phase_changed = serializers.ListField(
        child=serializers.CharField(), help_text="Phase facts changed: start_date, end_date, notes."
    )


class CurrentPhaseChangeSerializer(serializers.Serializer):
    before = serializers.CharField(allow_null=True)
    after = serializers.CharField(allow_null=True)


class RevisionChangesSerializer(serializers.Serializer):
    """What changed in revision `number` since `previous` (null for the first revision)."""

    number = serializers.IntegerField()
    previous = serializers.IntegerField(allow_null=True)
    is_first = serializers.BooleanField()
    current_phase = CurrentPhaseChangeSerializer(allow_null=True)
    phases = PhaseChangesSerializer(many=True)


# --- templates ----------------------------------------------------------------------------


class PlanTemplateCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)


class PlanTemplateSerializer(serializers.ModelSerializer):
    created_by = serializers.IntegerField(source="created_by_id", read_only=True)
    content = serializers.JSONField(
        read_only=True, help_text="Items per phase code: exercise key, dosage and notes."
    )

    class Meta:
        model = PlanTemplate
        fields = ["id", "name", "content", "created_by", "created_at"]
        read_only_fields = fields


class SafetyStateSerializer(serializers.Serializer):
    """A patient's safety state: an open urgent or emergency concern, or clear."""

    level = serializers.ChoiceField(choices=["clear", "urgent", "emergency"])
    rule_ids = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField(help_text="assessment or check_in; empty when clear.")
    since = serializers.DateTimeField(allow_null=True)
    headline = serializers.CharField(help_text="What the patient is told first.")
    messages = serializers.ListField(child=serializers.CharField())


class SafetyCloseSerializer(serializers.Serializer):
    resolution = serializers.CharField(
        max_length=1000, help_text="What happened, e.g. who cleared the patient and when."
    )
