"""Patient portal pages (mobile first): Today, My plan, Check in, Help; the email link.

Patients only ever see their latest published revision (`current_revision`), and within it
the phase they follow now (`followed_phase`: the previous one while a regression runs).
The email link grants one thing, checking in for the patient in its token: it logs nobody in
and shows no plan content beyond the names of today's items.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.permissions import get_own_patient_or_404
from clinical import follow_up
from clinical.education import EDUCATION
from followup import selectors, services
from followup.forms import CheckInForm
from followup.models import Alert, CheckIn
from programs import safety
from programs.models import PlanRevision
from programs.selectors import current_revision, current_revision_for

# Messages that stay on Today until the physio acts: the daily rules' (ESC-REVIEW-4W,
# ESC-REFER-6W, PLAN-EXPIRY) and ESC-WORSE's (reminders paused until the physio has spoken
# with the patient). The at-once advice of a check-in (RF-*, ESC-SEVERE) is on its result
# page; REGRESS has its own notice.
LASTING_CHECK_IN_RULES = ("ESC-WORSE",)
WARM_OR_COLD = ("cold", "heat")
# The guided session's "Too painful - stop" (`?stopped=too-painful` on the check-in): the
# patient's own answer in the session, so the check-in starts with the red zone chosen.
STOPPED_TOO_PAINFUL = "too-painful"


def _tickable(revision: PlanRevision, on) -> list[tuple[str, str]]:
    """Today's tickable (key, name) pairs: the followed phase's items and current advice."""
    phase = revision.followed_phase()
    names = {item["exercise_key"]: item["name"] for item in phase["items"]} if phase else {}
    names.update({advice["key"]: advice["title"] for advice in phase["advice"]} if phase else {})
    return [(key, names.get(key, key)) for key in revision.tickable_keys(on)]


def _regression(revision: PlanRevision) -> dict | None:
    plan = revision.plan
    if not plan.regressed_to:
        return None
    names = revision.phase_names()
    return {
        "phase_name": names.get(plan.regressed_to, plan.regressed_to),
        "current_name": names.get(plan.current_phase, plan.current_phase),
        "until": plan.regressed_until,
        "text": follow_up.REGRESS_PATIENT_TEXT,
    }


def _lasting_messages(patient) -> list[str]:
    """Open alerts with a message for the patient that stay relevant until the physio acts."""
    alerts = (
        Alert.objects.filter(patient=patient, resolved_at__isnull=True)
        .exclude(patient_message="")
        .order_by("-created_at", "-id")
    )
    messages: list[str] = []
    for alert in alerts:
        lasting = alert.check_in_id is None or alert.rule_id in LASTING_CHECK_IN_RULES
        if lasting and alert.patient_message not in messages:
            messages.append(alert.patient_message)
    return messages


@login_required
def today(request):
    patient = get_own_patient_or_404(request.user)
    # A tick re-reads the page in the background (htmx, to keep the ticks in the address):
    # the visit was recorded when the page was opened, so a tick records no further read.
    is_tick = bool(getattr(request, "htmx", False))
    revision = current_revision(patient) if is_tick else current_revision_for(request.user, patient)
    context = {
        "patient": patient,
        "clinic": patient.clinic,
        "revision": revision,
        "safety": safety.state_of(patient),
    }
    if revision is not None:
        on = services.local_now(patient).date()
        ticks = set(revision.tickable_keys(on))
        # Ticked: what today's check-ins recorded, and what the page's address carries (each
        # tick rewrites it, so a reload keeps them until the check-in).
        done = selectors.items_done_on(plan=revision.plan, on=on)
        done |= ticks & set(request.GET.getlist("done"))
        context.update(
            {
                "today": on,
                "phase": revision.followed_phase(),
                "ticks": ticks,
                "done": done,
                "warm_or_cold": [
                    advice
                    for advice in revision.current_advice(on)
                    if advice["kind"] in WARM_OR_COLD
                ],
                "regression": _regression(revision),
            }
        )
    context["lasting_messages"] = _lasting_messages(patient)
    context["function_review"] = services.pending_function_review(patient)
    context["asks_start_back"] = (
        patient.clinic.is_start_back_enabled
        and not patient.assessments.exists()
        and not patient.start_back_responses.exists()
    )
    return render(request, "followup/today.html", context)


@login_required
def session(request):
    """Today's exercises one at a time, with a countdown for holds and timed items.

    The page holds every step (the rest is static/js/session.js), so it runs on without a
    network once loaded. Its form goes back to Today with the items done ticked there (the
    `done` address Today keeps until the check-in), or, for "Too painful - stop", to the
    check-in. Without JavaScript it is Today's list with a tick per exercise.
    """
    patient = get_own_patient_or_404(request.user)
    revision = current_revision_for(request.user, patient)
    phase = revision.followed_phase() if revision is not None else None
    if phase is None or not phase["items"] or safety.state_of(patient).is_open:
        return redirect("patient-home")
    on = services.local_now(patient).date()
    keys = {item["exercise_key"] for item in phase["items"]}
    done = selectors.items_done_on(plan=revision.plan, on=on)
    done |= keys & set(request.GET.getlist("done"))
    context = {
        "patient": patient,
        "clinic": patient.clinic,
        "phase": phase,
        "items": phase["items"],
        "done": done,
        "too_painful": STOPPED_TOO_PAINFUL,
    }
    return render(request, "followup/session.html", context)


def _changes_in_words(revision: PlanRevision) -> dict | None:
    """What changed since the revision before (None for the first one)."""
    previous = revision.previous()
    if previous is None:
        return None
    changes = revision.changes_from(previous)
    names = {**previous.phase_names(), **revision.phase_names()}
    moved = changes["current_phase"]
    return {
        "previous": previous,
        "phases": changes["phases"],
        "moved_to": names.get(moved["after"], moved["after"]) if moved else "",
        "moved_from": names.get(moved["before"], moved["before"]) if moved else "",
    }


@login_required
def my_plan(request):
    patient = get_own_patient_or_404(request.user)
    revision = current_revision_for(request.user, patient)
    context = {
        "patient": patient,
        "clinic": patient.clinic,
        "revision": revision,
        "safety": safety.state_of(patient),
    }
    if revision is not None:
        followed = revision.followed_phase()
        code = followed["code"] if followed else ""
        phases = revision.phases
        order = [phase["code"] for phase in phases]
        index = order.index(code) if code in order else 0
        context.update(
            {
                "phase": followed,
                "later": phases[index + 1 :],
                "earlier": phases[:index],
                "plan_advice": [
                    advice
                    for advice in revision.snapshot.get("plan_advice", [])
                    if advice["key"] != "education:emergency"  # the help box says it
                ],
                "changes": _changes_in_words(revision),
                "regression": _regression(revision),
            }
        )
    return render(request, "followup/my_plan.html", context)


@login_required
def patient_help(request):
    patient = get_own_patient_or_404(request.user)
    context = {
        "patient": patient,
        "clinic": patient.clinic,
        "during_a_spasm": EDUCATION["during_a_spasm"].text,
        "flare_plan": EDUCATION["flare_plan"].text,
    }
    return render(request, "followup/help.html", context)


# --- check in -----------------------------------------------------------------------------


def _check_in_page(request, patient, *, source: str, actor, token: str = ""):
    """The form for `patient` (GET), or record the check-in (POST).

    Returns the CheckIn on success, else the response to send (the form, 400 when invalid).
    """
    revision = current_revision(patient)
    context = {"patient": patient, "clinic": patient.clinic, "token": token}
    if revision is None:
        return render(request, "followup/check_in.html", {**context, "form": None})
    on = services.local_now(patient).date()
    items = _tickable(revision, on)
    questions = services.warning_questions(revision.plan)
    if request.method == "POST":
        form = CheckInForm(request.POST, items=items, questions=questions)
        if form.is_valid():
            try:
                check_in, _ = services.record_check_in(
                    patient=patient, source=source, actor=actor, **form.answers()
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return check_in
    else:
        keys = {key for key, _ in items}
        done = [key for key in request.GET.getlist("done") if key in keys]
        initial: dict = {"items_done": done}
        # Only the zone, which the patient answered by stopping: never a warning sign.
        if request.GET.get("stopped") == STOPPED_TOO_PAINFUL:
            initial["zone"] = CheckIn.Zone.RED
            context["stopped_too_painful"] = True
        form = CheckInForm(initial=initial, items=items, questions=questions)
    return render(
        request,
        "followup/check_in.html",
        {**context, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request):
    patient = get_own_patient_or_404(request.user)
    result = _check_in_page(request, patient, source=CheckIn.Source.PORTAL, actor=request.user)
    if isinstance(result, CheckIn):
        return redirect("check-in-result", pk=result.pk)
    return result


def _result_context(check_in: CheckIn, patient) -> dict:
    """What the patient is told after a check-in (`services.told_after`, as the API)."""
    told = services.told_after(check_in)
    headline, details = (
        follow_up.emergency_headline(told.emergency_messages)
        if told.level == "emergency"
        else ("", [])
    )
    return {
        "patient": patient,
        "clinic": patient.clinic,
        "check_in": check_in,
        "level": told.level,
        "headline": headline,
        "emergency_details": details,
        "urgent_messages": told.urgent_messages,
        "worse_message": told.worse_message,
        "zone_advice": told.zone_advice,
        "is_progress": told.is_progress,
        "regress_message": told.regress_message,
        "reminders_paused": told.reminders_paused,
    }


@login_required
def check_in_result(request, pk):
    check_in = selectors.get_check_in_for(request.user, pk)
    patient = check_in.patient
    return render(request, "followup/check_in_result.html", _result_context(check_in, patient))


@require_http_methods(["GET", "POST"])
def check_in_link(request, token):
    """The check-in link of reminder emails: no login, no session; it acts only for the
    patient in the token, whoever is logged in on this browser."""
    try:
        patient = services.read_check_in_token(token)
    except services.CheckInLinkInvalid as invalid:
        return render(
            request,
            "followup/link_invalid.html",
            {"reason": invalid.reason},
            status=invalid.status,
        )
    result = _check_in_page(
        request, patient, source=CheckIn.Source.EMAIL_LINK, actor=None, token=token
    )
    if isinstance(result, CheckIn):
        # Rendered here, not redirected: the result page of the portal needs a login.
        context = {**_result_context(result, patient), "is_link": True}
        return render(request, "followup/check_in_result.html", context)
    return result
