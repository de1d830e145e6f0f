"""The outcome measures of the assessment form (issue #18): the Keele STarT Back questionnaire
(nine items, lumbar episodes, when the clinic turned it on) and the PSFS baseline (up to five
activities the patient finds hard, each rated 0-10).

Kept apart from the intake fields (`intake_form`): the page renders them from their own
include templates, the API takes them as `start_back` and `psfs_baseline`. Stored with the
assessment's answers as ``start_back_answers`` ({"items": [8 answers: agree or disagree],
"bothersome": ...}) and ``psfs_baseline`` ([{"activity", "rating"}]). Older assessments that
have a typed-in ``start_back_total``/``start_back_distress`` are still read (`stored_start_back`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from clinical.measures import (
    AGREE_ITEMS,
    BOTHERSOME_ITEM,
    PSFS_MAX_ACTIVITIES,
    START_BACK_LICENCE,
    Agreement,
    Bothersome,
    StartBackAnswers,
    is_start_back_used_for,
)
from core.i18n import localise

localise_lazy = lazy(localise, str)

START_BACK_PREFIX = "start_back_item_"
BOTHERSOME_FIELD = f"{START_BACK_PREFIX}{BOTHERSOME_ITEM.number}"
PSFS_ACTIVITY = "psfs_activity_"
PSFS_RATING = "psfs_rating_"
AGREEMENT_CHOICES = (
    (Agreement.DISAGREE.value, _("Disagree")),
    (Agreement.AGREE.value, _("Agree")),
)
BOTHERSOME_CHOICES = tuple((b.value, localise_lazy(b.label)) for b in Bothersome)
LUMBAR_ONLY = _(
    "STarT Back is for low back episodes only: Keele does not recommend it for the neck or "
    "upper back. Leave it empty, or add the low back to the regions."
)
ANSWER_ALL_NINE = _("Answer all nine STarT Back items, or none.")
PSFS_PAIR = _("Give each activity a rating from 0 to 10 (and each rating its activity).")


# --- the page ----------------------------------------------------------------------------


def add_start_back_fields(form: forms.Form) -> None:
    """The nine items as radio groups, none required (checked together: all nine or none)."""
    for item in AGREE_ITEMS:
        form.fields[f"{START_BACK_PREFIX}{item.number}"] = forms.ChoiceField(
            label=f"{item.number}. {localise(item.text)}",
            choices=AGREEMENT_CHOICES,
            widget=forms.RadioSelect,
            required=False,
        )
    form.fields[BOTHERSOME_FIELD] = forms.ChoiceField(
        label=f"{BOTHERSOME_ITEM.number}. {localise(BOTHERSOME_ITEM.text)}",
        choices=BOTHERSOME_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )


def add_measure_fields(form: forms.Form, *, start_back_enabled: bool) -> None:
    """Add the STarT Back items (when the clinic uses the tool) and the PSFS pairs to `form`.
    None is required: a questionnaire not given stays unanswered."""
    if start_back_enabled:
        add_start_back_fields(form)
    for number in range(1, PSFS_MAX_ACTIVITIES + 1):
        form.fields[f"{PSFS_ACTIVITY}{number}"] = forms.CharField(
            label=gettext("Activity %(number)s") % {"number": number},
            max_length=120,
            required=False,
        )
        form.fields[f"{PSFS_RATING}{number}"] = forms.IntegerField(
            label=gettext("Activity %(number)s: rating (0 unable - 10 as before)")
            % {"number": number},
            min_value=0,
            max_value=10,
            required=False,
        )


def is_measure_field(name: str) -> bool:
    return name.startswith((START_BACK_PREFIX, PSFS_ACTIVITY, PSFS_RATING))


def start_back_fields(form: forms.Form) -> list[forms.BoundField]:
    return [form[name] for name in form.fields if name.startswith(START_BACK_PREFIX)]


def psfs_rows(form: forms.Form) -> list[tuple[forms.BoundField, forms.BoundField]]:
    return [
        (form[f"{PSFS_ACTIVITY}{number}"], form[f"{PSFS_RATING}{number}"])
        for number in range(1, PSFS_MAX_ACTIVITIES + 1)
    ]


def measures_from_cleaned(cleaned: dict) -> tuple[dict, dict[str, str]]:
    """The measure answers the form's cleaned data gives, and errors by field name."""
    answers: dict = {}
    errors: dict[str, str] = {}
    agreements = [cleaned.get(f"{START_BACK_PREFIX}{item.number}") for item in AGREE_ITEMS]
    bothersome = cleaned.get(BOTHERSOME_FIELD)
    given = [*agreements, bothersome]
    if any(given) and not all(given):
        missing = next(i for i, value in enumerate(given, start=1) if not value)
        errors[f"{START_BACK_PREFIX}{missing}"] = str(ANSWER_ALL_NINE)
    elif all(given):
        answers["start_back_answers"] = {"items": agreements, "bothersome": bothersome}
    baseline = []
    for number in range(1, PSFS_MAX_ACTIVITIES + 1):
        activity = (cleaned.get(f"{PSFS_ACTIVITY}{number}") or "").strip()
        rating = cleaned.get(f"{PSFS_RATING}{number}")
        if bool(activity) != (rating is not None):
            errors[f"{PSFS_ACTIVITY}{number}"] = str(PSFS_PAIR)
        elif activity:
            baseline.append({"activity": activity, "rating": rating})
    if baseline:
        answers["psfs_baseline"] = baseline
    return answers, errors


