"""Plan workflows: record an assessment, generate a plan, edit it, publish revisions, templates.

Each operation is one transaction: it either happens whole or leaves nothing behind.
Screening and planning themselves are pure (`clinical`); this module feeds them from
the database and writes their results.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from clinical.catalogue import CatalogueItem, Category, Direction, Dosage
from clinical.dosing import DOSAGE_CHANGE_REASONS
from clinical.intake import Region
from clinical.measures import StartBackAnswers
from clinical.phases import PhaseCode
from clinical.plan import ProposedItem
from clinical.planner import describe_physio_item, propose_plan
from clinical.screening import Outcome, ScreeningResult, age_on, screen
from clinical.vocabulary import STORED_DOSAGE_AMOUNTS
from core.i18n import localise
from exercises.models import Exercise
from programs import revision_content, safety, selectors, signals, snapshots
from programs.intake_form import is_complete, screen_stored, to_intake, to_storable
from programs.models import (
    AdviceItem,
    Assessment,
    Plan,
    PlanPhase,
    PlanRevision,
    PlanTemplate,
    Prescription,
    StartBackResponse,
)

PRESCRIPTION_DOSAGE_FIELDS = Exercise.DOSAGE_FIELDS


class PlanRefusedError(Exception):
    """No plan may be generated: red flags (urgent/emergency) or a gate blocks."""

    def __init__(
        self,
        *,
        code: str,
        detail: str,
        rule_ids,
        patient_message: str = "",
        physio_message: str = "",
        confirmations=(),
    ):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.rule_ids = list(rule_ids)
        self.patient_message = patient_message
        self.physio_message = physio_message
        self.confirmations = list(confirmations)


class PlanConflictError(Exception):
    """The operation does not fit the plan's or assessment's state (e.g. not editable)."""

    code = "conflict"


class NothingToPublish(PlanConflictError):
    """The plan is the same as its latest revision: publishing it again would change nothing."""

    code = "nothing_to_publish"

    def __init__(self, number: int):
        super().__init__(
            _(
                "Nothing to publish: the plan is the same as revision %(number)s, which the "
                "patient sees already."
            )
            % {"number": number}
        )


class WarningsNotConfirmedError(Exception):
    """Publishing needs the physio's confirmation: "Check before publishing" warnings are open."""

    def __init__(self, warnings: list[dict]):
        super().__init__(
            _(
                "%(count)s warning(s) to check before publishing: confirm that you checked "
                "them to publish."
            )
            % {"count": len(warnings)}
        )
        self.warnings = warnings


# --- screening ----------------------------------------------------------------------------


def screen_answers(*, patient, answers: dict, today: datetime.date) -> ScreeningResult:
    """Screen answers without saving anything (the live result on the assessment form)."""
    stored = to_storable(answers)
    age = age_on(patient.date_of_birth, datetime.date.fromisoformat(stored["assessment_date"]))
    return screen_stored(stored, age=age, today=today)


def _outcome(result: ScreeningResult) -> str:
    if result.blocked and result.outcome in (Outcome.CLEAR, Outcome.AMBER):
        return Assessment.Outcome.BLOCKED
    return result.outcome.value


def _screening_fields(result: ScreeningResult, today: datetime.date) -> dict:
    return {
        "outcome": _outcome(result),
        "fired_rules": [
            {**dataclasses.asdict(rule), "blocks_plan": rule.blocks_plan} for rule in result.fired
        ]
        + [
            {
                "rule_id": block.rule_id,
                "severity": "block",
                "answers": block.answers,
                "physio_message": block.physio_message,
                "patient_message": "",
                "blocks_plan": True,
            }
            for block in result.blocked
        ],
        "exclusion_flags": [dataclasses.asdict(flag) for flag in result.exclusion_flags],
        "confirmations": [dataclasses.asdict(c) for c in result.confirmations],
        "physio_message": result.physio_message,
        "patient_message": result.patient_message,
        "screened_on": today,
    }


