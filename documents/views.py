"""Pages: the PDF status fragment (htmx polling), create/retry, and downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from documents import selectors, services
from documents.models import ProgramDocument


def _is_large_print(value) -> bool:
    return str(value).lower() in {"1", "true", "yes", "on"}


def status_context(revision, document: ProgramDocument | None, *, large_print: bool) -> dict:
    return {
        "revision": revision,
        "document": document,
        "is_large_print": large_print,
        "status_url": reverse("document-status", args=[revision.plan_id, revision.number])
        + ("?large_print=1" if large_print else ""),
        "request_url": reverse("document-request", args=[revision.plan_id, revision.number]),
        "download_url": reverse("document-download", args=[document.pk])
        if document and document.is_ready
        else "",
    }


@login_required
@require_GET
def document_status(request, plan_pk, number):
    """The status fragment of one document; polled every 2 s while it is being made."""
    revision = selectors.get_visible_revision(request.user, plan_id=plan_pk, number=number)
    large_print = _is_large_print(request.GET.get("large_print"))
    document = services.document_of(revision, large_print=large_print)
    return render(
        request,
        "documents/_document.html",
        status_context(revision, document, large_print=large_print),
    )


@login_required
@require_http_methods(["POST"])
def document_request(request, plan_pk, number):
    """Create (or retry) the PDF; htmx gets the fragment back, others the page they came from."""
    revision = selectors.get_visible_revision(request.user, plan_id=plan_pk, number=number)
    large_print = _is_large_print(request.POST.get("large_print"))
    document = services.request_program_pdf(revision=revision, large_print=large_print)
    if request.htmx:
        return render(
            request,
            "documents/_document.html",
            status_context(revision, document, large_print=large_print),
        )
    if request.user.is_patient:
        return redirect("patient-home")
    return redirect("plan-edit", revision.plan_id)


def file_response(document: ProgramDocument) -> FileResponse:
    """The PDF as an attachment, named by revision number only (no health details)."""
    if not document.is_ready or not document.file:
        raise Http404("This document is not ready.")
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.download_name,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def document_download(request, pk):
    """For the clinic's physios and the patient, or anyone holding a fresh signed link."""
    token = request.GET.get("token")
    try:
        if token:
            return file_response(selectors.get_document_by_link(token, pk))
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        return file_response(selectors.get_document_for(request.user, pk))
    except selectors.OnHold as on_hold:
        return render(request, "documents/on_hold.html", {"safety": on_hold.state}, status=409)
