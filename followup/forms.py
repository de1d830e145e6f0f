"""The patient's check-in form: built for their plan (today's items, their warning signs).

The form only translates the answers; `followup.services.record_check_in` validates them
against the plan and runs the rules. Its field names match the service's arguments, so a
ValidationError from the service lands on the field it names.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from core.i18n import localise
from followup.models import CheckIn

PAIN_ERROR = _("Choose a number from 0 (no pain) to 10 (worst imaginable).")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
# The model's choices, marked here too (same message ids), so the form is in the patient's
# language whatever the model's labels are.
ZONES = [
    (CheckIn.Zone.GREEN, _("Green: fine, or mild discomfort that settles within 30 minutes")),
    (CheckIn.Zone.AMBER, _("Amber: moderate discomfort, settled by the next morning")),
    (CheckIn.Zone.RED, _("Red: sharp, shooting or spreading pain, or worse the next day")),
]
FEELINGS = [
    (CheckIn.Feeling.BETTER, _("Better")),
    (CheckIn.Feeling.SAME, _("About the same")),
    (CheckIn.Feeling.WORSE, _("Worse")),
]
WARNING_PREFIX = "warning_"


ANSWER_YES_OR_NO = _("Please answer yes or no.")


def _yes_no(label, *, required: bool = True, help_text: str = "") -> forms.TypedChoiceField:
    """A yes/no question as two radio buttons, neither ticked: nothing is answered for the
    patient. Unanswered is an error ("please answer"), or None where `required` is False."""
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": ANSWER_YES_OR_NO, "invalid_choice": ANSWER_YES_OR_NO},
    )


class CheckInForm(forms.Form):
    """Done? How did it feel? Pain 0-10? Better or worse? Any warning sign? (DESIGN §1)."""

    items_done = forms.MultipleChoiceField(
        label=_("What did you do today?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("“%(value)s” is not in today's plan.")},
    )
    zone = forms.ChoiceField(
        label=_("How did the exercises feel?"),
        choices=ZONES,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Only if you did some exercises today."),
        error_messages={"invalid_choice": _("Choose green, amber or red.")},
    )
    pain = forms.TypedChoiceField(
        label=_("How much pain do you have now?"),
        choices=[(str(number), str(number)) for number in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("0 is no pain, 10 is the worst pain you can imagine."),
        error_messages={"required": PAIN_ERROR, "invalid_choice": PAIN_ERROR},
    )
    feeling = forms.ChoiceField(
        label=_("Since your last check-in, do you feel…"),
        choices=FEELINGS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Tell us whether you feel better, about the same, or worse."),
            "invalid_choice": _("Choose better, about the same, or worse."),
        },
    )
    can_manage_daily_tasks = _yes_no(_("Could you manage your usual daily tasks?"))
    has_new_symptoms = _yes_no(_("Any new symptoms since last time?"))
    pain_eases_with_position = _yes_no(
        _("Does the pain ease when you change position?"),
        required=False,
        help_text=_("Only needed if your pain is 8 or more."),
    )
    note = forms.CharField(
        label=_("Anything else for your physio? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    # A fresh token in every form rendered: sending the same form twice (a double tap, the
    # back button) is one check-in (`record_check_in`).
    client_token = forms.UUIDField(required=False, initial=uuid.uuid4, widget=forms.HiddenInput)

    def __init__(self, *args, items: Sequence[tuple[str, str]], questions: Sequence, **kwargs):
        """`items`: today's tickable (key, name) pairs; `questions`: the plan's warning-sign
        questions (RedFlagQuestion), each asked yes/no and each to be answered."""
        super().__init__(*args, **kwargs)
        self.fields["items_done"].choices = list(items)
        self.warning_keys = [question.key for question in questions]
        for question in questions:
            self.fields[f"{WARNING_PREFIX}{question.key}"] = _yes_no(
                localise(question.patient_text)
            )

    @property
    def warning_fields(self) -> list[forms.BoundField]:
        return [self[f"{WARNING_PREFIX}{key}"] for key in self.warning_keys]

    @property
    def question_fields(self) -> list[forms.BoundField]:
        """The yes/no questions about the patient's day, in the order of the form."""
        return [self[name] for name in ("can_manage_daily_tasks", "has_new_symptoms")]

    def answers(self) -> dict:
        """The cleaned answers as `record_check_in` keyword arguments."""
        data = self.cleaned_data
        return {
            "items_done": list(data["items_done"]),
            "zone": data["zone"],
            "pain": data["pain"],
            "feeling": data["feeling"],
            "can_manage_daily_tasks": data["can_manage_daily_tasks"],
            "has_new_symptoms": data["has_new_symptoms"],
            "pain_eases_with_position": data["pain_eases_with_position"],
            "warning_signs": [
                key for key in self.warning_keys if data.get(f"{WARNING_PREFIX}{key}")
            ],
            "note": data["note"],
            "client_token": data["client_token"],
        }

    def add_service_errors(self, error) -> None:
        """Put a ValidationError from the service on the fields it names (else on the form).
        A reused token is replaced by a fresh one, so the answers can be sent as they are."""
        if getattr(error, "code", None) == "client_token_reused":
            self.data = self.data.copy()
            self.data["client_token"] = str(uuid.uuid4())
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = name if name in self.fields else None
            if name == "warning_signs":
                field = None
            for message in errors:
                self.add_error(field, message)


class FunctionReviewForm(forms.Form):
    """PSFS re-rating (issue #18): one 0-10 scale per activity named at the assessment."""

    def __init__(self, *args, activities: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for number, activity in enumerate(activities, start=1):
            self.fields[f"rating_{number}"] = forms.TypedChoiceField(
                label=activity,
                choices=[(str(value), str(value)) for value in range(11)],
                coerce=int,
                widget=forms.RadioSelect,
                help_text=_("0: unable to do it. 10: as well as before your back problem."),
                error_messages={"required": _("Choose a number from 0 to 10.")},
            )

    @property
    def ratings(self) -> list[int]:
        return [self.cleaned_data[name] for name in self.fields]