@transaction.atomic
def record_assessment(
    *, patient, by: User, answers: dict, today: datetime.date | None = None
) -> Assessment:
    """Store a validated intake and its screening result at once.

    Answers with required ones empty are stored only when they already call for an urgent or
    emergency referral (`validate_answers` lets nothing else through): the assessment is then
    marked incomplete and gives the referral, never a plan.
    """
    today = today or timezone.localdate()
    stored = to_storable(answers)
    result = screen_answers(patient=patient, answers=answers, today=today)
    complete = is_complete(stored)
    if not complete and result.outcome not in (Outcome.URGENT, Outcome.EMERGENCY):
        raise ValidationError(
            _("Answer every required question: nothing here calls for a referral.")
        )
    assessment = Assessment.objects.create(
        patient=patient,
        recorded_by=by.physiotherapist,
        assessment_date=datetime.date.fromisoformat(stored["assessment_date"]),
        answers=stored,
        is_complete=complete,
        **_screening_fields(result, today),
    )
    record_audit(
        actor=by,
        patient=patient,
        action=AuditEvent.Action.CREATE,
        detail=f"assessment {assessment.pk}: {assessment.outcome}"
        + ("" if complete else ", incomplete (referral only)"),
    )
    safety.raise_concern(
        patient=patient,
        rule_ids=[rule["rule_id"] for rule in assessment.fired_rules],
        source=safety.Source.ASSESSMENT,
        source_id=assessment.pk,
        patient_messages=[assessment.patient_message] if assessment.patient_message else [],
    )
    return assessment


@transaction.atomic
def confirm_amber(*, assessment: Assessment, by: User, note: str = "") -> Assessment:
    """Record the physio's explicit confirmation of the amber findings (who and when)."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.outcome != Assessment.Outcome.AMBER:
        raise PlanConflictError(_("Only an amber screening result needs a confirmation."))
    if assessment.is_amber_confirmed:
        return assessment
    assessment.amber_confirmed_by = by
    assessment.amber_confirmed_at = timezone.now()
    assessment.amber_confirmation_note = note.strip()
    assessment.save(
        update_fields=["amber_confirmed_by", "amber_confirmed_at", "amber_confirmation_note"]
    )
    record_audit(
        actor=by,
        patient=assessment.patient,
        action=AuditEvent.Action.UPDATE,
        detail=f"assessment {assessment.pk}: amber findings confirmed",
    )
    return assessment


# --- plan generation ----------------------------------------------------------------------


def catalogue_items_for(clinic_id: int) -> list[CatalogueItem]:
    """The catalogue as the planner sees it: global plus this clinic's exercises (one query)."""
    rows = (
        Exercise.objects.for_clinic(clinic_id)
        .select_related("progression", "regression")
        .order_by("key")
    )
    return [_catalogue_item(e) for e in rows]


def _catalogue_item(e: Exercise) -> CatalogueItem:
    return CatalogueItem(
        key=e.key,
        name=e.name,
        category=Category(e.category),
        regions=frozenset(Region(r) for r in e.regions),
        target_muscles=tuple(e.target_muscles),
        position=e.position,
        direction=Direction(e.direction),
        equipment=tuple(e.equipment),
        difficulty=e.difficulty,
        phases=frozenset(PhaseCode(p) for p in e.phases),
        dosage=Dosage(
            sets=e.sets,
            reps=e.reps,
            hold_s=e.hold_seconds,
            minutes=e.minutes,
            per_day=e.per_day,
            days_per_week=e.days_per_week,
            per_side=e.per_side,
            physio_notes=e.physio_notes,
            patient_notes=e.patient_notes,
        ),
        progression=e.progression.key if e.progression else None,
        regression=e.regression.key if e.regression else None,
        physio_select_only=e.physio_select_only,
        exclude_if=frozenset(e.exclude_if),
        cautions=e.cautions,
        steps=tuple(e.steps),
    )


def _advice_row(phase: PlanPhase, advice, order: int) -> AdviceItem:
    return AdviceItem(
        phase=phase,
        key=advice.key,
        kind=advice.kind.value,
        title=advice.title,
        patient_text=advice.patient_text,
        reason=advice.reason,
        rule_ids=list(advice.rule_ids),
        answers=[list(pair) for pair in advice.answers],
        education_key=advice.education_key or "",
        minutes=advice.minutes,
        minutes_max=advice.minutes_max,
        per_day=advice.per_day,
        min_gap_minutes=advice.min_gap_minutes,
        start_date=advice.start_date,
        end_date=advice.end_date,
        is_optional=advice.is_optional,
        is_tickable=advice.is_tickable,
        order=order,
    )


