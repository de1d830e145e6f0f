import zoneinfo

from django import forms
from django.contrib.auth import password_validation

from accounts.models import Patient
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
        labels = {"timezone": "Time zone"}
        help_texts = {
            "date_of_birth": f"Patients must be {ADULT_FROM_AGE} or over: this service is for "
            "adults.",
            "timezone": "Reminders arrive at the patient's local time, e.g. Europe/London.",
        }


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Type it again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords are not the same.")
        return cleaned
