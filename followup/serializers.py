from django.utils.translation import gettext as _
from rest_framework import serializers

from followup.models import CheckIn


class CheckInInputSerializer(serializers.Serializer):
    """What a patient sends; the service checks it against their plan (items, questions)."""

    items_done = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, default=list, max_length=60
    )
    pain = serializers.IntegerField(min_value=0, max_value=10)
    zone = serializers.ChoiceField(
        choices=CheckIn.Zone.choices, required=False, allow_blank=True, default=""
    )
    feeling = serializers.ChoiceField(choices=CheckIn.Feeling.choices)
    warning_answers = serializers.DictField(
        child=serializers.ChoiceField(choices=["yes", "no"]),
        help_text="Every warning-sign question of your plan, by key, answered `yes` or `no`. "
        "Nothing is assumed: a question left out is a 400 naming it under `warning_answers`.",
    )
    has_new_symptoms = serializers.BooleanField()
    can_manage_daily_tasks = serializers.BooleanField()
    pain_eases_with_position = serializers.BooleanField(
        required=False, allow_null=True, default=None
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    client_token = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A fresh UUID the client makes for each check-in it sends: sending it again "
        "(a retry) answers the check-in it made, with status 200, and acts on nothing twice.",
    )

    def validate_warning_answers(self, answers: dict) -> dict:
        """Exactly the plan's questions (context `questions`), each answered."""
        asked = [question.key for question in self.context["questions"]]
        errors = {key: [_("Please answer yes or no.")] for key in asked if key not in answers}
        for key in sorted(set(answers) - set(asked)):
            errors[key] = [_("Not a warning sign your plan asks about.")]
        if errors:
            raise serializers.ValidationError(errors)
        return answers

    def validate(self, attrs):
        """The answers as `record_check_in` takes them: the warning signs answered yes."""
        answers = attrs.pop("warning_answers")
        asked = [question.key for question in self.context["questions"]]
        return {**attrs, "warning_signs": [key for key in asked if answers[key] == "yes"]}


class FindingSerializer(serializers.Serializer):
    rule_id = serializers.CharField()
    severity = serializers.CharField()
    patient_message = serializers.CharField()


class CheckInSerializer(serializers.ModelSerializer):
    # "" when no exercise was done (nothing to say how it felt).
    zone = serializers.ChoiceField(choices=CheckIn.Zone.choices, allow_blank=True, read_only=True)

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "local_date",
            "created_at",
            "phase",
            "revision_number",
            "items_done",
            "pain",
            "zone",
            "feeling",
            "warning_signs",
            "has_new_symptoms",
            "can_manage_daily_tasks",
            "pain_eases_with_position",
            "note",
            "source",
            "client_token",
            "rule_ids",
            "advice_level",
        ]
        read_only_fields = fields


class CheckInResultSerializer(CheckInSerializer):
    """The stored check-in with what the patient must be told at once."""

    advice = FindingSerializer(many=True, read_only=True)
    zone_advice = serializers.CharField(read_only=True)

    class Meta(CheckInSerializer.Meta):
        fields = [*CheckInSerializer.Meta.fields, "advice", "zone_advice"]
        read_only_fields = fields


# --- outcome measures (issue #18) ----------------------------------------------------------


class StartBackItemSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()
    is_distress = serializers.BooleanField(help_text="Items 5-9: the distress subscale.")
    answers = serializers.ListField(child=serializers.CharField())


class StartBackDefinitionSerializer(serializers.Serializer):
    introduction = serializers.CharField()
    items = StartBackItemSerializer(many=True)
    scoring = serializers.CharField()
    licence = serializers.CharField(help_text="Shown wherever the items are (Keele).")
    regions = serializers.ListField(child=serializers.CharField())


class PsfsDefinitionSerializer(serializers.Serializer):
    max_activities = serializers.IntegerField()
    scale = serializers.CharField()
    mcid = serializers.FloatField()


class MeasureDefinitionsSerializer(serializers.Serializer):
    start_back = StartBackDefinitionSerializer()
    psfs = PsfsDefinitionSerializer()
    pain_mcid = serializers.IntegerField()


class ChangeSerializer(serializers.Serializer):
    baseline = serializers.FloatField()
    current = serializers.FloatField()
    improvement = serializers.FloatField(help_text="Positive: better (PSFS up, pain down).")
    is_meaningful = serializers.BooleanField(help_text="Improvement of at least the MCID (2).")


class StartBackScoreSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    distress = serializers.IntegerField()
    group = serializers.CharField(source="risk.value")


class MeasureRowSerializer(serializers.Serializer):
    on = serializers.DateField()
    value = serializers.FloatField()
    change = ChangeSerializer(allow_null=True)
    label = serializers.CharField(help_text="The review that asked for a PSFS re-rating.")


class PendingReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule_id = serializers.CharField()
    requested_at = serializers.DateTimeField()


class EpisodeMeasuresSerializer(serializers.Serializer):
    plan = serializers.IntegerField(source="plan.pk")
    start = serializers.DateField(help_text="The assessment date: the baseline.")
    start_back = StartBackScoreSerializer(allow_null=True)
    psfs_activities = serializers.ListField(child=serializers.CharField())
    psfs_baseline = serializers.FloatField(allow_null=True)
    psfs = MeasureRowSerializer(source="psfs_rows", many=True)
    psfs_change = ChangeSerializer(allow_null=True)
    pain_baseline = serializers.IntegerField()
    pain = MeasureRowSerializer(source="pain_rows", many=True)
    pain_change = ChangeSerializer(allow_null=True)
    pending_review = PendingReviewSerializer(allow_null=True, required=False)


class FunctionReviewInputSerializer(serializers.Serializer):
    ratings = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=10),
        min_length=1,
        max_length=5,
        help_text="0-10 for each activity named at the assessment, in the same order.",
    )