def _warning(warning) -> dict:
    return {
        "rule_id": warning.rule_id,
        "message": warning.message,
        "phase": warning.phase.value if warning.phase else None,
        "exercise_key": warning.exercise_key,
    }


def _check_complete(assessment: Assessment) -> None:
    """An assessment recorded incomplete for a referral never gives a plan, whatever today's
    screen would say: record a new, complete assessment once the flag is resolved."""
    if assessment.is_complete:
        return
    raise PlanRefusedError(
        code="red_flags",
        detail=_(
            "No exercise plan: this assessment was recorded incomplete for an urgent or "
            "emergency referral. Once the flag is resolved, record a new, complete assessment."
        ),
        rule_ids=[rule["rule_id"] for rule in assessment.fired_rules if rule.get("blocks_plan")],
        patient_message=assessment.patient_message,
        physio_message=assessment.physio_message,
    )


def _check_plannable(assessment: Assessment, result: ScreeningResult) -> None:
    if result.blocked or result.outcome in (Outcome.URGENT, Outcome.EMERGENCY):
        is_red = result.outcome in (Outcome.URGENT, Outcome.EMERGENCY)
        rule_ids = [b.rule_id for b in result.blocked] + [r.rule_id for r in result.blocking_rules]
        raise PlanRefusedError(
            code="red_flags" if is_red else "not_plannable",
            detail=(
                _("No exercise plan: the screen found red flags that need medical assessment.")
                if is_red
                else _("No plan yet: %(reasons)s")
                % {"reasons": "; ".join(localise(b.physio_message) for b in result.blocked)}
            ),
            rule_ids=rule_ids,
            patient_message=result.patient_message,
            physio_message=result.physio_message,
        )
    if result.outcome is Outcome.AMBER and not assessment.is_amber_confirmed:
        raise PlanRefusedError(
            code="amber_not_confirmed",
            detail=_("Confirm the amber findings before a plan can be generated."),
            rule_ids=[c.rule_id for c in result.confirmations],
            physio_message=result.physio_message,
            confirmations=[dataclasses.asdict(c) for c in result.confirmations],
        )


@transaction.atomic
def generate_plan(*, assessment: Assessment, by: User, today: datetime.date | None = None) -> Plan:
    """Propose a staged plan from an assessment and store it as a draft.

    The screen runs again at generation time (GATE-ASSESSED is about *today*). Urgent or
    emergency flags refuse with the referral message and write nothing.
    """
    today = today or timezone.localdate()
    assessment = (
        Assessment.objects.select_for_update().select_related("patient").get(pk=assessment.pk)
    )
    patient = assessment.patient
    _check_complete(assessment)
    intake = to_intake(
        assessment.answers, age=age_on(patient.date_of_birth, assessment.assessment_date)
    )
    result = screen(intake, today=today)
    _check_plannable(assessment, result)
    proposal = propose_plan(intake, result, catalogue_items_for(patient.clinic_id), today=today)

    plan = Plan.objects.create(
        patient=patient,
        physiotherapist=by.physiotherapist,
        assessment=assessment,
        start_date=today,
        current_phase=proposal.starting_phase.phase.value,
        starting_phase_reason=proposal.starting_phase.reason,
        warnings=[_warning(w) for w in proposal.warnings],
        excluded=[
            {
                "exercise_key": x.exercise_key,
                "phases": [p.value for p in x.phases],
                "reason": x.reason,
                "rule_ids": list(x.rule_ids),
                "flags": list(x.flags),
            }
            for x in proposal.excluded
        ],
        plan_advice=[snapshots.advice_dict(a) for a in proposal.plan_advice],
        is_chronic=proposal.is_chronic,
        is_return_to_sport_sign_off_required=proposal.is_return_to_sport_sign_off_required,
    )
    phases = PlanPhase.objects.bulk_create(
        [
            PlanPhase(
                plan=plan,
                code=p.code.value,
                name=p.name,
                goals=p.goals,
                goals_patient=p.goals_patient,
                typical_duration=p.typical_duration,
                minimum_days=p.minimum_days,
                exit_criteria=[dataclasses.asdict(c) for c in p.exit_criteria],
                restrictions=[snapshots.advice_dict(r) for r in p.restrictions],
                session_cap=p.session_cap.description,
                session_cap_minutes=p.session_cap.minutes_max,
                aerobic_target=p.aerobic_target.description,
                modality_notes=p.modality_notes,
                warnings=[_warning(w) for w in p.warnings],
                start_date=today if p.is_starting else None,
            )
            for p in proposal.phases
        ]
    )
    exercise_ids = dict(
        Exercise.objects.for_clinic(patient.clinic_id)  # keys are unique per clinic only
        .filter(key__in={i.exercise_key for p in proposal.phases for i in p.items})
        .values_list("key", "id")
    )
    Prescription.objects.bulk_create(
        [
            Prescription(
                phase=phase,
                exercise_id=exercise_ids[item.exercise_key],
                order=item.order,
                sets=item.dosage.sets,
                reps=item.dosage.reps,
                hold_seconds=item.dosage.hold_s,
                minutes=item.dosage.minutes,
                per_day=item.dosage.per_day,
                days_per_week=item.dosage.days_per_week,
                per_side=item.dosage.per_side,
                # The catalogue's notes stay with the exercise (physio notes in the editor, the
                # patient tip in the snapshot): `notes` is only what the physio writes.
                notes="",
                reason=item.reason,
                rule_ids=list(item.rule_ids),
                answers=[list(pair) for pair in item.answers],
                warnings=[_warning(w) for w in item.warnings],
            )
            for phase, proposed in zip(phases, proposal.phases, strict=True)
            for item in proposed.items
        ]
    )
    AdviceItem.objects.bulk_create(
        [
            _advice_row(phase, advice, order)
            for phase, proposed in zip(phases, proposal.phases, strict=True)
            for order, advice in enumerate(proposed.advice)
        ]
    )
    record_audit(
        actor=by,
        patient=patient,
        action=AuditEvent.Action.CREATE,
        detail=f"plan {plan.pk} proposed from assessment {assessment.pk}",
    )
    return plan


