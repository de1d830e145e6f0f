from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.permissions import get_own_patient_or_404, get_physio_or_404, get_visible_patient
from programs import safety
from reminders import services
from reminders.forms import ReminderScheduleForm


def _save(request, form, patient) -> bool:
    if not form.is_valid():
        return False
    try:
        services.update_schedule(patient=patient, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


@login_required
def reminder_settings(request):
    """The patient's own reminder settings: days, time, on/off, and re-subscribing."""
    patient = get_own_patient_or_404(request.user)
    schedule = services.schedule_for(patient)
    form = ReminderScheduleForm.for_schedule(
        schedule, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and _save(request, form, patient):
        messages.success(request, _("Your reminder settings are saved."))
        return redirect("reminder-settings")
    context = {
        "patient": patient,
        "schedule": schedule,
        "form": form,
        "safety": safety.state_of(patient),
    }
    return render(request, "reminders/settings.html", context)


@login_required
@require_POST
def reminder_resubscribe(request):
    patient = get_own_patient_or_404(request.user)
    services.update_schedule(patient=patient, by=request.user, is_subscribed=True)
    messages.success(request, _("Reminder emails are back on."))
    return redirect("reminder-settings")


@login_required
@require_POST
def physio_reminder_edit(request, pk):
    """The physio changes a patient's schedule from the patient page (or resumes it)."""
    get_physio_or_404(request.user)
    patient = get_visible_patient(request.user, pk)
    if request.POST.get("action") == "resume":
        try:
            services.resume_reminders(patient=patient, by=request.user)
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, _("Reminders are resumed."))
        return redirect("patient-detail", pk=patient.pk)
    form = ReminderScheduleForm.for_schedule(services.schedule_for(patient), request.POST)
    if _save(request, form, patient):
        messages.success(request, _("The reminder schedule is saved."))
    else:
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else _('Schedule')}: {' '.join(errs)}"
            for name, errs in form.errors.items()
        )
        messages.error(
            request, _("The reminder schedule was not saved. %(problems)s") % {"problems": problems}
        )
    return redirect("patient-detail", pk=patient.pk)


# Mail clients POST the RFC 8058 one-click request without a session or CSRF token.
@csrf_exempt
def unsubscribe(request, token):
    """GET: a confirmation page (link scanners fetch GETs). POST: unsubscribe, idempotent."""
    try:
        schedule = services.read_unsubscribe_token(token)
    except services.UnsubscribeLinkInvalid as invalid:
        return render(
            request,
            "reminders/unsubscribe_invalid.html",
            {"reason": invalid.reason},
            status=invalid.status,
        )
    if request.method == "POST":
        services.unsubscribe(schedule=schedule)
        return render(request, "reminders/unsubscribed.html", {"clinic": schedule.patient.clinic})
    return render(
        request,
        "reminders/unsubscribe_confirm.html",
        {"clinic": schedule.patient.clinic, "is_unsubscribed": not schedule.is_subscribed},
    )
