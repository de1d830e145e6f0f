"""The exercise catalogue: global exercises from the catalogue file, plus clinic-private ones."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.utils.deconstruct import deconstructible
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from clinical.vocabulary import (
    CATEGORIES,
    DIRECTIONS,
    PHASE_CODES,
    REGIONS,
    STORED_DOSAGE_AMOUNTS,
    STORED_DOSAGE_FIELDS,
)
from exercises.catalogue_file import EXCLUDE_FLAGS, POSITIONS, TRANSLATED_FIELDS
from figures import PoseError, check_drawing

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The words of the catalogue's vocabularies (categories, positions, directions, regions), in
# the reader's language; a value without one here shows as itself, capitalised.
VOCABULARY_WORDS = {
    "self_care": _("Self care"),
    "flexibility": _("Flexibility"),
    "core": pgettext_lazy("exercise category", "Core"),
    "posture": _("Posture"),
    "aerobic": _("Aerobic"),
    "supine": _("Supine"),
    "prone": _("Prone"),
    "side_lying": _("Side lying"),
    "quadruped": _("Quadruped"),
    "kneeling": _("Kneeling"),
    "half_kneeling": _("Half kneeling"),
    "sitting": _("Sitting"),
    "standing": _("Standing"),
    "water": _("Water"),
    "any": _("Any"),
    "flexion": _("Flexion"),
    "extension": _("Extension"),
    "rotation": _("Rotation"),
    "side_bend": _("Side bend"),
    "mixed": _("Mixed"),
    "neutral": _("Neutral"),
    "cervical": _("Cervical"),
    "thoracic": _("Thoracic"),
    "lumbar": _("Lumbar"),
}


def choices_of(values) -> list[tuple[str, StrOrPromise]]:
    return [
        (value, VOCABULARY_WORDS.get(value) or value.replace("_", " ").capitalize())
        for value in values
    ]


@deconstructible
class ChoiceListValidator:
    """A JSON list whose items all come from a fixed vocabulary."""

    def __init__(self, allowed, allow_empty: bool = False):
        self.allowed = tuple(allowed)
        self.allow_empty = allow_empty

    def __call__(self, value) -> None:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValidationError(_("Must be a list of names."))
        if not value and not self.allow_empty:
            raise ValidationError(_("Choose at least one."))
        unknown = sorted(set(value) - set(self.allowed))
        if unknown:
            raise ValidationError(
                _("Unknown values: %(unknown)s. Allowed: %(allowed)s."),
                params={"unknown": ", ".join(unknown), "allowed": ", ".join(self.allowed)},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, ChoiceListValidator) and (self.allowed, self.allow_empty) == (
            other.allowed,
            other.allow_empty,
        )


def _validate_text_list(value, *, max_items: int = 12, max_length: int = 80) -> None:
    """A short list of short texts (muscles, equipment): the catalogue's longest has 4 items
    of 30 characters; a bound keeps a request from storing thousands."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Must be a list of text items."))
    if len(value) > max_items:
        raise ValidationError(_("Give at most %(count)s items."), params={"count": max_items})
    if any(len(item) > max_length for item in value):
        raise ValidationError(
            _("Keep each item to %(count)s characters at most."), params={"count": max_length}
        )


def _validate_steps(value) -> None:
    _validate_text_list(value, max_length=300)
    if not 3 <= len([step for step in value if step.strip()]) <= 5:
        raise ValidationError(_("Give 3 to 5 steps."))


def _validate_drawing(value) -> None:
    if not value:
        return
    try:
        check_drawing(value)
    except PoseError as error:
        raise ValidationError(f"{error.where}: {error.message}") from error


def translated_texts(translations, language: str | None) -> dict:
    """The texts of `translations` (an exercise's `translations`) in `language`, only those
    that are given: a missing language or text means the English (or the physio's words)."""
    own = (translations or {}).get(language or "", {}) if isinstance(translations, dict) else {}
    return {name: own[name] for name in TRANSLATED_FIELDS if own.get(name)}


class LocalisedModelIterable(ModelIterable):
    """Exercises whose texts (and their loaded progression's and regression's) are in the
    queryset's language: for reading only (`Exercise.save` refuses a localised exercise)."""

    def __iter__(self):
        language = getattr(self.queryset, "_shown_language", None)
        for exercise in super().__iter__():
            exercise.localise(language)
            for link in ("progression", "regression"):
                linked = exercise._state.fields_cache.get(link)
                if linked is not None:
                    linked.localise(language)
            yield exercise