# --- editing ------------------------------------------------------------------------------


def _editable(plan: Plan) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not plan.is_editable:
        raise PlanConflictError(
            _("This plan is %(status)s and cannot be edited.")
            % {"status": str(plan.get_status_display()).lower()}
        )
    return plan


def _check_in_catalogue_of(plan: Plan, exercise: Exercise, field: str) -> None:
    """A plan uses the global catalogue and its own clinic's exercises, nobody else's."""
    if exercise.clinic_id not in (None, plan.patient.clinic_id):
        raise ValidationError({field: _("No such exercise.")})


def _excluding_flags(plan: Plan, exercise: Exercise) -> list[str]:
    flags = {flag["flag"] for flag in plan.assessment.exclusion_flags}
    return sorted(flags & set(exercise.exclude_if))


def _in_words(value) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _differences(before: dict, after, names) -> list[str]:
    """Each named field whose value changed, as "sets 2→3" (free text only by its name)."""
    changed = []
    for name in names:
        old, new = before[name], getattr(after, name)
        if old == new:
            continue
        label = name.replace("_", " ")
        changed.append(label if name == "notes" else f"{label} {_in_words(old)}→{_in_words(new)}")
    return changed


def _record_edit(*, by, plan: Plan, phase_code: str, what: str) -> None:
    """The audit line of a plan edit: who, and what changed where ("plan 7 P2: …")."""
    record_audit(
        actor=by,
        patient=plan.patient,
        action=AuditEvent.Action.UPDATE,
        detail=f"plan {plan.pk} {phase_code}: {what}",
    )


DOSAGE_CHANGE_REASON_LABELS = dict(DOSAGE_CHANGE_REASONS)


def _dosage_change_reason(choice: str, note: str) -> str:
    """The physio's reason for a dosage change as stored and shown: the chosen reason, with
    their own words after it (clinical-model 4.1 item 4: physio override, logged)."""
    note = note.strip()
    if choice and choice not in DOSAGE_CHANGE_REASON_LABELS:
        raise ValidationError({"change_reason": _("Choose a reason from the list.")})
    if not choice and not note:
        raise ValidationError(
            {"change_reason": _("Say why the dosage changed: choose a reason or write one.")}
        )
    if choice == "other" and not note:
        raise ValidationError({"change_note": _("Write the reason for the dosage change.")})
    if not choice or choice == "other":
        return note
    label = DOSAGE_CHANGE_REASON_LABELS[choice]
    return f"{label}: {note}" if note else label


