"""Physio pages: assessment with live screening, plan editor (htmx), publishing, changes."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import get_physio_or_404, get_visible_patient
from clinical.dosing import DOSAGE_CHANGE_REASONS
from clinical.intake import RED_FLAG_QUESTIONS_BY_KEY
from clinical.measures import START_BACK_LICENCE, stored_start_back
from clinical.rules import RULES
from core.i18n import localise, localise_all
from exercises.models import Exercise
from exercises.selectors import exercises_visible_to
from programs import revision_content, safety, services, snapshots
from programs.intake_form import (
    RED_FLAG_FIELD_PREFIX,
    AssessmentForm,
    missing_by_section,
    recorded_answers,
)
from programs.measures_form import initial_from_response
from programs.models import Assessment, Plan, PlanTemplate, Prescription
from programs.selectors import (
    assessments_visible_to,
    get_assessment_for,
    get_plan_for,
    get_revision_for,
    open_warnings,
    plans_visible_to,
)
from programs.serializers import (
    AmberConfirmationSerializer,
    MoveSerializer,
    PhaseUpdateSerializer,
    PlanCreateSerializer,
    PlanTemplateCreateSerializer,
    PrescriptionCreateSerializer,
    PrescriptionUpdateSerializer,
    PublishSerializer,
    SwapSerializer,
)


def _assessment_or_404(user, pk) -> Assessment:
    get_physio_or_404(user)
    return get_object_or_404(
        assessments_visible_to(user).select_related("patient__clinic", "amber_confirmed_by"),
        pk=pk,
    )


def _plan_or_404(user, pk) -> Plan:
    get_physio_or_404(user)
    return get_object_or_404(
        plans_visible_to(user).select_related(
            "patient__clinic", "assessment", "physiotherapist__user"
        ),
        pk=pk,
    )


def _form(request, patient, data=None) -> AssessmentForm:
    return AssessmentForm(
        data,
        date_of_birth=patient.date_of_birth,
        today=timezone.localdate(),
        start_back_enabled=patient.clinic.is_start_back_enabled,
        # The date the physio records it; no clinical answer starts chosen, except the
        # STarT Back answers the patient gave themselves (issue #18), shown to check.
        initial={"assessment_date": timezone.localdate(), **_patient_start_back(patient)},
    )


def _patient_start_back(patient) -> dict:
    if not patient.clinic.is_start_back_enabled:
        return {}
    response = patient.start_back_responses.first()
    return initial_from_response(response.answers) if response else {}


def _level(rule_ids) -> str:
    """How a red flag answered yes is shown at once: an emergency or urgent rule in red,
    anything else in the amber "check before planning" box."""
    if any(rule_id.startswith("RF-EMERG") for rule_id in rule_ids):
        return "emergency"
    if any(rule_id.startswith("RF-URG") for rule_id in rule_ids):
        return "urgent"
    return "amber"


def _answered_red_flags(data) -> list[tuple[str, list[dict]]]:
    """Red-flag questions answered yes or unsure so far, with their rules, by level: shown at
    once, emergency first."""
    flagged: dict[str, list[dict]] = {"emergency": [], "urgent": [], "amber": []}
    for name, value in data.items():
        key = name.removeprefix(RED_FLAG_FIELD_PREFIX)
        if name.startswith(RED_FLAG_FIELD_PREFIX) and value in ("yes", "unsure"):
            question = RED_FLAG_QUESTIONS_BY_KEY.get(key)
            if question:
                flagged[_level(question.rule_ids)].append(
                    {
                        "question": question.physio_text,
                        "answer": value,
                        "rule_ids": question.rule_ids,
                    }
                )
    return list(flagged.items())


@login_required
def assessment_create(request, patient_pk):
    physio = get_physio_or_404(request.user)
    patient = get_visible_patient(request.user, patient_pk)
    form = _form(request, patient, request.POST or None)
    if request.method == "POST" and form.is_valid():
        assessment = services.record_assessment(
            patient=patient, by=physio.user, answers=form.answers
        )
        messages.success(
            request,
            _("Assessment recorded. Screening: %(outcome)s.")
            % {"outcome": assessment.get_outcome_display()},
        )
        return redirect("assessment-detail", pk=assessment.pk)
    answers = form.answers if form.is_bound else {"assessment_date": timezone.localdate()}
    return render(
        request,
        "programs/assessment_form.html",
        {
            "form": form,
            "patient": patient,
            "missing": missing_by_section(answers, form.errors if form.is_bound else ()),
        },
    )


@login_required
@require_POST
def assessment_screen_preview(request, patient_pk):
    """The live screening panel: re-rendered by htmx as the physio answers."""
    get_physio_or_404(request.user)
    patient = get_visible_patient(request.user, patient_pk)
    form = _form(request, patient, request.POST)
    result = None
    if form.is_valid():
        result = services.screen_answers(
            patient=patient, answers=form.answers, today=timezone.localdate()
        )
    missing = missing_by_section(form.answers, form.errors)
    return render(
        request,
        "programs/_screening_preview.html",
        {
            "result": result,
            "flagged": _answered_red_flags(request.POST),
            "missing": missing,
            "missing_total": sum(missing.values()),
            "rules": RULES,
            "start_back": stored_start_back(form.answers) if form.is_valid() else None,
            "start_back_licence": START_BACK_LICENCE,
        },
    )


@login_required
def assessment_detail(request, pk):
    get_physio_or_404(request.user)
    assessment = get_assessment_for(request.user, pk)
    templates = PlanTemplate.objects.filter(clinic_id=assessment.patient.clinic_id)
    return render(
        request,
        "programs/assessment_detail.html",
        {
            "assessment": assessment,
            "patient": assessment.patient,
            "record": recorded_answers(assessment.answers),
            "rules": RULES,
            "plans": assessment.plans.all(),
            "templates": templates,
            "start_back_licence": START_BACK_LICENCE,
        },
    )


@login_required
@require_POST
def assessment_confirm(request, pk):
    assessment = _assessment_or_404(request.user, pk)
    if request.POST.get("confirmed") != "yes":
        messages.error(request, _("Tick the box to confirm the amber findings."))
    else:
        try:
            data = _validated(AmberConfirmationSerializer(data=request.POST))
            services.confirm_amber(assessment=assessment, by=request.user, note=data["note"])
        except ValidationError as invalid:
            messages.error(request, " ".join(localise_all(invalid.messages)))
        except services.PlanConflictError as error:
            messages.error(request, localise(str(error)))
        else:
            messages.success(request, _("Amber findings confirmed. You can now propose a plan."))
    return redirect("assessment-detail", pk=assessment.pk)


@login_required
@require_POST
def plan_generate(request, assessment_pk):
    physio = get_physio_or_404(request.user)
    assessment = _assessment_or_404(request.user, assessment_pk)
    try:
        choice = _validated(
            PlanCreateSerializer(
                data={
                    "assessment": assessment.pk,
                    "template": request.POST.get("template") or None,
                },
                context={"templates": PlanTemplate.objects.filter(clinic_id=physio.clinic_id)},
            )
        )
    except ValidationError as invalid:
        messages.error(request, " ".join(localise_all(invalid.messages)))
        return redirect("assessment-detail", pk=assessment.pk)
    template = choice.get("template")
    try:
        if template:
            plan = services.generate_plan_from_template(
                template=template, assessment=assessment, by=physio.user
            )
        else:
            plan = services.generate_plan(assessment=assessment, by=physio.user)
    except services.PlanRefusedError as refused:
        messages.error(request, localise(str(refused.detail)))
        return redirect("assessment-detail", pk=assessment.pk)
    messages.success(
        request, _("Plan proposed. Review every item, edit what you need, then publish.")
    )
    return redirect("plan-edit", pk=plan.pk)


def _clinic_catalogue(plan: Plan):
    return Exercise.objects.for_clinic(plan.patient.clinic_id)


def _editor_context(plan: Plan) -> dict:
    phases = snapshots.load_plan_content(plan)
    regions = plan.assessment.answers.get("regions", [])
    flags = {flag["flag"] for flag in plan.assessment.exclusion_flags}
    candidates = [
        e for e in _clinic_catalogue(plan).order_by("name") if set(e.regions) & set(regions)
    ]
    catalogue = {
        phase.code: [
            {"exercise": e, "hidden_by": sorted(flags & set(e.exclude_if))}
            for e in candidates
            if phase.code in e.phases
        ]
        for phase in phases
    }
    return {
        "plan": plan,
        "patient": plan.patient,
        "phases": phases,
        "catalogue": catalogue,
        "revisions": plan.revisions.order_by("-number"),
        "rules": RULES,
        "open_warnings": open_warnings(plan),
        "dosage_change_reasons": DOSAGE_CHANGE_REASONS,
    }


@login_required
def plan_edit(request, pk):
    get_physio_or_404(request.user)
    plan = get_plan_for(request.user, pk)
    context = {**_editor_context(plan), "replaces": services.replaced_by_publishing(plan)}
    return render(request, "programs/plan_editor.html", context)


def _phase_response(request, plan, phase_code):
    """htmx: the re-rendered phase; without JavaScript: back to the editor at that phase."""
    if request.htmx:
        context = _editor_context(plan)
        phase = next(p for p in context["phases"] if p.code == phase_code)
        return render(request, "programs/_phase.html", {**context, "phase": phase})
    return redirect(f"{reverse('plan-edit', args=[plan.pk])}#phase-{phase_code}")


def _prescription_or_404(user, plan_pk, item_pk) -> Prescription:
    plan = _plan_or_404(user, plan_pk)
    return get_object_or_404(
        Prescription.objects.select_related(
            "phase__plan", "exercise__progression", "exercise__regression"
        ),
        pk=item_pk,
        phase__plan=plan,
    )


def _run_edit(request, plan, phase_code, operation, success: str):
    try:
        operation()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, localise(message))
    except services.PlanConflictError as error:
        messages.error(request, localise(str(error)))
    else:
        messages.success(request, success)
    return _phase_response(request, plan, phase_code)


def _validated(serializer) -> dict:
    """The data the API's input serializer accepts, or its refusal as the ValidationError
    `_run_edit` shows: the page refuses what the API refuses, with the API's messages, each
    led by the label of the field it is about ("Notes: Ensure this field has ...")."""
    if serializer.is_valid():
        return serializer.validated_data
    errors = {}
    for name, field_messages in serializer.errors.items():
        field = serializer.fields.get(name)
        errors[name if field else NON_FIELD_ERRORS] = [
            f"{field.label}: {message}" if field else str(message) for message in field_messages
        ]
    raise ValidationError(errors)


# The editor's buttons say up or down; the API's MoveSerializer takes the offset.
MOVE_OFFSETS = {"up": "-1", "down": "1"}


@login_required
@require_POST
def item_update(request, plan_pk, item_pk):
    item = _prescription_or_404(request.user, plan_pk, item_pk)
    # Not partial: the editor posts its whole form, and an unticked "each side" box is absent.
    serializer = PrescriptionUpdateSerializer(data=request.POST)
    return _run_edit(
        request,
        item.phase.plan,
        item.phase.code,
        lambda: services.update_prescription(
            prescription=item, by=request.user, **_validated(serializer)
        ),
        _("%(name)s: dosage saved.") % {"name": item.exercise.name},
    )


@login_required
@require_POST
def item_remove(request, plan_pk, item_pk):
    item = _prescription_or_404(request.user, plan_pk, item_pk)
    return _run_edit(
        request,
        item.phase.plan,
        item.phase.code,
        lambda: services.remove_prescription(prescription=item, by=request.user),
        _("%(name)s removed.") % {"name": item.exercise.name},
    )


@login_required
@require_POST
def item_move(request, plan_pk, item_pk):
    item = _prescription_or_404(request.user, plan_pk, item_pk)
    direction = request.POST.get("direction", "")
    serializer = MoveSerializer(data={"offset": MOVE_OFFSETS.get(direction, direction)})
    return _run_edit(
        request,
        item.phase.plan,
        item.phase.code,
        lambda: services.move_prescription(
            prescription=item, by=request.user, **_validated(serializer)
        ),
        _("Order changed."),
    )


@login_required
@require_POST
def item_swap(request, plan_pk, item_pk):
    item = _prescription_or_404(request.user, plan_pk, item_pk)
    serializer = SwapSerializer(data=request.POST)
    return _run_edit(
        request,
        item.phase.plan,
        item.phase.code,
        lambda: services.swap_prescription(
            prescription=item, by=request.user, **_validated(serializer)
        ),
        _("Exercise swapped."),
    )


@login_required
@require_POST
def item_add(request, plan_pk, phase_code):
    plan = _plan_or_404(request.user, plan_pk)
    phase = get_object_or_404(plan.phases, code=phase_code)
    data = request.POST.copy()
    data["phase"] = phase.code  # the page names the phase in its URL
    serializer = PrescriptionCreateSerializer(
        data=data, context={"exercises": exercises_visible_to(request.user)}
    )
    exercise = serializer.validated_data["exercise"] if serializer.is_valid() else None

    def add():
        fields = _validated(serializer)
        services.add_prescription(
            phase=phase,
            exercise=fields["exercise"],
            by=request.user,
            override_reason=fields["override_reason"],
            notes=fields["notes"],
        )

    return _run_edit(
        request,
        plan,
        phase_code,
        add,
        _("%(name)s added.") % {"name": exercise.name} if exercise else _("Exercise added."),
    )


@login_required
@require_POST
def phase_update(request, plan_pk, phase_code):
    plan = _plan_or_404(request.user, plan_pk)
    phase = get_object_or_404(plan.phases, code=phase_code)
    serializer = PhaseUpdateSerializer(data=request.POST)
    return _run_edit(
        request,
        plan,
        phase_code,
        lambda: services.update_phase(phase=phase, by=request.user, **_validated(serializer)),
        _("%(phase)s: saved.") % {"phase": localise(phase.name)},
    )


def _replaced_in_words(plan: Plan) -> str:
    started = date_format(timezone.localtime(plan.created_at), "j M Y")
    return _("The plan of %(date)s is archived: the patient follows this plan only.") % {
        "date": started
    }


@login_required
@require_POST
def plan_publish(request, pk):
    """Publish; while warnings are open, first a confirm step listing them (the API's 409)."""
    plan = _plan_or_404(request.user, pk)
    replaces = services.replaced_by_publishing(plan)  # for the words; the service decides
    try:
        data = _validated(PublishSerializer(data=request.POST))
        revision = services.publish_plan(
            plan=plan, by=request.user, confirm_warnings=data["confirm_warnings"]
        )
    except services.WarningsNotConfirmedError as unconfirmed:
        return render(
            request,
            "programs/publish_confirm.html",
            {"plan": plan, "patient": plan.patient, "warnings": unconfirmed.warnings},
        )
    except (ValidationError, services.PlanConflictError) as error:
        messages.error(request, " ".join(localise_all(getattr(error, "messages", [str(error)]))))
        return redirect("plan-edit", pk=plan.pk)
    messages.success(
        request,
        _("Published as revision %(number)s. The patient can now see it.")
        % {"number": revision.number},
    )
    for other in replaces:
        messages.info(request, _replaced_in_words(other))
    return redirect("revision-changes", plan_pk=plan.pk, number=revision.number)


@login_required
@require_POST
def plan_save_template(request, pk):
    plan = _plan_or_404(request.user, pk)
    serializer = PlanTemplateCreateSerializer(data=request.POST)
    try:
        template = services.save_plan_as_template(
            plan=plan, by=request.user, **_validated(serializer)
        )
    except ValidationError as error:
        messages.error(request, " ".join(localise_all(error.messages)))
    else:
        messages.success(
            request, _("Saved as the clinic template “%(name)s”.") % {"name": template.name}
        )
    return redirect("plan-edit", pk=plan.pk)


def _day_in_words(value: str | None) -> str:
    """A snapshot's ISO date in the active language's long form ("3 March 2026")."""
    return date_format(datetime.date.fromisoformat(value)) if value else ""


@login_required
def revision_changes(request, plan_pk, number):
    get_physio_or_404(request.user)
    revision = get_revision_for(request.user, plan_id=plan_pk, number=number, part="changes in")
    plan = revision.plan
    previous = revision.previous()
    changes = revision.changes_from(previous)
    for phase in changes["phases"]:
        phase["phase_changed_in_words"] = revision_content.phase_facts_in_words(
            previous.phase(phase["code"]) if previous else None,
            revision.phase(phase["code"]) or {},
            phase["phase_changed"],
            day_in_words=_day_in_words,
        )
        phase["phase_changed_in_words"] = [
            localise(words) for words in phase["phase_changed_in_words"]
        ]
    return render(
        request,
        "programs/revision_changes.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "revision": revision,
            "previous": previous,
            "changes": changes,
        },
    )


@login_required
@require_POST
def safety_close(request, patient_pk):
    """A physio closes the patient's safety concern with what happened; what it paused
    resumes (programs.safety)."""
    get_physio_or_404(request.user)
    patient = get_visible_patient(request.user, patient_pk)
    try:
        safety.resolve_concern(
            patient=patient, by=request.user, resolution=request.POST.get("resolution", "")
        )
    except ValidationError as refused:
        messages.error(request, " ".join(localise_all(refused.messages)))
    else:
        messages.success(
            request,
            _(
                "The safety concern is closed and recorded. The patient sees their plan again "
                "and reminders resume."
            ),
        )
    return redirect("patient-detail", pk=patient.pk)
