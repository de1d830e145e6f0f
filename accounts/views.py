from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import COMMON_TIMEZONES, ClinicForm, PatientForm, SetPasswordForm
from accounts.models import DEFAULT_BRAND_COLOUR, Clinic, Patient
from accounts.permissions import get_physio_or_404, get_visible_patient
from core.i18n import localise


def _own_clinic(user) -> Clinic | None:
    """The clinic a physio works in or a patient is treated at (None for anyone else)."""
    physio = getattr(user, "physiotherapist", None)
    patient = getattr(user, "patient", None)
    member = physio or patient
    return member.clinic if member else None


def home(request):
    """Send each kind of user to their own start page."""
    user = request.user
    if not user.is_authenticated:
        return redirect("login")
    if user.is_physio:
        return redirect("dashboard")
    if user.is_patient:
        return redirect("patient-home")
    if user.is_staff:
        return redirect("admin:index")
    return render(request, "accounts/no_role.html", status=403)


@login_required
def patient_create(request):
    physio = get_physio_or_404(request.user)
    form = PatientForm(
        request.POST or None, instance=Patient(clinic_id=physio.clinic_id, physiotherapist=physio)
    )
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.invite_patient(
                physio=physio, **{name: form.cleaned_data[name] for name in form.Meta.fields}
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s was added and an invitation was sent to %(email)s.")
                % {"name": patient.full_name, "email": patient.email},
            )
            return redirect("patient-detail", pk=patient.pk)
    return render(
        request, "accounts/patient_form.html", {"form": form, "timezones": COMMON_TIMEZONES}
    )


@login_required
def patient_edit(request, pk):
    get_physio_or_404(request.user)
    patient = get_visible_patient(request.user, pk)
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        services.update_patient(
            patient=Patient.objects.get(pk=patient.pk),
            by=request.user,
            **{name: form.cleaned_data[name] for name in form.changed_data},
        )
        messages.success(request, _("The patient's details were saved."))
        if "email" in form.changed_data and not patient.has_account:
            messages.warning(
                request,
                _(
                    "Invitation links sent to the old email address no longer work. "
                    "Send a new invitation to the new address."
                ),
            )
        return redirect("patient-detail", pk=patient.pk)
    return render(
        request,
        "accounts/patient_form.html",
        {"form": form, "patient": patient, "timezones": COMMON_TIMEZONES},
    )


@login_required
@require_POST
def patient_reinvite(request, pk):
    get_physio_or_404(request.user)
    patient = get_visible_patient(request.user, pk)
    try:
        services.send_invitation(patient=patient, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("A new invitation was sent to %(email)s.") % {"email": patient.email}
        )
    return redirect("patient-detail", pk=patient.pk)


def accept_invitation(request, token):
    try:
        invitation = services.read_invitation(token)
    except services.InvitationInvalid as invalid:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"reason": invalid.reason},
            status=invalid.status,
        )
    # Not signed in yet: the page is in the invited patient's language (issue #17).
    translation.activate(invitation.patient.language)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(token=token, password=form.cleaned_data["password1"])
        except services.InvitationInvalid as invalid:
            return render(
                request,
                "accounts/invitation_invalid.html",
                {"reason": invalid.reason},
                status=invalid.status,
            )
        except ValidationError as error:
            form.add_error("password1" if not hasattr(error, "error_dict") else None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your password is set. Welcome!"))
            return redirect("patient-home")
    return render(
        request,
        "accounts/accept_invitation.html",
        {"form": form, "patient": invitation.patient, "clinic": invitation.patient.clinic},
    )


@login_required
def api_sessions(request):
    """The user's API tokens (integrations, scripts): when each was created and ends."""
    return render(
        request, "accounts/api_sessions.html", {"sessions": services.api_sessions(request.user)}
    )


@login_required
@require_POST
def api_session_revoke(request, token_key):
    if services.end_api_session(user=request.user, token_key=token_key):
        messages.success(request, _("The API session was ended; its token no longer works."))
    else:
        messages.info(request, _("That API session had already ended."))
    return redirect("account-api-sessions")


@login_required
def clinic_settings(request):
    """The clinic admin edits the clinic's details, emergency wording and letterhead."""
    physio = get_physio_or_404(request.user)
    if not physio.is_clinic_admin:
        raise Http404("This page is for the clinic's administrator.")
    clinic = Clinic.objects.get(pk=physio.clinic_id)
    form = ClinicForm(request.POST or None, request.FILES or None, instance=clinic)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["logo_upload"]
        try:
            services.update_clinic(
                clinic=Clinic.objects.get(pk=clinic.pk),
                by=request.user,
                logo=upload.read() if upload else None,
                remove_logo=form.cleaned_data["remove_logo"],
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except services.LogoRefused as refused:
            form.add_error("logo_upload", localise(str(refused)))
        else:
            messages.success(request, _("Clinic settings saved."))
            return redirect("clinic-settings")
    return render(request, "accounts/clinic_settings.html", {"form": form, "clinic": clinic})


@login_required
def clinic_logo(request):
    """The logo of the user's own clinic (private: never a public URL)."""
    clinic = _own_clinic(request.user)
    logo = services.clinic_logo(clinic) if clinic else None
    if logo is None:
        raise Http404("No logo.")
    data, content_type = logo
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def clinic_style(request):
    """The user's clinic colour as a stylesheet (the CSP allows no inline style)."""
    clinic = _own_clinic(request.user)
    colour = clinic.brand_colour if clinic else DEFAULT_BRAND_COLOUR
    response = HttpResponse(f":root {{ --brand: {colour}; }}\n", content_type="text/css")
    response["Cache-Control"] = "private, no-cache"
    return response


@require_POST
def set_language(request):
    """The header's language switcher: the same page again, in the chosen language. A signed-in
    patient's or physiotherapist's choice is kept on their profile (it decides their emails
    and PDFs too); anyone else's in the language cookie."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = redirect(next_url)
    if language not in dict(settings.LANGUAGES):
        messages.error(request, translation.gettext("That language is not offered."))
        return response
    services.set_language(request.user, language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