def _physio_change_rule_ids(rule_ids: list[str]) -> list[str]:
    """The physio's dosage replaces the planner's (DOSE-*): PHYSIO-CHANGE says so."""
    kept = [rule_id for rule_id in rule_ids if not rule_id.startswith("DOSE-")]
    return kept if "PHYSIO-CHANGE" in kept else [*kept, "PHYSIO-CHANGE"]


@transaction.atomic
def update_prescription(
    *,
    prescription: Prescription,
    by: User,
    change_reason: str = "",
    change_note: str = "",
    **changes,
) -> Prescription:
    """Change dosage or notes of one item; validated as a whole.

    A dosage change needs the physio's reason (`change_reason`, one of DOSAGE_CHANGE_REASONS,
    and/or `change_note` in their words): it is stored with the item, shown in "what changed",
    and the item's DOSE-* rule ids give way to PHYSIO-CHANGE (clinical-model 4.1 item 4).
    """
    plan = _editable(prescription.phase.plan)
    before = {name: getattr(prescription, name) for name in (*PRESCRIPTION_DOSAGE_FIELDS, "notes")}
    for name, value in changes.items():
        if name not in (*PRESCRIPTION_DOSAGE_FIELDS, "notes"):
            raise ValidationError({name: _("This field cannot be changed here.")})
        setattr(prescription, name, value)
    prescription.full_clean()
    if not any(getattr(prescription, n) for n in STORED_DOSAGE_AMOUNTS):
        raise ValidationError(
            {"sets": _("Give a dosage: sets, repetitions, a hold time or minutes.")}
        )
    dosage = _differences(before, prescription, PRESCRIPTION_DOSAGE_FIELDS)
    notes = _differences(before, prescription, ["notes"])
    if dosage:
        prescription.change_reason = _dosage_change_reason(change_reason, change_note)
        prescription.rule_ids = _physio_change_rule_ids(list(prescription.rule_ids))
    prescription.save()
    key = prescription.exercise.key
    if dosage:
        # The reason's free text stays out of the audit line, as notes do: the choice names it.
        why = DOSAGE_CHANGE_REASON_LABELS.get(change_reason) or "in the physio's words"
        what = (
            f"dosage of {key} changed: {', '.join(dosage)}"
            + (", notes" if notes else "")
            + f"; reason: {why}"
        )
        _record_edit(by=by, plan=plan, phase_code=prescription.phase.code, what=what)
    elif notes:
        _record_edit(
            by=by, plan=plan, phase_code=prescription.phase.code, what=f"notes of {key} changed"
        )
    return prescription


def _physio_item(
    plan: Plan, phase_code: str, exercise: Exercise, *, reason: str, rule_ids: tuple[str, ...]
) -> ProposedItem:
    """What the planner's rules give `exercise` in this plan's phase (dosage, notes, warnings),
    for an item the physio put there: the same rules as a proposed item, never a copy."""
    assessment = plan.assessment
    intake = to_intake(
        assessment.answers,
        age=age_on(plan.patient.date_of_birth, assessment.assessment_date),
    )
    return describe_physio_item(
        intake,
        screen(intake, today=assessment.screened_on),  # the screen as it was recorded
        _catalogue_item(exercise),
        phase=PhaseCode(phase_code),
        reason=reason,
        rule_ids=rule_ids,
        today=timezone.localdate(),
    )


def _take_item_facts(prescription: Prescription, item: ProposedItem) -> None:
    """Dosage, reason, rule ids and warnings of `item` onto the row (notes are the caller's)."""
    dose = item.dosage
    prescription.sets = dose.sets
    prescription.reps = dose.reps
    prescription.hold_seconds = dose.hold_s
    prescription.minutes = dose.minutes
    prescription.per_day = dose.per_day
    prescription.days_per_week = dose.days_per_week
    prescription.per_side = dose.per_side
    prescription.reason = item.reason
    prescription.rule_ids = list(item.rule_ids)
    prescription.answers = [list(pair) for pair in item.answers]
    prescription.warnings = [_warning(w) for w in item.warnings]
    prescription.change_reason = ""


