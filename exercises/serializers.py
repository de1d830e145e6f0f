import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exercises.illustrations import illustration_url, illustrations_for
from exercises.models import Exercise


class ExerciseLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exercise
        fields = ["key", "name"]


class DosageSerializer(serializers.Serializer):
    sets = serializers.IntegerField(min_value=0, max_value=20, allow_null=True, required=False)
    reps = serializers.IntegerField(min_value=0, max_value=100, allow_null=True, required=False)
    hold_seconds = serializers.IntegerField(
        min_value=0, max_value=600, allow_null=True, required=False
    )
    minutes = serializers.IntegerField(min_value=0, max_value=180, allow_null=True, required=False)
    per_day = serializers.IntegerField(min_value=1, max_value=12, allow_null=True, required=False)
    days_per_week = serializers.IntegerField(
        min_value=1, max_value=7, allow_null=True, required=False
    )
    per_side = serializers.BooleanField(required=False)
    physio_notes = serializers.CharField(
        allow_blank=True,
        max_length=300,
        required=False,
        help_text="For the physio only; never shown to patients.",
    )
    patient_notes = serializers.CharField(
        allow_blank=True,
        max_length=300,
        required=False,
        help_text="A tip shown to the patient beside the exercise.",
    )


KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")


class LinkedKeyField(serializers.SlugRelatedField):
    """A linked exercise by key: written as a key, read from the `<name>_key` annotation the
    list query adds, so a page of exercises builds no linked rows (DESIGN §8 catalogue budget)."""

    def get_attribute(self, instance):
        return getattr(instance, f"{self.source}_key")

    def to_representation(self, value):
        return value

    def to_internal_value(self, data):
        # A key has letters, digits, - and _ only; anything else (a NUL byte the database
        # refuses, say) names no exercise and is answered as such, without a query.
        if not isinstance(data, str) or not KEY_PATTERN.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:40])
        return super().to_internal_value(data)


# No uniqueness validator on `key`: keys are unique per clinic, which the model checks when the
# service saves (`Exercise.key_clash`); a check against every clinic's keys would tell one
# clinic which keys another uses.
class ExerciseSerializer(serializers.ModelSerializer):
    dosage = DosageSerializer(source="*")
    progression = LinkedKeyField(
        slug_field="key", queryset=Exercise.objects.none(), allow_null=True, required=False
    )
    regression = LinkedKeyField(
        slug_field="key", queryset=Exercise.objects.none(), allow_null=True, required=False
    )
    is_global = serializers.BooleanField(read_only=True)
    picture = serializers.CharField(read_only=True)

    class Meta:
        model = Exercise
        fields = [
            "key",
            "name",
            "category",
            "regions",
            "target_muscles",
            "position",
            "direction",
            "equipment",
            "difficulty",
            "phases",
            "dosage",
            "progression",
            "regression",
            "physio_select_only",
            "exclude_if",
            "cautions",
            "steps",
            "illustration",
            "picture",
            "is_global",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visible = self.context.get("visible_exercises")
        if visible is not None:
            for name in ("progression", "regression"):
                self.fields[name].queryset = visible


class IllustrationSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The frame as SVG; the URL changes when the drawing does.")
    label = serializers.CharField(help_text="start, end, or the movement's middle step.")


class ExerciseDetailSerializer(ExerciseSerializer):
    """One exercise, with its drawing's frames (the list leaves them out)."""

    illustrations = serializers.SerializerMethodField()

    class Meta(ExerciseSerializer.Meta):
        fields = [*ExerciseSerializer.Meta.fields, "illustrations"]

    @extend_schema_field(IllustrationSerializer(many=True))
    def get_illustrations(self, exercise) -> list[dict]:
        return illustration_answers(exercise, exercise.pk, self.context.get("request"))


def illustration_answers(subject, exercise_pk: int, request) -> list[dict]:
    """The `illustrations` of an exercise's detail: each frame's URL (content-hashed) and label.
    `subject` is the Exercise or its value row (`selectors.exercise_rows(..., detail=True)`)."""
    answers = []
    for frame in illustrations_for(subject):
        url = illustration_url(exercise_pk, frame)
        answers.append(
            {"url": request.build_absolute_uri(url) if request else url, "label": frame.label}
        )
    return answers


def exercise_answer(row: dict) -> dict:
    """`ExerciseSerializer`'s answer for one row of `selectors.exercise_rows`, built directly:
    the lean read path of the catalogue list and detail (the serializer stays the schema and
    the write path; a test compares both answers page by page)."""
    return {
        "key": row["key"],
        "name": row["name"],
        "category": row["category"],
        "regions": row["regions"],
        "target_muscles": row["target_muscles"],
        "position": row["position"],
        "direction": row["direction"],
        "equipment": row["equipment"],
        "difficulty": row["difficulty"],
        "phases": row["phases"],
        "dosage": {
            "sets": row["sets"],
            "reps": row["reps"],
            "hold_seconds": row["hold_seconds"],
            "minutes": row["minutes"],
            "per_day": row["per_day"],
            "days_per_week": row["days_per_week"],
            "per_side": row["per_side"],
            "physio_notes": row["physio_notes"],
            "patient_notes": row["patient_notes"],
        },
        "progression": row["progression_key"],
        "regression": row["regression_key"],
        "physio_select_only": row["physio_select_only"],
        "exclude_if": row["exclude_if"],
        "cautions": row["cautions"],
        "steps": row["steps"],
        "illustration": row["illustration"],
        "picture": row["illustration"] or f"pictograms/{row['position']}.svg",
        "is_global": row["clinic_id"] is None,
    }
