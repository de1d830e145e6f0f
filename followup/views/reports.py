"""The progress report pages (issue #18): request one for a plan, follow its status, download
it. The physio's own clinic only (404 otherwise); the file is never under a public URL."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.permissions import get_physio_or_404, get_visible_patient
from followup import progress_report
from followup.models import ProgressReport
from programs.models import Plan


class ProgressReportForm(forms.Form):
    summary = forms.CharField(
        label="Your summary", max_length=progress_report.SUMMARY_MAX, required=False
    )


def _plan_or_404(user, plan_pk) -> Plan:
    get_physio_or_404(user)
    plan = Plan.objects.select_related("patient", "assessment").filter(pk=plan_pk).first()
    if plan is None:
        raise Http404("No such plan.")
    get_visible_patient(user, plan.patient_id)
    return plan


@login_required
@require_http_methods(["GET", "POST"])
def progress_report_page(request, plan_pk):
    plan = _plan_or_404(request.user, plan_pk)
    form = ProgressReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            progress_report.request_progress_report(
                plan=plan, summary=form.cleaned_data["summary"], by=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("progress-report", plan_pk=plan.pk)
    reports = list(ProgressReport.objects.filter(plan=plan))
    return render(
        request,
        "followup/progress_report.html",
        {
            "patient": plan.patient,
            "plan": plan,
            "form": form,
            "reports": reports,
            "has_pending": any(r.status in ("pending", "rendering") for r in reports),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
def progress_report_download(request, pk):
    report = ProgressReport.objects.select_related("plan").filter(pk=pk).first()
    if report is None:
        raise Http404("No such report.")
    _plan_or_404(request.user, report.plan_id)
    if not report.is_ready:
        raise Http404("The report is not ready.")
    response = FileResponse(
        default_storage.open(report.file.name, "rb"),
        as_attachment=True,
        filename=f"progress-report-{report.pk}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