@transaction.atomic
def add_prescription(
    *, phase: PlanPhase, exercise: Exercise, by: User, override_reason: str = "", notes: str = ""
) -> Prescription:
    """Add a catalogue exercise to a phase. An item the rules hide needs a recorded reason.

    The item gets what the planner's rules give the exercise in this phase: dosage, warnings,
    and the catalogue's note for the patient unless the physio wrote their own.
    """
    plan = _editable(phase.plan)
    _check_in_catalogue_of(plan, exercise, "exercise")
    if phase.code not in exercise.phases:
        raise ValidationError(
            {
                "exercise": _("%(name)s is not used in the %(phase)s phase.")
                % {"name": exercise.name, "phase": localise(phase.name)}
            }
        )
    if phase.prescriptions.filter(exercise=exercise).exists():
        raise ValidationError(
            {"exercise": _("%(name)s is already in this phase.") % {"name": exercise.name}}
        )
    flags = _excluding_flags(plan, exercise)
    if flags and not override_reason.strip():
        raise ValidationError(
            {
                "override_reason": _(
                    "%(name)s is hidden for this patient (%(flags)s): give a reason to add it "
                    "anyway."
                )
                % {"name": exercise.name, "flags": ", ".join(flags)}
            }
        )
    last = phase.prescriptions.aggregate(last=Max("order"))["last"]
    # Stored in English (catalogue messages): the pages show it with `localise`.
    reason = gettext_noop("Added by the physiotherapist.")
    if flags:
        reason = gettext_noop(
            "Added by the physiotherapist. Rule override (%(rules)s): %(reason)s"
        ) % {"rules": ", ".join(flags), "reason": override_reason.strip()}
    item = _physio_item(
        plan,
        phase.code,
        exercise,
        reason=reason,
        rule_ids=("PHYSIO-OVERRIDE",) if flags else ("PHYSIO-CHANGE",),
    )
    added = Prescription(
        phase=phase,
        exercise=exercise,
        order=(last or 0) + 1,
        notes=notes.strip(),  # only what the physio wrote: the catalogue's tip travels apart
        override_reason=override_reason.strip(),
        added_by_physio=True,
    )
    _take_item_facts(added, item)
    added.save()
    override = f" (rule override: {', '.join(flags)})" if flags else ""
    _record_edit(by=by, plan=plan, phase_code=phase.code, what=f"added {exercise.key}{override}")
    return added


@transaction.atomic
def remove_prescription(*, prescription: Prescription, by: User) -> None:
    plan = _editable(prescription.phase.plan)
    prescription.delete()
    _record_edit(
        by=by,
        plan=plan,
        phase_code=prescription.phase.code,
        what=f"removed {prescription.exercise.key}",
    )


@transaction.atomic
def move_prescription(*, prescription: Prescription, by: User, offset: int) -> None:
    """Move an item up (-1) or down (+1) within its phase."""
    plan = _editable(prescription.phase.plan)
    items = list(prescription.phase.prescriptions.order_by("order", "id"))
    index = next(i for i, item in enumerate(items) if item.pk == prescription.pk)
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))
    for order, item in enumerate(items, start=1):
        item.order = order
    Prescription.objects.bulk_update(items, ["order"])
    if target != index:
        _record_edit(
            by=by,
            plan=plan,
            phase_code=prescription.phase.code,
            what=f"moved {prescription.exercise.key} from position {index + 1} to {target + 1}",
        )


