import zoneinfo

from django import forms
from django.contrib.auth import password_validation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Clinic, Patient
from clinical.screening import ADULT_FROM_AGE

COMMON_TIMEZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = ["first_name", "last_name", "date_of_birth", "email", "timezone", "language"]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "timezone": forms.TextInput(attrs={"list": "timezones", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }
        labels = {
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "date_of_birth": _("Date of birth"),
            "email": _("Email"),
            "timezone": _("Time zone"),
            "language": _("Language"),
        }
        help_texts = {
            "date_of_birth": format_lazy(
                _("Patients must be {age} or over: this service is for adults."), age=ADULT_FROM_AGE
            ),
            "timezone": _("Reminders arrive at the patient's local time, e.g. Europe/London."),
            "language": _(
                "The patient's portal, emails and printed program are in this language; "
                "the patient can change it."
            ),
        }


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Type it again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords are not the same."))
        return cleaned


class ClinicForm(forms.ModelForm):
    """The clinic admin's settings page: details, emergency wording and letterhead."""

    logo_upload = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_(
            "PNG or JPEG, at most 2 MB. It is re-encoded and shown at most 600 by 200 "
            "pixels on the PDF's first page, in emails and on your patients' pages."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Clinic
        fields = ["name", "address", "phone", "email", "emergency_wording", "brand_colour"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "emergency_wording": forms.Textarea(attrs={"rows": 3}),
            "brand_colour": forms.TextInput(attrs={"type": "color"}),
        }
        labels = {"brand_colour": _("Colour"), "emergency_wording": _("Emergency wording")}

    def clean_brand_colour(self):
        """White text sits on the colour (top bar, buttons): it must stay readable (WCAG AA)."""
        colour = self.cleaned_data["brand_colour"]
        if contrast_with_white(colour) < MIN_CONTRAST:
            raise forms.ValidationError(
                _("This colour is too light for white text on it: choose a darker one.")
            )
        return colour


MIN_CONTRAST = 4.5


def contrast_with_white(colour: str) -> float:
    """WCAG 2 contrast ratio of white on #RRGGBB (1 to 21); 21 for anything unreadable."""
    try:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    except (ValueError, IndexError):
        return 21.0  # not a colour: the model's validator names the field
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)
