"""The physio's follow-up pages: a patient's page, the dashboard, alerts (acknowledge,
approve a progression)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import get_physio_or_404, get_visible_patient
from core.i18n import localise_all
from followup import outcomes, selectors, services
from followup.models import Alert
from followup.patient_page import patient_page


@login_required
def patient_detail(request, pk):
    """The physio's page of one patient: details, assessments, plans, follow-up, reminders
    and the audit trail, all loaded by one selector."""
    get_physio_or_404(request.user)
    page = patient_page(request.user, pk)
    return render(request, "accounts/patient_detail.html", {"page": page, "patient": page.patient})


@login_required
def dashboard(request):
    """The clinic's patients, alerts first; searchable by name or email, filtered by status,
    a page at a time (the data: `selectors.dashboard_page`)."""
    physio = get_physio_or_404(request.user)
    search = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if status not in selectors.DASHBOARD_FILTERS:
        status = ""
    page = selectors.dashboard_page(
        physio, search=search, status=status, page=request.GET.get("page")
    )
    changes = outcomes.change_since_baseline(row.patient.pk for row in page.object_list)
    query = urlencode({key: value for key, value in (("q", search), ("status", status)) if value})
    return render(
        request,
        "followup/dashboard.html",
        {
            "physio": physio,
            "page": page,
            "rows": page.object_list,
            "changes": changes,
            "search": search,
            "status": status,
            "filters": [(code, label) for code, (label, _) in selectors.DASHBOARD_FILTERS.items()],
            "query": query,
            "is_filtered": bool(search or status),
        },
    )


def _visible_alert(request, pk) -> Alert:
    """The alert, if it is about a patient of the physio's own clinic; 404 otherwise."""
    get_physio_or_404(request.user)
    alert = Alert.objects.filter(pk=pk).first()
    if alert is None:
        raise Http404("No such alert.")
    get_visible_patient(request.user, alert.patient_id)
    return alert


def _back_to_patient(alert: Alert):
    return redirect(reverse("patient-detail", kwargs={"pk": alert.patient_id}) + "#follow-up")


@login_required
@require_POST
def alert_acknowledge(request, pk):
    alert = _visible_alert(request, pk)
    try:
        alert = services.acknowledge_alert(alert=alert, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(localise_all(error.messages)))
    else:
        if alert.resolution == Alert.Resolution.DECLINED:
            messages.success(
                request,
                _("%(rule)s: suggestion declined; the plan stays.") % {"rule": alert.rule_id},
            )
        else:
            messages.success(request, _("%(rule)s acknowledged.") % {"rule": alert.rule_id})
    return _back_to_patient(alert)


@login_required
@require_POST
def alert_approve(request, pk):
    alert = _visible_alert(request, pk)
    try:
        revision = services.approve_progression(
            alert=alert, by=request.user, rts_sign_off=request.POST.get("rts_sign_off") == "on"
        )
    except ValidationError as error:
        messages.error(
            request, _("Not moved. %(why)s") % {"why": " ".join(localise_all(error.messages))}
        )
    else:
        messages.success(
            request,
            _("Moved to %(phase)s; revision %(number)s published.")
            % {"phase": revision.snapshot["current_phase"], "number": revision.number},
        )
    return _back_to_patient(alert)
