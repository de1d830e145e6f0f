"""The PSFS review pages (issue #18): the patient re-rates the activities named at the
assessment, from the portal (logged in) or the email link (no login: it acts only for the
review in its token, and only once)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.permissions import get_own_patient_or_404
from core.i18n import localise
from followup import services
from followup.forms import FunctionReviewForm
from followup.models import FunctionReview
from programs import services as program_services
from programs.measures_form import StartBackForm


def _review_page(request, review: FunctionReview, *, source: str, actor, token: str = ""):
    activities = [entry["activity"] for entry in review.plan.assessment.psfs_baseline]
    context = {"patient": review.patient, "clinic": review.patient.clinic, "token": token}
    form = FunctionReviewForm(
        request.POST if request.method == "POST" else None, activities=activities
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_function_review(
                review=review, ratings=form.ratings, source=source, actor=actor
            )
        except ValidationError as error:
            form.add_error(None, localise(error.messages[0]))
        else:
            return render(request, "followup/function_review_done.html", context)
    return render(
        request,
        "followup/function_review.html",
        {**context, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def function_review(request):
    patient = get_own_patient_or_404(request.user)
    review = services.pending_function_review(patient)
    if review is None:
        raise Http404("No activities to rate now.")
    return _review_page(request, review, source=FunctionReview.Source.PORTAL, actor=request.user)


@require_http_methods(["GET", "POST"])
def function_review_link(request, token):
    try:
        review = services.read_function_review_token(token)
    except services.FunctionReviewLinkInvalid as invalid:
        return render(
            request,
            "followup/function_review_invalid.html",
            {"reason": invalid.reason},
            status=invalid.status,
        )
    return _review_page(
        request, review, source=FunctionReview.Source.EMAIL_LINK, actor=None, token=token
    )


@login_required
@require_http_methods(["GET", "POST"])
def start_back(request):
    """The patient answers the Keele STarT Back tool before or at their first visit."""
    patient = get_own_patient_or_404(request.user)
    if not patient.clinic.is_start_back_enabled:
        raise Http404("Your clinic does not use this questionnaire.")
    form = StartBackForm(request.POST or None)
    context = {"patient": patient, "clinic": patient.clinic, "form": form}
    if request.method == "POST" and form.is_valid():
        program_services.record_start_back_response(
            patient=patient, answers=form.answers, by=request.user
        )
        return render(request, "followup/start_back_done.html", context)
    return render(
        request, "followup/start_back.html", context, status=400 if form.is_bound else 200
    )