@transaction.atomic
def swap_prescription(*, prescription: Prescription, by: User, to: str) -> Prescription:
    """Swap an item to its catalogue progression (harder) or regression (easier).

    The item takes the new exercise's facts from the planner's rules (dosage, warnings, the
    catalogue's note for the patient); a note the physio wrote themselves is kept.
    """
    plan = _editable(prescription.phase.plan)
    if to not in ("progression", "regression"):
        raise ValidationError({"to": _("Choose progression or regression.")})
    target = getattr(prescription.exercise, to)
    if target is None:
        raise ValidationError(
            {
                "to": (
                    _("%(name)s has no progression in the catalogue.")
                    if to == "progression"
                    else _("%(name)s has no regression in the catalogue.")
                )
                % {"name": prescription.exercise.name}
            }
        )
    _check_in_catalogue_of(plan, target, "to")
    flags = _excluding_flags(plan, target)
    if flags:
        raise ValidationError(
            {
                "to": _("%(name)s is hidden for this patient (%(flags)s).")
                % {"name": target.name, "flags": ", ".join(flags)}
            }
        )
    swapped_from = prescription.exercise
    item = _physio_item(
        plan,
        prescription.phase.code,
        target,
        reason=(
            gettext_noop("Swapped by the physiotherapist to the harder version of %(name)s.")
            if to == "progression"
            else gettext_noop("Swapped by the physiotherapist to the easier version of %(name)s.")
        )
        % {"name": swapped_from.name},
        rule_ids=("PHYSIO-CHANGE",),
    )
    # An item's notes are only what the physio wrote (the catalogue's tips travel with the
    # exercise), so they stay; the new exercise brings its own tip and warnings.
    prescription.exercise = target
    _take_item_facts(prescription, item)
    prescription.override_reason = ""
    prescription.added_by_physio = True
    prescription.save()
    _record_edit(
        by=by,
        plan=plan,
        phase_code=prescription.phase.code,
        what=f"swapped {swapped_from.key} for its {to} {target.key}",
    )
    return prescription


@transaction.atomic
def update_phase(*, phase: PlanPhase, by: User, **changes) -> PlanPhase:
    """Change a phase's dates or notes."""
    plan = _editable(phase.plan)
    before = {name: getattr(phase, name) for name in ("start_date", "end_date", "notes")}
    for name, value in changes.items():
        if name not in ("start_date", "end_date", "notes"):
            raise ValidationError({name: _("This field cannot be changed here.")})
        setattr(phase, name, value)
    if phase.start_date and phase.end_date and phase.end_date < phase.start_date:
        raise ValidationError({"end_date": _("The phase cannot end before it starts.")})
    phase.save()
    changed = _differences(before, phase, ["start_date", "end_date", "notes"])
    if changed:
        _record_edit(by=by, plan=plan, phase_code=phase.code, what=", ".join(changed))
    return phase


# --- publishing ---------------------------------------------------------------------------


# A plan replaced by another one published for the same patient. Archived, not completed:
# nobody has said the patient finished it (the dashboard would show "plan completed"), and
# archived plans are already left out wherever a patient's plan in use is looked for.
REPLACED = Plan.Status.ARCHIVED


@transaction.atomic
def publish_plan(*, plan: Plan, by: User, confirm_warnings: bool | None = None) -> PlanRevision:
    """Freeze the plan into the next numbered revision; the plan becomes active, and any other
    active or paused plan of the patient is archived, so the patient follows exactly one.

    Patients, PDFs and emails only ever see revisions, so later edits change nothing they see
    until the next publish. A plan the same as its latest revision is refused
    (NothingToPublish): two publishes sent at once make one revision.

    The physio's publish request (editor page or API) passes `confirm_warnings`: while the
    plan has "Check before publishing" warnings (`selectors.open_warnings`), False refuses with
    `WarningsNotConfirmedError` and True records the confirmation in the audit line. Workflows
    that publish as part of another physio decision (approving a progression) leave it None.
    """
    # Lock every plan of the patient, always in the same order: publishes for one patient
    # (the same plan twice, or two plans) run one after the other, so the second sees the
    # first's revision and never leaves two plans active.
    list(Plan.objects.select_for_update().filter(patient_id=plan.patient_id).order_by("pk"))
    plan = _editable(plan)
    safety.refuse_if_open(plan.patient)
    snapshot = snapshots.plan_snapshot(plan)
    if not revision_content.has_items(snapshot):
        raise ValidationError({"items": _("Add at least one exercise before publishing.")})
    last = plan.revisions.order_by("-number").first()
    if last is not None and revision_content.is_same(last.snapshot, snapshot):
        raise NothingToPublish(last.number)
    warnings = selectors.open_warnings(plan) if confirm_warnings is not None else []
    if warnings and not confirm_warnings:
        raise WarningsNotConfirmedError(warnings)
    revision = PlanRevision.objects.create(
        plan=plan, number=(last.number if last else 0) + 1, snapshot=snapshot, published_by=by
    )
    if plan.status == Plan.Status.DRAFT:
        plan.status = Plan.Status.ACTIVE
        plan.save(update_fields=["status", "updated_at"])
    confirmed = ""
    if warnings:
        rule_ids = ", ".join(dict.fromkeys(w["rule_id"] for w in warnings))
        confirmed = f", {len(warnings)} warning(s) confirmed as checked ({rule_ids})"
    record_audit(
        actor=by,
        patient=plan.patient,
        action=AuditEvent.Action.UPDATE,
        detail=f"plan {plan.pk} published as revision {revision.number}{confirmed}",
    )
    for other in replaced_by_publishing(plan):
        other.status = REPLACED
        other.save(update_fields=["status", "updated_at"])
        record_audit(
            actor=by,
            patient=plan.patient,
            action=AuditEvent.Action.UPDATE,
            detail=f"plan {other.pk} archived: replaced by plan {plan.pk}",
        )
    signals.plan_published.send(sender=Plan, plan=plan, revision=revision)
    return revision