# --- shared by page and API --------------------------------------------------------------


def validate_measures(answers: dict) -> dict[str, str]:
    """Cross-field rules: STarT Back only for a lumbar episode."""
    errors: dict[str, str] = {}
    regions = answers.get("regions") or []
    if answers.get("start_back_answers") and regions and not is_start_back_used_for(regions):
        errors["start_back"] = str(LUMBAR_ONLY)
    return errors


# --- the API -----------------------------------------------------------------------------


class StartBackInputSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.ChoiceField(choices=[a.value for a in Agreement]),
        min_length=len(AGREE_ITEMS),
        max_length=len(AGREE_ITEMS),
        help_text=f"Items 1-8 in order, agree or disagree. {START_BACK_LICENCE}",
    )
    bothersome = serializers.ChoiceField(
        choices=[b.value for b in Bothersome], help_text=f"Item 9: {BOTHERSOME_ITEM.text}"
    )


class PsfsActivitySerializer(serializers.Serializer):
    activity = serializers.CharField(max_length=120)
    rating = serializers.IntegerField(min_value=0, max_value=10)


def measure_serializer_fields() -> dict[str, serializers.Field]:
    return {
        "start_back": StartBackInputSerializer(
            required=False,
            allow_null=True,
            help_text="Keele STarT Back answers (lumbar episodes only; clinic setting).",
        ),
        "psfs_baseline": serializers.ListField(
            child=PsfsActivitySerializer(),
            required=False,
            max_length=PSFS_MAX_ACTIVITIES,
            help_text="Patient-Specific Functional Scale: up to five activities, each 0-10.",
        ),
    }


def measures_from_validated(attrs: dict) -> dict:
    """Pop the API's `start_back` and `psfs_baseline` into the stored answer names."""
    answers: dict[str, Any] = {}
    start_back = attrs.pop("start_back", None)
    if start_back:
        answers["start_back_answers"] = {
            "items": list(start_back["items"]),
            "bothersome": start_back["bothersome"],
        }
    baseline = attrs.pop("psfs_baseline", None)
    if baseline:
        answers["psfs_baseline"] = [dict(entry) for entry in baseline]
    return answers


def initial_from_response(answers: dict) -> dict:
    """Form initial values from a patient's own STarT Back answers (`StartBackResponse`)."""
    initial = {
        f"{START_BACK_PREFIX}{item.number}": value
        for item, value in zip(AGREE_ITEMS, answers["items"], strict=True)
    }
    initial[BOTHERSOME_FIELD] = answers["bothersome"]
    return initial


class StartBackForm(forms.Form):
    """The patient's own page: all nine items required."""

    @property
    def licence(self) -> str:
        return localise(START_BACK_LICENCE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_start_back_fields(self)
        for field in self.fields.values():
            field.required = True
            field.error_messages["required"] = gettext("Please choose an answer.")

    @property
    def answers(self) -> StartBackAnswers:
        return StartBackAnswers.from_stored(
            {
                "items": [self.cleaned_data[f"{START_BACK_PREFIX}{i.number}"] for i in AGREE_ITEMS],
                "bothersome": self.cleaned_data[BOTHERSOME_FIELD],
            }
        )
