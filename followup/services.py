"""Check-in workflows: record a check-in and act on its rules, the daily time-based rules,
alerts (acknowledge, approve a progression), and the signed check-in link of reminder emails.

The decisions are pure (`clinical.follow_up`); this module carries them out in one
transaction, so a warning sign pauses reminders and raises the physio's alert together or not
at all.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import AuditEvent, Patient
from accounts.services import record_audit
from clinical import follow_up
from clinical.follow_up import CheckInFacts, CheckInOutcome, Finding, PlanFacts
from clinical.measures import Change, psfs_baseline_ratings, psfs_change
from core import leases, links, outbox
from followup import tasks
from followup.models import Alert, CheckIn, FunctionReview
from programs import safety
from programs.models import Plan, PlanPhase, PlanRevision
from programs.selectors import current_revision
from programs.services import publish_plan
from reminders.services import pause_reminders

logger = logging.getLogger(__name__)

HISTORY = datetime.timedelta(days=60)  # check-ins the rules look back over
# The same answers again within this window are the same check-in (a double tap, or the
# email link and the portal both sent): acting twice would fire ESC-WORSE ("red twice in a
# row") from one real answer.
REPEAT_WINDOW = datetime.timedelta(minutes=2)
ALERT_SUBJECT = gettext_noop("A patient needs your attention")  # no health details in a subject
URGENT = (Alert.Severity.EMERGENCY, Alert.Severity.URGENT)


class CheckInLinkInvalid(links.InvalidLink):
    """A check-in link that is tampered with or expired."""


class ClientTokenReused(ValidationError):
    def __init__(self):
        super().__init__(
            _(
                "These answers were sent with the token of an earlier check-in that had other "
                "answers. Send them again as a new check-in."
            ),
            code="client_token_reused",
        )


class NoPlanToCheckIn(ValidationError):
    def __init__(self):
        super().__init__(
            _("There is no published plan to check in against yet. Your physio will publish it."),
            code="no_plan",
        )


# --- the signed check-in link (reminder emails) -------------------------------------------


def check_in_token(patient: Patient) -> str:
    """An expiring, signed token that lets its holder check in for this patient, nothing else."""
    return links.CHECK_IN.token({"patient": patient.pk})


def read_check_in_token(token: str) -> Patient:
    data = links.CHECK_IN.read(token, CheckInLinkInvalid)
    patient_id = (data or {}).get("patient")
    patient = (
        Patient.objects.select_related("clinic").filter(pk=patient_id).first()
        if patient_id is not None
        else None
    )
    if patient is None:
        raise CheckInLinkInvalid("tampered")
    return patient


# --- facts for the pure rules -------------------------------------------------------------


def local_now(patient: Patient, now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()).astimezone(ZoneInfo(patient.timezone))


def _as_facts(check_in: CheckIn) -> CheckInFacts:
    return CheckInFacts(
        at=check_in.created_at,
        pain=check_in.pain,
        zone=follow_up.Zone(check_in.zone) if check_in.zone else None,
        feeling=follow_up.Feeling(check_in.feeling),
        warning_signs=tuple(check_in.warning_signs),
        has_new_symptoms=check_in.has_new_symptoms,
        can_manage_daily_tasks=check_in.can_manage_daily_tasks,
        pain_eases_with_position=check_in.pain_eases_with_position,
        sessions_done=check_in.sessions_done,
    )


def plan_facts(plan: Plan, revision: PlanRevision, today: datetime.date) -> PlanFacts:
    """The plan as the follow-up rules see it (the assessment gives baseline, onset, regions)."""
    answers = plan.assessment.answers
    phase = next((p for p in plan.phases.all() if p.code == plan.current_phase), None)
    baseline = int(answers["pain_now"])
    return PlanFacts(
        today=today,
        start_date=plan.start_date,
        current_phase=plan.current_phase,
        phase_started_on=plan.phase_started_on or plan.start_date,
        phase_minimum_days=phase.minimum_days if phase else None,
        baseline_pain=baseline,
        phase_entry_pain=baseline if plan.phase_entry_pain is None else plan.phase_entry_pain,
        onset_date=datetime.date.fromisoformat(answers["onset_date"]),
        regions=frozenset(answers["regions"]),
        last_published_on=timezone.localdate(revision.published_at),
        is_new_episode_over_50="AMB-AGE" in plan.assessment.rule_ids,
        is_rts_sign_off_required=plan.is_return_to_sport_sign_off_required,
        is_rts_signed_off=plan.return_to_sport_signed_off_at is not None,
        regressed_until=plan.regressed_until if plan.regressed_to else None,
        psfs_change=latest_psfs_change(plan),
        is_high_risk="AMB-HIGHRISK" in plan.assessment.rule_ids,
    )


def latest_psfs_change(plan: Plan) -> Change | None:
    """The PSFS mean from the assessment to the latest re-rating; None before one (reads
    `plan.function_reviews`, prefetched by callers that loop over plans)."""
    baseline = psfs_baseline_ratings(plan.assessment.answers)
    answered = [r for r in plan.function_reviews.all() if r.answered_at is not None]
    if not baseline or not answered:
        return None
    latest = max(answered, key=lambda review: (review.answered_at, review.pk))
    return psfs_change(baseline, list(latest.ratings or []))


def warning_questions(plan: Plan):
    return follow_up.warning_sign_questions(set(plan.assessment.answers["regions"]))


def told_after(check_in: CheckIn) -> follow_up.PatientAdvice:
    """What the patient is told after this check-in: the one answer for the API and pages."""
    return follow_up.told_after_check_in(
        rule_ids=check_in.rule_ids, warning_signs=check_in.warning_signs, zone=check_in.zone
    )


# --- recording a check-in -----------------------------------------------------------------


def _validate(plan, revision, on, *, items_done, pain, zone, warning_signs, pain_eases) -> None:
    errors: dict[str, str] = {}
    if not isinstance(pain, int) or isinstance(pain, bool) or not 0 <= pain <= 10:
        errors["pain"] = "Choose a number from 0 (no pain) to 10 (worst imaginable)."
    unknown_items = set(items_done) - set(revision.tickable_keys(on))
    if unknown_items:
        errors["items_done"] = "These are not in today's plan: " + ", ".join(sorted(unknown_items))
    if items_done and not zone:
        errors["zone"] = "Tell us how the exercises felt."
    asked = {question.key for question in warning_questions(plan)}
    unknown_signs = set(warning_signs) - asked
    if unknown_signs:
        errors["warning_signs"] = "Unknown warning sign: " + ", ".join(sorted(unknown_signs))
    if "pain" not in errors and pain >= follow_up.SEVERE_PAIN_FROM and pain_eases is None:
        errors["pain_eases_with_position"] = (
            "With pain this strong, tell us whether it eases when you change position."
        )
    if errors:
        raise ValidationError(errors)


# The answers that make two check-ins the same one (lists compared as given: the form and
# the API send them in the plan's order).
ANSWER_FIELDS = (
    "items_done",
    "pain",
    "zone",
    "feeling",
    "warning_signs",
    "has_new_symptoms",
    "can_manage_daily_tasks",
    "pain_eases_with_position",
    "note",
)


def _repeat_of(
    *, patient: Patient, plan: Plan, answers: dict, client_token, now: datetime.datetime
) -> CheckIn | None:
    """The check-in these answers repeat, if any: the one sent with the same client token,
    else one with the same answers on the same plan within REPEAT_WINDOW. Called with the
    plan row locked, so a concurrent twin has committed or not started."""

    def same(check_in: CheckIn) -> bool:
        return all(getattr(check_in, name) == answers[name] for name in ANSWER_FIELDS)

    if client_token is not None:
        earlier = CheckIn.objects.filter(patient=patient, client_token=client_token).first()
        if earlier is not None:
            if not same(earlier):
                raise ClientTokenReused()
            return earlier
    recent = CheckIn.objects.filter(
        plan=plan, created_at__gte=now - REPEAT_WINDOW, created_at__lte=now
    ).order_by("created_at", "id")
    return next((check_in for check_in in recent if same(check_in)), None)


@transaction.atomic
def record_check_in(
    *,
    patient: Patient,
    source: str,
    pain: int,
    feeling: str,
    items_done: list[str] | tuple[str, ...] = (),
    zone: str = "",
    warning_signs: list[str] | tuple[str, ...] = (),
    has_new_symptoms: bool = False,
    can_manage_daily_tasks: bool = True,
    pain_eases_with_position: bool | None = None,
    note: str = "",
    client_token: uuid.UUID | None = None,
    actor=None,
    now: datetime.datetime | None = None,
) -> tuple[CheckIn, CheckInOutcome | None]:
    """Store a check-in and act on the rules at once (clinical-model 4.4-4.5).

    A warning sign or ESC-WORSE pauses reminders and raises an urgent alert in this same
    transaction (the physio gets an email after commit); REGRESS switches the content the
    patient follows; PROGRESS suggests the next phase to the physio.

    A repeat (the same `client_token`, or the same answers on the same plan within
    REPEAT_WINDOW) stores and does nothing: it answers the earlier check-in with the
    outcome None. The same token with other answers is refused (ClientTokenReused).
    """
    now = now or timezone.now()
    revision = current_revision(patient)
    if revision is None:
        raise NoPlanToCheckIn()
    # One check-in at a time per plan: the rules read the earlier ones, and a repeat must
    # find its twin.
    plan = (
        Plan.objects.select_for_update()
        .select_related("assessment")
        .prefetch_related("phases")
        .get(pk=revision.plan_id)
    )
    revision.plan = plan
    on = local_now(patient, now).date()
    items_done = list(dict.fromkeys(items_done))
    warning_signs = list(dict.fromkeys(warning_signs))
    note = note.strip()
    answers = {
        "items_done": items_done,
        "pain": pain,
        "zone": zone,
        "feeling": feeling,
        "warning_signs": warning_signs,
        "has_new_symptoms": has_new_symptoms,
        "can_manage_daily_tasks": can_manage_daily_tasks,
        "pain_eases_with_position": pain_eases_with_position,
        "note": note,
    }
    repeated = _repeat_of(
        patient=patient, plan=plan, answers=answers, client_token=client_token, now=now
    )
    if repeated is not None:
        logger.info("check-in %s repeated (%s): not acted on again", repeated.pk, source)
        return repeated, None
    _validate(
        plan,
        revision,
        on,
        items_done=items_done,
        pain=pain,
        zone=zone,
        warning_signs=warning_signs,
        pain_eases=pain_eases_with_position,
    )
    if feeling not in CheckIn.Feeling.values:
        raise ValidationError({"feeling": "Choose better, about the same, or worse."})
    if zone and zone not in CheckIn.Zone.values:
        raise ValidationError({"zone": "Choose green, amber or red."})
    earlier = [
        _as_facts(c)
        for c in CheckIn.objects.filter(plan=plan, created_at__gte=now - HISTORY).order_by(
            "created_at", "id"
        )
    ]
    facts = plan_facts(plan, revision, on)
    check_in = CheckIn(
        patient=patient,
        plan=plan,
        revision_number=revision.number,
        phase=plan.followed_phase,
        local_date=on,
        created_at=now,
        source=source,
        client_token=client_token,
        **answers,
    )
    outcome = follow_up.evaluate_check_in(_as_facts(check_in), earlier, facts)
    check_in.rule_ids = list(outcome.rule_ids)
    check_in.advice_level = outcome.advice_level
    check_in.full_clean(exclude=["patient", "plan"])
    check_in.save()
    _act_on(outcome, plan=plan, check_in=check_in, facts=facts)
    record_audit(
        actor=actor,
        patient=patient,
        action=AuditEvent.Action.CREATE,
        detail=f"check-in ({source}): pain {pain}/10"
        + (f", rules {', '.join(outcome.rule_ids)}" if outcome.rule_ids else ""),
    )
    return check_in, outcome


def _act_on(outcome: CheckInOutcome, *, plan: Plan, check_in: CheckIn, facts: PlanFacts) -> None:
    if outcome.pauses_reminders:
        first = next(f for f in outcome.findings if f.pauses_reminders)
        pause_reminders(
            patient=check_in.patient,
            # Stored in English, shown through `core.i18n.localise`.
            reason=gettext_noop("%(rule)s at the check-in of %(date)s")
            % {"rule": first.rule_id, "date": check_in.local_date.isoformat()},
        )
    # An urgent or emergency warning sign opens the patient's safety concern (one state that
    # every page reads; its pause of the reminders lasts until a physio closes it).
    safety.raise_concern(
        patient=check_in.patient,
        rule_ids=outcome.rule_ids,
        source=safety.Source.CHECK_IN,
        source_id=check_in.pk,
        patient_messages=[
            t.patient_message for t in told_after(check_in).told if safety.is_red_flag(t.rule_id)
        ],
    )
    # While the physio has not yet dealt with an ESC-WORSE, ESC-SEVERE, REGRESS or PROGRESS
    # alert, the next check-in that fires it again adds no second one (its rule ids are still
    # stored on the check-in). A red-flag answer is always a new alert.
    still_open = set(
        Alert.objects.filter(plan=plan, resolved_at__isnull=True)
        .exclude(rule_id__startswith="RF-")
        .values_list("rule_id", flat=True)
    )
    for finding in outcome.findings:
        if finding.rule_id in still_open and not finding.regress_to:
            continue
        _raise_alert(finding, plan=plan, check_in=check_in)
        if finding.regress_to:
            plan.regressed_to = finding.regress_to
            plan.regressed_until = finding.regress_until
            plan.save(update_fields=["regressed_to", "regressed_until", "updated_at"])
    if (
        plan.regressed_to
        and "REGRESS" not in outcome.rule_ids
        and follow_up.regression_is_over(_as_facts(check_in), facts)
    ):
        _raise_alert(
            Finding(
                rule_id="REGRESS",
                severity=follow_up.Severity.INFO,
                action=follow_up.Action.ALERT,
                physio_message=(
                    f"REGRESS ended: pain {check_in.pain}/10 and the exercises felt "
                    f"{check_in.zone or 'fine'} after at least {follow_up.REGRESSION_DAYS} days "
                    f"of {plan.regressed_to} content; the patient is back on "
                    f"{plan.current_phase}."
                ),
            ),
            plan=plan,
            check_in=check_in,
        )
        plan.regressed_to = ""
        plan.regressed_until = None
        plan.save(update_fields=["regressed_to", "regressed_until", "updated_at"])


def _raise_alert(finding: Finding, *, plan: Plan, check_in: CheckIn | None) -> Alert | None:
    """Store the finding as an alert (once, for findings with a `once_key`); urgent ones are
    emailed to the physio after commit. Returns None when it was raised before."""
    fields = {
        "patient_id": plan.patient_id,
        "check_in": check_in,
        "severity": finding.severity.value,
        "action": finding.action.value,
        "physio_message": finding.physio_message,
        "patient_message": finding.patient_message,
        "progress_to": finding.progress_to or "",
        "needs_rts_sign_off": finding.needs_rts_sign_off,
    }
    once_key = finding.once_key
    if finding.rule_id == "PROGRESS" and check_in is not None:
        once_key = f"{once_key}-{check_in.pk}"  # a new suggestion after a declined one
    if once_key:
        alert, created = Alert.objects.get_or_create(
            plan=plan, rule_id=finding.rule_id, once_key=once_key, defaults=fields
        )
        if not created:
            return None
    else:
        alert = Alert.objects.create(plan=plan, rule_id=finding.rule_id, **fields)
    if alert.severity in URGENT:
        outbox.add(
            tasks.send_alert_email_task, kwargs={"alert_id": alert.pk}, queue=tasks.EMAIL_QUEUE
        )
    return alert


# --- the daily rules ----------------------------------------------------------------------


def run_daily_rules(*, now: datetime.datetime | None = None) -> list[Alert]:
    """CHK-2W, ESC-REVIEW-4W, ESC-REFER-6W and PLAN-EXPIRY for every active plan; each is
    raised once (per plan, or per review for PLAN-EXPIRY). ESC-REVIEW-4W pauses reminders
    until the physio has reviewed. Returns the alerts raised by this run."""
    now = now or timezone.now()
    raised: list[Alert] = []
    # Each chunk of plans comes with its phases, revisions and check-ins: a constant number
    # of queries per 200 plans, not per plan (the revision's snapshot is not needed here).
    plans = (
        Plan.objects.filter(status=Plan.Status.ACTIVE, revisions__isnull=False)
        .distinct()
        .select_related("assessment", "patient")
        .prefetch_related(
            "phases",
            Prefetch(
                "revisions",
                queryset=PlanRevision.objects.defer("snapshot").order_by("-number"),
            ),
            Prefetch("check_ins", queryset=CheckIn.objects.order_by("created_at", "id")),
            "function_reviews",
        )
        .order_by("pk")
    )
    for plan in plans.iterator(chunk_size=200):
        with transaction.atomic():
            revision = plan.revisions.all()[0]
            today = local_now(plan.patient, now).date()
            check_ins = [_as_facts(c) for c in plan.check_ins.all()]
            for finding in follow_up.evaluate_daily(check_ins, plan_facts(plan, revision, today)):
                alert = _raise_alert(finding, plan=plan, check_in=None)
                if alert is None:
                    continue
                raised.append(alert)
                if finding.rule_id in FUNCTION_REVIEW_RULES:
                    # Once per review, as the alert: a renewed plan's PLAN-EXPIRY asks again.
                    request_function_review(
                        plan=plan, rule_id=finding.rule_id, once_key=finding.once_key
                    )
                if finding.pauses_reminders:
                    pause_reminders(
                        patient=plan.patient,
                        reason=gettext_noop("%(rule)s: physio review due")
                        % {"rule": finding.rule_id},
                    )
    return raised


# --- what the physio does with alerts -----------------------------------------------------


def _open_alert(alert: Alert) -> Alert:
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.resolved_at is not None:
        raise ValidationError("This alert was dealt with already.", code="resolved")
    return locked


@transaction.atomic
def acknowledge_alert(*, alert: Alert, by) -> Alert:
    alert = _open_alert(alert)
    resolution = (
        Alert.Resolution.DECLINED
        if alert.action == Alert.Action.SUGGESTION
        else Alert.Resolution.ACKNOWLEDGED
    )
    Alert.objects.filter(pk=alert.pk).update(
        resolved_at=timezone.now(), resolved_by=by, resolution=resolution
    )
    record_audit(
        actor=by,
        patient=alert.patient,
        action=AuditEvent.Action.UPDATE,
        detail=f"{resolution} alert {alert.rule_id}",
    )
    alert.refresh_from_db()
    return alert


@transaction.atomic
def approve_progression(*, alert: Alert, by, rts_sign_off: bool = False) -> PlanRevision:
    """Move the plan to the suggested phase and publish it as a new revision.

    GATE-RTS: leaving Strengthen when heavy lifting, heavy work or risky sport is planned needs
    the physio's explicit sign-off, recorded on the plan.
    """
    alert = _open_alert(alert)
    if alert.action != Alert.Action.SUGGESTION or not alert.progress_to:
        raise ValidationError("Only a progression suggestion can be approved.", code="invalid")
    plan = Plan.objects.select_for_update().get(pk=alert.plan_id)
    expected_from = follow_up.PHASE_ORDER[follow_up.PHASE_ORDER.index(alert.progress_to) - 1]
    if plan.current_phase != expected_from:
        raise ValidationError(
            f"The plan is in {plan.current_phase} now, not {expected_from}.", code="stale"
        )
    now = timezone.now()
    today = timezone.localdate()
    needs_sign_off = (
        plan.current_phase == "P3"
        and plan.is_return_to_sport_sign_off_required
        and plan.return_to_sport_signed_off_at is None
    )
    if needs_sign_off and not rts_sign_off:
        raise ValidationError(
            {
                "rts_sign_off": "GATE-RTS: sign off heavy lifting, heavy manual work or "
                "contact/twisting sport before leaving Strengthen."
            }
        )
    if needs_sign_off:
        plan.return_to_sport_signed_off_at = now
        plan.return_to_sport_signed_off_by = by
    latest = CheckIn.objects.filter(plan=plan).order_by("-created_at", "-id").first()
    PlanPhase.objects.filter(plan=plan, code=plan.current_phase, start_date__lte=today).update(
        end_date=today
    )
    PlanPhase.objects.filter(plan=plan, code=alert.progress_to).update(
        start_date=today, end_date=None
    )
    plan.current_phase = alert.progress_to
    plan.phase_started_on = today
    plan.phase_entry_pain = latest.pain if latest else plan.phase_entry_pain
    plan.regressed_to = ""
    plan.regressed_until = None
    plan.save()
    revision = publish_plan(plan=plan, by=by)
    # The end of a phase is a review point of the PSFS (issue #18).
    request_function_review(plan=plan, rule_id="PROGRESS", once_key=expected_from)
    Alert.objects.filter(pk=alert.pk).update(
        resolved_at=now, resolved_by=by, resolution=Alert.Resolution.APPROVED
    )
    record_audit(
        actor=by,
        patient=plan.patient,
        action=AuditEvent.Action.UPDATE,
        detail=f"approved progression to {alert.progress_to}"
        + (" with GATE-RTS sign-off" if needs_sign_off else ""),
    )
    return revision


# --- the urgent alert email ---------------------------------------------------------------


def send_alert_email(*, alert_id: int) -> bool:
    """Email the responsible physio about an urgent alert, once. False when nothing to send."""
    alert = (
        Alert.objects.select_related("patient__clinic", "patient__physiotherapist__user")
        .filter(pk=alert_id, emailed_at__isnull=True)
        .first()
    )
    if alert is None:
        return False
    physio = alert.patient.physiotherapist
    context = {
        "alert": alert,
        "patient": alert.patient,
        "physio": physio,
        "url": f"{settings.SITE_URL}{reverse('patient-detail', kwargs={'pk': alert.patient_id})}",
    }
    # In the physio's own language (their pages' language), not the patient's.
    with translation.override(physio.language):
        message = EmailMultiAlternatives(
            subject=_(ALERT_SUBJECT),
            body=render_to_string("emails/alert.txt", context),
            to=[physio.user.email],
        )
        message.attach_alternative(render_to_string("emails/alert.html", context), "text/html")
    return leases.send_once(Alert, alert_id, message, sent_field="emailed_at")


# --- PSFS re-ratings at the reviews (issue #18) -------------------------------------------

# The reviews at which the patient re-rates their PSFS activities; PROGRESS: end of a phase.
FUNCTION_REVIEW_RULES = ("CHK-2W", "ESC-REVIEW-4W", "ESC-REFER-6W", "PLAN-EXPIRY")
FUNCTION_REVIEW_SUBJECT = gettext_noop("A short question from your physio")  # no health details


class FunctionReviewLinkInvalid(links.InvalidLink):
    """A PSFS review link that is tampered with, expired or already answered."""


def request_function_review(*, plan: Plan, rule_id: str, once_key: str) -> FunctionReview | None:
    """Ask the patient to re-rate the PSFS activities of the plan's assessment, once per
    review; the email goes after commit. None when there is no PSFS baseline, or it was asked."""
    if not plan.assessment.psfs_baseline:
        return None
    review, created = FunctionReview.objects.get_or_create(
        plan=plan,
        rule_id=rule_id,
        once_key=once_key,
        defaults={"patient_id": plan.patient_id, "requested_at": timezone.now()},
    )
    if not created:
        return None
    outbox.add(
        tasks.send_function_review_email_task,
        kwargs={"review_id": review.pk},
        queue=tasks.EMAIL_QUEUE,
    )
    return review


def function_review_url(review: FunctionReview) -> str:
    return links.FUNCTION_REVIEW.url({"review": review.pk})


def read_function_review_token(token: str) -> FunctionReview:
    data = links.FUNCTION_REVIEW.read(token, FunctionReviewLinkInvalid)
    review_id = (data or {}).get("review")
    review = (
        FunctionReview.objects.select_related("plan__assessment", "patient__clinic")
        .filter(pk=review_id)
        .first()
        if review_id is not None
        else None
    )
    if review is None:
        raise FunctionReviewLinkInvalid("tampered")
    if review.is_answered:
        raise FunctionReviewLinkInvalid(links.USED, review)
    return review


def pending_function_review(patient: Patient) -> FunctionReview | None:
    """The review the patient has still to answer (the latest), shown on Today."""
    return (
        FunctionReview.objects.select_related("plan__assessment")
        .filter(patient=patient, answered_at__isnull=True)
        .first()
    )


@transaction.atomic
def answer_function_review(
    *, review: FunctionReview, ratings: list[int], source: str, actor
) -> FunctionReview:
    """Store the patient's re-ratings (one 0-10 per baseline activity), once."""
    baseline = psfs_baseline_ratings(review.plan.assessment.answers)
    try:
        psfs_change(baseline, ratings)
    except ValueError as error:
        raise ValidationError({"ratings": str(error)}, code="invalid") from error
    now = timezone.now()
    claimed = FunctionReview.objects.filter(pk=review.pk, answered_at__isnull=True).update(
        ratings=list(ratings),
        answered_at=now,
        local_date=local_now(review.patient, now).date(),
        source=source,
    )
    if not claimed:
        raise ValidationError("These activities were rated already.", code="answered")
    review.refresh_from_db()
    record_audit(
        actor=actor,
        patient=review.patient,
        action=AuditEvent.Action.CREATE,
        detail=f"PSFS review {review.pk} ({review.rule_id}, {source})",
    )
    return review


def send_function_review_email(*, review_id: int) -> bool:
    """Email the patient the link to re-rate their activities, once. False: nothing to send."""
    review = (
        FunctionReview.objects.select_related("patient__clinic", "plan__assessment")
        .filter(pk=review_id, emailed_at__isnull=True, answered_at__isnull=True)
        .first()
    )
    if review is None or not review.patient.email:
        return False
    context = {
        "patient": review.patient,
        "clinic": review.patient.clinic,
        "activities": [entry["activity"] for entry in review.plan.assessment.psfs_baseline],
        "url": function_review_url(review),
    }
    with translation.override(review.patient.language):
        message = EmailMultiAlternatives(
            subject=_(FUNCTION_REVIEW_SUBJECT),
            body=render_to_string("emails/function_review.txt", context),
            to=[review.patient.email],
        )
        message.attach_alternative(
            render_to_string("emails/function_review.html", context), "text/html"
        )
    return leases.send_once(FunctionReview, review_id, message, sent_field="emailed_at")