def replaced_by_publishing(plan: Plan) -> list[Plan]:
    """The patient's other plans in use (active or paused) that publishing `plan` archives."""
    return list(
        Plan.objects.filter(
            patient_id=plan.patient_id, status__in=(Plan.Status.ACTIVE, Plan.Status.PAUSED)
        )
        .exclude(pk=plan.pk)
        .order_by("created_at", "pk")
    )


# --- templates ----------------------------------------------------------------------------


@transaction.atomic
def save_plan_as_template(*, plan: Plan, name: str, by: User) -> PlanTemplate:
    """Keep the plan's items and advice as a clinic template (no patient data)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the template a name."})
    clinic = plan.patient.clinic
    if PlanTemplate.objects.filter(clinic=clinic, name__iexact=name).exists():
        raise ValidationError({"name": "A template with this name exists already."})
    return PlanTemplate.objects.create(
        clinic=clinic, name=name, content=snapshots.template_content(plan), created_by=by
    )


@transaction.atomic
def generate_plan_from_template(
    *,
    template: PlanTemplate,
    assessment: Assessment,
    by: User,
    today: datetime.date | None = None,
) -> Plan:
    """A new plan with the template's items; the assessment is screened as for any plan."""
    plan = generate_plan(assessment=assessment, by=by, today=today)
    flags = {flag["flag"] for flag in assessment.exclusion_flags}
    exercises = {  # keys are unique per clinic only: resolve them in the plan's clinic
        e.key: e
        for e in Exercise.objects.for_clinic(plan.patient.clinic_id).filter(
            key__in=snapshots.template_keys(template.content)
        )
    }
    Prescription.objects.filter(phase__plan=plan).delete()
    rows = []
    for phase in plan.phases.all():
        for order, item in enumerate(template.content.get(phase.code, []), start=1):
            exercise = exercises.get(item["exercise_key"])
            if exercise is None or flags & set(exercise.exclude_if):
                continue  # listed in the plan's excluded items by the planner already
            rows.append(
                Prescription(
                    phase=phase,
                    exercise=exercise,
                    order=order,
                    **{
                        name: item.get(name)
                        for name in PRESCRIPTION_DOSAGE_FIELDS
                        if name != "per_side"
                    },
                    per_side=bool(item.get("per_side")),
                    notes=item.get("notes", ""),
                    reason=f"From the clinic template “{template.name}”.",
                    rule_ids=[],
                    added_by_physio=True,
                )
            )
    Prescription.objects.bulk_create(rows)
    return plan


def record_start_back_response(*, patient, answers: StartBackAnswers, by) -> StartBackResponse:
    """Keep the patient's own STarT Back answers (issue #18): the physio's next assessment
    form starts from them. Only for a clinic that uses the tool."""
    if not patient.clinic.is_start_back_enabled:
        raise ValidationError("Your clinic does not use this questionnaire.", code="disabled")
    response = StartBackResponse.objects.create(
        patient=patient, answers=answers.to_stored(), answered_at=timezone.now()
    )
    record_audit(
        actor=by,
        patient=patient,
        action=AuditEvent.Action.CREATE,
        detail=f"STarT Back answers {response.pk} (patient)",
    )
    return response