class ExerciseQuerySet(models.QuerySet):
    _shown_language: str | None = None

    def _clone(self):
        clone = super()._clone()  # type: ignore[misc]  # Django's, not in the stubs
        clone._shown_language = self._shown_language
        return clone

    def in_language(self, language: str | None = None):
        """Exercises shown in `language` (default: the active one): name, steps, cautions and
        patient notes from the catalogue's translation, as written where there is none (a
        clinic's own exercises). Value rows (`.values()`) are not changed: see
        `exercises.selectors.exercise_rows`."""
        clone = self.all()
        clone._shown_language = language or get_language()
        clone._iterable_class = LocalisedModelIterable
        return clone

    def for_region(self, region: str):
        # JSON lists are matched on their quoted text, which works on SQLite and PostgreSQL.
        return self.filter(regions__icontains=f'"{region}"')

    def for_phase(self, phase: str):
        return self.filter(phases__icontains=f'"{phase}"')

    def for_clinic(self, clinic_id):
        """The global catalogue plus one clinic's private exercises."""
        return self.filter(Q(clinic=None) | Q(clinic_id=clinic_id))


class Exercise(models.Model):
    """One catalogue exercise. `clinic` is empty for the global catalogue."""

    key = models.CharField(
        max_length=40,
        db_index=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", _("Use letters, digits, - and _ only."))],
        help_text=_(
            "Stable key, e.g. F07. Plans refer to exercises by it. Unique within the global "
            "catalogue and within a clinic; a clinic cannot reuse a global key."
        ),
    )
    clinic = models.ForeignKey(
        "accounts.Clinic",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exercises",
        help_text=_("Empty for the global catalogue."),
    )
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=choices_of(CATEGORIES))
    regions = models.JSONField(default=list, validators=[ChoiceListValidator(REGIONS)])
    target_muscles = models.JSONField(default=list, blank=True, validators=[_validate_text_list])
    position = models.CharField(max_length=20, choices=choices_of(POSITIONS))
    direction = models.CharField(max_length=20, choices=choices_of(DIRECTIONS))
    equipment = models.JSONField(default=list, blank=True, validators=[_validate_text_list])
    difficulty = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    phases = models.JSONField(default=list, validators=[ChoiceListValidator(PHASE_CODES)])
    sets = models.PositiveSmallIntegerField(null=True, blank=True)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    days_per_week = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    per_side = models.BooleanField(default=False)
    physio_notes = models.CharField(
        max_length=300, blank=True, help_text=_("For the physio only; never shown to patients.")
    )
    patient_notes = models.CharField(
        max_length=300, blank=True, help_text=_("A tip shown to the patient beside the exercise.")
    )
    progression = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    regression = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    physio_select_only = models.BooleanField(
        default=False, help_text=_("Never suggested by the planner; only added by a physio.")
    )
    exclude_if = models.JSONField(
        default=list, blank=True, validators=[ChoiceListValidator(EXCLUDE_FLAGS, allow_empty=True)]
    )
    cautions = models.TextField(blank=True)
    steps = models.JSONField(default=list, validators=[_validate_steps])
    illustration = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Static path of a drawing of this exercise; empty: the position pictogram."),
    )
    translations = models.JSONField(default=dict, blank=True, editable=False)
    drawing = models.JSONField(
        default=dict,
        blank=True,
        validators=[_validate_drawing],
        help_text=_("The figure's frames (view, props, start and end poses); empty: none yet."),
    )
    picture_file = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("Storage name of an uploaded picture (a PNG or JPEG re-encoded as PNG)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExerciseQuerySet.as_manager()

    # The dosage an exercise gives a prescription by default (same names on Prescription).
    DOSAGE_FIELDS = STORED_DOSAGE_FIELDS

    class Meta:
        ordering = ["key"]
        constraints = [
            # Keys are scoped (see `key_clash`): one clinic's private keys never meet another's,
            # so creating one says nothing about what other clinics have.
            models.UniqueConstraint(
                fields=["clinic", "key"],
                name="exercise_key_unique_in_clinic",
                violation_error_message="Your clinic already has an exercise with this key.",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(clinic=None),
                name="exercise_key_unique_in_catalogue",
                violation_error_code="unique",
                violation_error_message="The global catalogue has an exercise with this key.",
            ),
            models.CheckConstraint(
                condition=Q(difficulty__gte=1, difficulty__lte=3), name="exercise_difficulty_1_to_3"
            ),
            models.CheckConstraint(
                condition=Q(category__in=CATEGORIES), name="exercise_category_known"
            ),
            models.CheckConstraint(
                condition=Q(position__in=POSITIONS), name="exercise_position_known"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=DIRECTIONS), name="exercise_direction_known"
            ),
            models.CheckConstraint(
                condition=Q(days_per_week__isnull=True)
                | Q(days_per_week__gte=1, days_per_week__lte=7),
                name="exercise_days_per_week_1_to_7",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"

    def save(self, *args, **kwargs) -> None:
        if self.__dict__.get("_english"):
            raise ValueError(f"{self.key} is shown in another language: it cannot be saved.")
        super().save(*args, **kwargs)

    def localise(self, language: str | None = None) -> Exercise:
        """Show this exercise's texts in `language` (default: the active one), in memory only;
        the English stays readable with `english(field)`. Returns the exercise."""
        if "translations" in self.get_deferred_fields():
            return self  # not read: shown as stored (no query per exercise)
        shown = translated_texts(self.translations, language or get_language())
        if shown:
            english = self.__dict__.setdefault("_english", {})
            for name, value in shown.items():
                english.setdefault(name, getattr(self, name))
                setattr(self, name, value)
        return self

    def english(self, field_name: str):
        """A translated field's stored (English) value, even on a localised exercise."""
        return self.__dict__.get("_english", {}).get(field_name, getattr(self, field_name))

    @property
    def picture(self) -> str:
        """Static path of the picture: its own drawing, or the pictogram of its position."""
        return self.illustration or f"pictograms/{self.position}.svg"

    @property
    def is_global(self) -> bool:
        return self.clinic_id is None

    def key_clash(self) -> StrOrPromise | None:
        """Why this exercise's key is taken, in words that name only what the user may know.

        A private key must be new to its clinic and to the public global catalogue; another
        clinic's private keys are never consulted (their existence must not leak). A global
        key must be new to the catalogue and, as the loader asks, to every clinic (the global
        catalogue is written by staff, who see every clinic).
        """
        if not self.key:
            return None
        others = Exercise.objects.filter(key=self.key)
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        if self.clinic_id is None:
            if others.filter(clinic=None).exists():
                return _("The global catalogue already has an exercise with this key.")
            if others.exists():
                return _("Clinic exercises already use this key.")
            return None
        if others.filter(clinic=None).exists():
            return _("The global catalogue uses this key: choose another.")
        if others.filter(clinic_id=self.clinic_id).exists():
            return _("Your clinic already has an exercise with this key.")
        return None

    def validate_constraints(self, exclude=None) -> None:
        """The key rule, reported on `key` (Django names a two-field clash on no field)."""
        exclude = set(exclude or ())
        clash = None if exclude & {"key", "clinic"} else self.key_clash()
        if clash is None:
            super().validate_constraints(exclude=exclude)
            return
        errors: dict[str, list[ValidationError]] = {"key": [ValidationError(clash, code="unique")]}
        try:
            super().validate_constraints(exclude=exclude | {"key"})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        raise ValidationError(errors)

    def clean(self) -> None:
        super().clean()
        if not any(getattr(self, name) for name in STORED_DOSAGE_AMOUNTS):
            raise ValidationError(
                {"minutes": "Give a dosage: sets, repetitions, a hold time or minutes."}
            )
        for link in ("progression", "regression"):
            target = getattr(self, link)
            if target is None:
                continue
            if self.pk and target.pk == self.pk:
                raise ValidationError({link: _("An exercise cannot link to itself.")})
            if target.clinic_id not in (None, self.clinic_id):
                raise ValidationError({link: _("No such exercise.")})


class CatalogueVersion(models.Model):
    """The version of one catalogue: the global one (no clinic) or a clinic's private one.

    It changes whenever that catalogue is loaded or edited (`exercises.services`, the admin),
    so catalogue answers carry an ETag built from it and a conditional GET is answered `304`
    without reading an exercise row.
    """

    clinic = models.ForeignKey(
        "accounts.Clinic",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty for the global catalogue."),
    )
    version = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # One row per catalogue; NULLs are distinct in a unique index, hence the Coalesce.
            models.UniqueConstraint(Coalesce("clinic", Value(0)), name="one_version_per_catalogue"),
        ]

    def __str__(self) -> str:
        return f"Catalogue {self.clinic_id or 'global'} version {self.version}"
