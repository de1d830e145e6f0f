"""The intake form (clinical-model §5), built once from the planner's `Intake` dataclass.

The planner's dataclass is the one definition of every intake field and its allowed values.
From it this module derives the Django form (physio pages), the DRF serializer (API), the
stored answers (JSON on the Assessment) and the conversion back to `Intake`. Cross-field
rules (`validate_answers`) are shared by both entry points, so the page and the API refuse
the same input with the same words.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import types
import typing
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from clinical.intake import (
    ALL_REGIONS,
    RED_FLAG_QUESTIONS,
    RED_FLAG_QUESTIONS_BY_KEY,
    Aggravating,
    Answer,
    Intake,
    MedicalClearance,
    PregnancyStatus,
    RedFlagGroup,
    RedFlagQuestion,
    Region,
    SpinalDiagnosis,
    SportsCategory,
    required_red_flag_questions,
)
from clinical.measures import (
    START_BACK_ITEMS,
    START_BACK_LICENCE,
    StartBackAnswers,
    stored_start_back,
)
from clinical.screening import (
    Outcome,
    ScreeningResult,
    age_on,
    is_adult_on,
    screen,
    screen_for_referral,
)
from core.i18n import localise
from programs import measures_form

# Label, help text and section for each field, in the order the physio meets them (§5.1-§5.5).
# The form shows the sections in this order, one at a time; the red-flag screen follows the
# presentation (its questions depend on the regions), STarT Back has its own section.
SECTIONS: dict[str, Any] = {
    "admin": _("Assessment"),
    "presentation": _("Presentation"),
    "red_flags": _("Red-flag screen"),
    "history": _("History, safety and lifestyle"),
    "start_back": _("STarT Back (low back only)"),
    "psfs": _("Function (PSFS)"),
    "preferences": _("Preferences and resources"),
    "clearance": _("Medical clearance (only when a flag was resolved by a doctor)"),
}
# Fields shown only when another answer makes them relevant: (field, the values that do).
# Hidden fields are not sent, so an answer left in one that no longer applies is dropped.
SHOWN_WHEN: dict[str, tuple[str, tuple[str, ...]]] = {
    "pregnancy_weeks": ("pregnancy_status", (PregnancyStatus.PREGNANT.value,)),
    "sports_detail": ("sports_category", tuple(sport.value for sport in SportsCategory)),
    "spinal_surgery_date": ("known_spinal_dx", (SpinalDiagnosis.SPINAL_SURGERY.value,)),
}
# Sections shown only for some regions: STarT Back is validated for low back pain only (5.6).
SECTION_REGIONS = {"start_back": (Region.LUMBAR.value,)}
LABELS: dict[str, tuple[Any, Any, str]] = {
    "assessment_date": (_("Assessment date"), "", "admin"),
    "pregnancy_status": (_("Pregnancy"), "", "admin"),
    "pregnancy_weeks": (_("Weeks pregnant"), _("Only if pregnant."), "admin"),
    "regions": (_("Regions with spasm"), "", "presentation"),
    "primary_region": (
        _("Main region"),
        _("Orders the items and picks the education text."),
        "presentation",
    ),
    "onset_date": (_("Onset date"), _("An approximate date is fine."), "presentation"),
    "onset_type": (_("How it started"), "", "presentation"),
    "triggers": (_("Triggers"), "", "presentation"),
    "previous_episodes": (_("Previous episodes"), "", "presentation"),
    "pain_now": (_("Pain now (0-10)"), "", "presentation"),
    "pain_worst_24h": (_("Worst pain in the last 24 hours (0-10)"), "", "presentation"),
    "irritability": (
        _("Irritability"),
        _(
            "Low: settles in under 10 min. Moderate: 10-30 min. High: over 30 min or no "
            "comfortable position."
        ),
        "presentation",
    ),
    "aggravating": (_("Movements that make it worse"), "", "presentation"),
    "radiating_pain": (_("Pain spreading into a limb"), "", "presentation"),
    "paraesthesia": (_("Pins and needles or numbness"), "", "presentation"),
    "weakness": (_("Limb weakness"), "", "presentation"),
    "neuro_exam_done": (
        _("Neurological examination done"),
        _("Required when limb symptoms are recorded."),
        "presentation",
    ),
    "directional_preference": (_("Directional preference (examination)"), "", "presentation"),
    "exam_findings": (_("Examination findings"), "", "presentation"),
    "function_walk_10min": (_("Can walk for 10 minutes"), "", "presentation"),
    "work_status": (_("Work"), "", "presentation"),
    "is_prevention_only": (
        _("Prevention only (recovered, history of episodes)"),
        _("Starts in Maintain."),
        "presentation",
    ),
    "known_spinal_dx": (_("Known spinal diagnoses"), "", "history"),
    "spinal_surgery_date": (_("Date of spinal surgery"), _("If any."), "history"),
    "hx_osteoporosis": (_("Osteoporosis"), "", "history"),
    "long_term_steroids": (_("Long-term steroid tablets"), "", "history"),
    "hx_inflammatory": (_("Inflammatory spinal disease"), "", "history"),
    "modality_safety": (_("Cold and heat safety"), "", "history"),
    "other_limits": (_("Other limits"), "", "history"),
    "activity_level": (_("Activity level"), "", "history"),
    "sitting_hours": (_("Hours sitting a day"), "", "history"),
    "occupation_load": (_("Work load"), "", "history"),
    "sports_category": (_("Sport"), "", "history"),
    "sports_detail": (_("Which sport"), "", "history"),
    "weight_category": (_("Weight (physio-recorded)"), "", "history"),
    "stress_level": (_("Stress"), "", "history"),
    "sleep_quality": (_("Sleep"), "", "history"),
    "equipment": (_("Equipment at home"), "", "preferences"),
    "time_per_day": (_("Time a day for exercises (minutes)"), "", "preferences"),
    "preferred_activity": (_("Preferred activity"), "", "preferences"),
    "reminder_frequency": (_("Reminder emails"), "", "preferences"),
}
# Derived or compound fields the form does not ask for directly.
DERIVED = {"age", "red_flags", "medical_clearance", "start_back"}
EXTRA_FIELDS: dict[str, tuple[Any, Any, str]] = {
    "clearance_by": (
        _("Medical clearance: cleared by"),
        _("Name of the doctor, if a flag was resolved."),
        "clearance",
    ),
    "clearance_role": (_("Medical clearance: role"), "", "clearance"),
    "clearance_date": (_("Medical clearance: date"), "", "clearance"),
}
# The STarT Back questionnaire and the PSFS baseline: `measures_form` (their own templates).
LIMB_FIELDS = ("radiating_pain", "paraesthesia", "weakness")


def _extra_spec(name: str) -> FieldSpec:
    if name.endswith("date"):
        return FieldSpec(name, "date", False)
    return FieldSpec(name, "text", False)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # choice | multi | int | date | bool | text
    required: bool
    choices: tuple[tuple[str, str], ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    enum_type: type[enum.Enum] | None = None


# Every choice value in words, marked for translation (the key with spaces is the fallback).
CHOICE_WORDS: dict[str, Any] = {
    "not_pregnant": _("Not pregnant"),
    "pregnant": _("Pregnant"),
    "postpartum_under_12_weeks": _("Postpartum under 12 weeks"),
    "not_applicable": _("Not applicable"),
    "cervical": _("Cervical"),
    "thoracic": _("Thoracic"),
    "lumbar": _("Lumbar"),
    "sudden_injury": _("Sudden injury"),
    "gradual": _("Gradual"),
    "flare_of_recurring_problem": _("Flare of recurring problem"),
    "unknown": _("Unknown"),
    "heavy_lift": _("Heavy lift"),
    "repeated_lifting": _("Repeated lifting"),
    "sudden_bend_or_twist": _("Sudden bend or twist"),
    "awkward_sleeping_position": _("Awkward sleeping position"),
    "prolonged_sitting": _("Prolonged sitting"),
    "sport": _("Sport"),
    "unaccustomed_heavy_activity": _("Unaccustomed heavy activity"),
    "stress": _("Stress"),
    "road_collision": _("Road collision"),
    "fall": _("Fall"),
    "other": _("Other"),
    "none_known": _("None known"),
    "none": _("None"),
    "one_or_two": _("One or two"),
    "three_or_more": _("Three or more"),
    "low": _("Low"),
    "moderate": _("Moderate"),
    "high": _("High"),
    "bending_forward": _("Bending forward"),
    "lifting": _("Lifting"),
    "sitting": _("Sitting"),
    "standing": _("Standing"),
    "walking": _("Walking"),
    "bending_backwards": _("Bending backwards"),
    "turning": _("Turning"),
    "looking_down": _("Looking down"),
    "lying": _("Lying"),
    "buttock_or_thigh": _("Buttock or thigh"),
    "below_knee": _("Below knee"),
    "both_legs": _("Both legs"),
    "one_arm": _("One arm"),
    "both_arms": _("Both arms"),
    "one_limb": _("One limb"),
    "both_limbs": _("Both limbs"),
    "saddle_area": _("Saddle area"),
    "stable_examined": _("Stable, examined"),
    "new_or_worsening": _("New or worsening"),
    "extension": _("Extension"),
    "flexion": _("Flexion"),
    "not_assessed": _("Not assessed"),
    "hyperlordosis": _("Hyperlordosis"),
    "tight_hamstrings": _("Tight hamstrings"),
    "weak_gluteals_or_legs": _("Weak gluteals or legs"),
    "poor_trunk_endurance": _("Poor trunk endurance"),
    "forward_head_posture": _("Forward head posture"),
    "stiff_thoracic_spine": _("Stiff thoracic spine"),
    "rounded_shoulders": _("Rounded shoulders"),
    "working_normally": _("Working normally"),
    "modified_duties": _("Modified duties"),
    "off_work": _("Off work"),
    "not_working": _("Not working"),
    "disc_herniation": _("Disc herniation"),
    "spinal_stenosis": _("Spinal stenosis"),
    "spondylolisthesis": _("Spondylolisthesis"),
    "facet_arthropathy": _("Facet arthropathy"),
    "scoliosis": _("Scoliosis"),
    "spinal_surgery": _("Spinal surgery"),
    "no": _("No"),
    "yes": _("Yes"),
    "previous_fragility_fracture": _("Previous fragility fracture"),
    "ankylosing_spondylitis": _("Ankylosing spondylitis"),
    "other_inflammatory_arthritis": _("Other inflammatory arthritis"),
    "reduced_skin_sensation": _("Reduced skin sensation"),
    "diabetes_with_neuropathy": _("Diabetes with neuropathy"),
    "circulation_disorder": _("Circulation disorder"),
    "raynauds": _("Raynaud's"),
    "cold_urticaria": _("Cold urticaria"),
    "broken_skin_or_skin_condition": _("Broken skin or skin condition"),
    "shoulder_problem": _("Shoulder problem"),
    "knee_problem": _("Knee problem"),
    "wrist_or_hand_problem": _("Wrist or hand problem"),
    "balance_problems_or_falls": _("Balance problems or falls"),
    "heart_or_lung_condition": _("Heart or lung condition"),
    "mostly_sitting": _("Mostly sitting"),
    "some_activity": _("Some activity"),
    "regularly_active": _("Regularly active"),
    "under_4": _("Under 4"),
    "4_to_8": _("4 to 8"),
    "over_8": _("Over 8"),
    "desk": _("Desk"),
    "light_manual": _("Light manual"),
    "heavy_manual": _("Heavy manual"),
    "twisting_or_contact": _("Twisting or contact"),
    "endurance": _("Endurance"),
    "healthy": _("Healthy"),
    "overweight": _("Overweight"),
    "obese": _("Obese"),
    "good": _("Good"),
    "disturbed_by_pain": _("Disturbed by pain"),
    "poor_other_reasons": _("Poor for other reasons"),
    "floor_mat": _("Floor mat"),
    "sturdy_chair": _("Sturdy chair"),
    "wall": _("Wall"),
    "towel_or_strap": _("Towel or strap"),
    "resistance_band": _("Resistance band"),
    "pillows": _("Pillows"),
    "ice_pack": _("Ice pack"),
    "heat_pack": _("Heat pack"),
    "stationary_bike": _("Stationary bike"),
    "pool_access": _("Pool access"),
    "water_exercise": _("Water exercise"),
    "cycling": _("Cycling"),
    "yoga_or_tai_chi": _("Yoga or tai chi"),
    "weekly": _("Weekly"),
    "three_per_week": _("Three per week"),
    "daily": _("Daily"),
    "unanswered": _("Unanswered"),
    "unsure": _("Unsure"),
}


def _words(value) -> Any:
    return CHOICE_WORDS.get(str(value)) or str(value).replace("_", " ").capitalize()


def answer_in_words(name: str, value: str) -> str:
    """One answer a rule fired on, as the physio reads it: ``("ces_saddle_numbness", "yes")``
    is the question and "Yes", not the raw key."""
    question = RED_FLAG_QUESTIONS_BY_KEY.get(name)
    spec = SPECS_BY_NAME.get(name)
    if question is not None:
        return f"{localise(question.physio_text)} {ANSWER_WORDS.get(value, _words(value))}"
    label = LABELS[name][0] if name in LABELS else _words(name)
    if spec is not None and spec.choices:
        words = dict(spec.choices)
        value = ", ".join(str(words.get(part, _words(part))) for part in str(value).split(", "))
    elif value in ("yes", "no", "unanswered", "True", "False"):
        value = str({"True": _words("yes"), "False": _words("no")}.get(value) or _words(value))
    return f"{label}: {value}"


# Optional in the planner (it screens an incomplete intake as GATE-ASSESSED) but required here.
REQUIRED_IN_FORM = {"assessment_date"}


def _spec(name: str, hint, has_default: bool) -> FieldSpec:
    optional = False
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        hint, optional = args[0], True
    required = name in REQUIRED_IN_FORM or not (optional or has_default)
    origin = typing.get_origin(hint)
    if origin is frozenset:
        (member,) = typing.get_args(hint)
        choices = tuple((m.value, _words(m.value)) for m in member)
        return FieldSpec(name, "multi", required, choices, enum_type=member)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        if issubclass(hint, enum.IntEnum):
            choices = tuple((str(m.value), str(m.value)) for m in hint)
        else:
            choices = tuple((m.value, _words(m.value)) for m in hint)
        return FieldSpec(name, "choice", required, choices, enum_type=hint)
    if hint is bool:
        return FieldSpec(name, "bool", not has_default and not optional)
    if hint is int:
        bounds = {"pain_now": (0, 10), "pain_worst_24h": (0, 10), "pregnancy_weeks": (1, 45)}
        low, high = bounds.get(name, (0, None))
        return FieldSpec(name, "int", required, minimum=low, maximum=high)
    if hint is datetime.date:
        return FieldSpec(name, "date", required)
    if hint is str:
        return FieldSpec(name, "text", False)
    raise TypeError(f"intake field {name} has a type the form cannot show: {hint!r}")


def _specs() -> tuple[FieldSpec, ...]:
    hints = typing.get_type_hints(Intake)
    defaults = {
        f.name
        for f in dataclasses.fields(Intake)
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    }
    by_name = {
        name: _spec(name, hints[name], name in defaults) for name in hints if name not in DERIVED
    }
    missing = set(by_name) - set(LABELS)
    if missing:
        raise RuntimeError(f"intake fields without a label: {sorted(missing)}")
    return tuple(by_name[name] for name in LABELS)


FIELD_SPECS = _specs()
SPECS_BY_NAME = {spec.name: spec for spec in FIELD_SPECS}
RED_FLAG_FIELD_PREFIX = "rf_"
ANSWER_WORDS = {"yes": _("Yes"), "no": _("No"), "unsure": _("Unsure")}
RED_FLAG_CHOICES = tuple((answer.value, ANSWER_WORDS[answer.value]) for answer in Answer)


# --- cross-field rules, shared by the page and the API ------------------------------------


PLEASE_ANSWER = gettext_noop("Please answer this question.")
REQUIRED_UNLESS_REFERRED = _(
    "Required, unless the answers given already call for an urgent or emergency referral: "
    "the assessment is then recorded incomplete, for the referral only."
)


def _is_empty(value) -> bool:
    if isinstance(value, (list, set, frozenset, tuple)):
        return not value
    return value is None or value == ""


def unanswered(answers: dict) -> dict[str, str]:
    """Required answers not given, by field name, with what to say (typed or stored answers).

    Nothing is ever answered on anyone's behalf: a question left empty stays unanswered.
    """
    errors: dict[str, str] = {}
    for spec in FIELD_SPECS:
        if spec.required and _is_empty(answers.get(spec.name)):
            errors[spec.name] = (
                gettext("Answer yes or no.") if spec.kind == "bool" else gettext(PLEASE_ANSWER)
            )
    has_limb_symptoms = any(answers.get(name) not in (None, "", "none") for name in LIMB_FIELDS)
    if has_limb_symptoms and answers.get("neuro_exam_done") is None:
        errors["neuro_exam_done"] = gettext(
            "Say whether a neurological examination was done: limb symptoms are recorded."
        )
    red_flags = answers.get("red_flags") or {}
    for key in required_red_flag_questions(answers.get("regions") or ()):
        if red_flags.get(key) not in {a.value for a in Answer}:
            errors[f"{RED_FLAG_FIELD_PREFIX}{key}"] = gettext("Answer this red-flag question.")
    return errors


def validate_answers(answers: dict, *, date_of_birth: datetime.date, today: datetime.date) -> dict:
    """Errors by field name: answers that do not fit together, and required answers not given.

    Required answers may stay empty when the answers given already refer the patient on
    (urgent or emergency): the assessment is then recorded incomplete, for the referral only.
    """
    errors: dict[str, str] = {}
    assessment_date = answers.get("assessment_date")
    if assessment_date and assessment_date > today:
        errors["assessment_date"] = gettext("The assessment date cannot be in the future.")
    onset = answers.get("onset_date")
    if onset and onset > today:
        errors["onset_date"] = gettext("The onset date cannot be in the future.")
    if onset and assessment_date and onset > assessment_date:
        errors["onset_date"] = gettext("The onset date cannot be after the assessment date.")
    if assessment_date and not is_adult_on(date_of_birth, assessment_date):
        errors["age"] = gettext("Patients must be 18 or over: this service is not for children.")
    regions = answers.get("regions") or []
    primary = answers.get("primary_region")
    if primary and regions and primary not in regions:
        errors["primary_region"] = gettext("The main region must be one of the regions with spasm.")
    aggravating = answers.get("aggravating") or []
    if Aggravating.NONE.value in aggravating and len(aggravating) > 1:
        errors["aggravating"] = gettext(
            "Choose “None” or the movements that make it worse, not both."
        )
    if answers.get("pregnancy_status") == "pregnant" and not answers.get("pregnancy_weeks"):
        errors["pregnancy_weeks"] = gettext("Give the weeks of pregnancy.")
    worst, now = answers.get("pain_worst_24h"), answers.get("pain_now")
    if worst is not None and now is not None and worst < now:
        errors["pain_worst_24h"] = gettext(
            "The worst pain in 24 hours cannot be below the pain now."
        )
    clearance = [answers.get(n) for n in ("clearance_by", "clearance_role", "clearance_date")]
    if any(clearance) and not all(clearance):
        errors["clearance_by"] = gettext("Give who cleared the patient, their role and the date.")
    errors.update(measures_form.validate_measures(answers))
    missing = unanswered(answers)
    if missing and (errors or not _refers_at_once(answers, date_of_birth, today)):
        errors.update(missing)
    return errors


def _refers_at_once(answers: dict, date_of_birth: datetime.date, today: datetime.date) -> bool:
    """Do the answers given already call for an urgent or emergency referral?"""
    assessment_date = answers.get("assessment_date")
    if assessment_date is None:
        return False
    result = screen_stored(
        to_storable(answers), age=age_on(date_of_birth, assessment_date), today=today
    )
    return result.outcome in (Outcome.URGENT, Outcome.EMERGENCY)


# --- storage and conversion ---------------------------------------------------------------


def to_storable(answers: dict) -> dict:
    """Answers as JSON-friendly values (dates as ISO text, sets as sorted lists)."""
    stored = {}
    for name, value in answers.items():
        if isinstance(value, datetime.date):
            value = value.isoformat()
        elif isinstance(value, (set, frozenset, tuple)):
            value = sorted(value)
        stored[name] = value
    return stored


def _from_storable(spec: FieldSpec, value):
    if value in (None, ""):
        return None
    if spec.kind == "date":
        return datetime.date.fromisoformat(value) if isinstance(value, str) else value
    if spec.kind in ("choice", "multi"):
        enum_type = spec.enum_type
        assert enum_type is not None, "_spec gives every choice and multi field its enum"
        if spec.kind == "choice":
            return enum_type(int(value) if issubclass(enum_type, enum.IntEnum) else value)
        return frozenset(enum_type(item) for item in value)
    return value


def _recorded(stored: dict, *, age: int) -> dict:
    """The `Intake` keyword arguments the stored answers give (unanswered ones left out)."""
    values: dict[str, Any] = {"assessment_date": None}
    for spec in FIELD_SPECS:
        value = _from_storable(spec, stored.get(spec.name))
        if value is not None:
            values[spec.name] = value
    clearance = None
    if stored.get("clearance_by"):
        clearance = MedicalClearance(
            cleared_by=stored["clearance_by"],
            role=stored.get("clearance_role", ""),
            cleared_on=datetime.date.fromisoformat(stored["clearance_date"]),
        )
    start_back = stored_start_back(stored)
    return {
        **values,
        "age": age,
        "red_flags": dict(stored.get("red_flags") or {}),
        "medical_clearance": clearance,
        "start_back": start_back,
    }


def to_intake(stored: dict, *, age: int) -> Intake:
    """Rebuild the planner's `Intake` from stored answers (a complete assessment's)."""
    return Intake(**_recorded(stored, age=age))


def is_complete(stored: dict) -> bool:
    return not unanswered(stored)


def screen_stored(stored: dict, *, age: int, today: datetime.date) -> ScreeningResult:
    """The screening result of stored answers: the whole screen when every required answer is
    given, else the referral-only screen of what was answered (`screen_for_referral`)."""
    missing = unanswered(stored)
    if not missing:
        return screen(to_intake(stored, age=age), today=today)
    names = dict.fromkeys(name.removeprefix(RED_FLAG_FIELD_PREFIX) for name in missing)
    return screen_for_referral(_recorded(stored, age=age), unanswered=names, today=today)


# --- the Django form (pages) --------------------------------------------------------------


class _FormFieldOptions(TypedDict):
    label: str
    help_text: str
    required: bool


def _form_field(spec: FieldSpec, label: str, help_text: str) -> forms.Field:
    # Only the assessment date is required field by field: every other required answer is
    # checked in `validate_answers`, which lets an urgent or emergency referral through with
    # the rest empty. Every choice starts unanswered ("—"), never on its first option.
    common: _FormFieldOptions = {
        "label": label,
        "help_text": help_text,
        "required": spec.name in REQUIRED_IN_FORM,
    }
    if spec.kind == "choice":
        return forms.ChoiceField(choices=(("", "—"), *spec.choices), **common)
    if spec.kind == "multi":
        return forms.MultipleChoiceField(
            choices=spec.choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if spec.kind == "int":
        return forms.IntegerField(min_value=spec.minimum, max_value=spec.maximum, **common)
    if spec.kind == "date":
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common
        )
    if spec.kind == "bool":
        optional: _FormFieldOptions = {**common, "required": False}
        return forms.NullBooleanField(
            widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
            **optional,
        )
    return forms.CharField(max_length=200, **common)


@dataclass
class ShownField:
    """A bound field and, if it is shown only for some answers, the field and values that
    show it (`SHOWN_WHEN`)."""

    field: forms.BoundField
    shown_by: str = ""
    shown_for: tuple[str, ...] = ()

    @property
    def shown_for_text(self) -> str:
        return " ".join(self.shown_for)


@dataclass
class RedFlagGroupRows:
    group: RedFlagGroup
    rows: list[tuple[RedFlagQuestion, forms.BoundField, str]]
    region_set: set[str]

    @property
    def regions(self) -> str:
        """The regions the group is asked for, or "" when it is asked for every region."""
        if self.region_set >= {region.value for region in Region}:
            return ""
        return " ".join(sorted(self.region_set))


@dataclass
class FormSection:
    key: str
    title: str
    fields: list[ShownField]
    flag_groups: list[RedFlagGroupRows]
    regions: str  # shown only for these regions ("" = always)


def _regions_text(question: RedFlagQuestion) -> str:
    """The regions a question is asked for, or "" when it is asked for every region."""
    if question.regions >= ALL_REGIONS:
        return ""
    return " ".join(sorted(region.value for region in question.regions))


def section_of(name: str) -> str:
    """The form section a field (or an error's field name) belongs to."""
    if name.startswith(RED_FLAG_FIELD_PREFIX):
        return "red_flags"
    if name == "age":  # the date-of-birth check reports on the assessment date
        return "admin"
    if measures_form.is_measure_field(name):
        return "start_back" if name.startswith(measures_form.START_BACK_PREFIX) else "psfs"
    return (LABELS.get(name) or EXTRA_FIELDS.get(name) or ("", "", "admin"))[2]


def missing_by_section(answers: dict, errors=()) -> dict[str, int]:
    """How many answers each section still needs (or has wrong), for the section list.

    Before any region is chosen the red-flag questions asked for every region count as
    unanswered (`unanswered` asks only those of the chosen regions).
    """
    names = set(unanswered(answers)) | {name for name in errors if name != NON_FIELD_ERRORS}
    if not answers.get("regions"):
        red_flags = answers.get("red_flags") or {}
        names |= {
            f"{RED_FLAG_FIELD_PREFIX}{question.key}"
            for question in RED_FLAG_QUESTIONS
            if question.regions >= ALL_REGIONS and question.key not in red_flags
        }
    counts = dict.fromkeys(SECTIONS, 0)
    for name in names:
        counts[section_of(name)] += 1
    return counts


class AssessmentForm(forms.Form):
    """Every intake field and the red-flag screen. Build with the patient's date of birth."""

    start_back_licence = START_BACK_LICENCE

    def __init__(
        self,
        *args,
        date_of_birth: datetime.date,
        today: datetime.date,
        start_back_enabled: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.date_of_birth = date_of_birth
        self.today = today
        for spec in FIELD_SPECS:
            label, help_text, _section = LABELS[spec.name]
            self.fields[spec.name] = _form_field(spec, label, help_text)
        for name, (label, help_text, _section) in EXTRA_FIELDS.items():
            self.fields[name] = _form_field(_extra_spec(name), label, help_text)
        for question in RED_FLAG_QUESTIONS:
            self.fields[f"{RED_FLAG_FIELD_PREFIX}{question.key}"] = forms.ChoiceField(
                label=localise(question.physio_text),
                choices=RED_FLAG_CHOICES,
                widget=forms.RadioSelect,
                required=False,
            )
        measures_form.add_measure_fields(self, start_back_enabled=start_back_enabled)

    def start_back_fields(self):
        return measures_form.start_back_fields(self)

    def psfs_rows(self):
        return measures_form.psfs_rows(self)

    def sections(self) -> list[FormSection]:
        """The sections in the order the physio meets them, each with its bound fields (the
        red-flag screen with its questions by group) and when it is shown."""
        grouped: dict[str, list[forms.BoundField]] = {key: [] for key in SECTIONS}
        for name in self.fields:
            if name.startswith(RED_FLAG_FIELD_PREFIX) or measures_form.is_measure_field(name):
                continue
            grouped[section_of(name)].append(self[name])
        return [
            FormSection(
                key=key,
                title=str(title),
                fields=[
                    ShownField(field, *SHOWN_WHEN.get(field.name, ("", ())))
                    for field in grouped[key]
                ],
                flag_groups=self.red_flag_groups() if key == "red_flags" else [],
                regions=" ".join(SECTION_REGIONS.get(key, ())),
            )
            for key, title in SECTIONS.items()
            # STarT Back only where the clinic uses the tool (its fields come from
            # `measures_form`, rendered by their own include).
            if key != "start_back" or self.start_back_fields()
        ]

    def red_flag_groups(self) -> list[RedFlagGroupRows]:
        """The red-flag questions by group, each marked with the regions it is asked for."""
        groups: dict[str, RedFlagGroupRows] = {}
        for question in RED_FLAG_QUESTIONS:
            group = groups.setdefault(
                question.group.name, RedFlagGroupRows(question.group, [], set())
            )
            field = self[f"{RED_FLAG_FIELD_PREFIX}{question.key}"]
            group.rows.append((question, field, _regions_text(question)))
            group.region_set.update(region.value for region in question.regions)
        return list(groups.values())

    def clean(self):
        cleaned = super().clean()
        answers = answers_from_cleaned(self.cleaned_data)  # what Form.clean() returned
        measures, measure_errors = measures_form.measures_from_cleaned(self.cleaned_data)
        answers.update(measures)
        for name, message in measure_errors.items():
            self.add_error(name, message)
        for name, message in validate_answers(
            answers, date_of_birth=self.date_of_birth, today=self.today
        ).items():
            self.add_error(name if name in self.fields else None, message)
        return cleaned

    @property
    def answers(self) -> dict:
        answers = answers_from_cleaned(self.cleaned_data)
        answers.update(measures_form.measures_from_cleaned(self.cleaned_data)[0])
        return answers


def answers_from_cleaned(cleaned: dict) -> dict:
    """Cleaned form or serializer data → the answers dict (red flags grouped)."""
    answers = {}
    red_flags = {}
    for name, value in cleaned.items():
        if measures_form.is_measure_field(name):
            continue
        if name.startswith(RED_FLAG_FIELD_PREFIX):
            if value:
                red_flags[name.removeprefix(RED_FLAG_FIELD_PREFIX)] = value
            continue
        spec = SPECS_BY_NAME.get(name)
        if spec and spec.enum_type is not None and issubclass(spec.enum_type, enum.IntEnum):
            value = int(value) if value not in (None, "") else value
        if _is_empty(value):  # unanswered stays unanswered, required or not
            continue
        answers[name] = sorted(value) if isinstance(value, (list, set, tuple)) else value
    answers["red_flags"] = red_flags
    return answers


# --- the DRF serializer (API) -------------------------------------------------------------


class _SerializerFieldOptions(TypedDict):
    help_text: str | None
    required: bool
    allow_null: NotRequired[bool]


def _serializer_field(spec: FieldSpec, help_text: str) -> serializers.Field:
    # As on the page: a missing required answer is a 400 from `validate_answers` (never a
    # default), unless the answers given already call for an urgent or emergency referral.
    required = spec.name in REQUIRED_IN_FORM
    if spec.required and not required:
        help_text = f"{help_text} {REQUIRED_UNLESS_REFERRED}".strip()
    common: _SerializerFieldOptions = {"help_text": help_text or None, "required": required}
    if not required:
        common["allow_null"] = True
    if spec.kind == "choice":
        return serializers.ChoiceField(choices=[c for c, _words_ in spec.choices], **common)
    if spec.kind == "multi":
        return serializers.MultipleChoiceField(choices=[c for c, _words_ in spec.choices], **common)
    if spec.kind == "int":
        return serializers.IntegerField(min_value=spec.minimum, max_value=spec.maximum, **common)
    if spec.kind == "date":
        return serializers.DateField(**common)
    if spec.kind == "bool":
        nullable: _SerializerFieldOptions = {**common, "required": False, "allow_null": True}
        return serializers.BooleanField(**nullable)
    return serializers.CharField(max_length=200, allow_blank=True, **common)


class RedFlagAnswersSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            question.key: serializers.ChoiceField(
                choices=[a.value for a in Answer], required=False, help_text=question.physio_text
            )
            for question in RED_FLAG_QUESTIONS
        }


class AssessmentInputSerializer(serializers.Serializer):
    """Every intake field; `red_flags` maps question keys to yes / no / unsure."""

    red_flags = RedFlagAnswersSerializer()

    def get_fields(self):
        fields = super().get_fields()
        for spec in FIELD_SPECS:
            fields[spec.name] = _serializer_field(spec, LABELS[spec.name][1])
        for name in EXTRA_FIELDS:
            fields[name] = _serializer_field(_extra_spec(name), EXTRA_FIELDS[name][1])
        fields.update(measures_form.measure_serializer_fields())
        return fields

    def validate(self, attrs):
        measures = measures_form.measures_from_validated(attrs)
        answers = answers_from_cleaned(
            {
                **{k: v for k, v in attrs.items() if k != "red_flags"},
                **{f"{RED_FLAG_FIELD_PREFIX}{k}": v for k, v in attrs.get("red_flags", {}).items()},
            }
        )
        answers.update(measures)
        errors = validate_answers(
            answers, date_of_birth=self.context["date_of_birth"], today=self.context["today"]
        )
        if errors:
            nested: dict[str, Any] = {}
            for name, message in errors.items():
                if name.startswith(RED_FLAG_FIELD_PREFIX):
                    key = name.removeprefix(RED_FLAG_FIELD_PREFIX)
                    nested.setdefault("red_flags", {})[key] = [message]
                else:
                    nested[name] = [message]
            raise serializers.ValidationError(nested)
        return answers


# --- the clinical record (the stored answers in words) ------------------------------------


NOT_ANSWERED = gettext_noop("Not answered")


@dataclass(frozen=True)
class RecordRow:
    name: str  # the field name, or `record_row_name` for a red-flag question
    label: str
    words: str  # the answer in words, or NOT_ANSWERED
    is_answered: bool
    group: str = ""  # the red-flag group letter


@dataclass(frozen=True)
class RecordSection:
    key: str
    title: str
    rows: tuple[RecordRow, ...]


def _value_in_words(spec: FieldSpec, value) -> str:
    if spec.kind == "multi":
        words = dict(spec.choices)
        if not value:
            return str(_words("none"))
        return ", ".join(str(words.get(item, _words(item))) for item in value)
    if spec.kind == "choice":
        return str(dict(spec.choices).get(str(value), _words(value)))
    if spec.kind == "bool":
        return str(_words("yes") if value else _words("no"))
    if spec.kind == "date":
        day = datetime.date.fromisoformat(value) if isinstance(value, str) else value
        return date_format(day, "j M Y")
    return str(value)


def _applies(name: str, stored: dict) -> bool:
    """Is this field asked for these answers (`SHOWN_WHEN`, `SECTION_REGIONS`)?"""
    if name in SHOWN_WHEN:
        by, values = SHOWN_WHEN[name]
        given = stored.get(by)
        given = given if isinstance(given, list) else [given]
        if not any(str(value) in values for value in given):
            return False
    regions = SECTION_REGIONS.get(section_of(name))
    return not regions or bool(set(regions) & set(stored.get("regions") or ()))


def record_row_name(question: RedFlagQuestion) -> str:
    """A red-flag row's name on the record page: its place in the screen, not its key (the
    page shows no raw keys)."""
    return f"red-flag-{RED_FLAG_QUESTIONS.index(question) + 1}"


def _start_back_rows(stored: dict) -> list[RecordRow]:
    """STarT Back on the record: the nine answers in words; an older assessment's typed-in
    total and distress score; or, for a low back episode, "not answered"."""
    answers = stored.get("start_back_answers")
    if answers:
        given = StartBackAnswers.from_stored(answers)
        words = [agreement.value.capitalize() for agreement in given.agreements]
        words.append(given.bothersome.label)
        return [
            RecordRow(f"start_back_item_{item.number}", f"{item.number}. {item.text}", said, True)
            for item, said in zip(START_BACK_ITEMS, words, strict=True)
        ]
    if stored.get("start_back_total") is not None:
        return [
            RecordRow(
                "start_back_total", "STarT Back total (0-9)", str(stored["start_back_total"]), True
            ),
            RecordRow(
                "start_back_distress",
                "STarT Back distress subscale (0-5)",
                str(stored.get("start_back_distress")),
                True,
            ),
        ]
    if set(SECTION_REGIONS["start_back"]) & set(stored.get("regions") or ()):
        return [
            RecordRow(
                "start_back_total",
                gettext("STarT Back questionnaire"),
                gettext(NOT_ANSWERED),
                False,
            )
        ]
    return []


def _psfs_rows(stored: dict) -> list[RecordRow]:
    """The PSFS baseline: each activity with its rating, or "not answered"."""
    baseline = stored.get("psfs_baseline") or []
    if not baseline:
        return [
            RecordRow(
                "psfs_activity_1",
                gettext("Activities the patient finds hard"),
                gettext(NOT_ANSWERED),
                False,
            )
        ]
    return [
        RecordRow(f"psfs_activity_{number}", entry["activity"], f"{entry['rating']}/10", True)
        for number, entry in enumerate(baseline, start=1)
    ]


def recorded_answers(stored: dict) -> list[RecordSection]:
    """The stored answers as a physio writes them up: by section, each in words, every
    question that applies listed, unanswered ones marked as such (`NOT_ANSWERED`). The
    red-flag screen lists the questions asked for the patient's regions, and any other
    question that was answered."""
    rows: dict[str, list[RecordRow]] = {key: [] for key in SECTIONS}
    specs = [(spec.name, spec, LABELS[spec.name][0]) for spec in FIELD_SPECS]
    specs += [
        (name, _extra_spec(name), label) for name, (label, _help, _section) in EXTRA_FIELDS.items()
    ]
    for name, spec, label in specs:
        value = stored.get(name)
        if not _applies(name, stored) and _is_empty(value):
            continue
        answered = value is not None and value != "" and not (spec.kind != "multi" and value == [])
        words = _value_in_words(spec, value) if answered else gettext(NOT_ANSWERED)
        rows[section_of(name)].append(RecordRow(name, label, words, answered))
    rows["start_back"] += _start_back_rows(stored)
    rows["psfs"] += _psfs_rows(stored)
    red_flags = stored.get("red_flags") or {}
    asked = set(required_red_flag_questions(stored.get("regions") or ()))
    for question in RED_FLAG_QUESTIONS:
        answer = red_flags.get(question.key)
        if question.key not in asked and answer is None:
            continue
        rows["red_flags"].append(
            RecordRow(
                record_row_name(question),
                localise(question.physio_text),
                str(ANSWER_WORDS.get(answer, _words(answer))) if answer else gettext(NOT_ANSWERED),
                answer is not None,
                group=question.group.value,
            )
        )
    return [
        RecordSection(key, str(title), tuple(rows[key]))
        for key, title in SECTIONS.items()
        if rows[key]
    ]
