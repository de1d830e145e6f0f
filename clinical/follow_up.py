"""What happens after a patient checks in, and as the days pass (clinical-model.md 4.4, 4.5).

Pure functions over frozen facts: a check-in with the earlier ones, and the plan as it stands.
They decide; `followup.services` carries the decision out (alerts, paused reminders, a
regression, a progression suggestion) in one transaction.

Rules, by id:
- Warning signs: any "yes" to a warning-sign question routes to that question's RF rule
  (emergency or urgent advice at once), and ESC-WORSE (reminders paused, urgent physio alert).
- ESC-WORSE: pain 2+ points above the check-in before the rise for more than 48 h, new
  symptoms, or a red response twice in a row.
- ESC-SEVERE: pain 8/10 or more that does not ease with a change of position.
- REGRESS: pain 2+ points above the level at phase entry for more than 48 h, or red twice in a
  row: the patient follows the previous phase's content for at least 3 days.
- PROGRESS (local id): the phase's exit criteria (4.2) and minimum days are met: a suggestion
  to the physio, who approves the move; GATE-RTS needs their sign-off first.
- Daily: CHK-2W, ESC-REVIEW-4W, ESC-REFER-6W, PLAN-EXPIRY; for STarT Back high risk
  (AMB-HIGHRISK) a task when a week passes without a check-in (check-ins weekly).
- Function (PSFS, clinical.measures): where the patient has re-rated their activities, P2's
  "function improving", CHK-2W's "no better" and ESC-REFER-6W's "function not improved" read
  the PSFS change from baseline (2-point MCID) instead of the check-in's answers.

Thresholds are the draft's (4.2-4.5) and need clinical sign-off (clinical-model.md 8.3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from clinical.education import EDUCATION
from clinical.i18n import _, join_reasons
from clinical.intake import (
    RED_FLAG_QUESTIONS_BY_KEY,
    RedFlagQuestion,
    Region,
)
from clinical.measures import Change
from clinical.screening import CARDIO_PATIENT_TEXT, EMERGENCY_PATIENT_TEXT
from clinical.vocabulary import PHASE_CODES

PHASE_ORDER = PHASE_CODES  # P1 to P4
RISE_POINTS = 2  # ESC-WORSE, REGRESS: a rise of 2 points or more ...
RISE_HOURS = 48  # ... lasting more than 48 hours
SEVERE_PAIN_FROM = 8  # ESC-SEVERE
REGRESSION_DAYS = 3  # REGRESS: at least 3 days on the previous phase's content
CHK_2W_DAYS = 14
REVIEW_4W_DAYS = 28
REFER_6W_DAYS = 42
PLAN_EXPIRY_DAYS = 42
HIGH_RISK_CHECK_IN_DAYS = 7  # AMB-HIGHRISK: check-ins weekly
MEANINGFUL_IMPROVEMENT = 2  # CHK-2W, ESC-REFER-6W: points below baseline
P2_GREEN_DAYS = 5  # P2 exit: green for 5 consecutive days
P3_GREEN_DAYS = 14  # P3 exit: green for 2 weeks
P3_MIN_CHECK_INS = 4  # ... shown by at least this many check-ins over those 2 weeks

# The warning-sign questions a patient answers at each check-in (clinical-model 5.3): groups A
# (cauda equina), E (feeling unwell with fever), F (cancer signs that can newly appear), the
# neck groups C and D for cervical plans and the chest question for thoracic plans, plus new or
# spreading numbness/weakness (RF-URG-NEURO), the "new symptoms" of ESC-WORSE that need
# medical advice. History questions (a past cancer, immunosuppression, a known aneurysm) and
# the physio-judged non-vascular dizziness are not asked again.
_WARNING_SIGN_KEYS: tuple[tuple[str, frozenset[Region] | None], ...] = (
    ("ces_urinary_difficulty", None),
    ("ces_incontinence", None),
    ("ces_saddle_numbness", None),
    ("ces_both_legs", None),
    ("ces_rapid_leg_weakness", None),
    ("ces_sexual_dysfunction", None),
    ("cord_signs", frozenset({Region.CERVICAL})),
    ("vascular_symptoms", frozenset({Region.CERVICAL})),
    ("visceral_cardiac", frozenset({Region.THORACIC})),
    ("infection_unwell", None),
    ("cancer_weight_loss", None),
    ("cancer_constant_or_night_pain", None),
    ("cancer_several_sites", None),
    ("neuro_spreading_or_weakening", None),
)


def warning_sign_questions(regions: frozenset[Region] | set[str]) -> tuple[RedFlagQuestion, ...]:
    """The questions for a plan covering `regions`, in the order of the form."""
    chosen = {Region(region) for region in regions}
    return tuple(
        RED_FLAG_QUESTIONS_BY_KEY[key]
        for key, only_for in _WARNING_SIGN_KEYS
        if only_for is None or only_for & chosen
    )


class Zone(StrEnum):
    """RULE:SYM-RESPONSE: how the exercises felt."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Feeling(StrEnum):
    BETTER = "better"
    SAME = "same"
    WORSE = "worse"


class Severity(StrEnum):
    """How urgently the physio must act; the order is the order of the dashboard."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    REVIEW = "review"
    INFO = "info"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)

    @property
    def is_urgent(self) -> bool:
        return self in (Severity.EMERGENCY, Severity.URGENT)


class Action(StrEnum):
    ALERT = "alert"  # tell the physio
    TASK = "task"  # the physio must do something (review, renew)
    SUGGESTION = "suggestion"  # the physio may approve a change (progression)


@dataclass(frozen=True)
class CheckInFacts:
    at: datetime
    pain: int
    zone: Zone | None  # None when no exercise was done
    feeling: Feeling
    warning_signs: tuple[str, ...] = ()  # question keys answered yes
    has_new_symptoms: bool = False
    can_manage_daily_tasks: bool = True
    pain_eases_with_position: bool | None = None
    sessions_done: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.pain <= 10:
            raise ValueError("pain must be 0-10")
        unknown = set(self.warning_signs) - set(RED_FLAG_QUESTIONS_BY_KEY)
        if unknown:
            raise ValueError(f"unknown warning-sign keys: {', '.join(sorted(unknown))}")

    @property
    def day(self) -> date:
        return self.at.date()


@dataclass(frozen=True)
class PlanFacts:
    """The plan as the rules see it. Dates are the patient's local dates."""

    today: date
    start_date: date
    current_phase: str
    phase_started_on: date
    phase_minimum_days: int | None
    baseline_pain: int  # at the assessment
    phase_entry_pain: int  # at the start of the current phase
    onset_date: date
    regions: frozenset[str]
    last_published_on: date
    is_new_episode_over_50: bool = False  # AMB-AGE fired at the assessment
    is_rts_sign_off_required: bool = False
    is_rts_signed_off: bool = False
    regressed_until: date | None = None
    # PSFS mean from the assessment to the latest re-rating, when the patient has re-rated.
    psfs_change: Change | None = None
    is_high_risk: bool = False  # AMB-HIGHRISK fired at the assessment (STarT Back high)

    @property
    def is_regressed(self) -> bool:
        return self.regressed_until is not None

    @property
    def previous_phase(self) -> str | None:
        index = PHASE_ORDER.index(self.current_phase)
        return PHASE_ORDER[index - 1] if index > 0 else None

    @property
    def next_phase(self) -> str | None:
        index = PHASE_ORDER.index(self.current_phase)
        return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None

    @property
    def days_in_phase(self) -> int:
        return (self.today - self.phase_started_on).days

    @property
    def days_on_plan(self) -> int:
        return (self.today - self.start_date).days


@dataclass(frozen=True)
class Finding:
    """One rule that fired, with what each person is told and what the service must do."""

    rule_id: str
    severity: Severity
    action: Action
    physio_message: str
    patient_message: str = ""
    pauses_reminders: bool = False
    # For REGRESS: the phase whose content the patient follows, and until when.
    regress_to: str | None = None
    regress_until: date | None = None
    # For PROGRESS: the phase the physio may approve, and whether GATE-RTS blocks it.
    progress_to: str | None = None
    needs_rts_sign_off: bool = False
    # What makes this finding the same as one raised before (so it is raised once).
    once_key: str = ""


@dataclass(frozen=True)
class CheckInOutcome:
    findings: tuple[Finding, ...] = ()
    zone_advice: str = ""

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(finding.rule_id for finding in self.findings)

    @property
    def pauses_reminders(self) -> bool:
        return any(finding.pauses_reminders for finding in self.findings)

    @property
    def severity(self) -> Severity | None:
        """The most urgent severity among the findings."""
        if not self.findings:
            return None
        return min((finding.severity for finding in self.findings), key=lambda s: s.rank)

    @property
    def advice_level(self) -> str:
        """Which advice page the patient sees: emergency, urgent, worse or ok."""
        return advice_level(self.rule_ids)


def advice_level(rule_ids: Sequence[str]) -> str:
    """Which advice the patient sees first after a check-in: emergency, urgent, worse or ok."""
    if any(rule_id.startswith("RF-EMERG") for rule_id in rule_ids):
        return "emergency"
    if any(rule_id.startswith("RF-URG") for rule_id in rule_ids) or "ESC-SEVERE" in rule_ids:
        return "urgent"
    if "ESC-WORSE" in rule_ids:
        return "worse"
    return "ok"


# --- patient wording ------------------------------------------------------------------

ZONE_ADVICE = {
    Zone.GREEN: _("Carry on with your exercises as planned."),
    Zone.AMBER: _("Keep your exercises at the same level for now; do not do more this week."),
    Zone.RED: (
        _(
            "Stop any exercise that made it worse, and use the easier version next time. If this "
            "happens twice in a row, or you stay worse for more than 2-3 days, contact your physio."
        )
    ),
}
URGENT_PATIENT_TEXT = _(
    "Please see a doctor today, or within 24 hours at the latest; call your physio, who will "
    "tell you where to go. Stop your exercises until a doctor has checked you."
)
WORSE_PATIENT_TEXT = _(
    "Stop the exercises that make your pain worse and contact your physio within 1-2 working "
    "days. Your reminder emails are paused until your physio has spoken with you."
)
SEVERE_PATIENT_TEXT = _(
    "Please contact your physio or doctor today. Do not do more exercise than usual until you "
    "have spoken with them."
)
REGRESS_PATIENT_TEXT = _(
    "For the next few days, go back to the easier exercises of your previous stage. Your "
    "physio has been told and will check in with you."
)
REFER_6W_PATIENT_TEXT = _(
    "Please book a review; your physio may refer you to your doctor for further assessment. "
    "Keep gently active."
)
REVIEW_4W_PATIENT_TEXT = _(
    "It is time for a review with your physio. Please book an appointment. Keep gently active "
    "in the meantime; your reminder emails are paused until the review."
)
EXPIRY_PATIENT_TEXT = _(
    "Your plan is due for a review with your physio. Reminder emails stop until your physio "
    "renews it. Keep gently active, and book a review."
)


def red_flag_finding(key: str) -> Finding:
    """What a yes to warning-sign question `key` means: its RF rule, severity and advice."""
    question = RED_FLAG_QUESTIONS_BY_KEY[key]
    rule_id = question.rule_ids[0]
    is_emergency = rule_id.startswith("RF-EMERG")
    if rule_id == "RF-EMERG-CARDIO":
        patient = CARDIO_PATIENT_TEXT
    elif is_emergency:
        patient = f"{EMERGENCY_PATIENT_TEXT} {EDUCATION['emergency'].text}"
    else:
        patient = URGENT_PATIENT_TEXT
    return Finding(
        rule_id=rule_id,
        severity=Severity.EMERGENCY if is_emergency else Severity.URGENT,
        action=Action.ALERT,
        physio_message=(
            _(
                "%(rule_id)s: the patient answered yes at a check-in to “%(question)s” "
                "Emergency pathway."
            )
            if is_emergency
            else _(
                "%(rule_id)s: the patient answered yes at a check-in to “%(question)s” "
                "Urgent medical assessment."
            )
        )
        % {"rule_id": rule_id, "question": question.physio_text},
        patient_message=patient,
        pauses_reminders=True,
    )


# --- after a check-in -----------------------------------------------------------------


def _raised_for_more_than(
    check_in: CheckInFacts, earlier: Sequence[CheckInFacts], level: int
) -> bool:
    """Every check-in since the first one at `level` or above, this one included, is at or
    above it, and that run started more than RISE_HOURS ago."""
    if check_in.pain < level:
        return False
    start = check_in.at
    for previous in reversed(earlier):
        if previous.pain < level:
            break
        start = previous.at
    return check_in.at - start > timedelta(hours=RISE_HOURS)


def _worse_than_before_rise(check_in: CheckInFacts, earlier: Sequence[CheckInFacts]) -> bool:
    """ESC-WORSE's pain part: 2+ points above the check-in before the rise, for > 48 h."""
    ordered = [*earlier, check_in]
    return any(
        all(later.pain >= ordered[index - 1].pain + RISE_POINTS for later in ordered[index:])
        and check_in.at - ordered[index].at > timedelta(hours=RISE_HOURS)
        for index in range(1, len(ordered))
    )


def _red_twice(check_in: CheckInFacts, earlier: Sequence[CheckInFacts]) -> bool:
    with_zone = [c for c in earlier if c.zone is not None]
    return check_in.zone is Zone.RED and bool(with_zone) and with_zone[-1].zone is Zone.RED


def evaluate_check_in(
    check_in: CheckInFacts, earlier: Sequence[CheckInFacts], plan: PlanFacts
) -> CheckInOutcome:
    """Run every check-in rule. `earlier` holds the plan's previous check-ins, oldest first."""
    earlier = sorted(earlier, key=lambda c: c.at)
    findings: list[Finding] = []
    seen_rules: set[str] = set()
    for key in check_in.warning_signs:
        finding = red_flag_finding(key)
        if finding.rule_id not in seen_rules:
            seen_rules.add(finding.rule_id)
            findings.append(finding)

    worse_reasons = []
    if check_in.warning_signs:
        worse_reasons.append(_("a warning sign was reported"))
    if _worse_than_before_rise(check_in, earlier):
        worse_reasons.append(
            _(
                "pain %(pain)s/10 has been %(points)s+ points above the earlier check-in "
                "for more than %(hours)s hours"
            )
            % {"pain": check_in.pain, "points": RISE_POINTS, "hours": RISE_HOURS}
        )
    if check_in.has_new_symptoms:
        worse_reasons.append(_("new symptoms were reported"))
    red_twice = _red_twice(check_in, earlier)
    if red_twice:
        worse_reasons.append(_("the exercises felt red (too much) twice in a row"))
    if worse_reasons:
        findings.append(
            Finding(
                rule_id="ESC-WORSE",
                severity=Severity.URGENT,
                action=Action.ALERT,
                physio_message=_("%(rule_id)s: %(reasons)s. Reminders paused.")
                % {"rule_id": "ESC-WORSE", "reasons": join_reasons(worse_reasons)},
                patient_message=WORSE_PATIENT_TEXT,
                pauses_reminders=True,
            )
        )

    if check_in.pain >= SEVERE_PAIN_FROM and check_in.pain_eases_with_position is False:
        findings.append(
            Finding(
                rule_id="ESC-SEVERE",
                severity=Severity.URGENT,
                action=Action.ALERT,
                physio_message=_(
                    "%(rule_id)s: constant pain %(pain)s/10 that does not ease with a "
                    "change of position. Same-day contact; no progression."
                )
                % {"rule_id": "ESC-SEVERE", "pain": check_in.pain},
                patient_message=SEVERE_PATIENT_TEXT,
            )
        )

    regress = _regression(check_in, earlier, plan, red_twice)
    if regress is not None:
        findings.append(regress)

    blocking = {"ESC-WORSE", "ESC-SEVERE", "REGRESS"} | {
        f.rule_id for f in findings if f.rule_id.startswith("RF-")
    }
    if not blocking & {f.rule_id for f in findings}:
        progress = _progression(check_in, earlier, plan)
        if progress is not None:
            findings.append(progress)
    return CheckInOutcome(
        findings=tuple(findings),
        zone_advice=ZONE_ADVICE[check_in.zone] if check_in.zone else "",
    )


def _regression(
    check_in: CheckInFacts, earlier: Sequence[CheckInFacts], plan: PlanFacts, red_twice: bool
) -> Finding | None:
    """REGRESS (4.4): back to the previous phase's content for at least 3 days."""
    if plan.is_regressed or plan.previous_phase is None:
        return None
    in_phase = [c for c in earlier if c.day >= plan.phase_started_on]
    risen = _raised_for_more_than(check_in, in_phase, plan.phase_entry_pain + RISE_POINTS)
    if not (risen or red_twice):
        return None
    why = (
        _(
            "pain %(pain)s/10 has stayed %(points)s+ points above the phase-entry level "
            "(%(entry)s/10) for more than %(hours)s hours"
        )
        % {
            "pain": check_in.pain,
            "points": RISE_POINTS,
            "entry": plan.phase_entry_pain,
            "hours": RISE_HOURS,
        }
        if risen
        else _("red response in two check-ins in a row")
    )
    until = plan.today + timedelta(days=REGRESSION_DAYS)
    return Finding(
        rule_id="REGRESS",
        severity=Severity.REVIEW,
        action=Action.ALERT,
        physio_message=_(
            "%(rule_id)s: %(why)s. The patient follows %(phase)s content until at least "
            "%(until)s; the exit criteria are then applied again."
        )
        % {
            "rule_id": "REGRESS",
            "why": why,
            "phase": plan.previous_phase,
            "until": until.isoformat(),
        },
        patient_message=REGRESS_PATIENT_TEXT,
        regress_to=plan.previous_phase,
        regress_until=until,
    )


def regression_is_over(check_in: CheckInFacts, plan: PlanFacts) -> bool:
    """After at least 3 days, a regression ends at a check-in that is green or amber with pain
    back within 2 points of the phase-entry level (the exit criteria re-applied, 4.4)."""
    return (
        plan.regressed_until is not None
        and check_in.day >= plan.regressed_until
        and check_in.zone in (Zone.GREEN, Zone.AMBER, None)
        and check_in.pain < plan.phase_entry_pain + RISE_POINTS
        and not check_in.warning_signs
        and not check_in.has_new_symptoms
    )


def _exit_criteria_met(
    check_in: CheckInFacts, earlier: Sequence[CheckInFacts], plan: PlanFacts
) -> str:
    """The exit criteria of the current phase (4.2) that the check-ins show as met, in words;
    an empty text when one is not met."""
    phase = plan.current_phase
    in_phase = [c for c in earlier if c.day >= plan.phase_started_on] + [check_in]
    if phase == "P1":
        pain_ok = check_in.pain <= 4 or (
            check_in.pain <= 5 and check_in.pain <= plan.baseline_pain - 2
        )
        recent = [c for c in in_phase if c.day > check_in.day - timedelta(days=3)]
        if not (
            pain_ok
            and check_in.can_manage_daily_tasks
            and not any(c.has_new_symptoms for c in recent)
            and all(c.zone is not Zone.RED for c in recent)
        ):
            return ""
        return _(
            "pain %(pain)s/10, manages daily tasks, no new symptoms, exercises green or amber"
        ) % {"pain": check_in.pain}
    if phase == "P2":
        days = {c.day: c for c in in_phase}
        run = [check_in.day - timedelta(days=offset) for offset in range(P2_GREEN_DAYS)]
        green_run = all(day in days and days[day].zone is Zone.GREEN for day in run)
        # "Function improving (patient-reported)": the PSFS change where the patient re-rated.
        if plan.psfs_change is not None:
            improving = plan.psfs_change.is_meaningful
            function = _("PSFS +%(change)s from baseline") % {
                "change": f"{plan.psfs_change.improvement:g}"
            }
        else:
            improving = check_in.feeling is Feeling.BETTER or check_in.can_manage_daily_tasks
            function = _("improving")
        if not (check_in.pain <= 3 and green_run and improving):
            return ""
        return _("pain %(pain)s/10, green for %(days)s days in a row, %(function)s") % {
            "pain": check_in.pain,
            "days": P2_GREEN_DAYS,
            "function": function,
        }
    if phase == "P3":
        window_start = check_in.day - timedelta(days=P3_GREEN_DAYS)
        window = [c for c in in_phase if c.day > window_start]
        covers = bool(in_phase) and in_phase[0].day <= window_start + timedelta(days=1)
        if not (
            check_in.pain <= 2
            and check_in.can_manage_daily_tasks
            and covers
            and len(window) >= P3_MIN_CHECK_INS
            and all(c.zone in (Zone.GREEN, None) for c in window)
        ):
            return ""
        return _("pain %(pain)s/10, back to usual activities, green for 2 weeks") % {
            "pain": check_in.pain
        }
    return ""


def _progression(
    check_in: CheckInFacts, earlier: Sequence[CheckInFacts], plan: PlanFacts
) -> Finding | None:
    """PROGRESS: exit criteria and the phase minimum met: suggest the next phase (4.1, 4.2)."""
    target = plan.next_phase
    if target is None or plan.is_regressed or check_in.zone is Zone.RED:
        return None
    if plan.phase_minimum_days is not None and plan.days_in_phase < plan.phase_minimum_days:
        return None
    # Amber this week: keep the same level (SYM-RESPONSE).
    week = [c for c in earlier if c.day > check_in.day - timedelta(days=7)] + [check_in]
    if any(c.zone is Zone.AMBER for c in week) and plan.current_phase != "P1":
        return None
    met = _exit_criteria_met(check_in, earlier, plan)
    if not met:
        return None
    needs_rts = plan.current_phase == "P3" and (
        plan.is_rts_sign_off_required and not plan.is_rts_signed_off
    )
    values = {
        "rule_id": "PROGRESS",
        "phase": plan.current_phase,
        "met": met,
        "days": plan.days_in_phase,
        "minimum": plan.phase_minimum_days or 0,
        "target": target,
    }
    if needs_rts:
        message = _(
            "%(rule_id)s: %(phase)s exit criteria met (%(met)s) after %(days)s days (minimum "
            "%(minimum)s). Approve the move to %(target)s? %(gate)s: your sign-off for heavy "
            "lifting, heavy work or sport is needed."
        ) % {**values, "gate": "GATE-RTS"}
    else:
        message = (
            _(
                "%(rule_id)s: %(phase)s exit criteria met (%(met)s) after %(days)s days "
                "(minimum %(minimum)s). Approve the move to %(target)s?"
            )
            % values
        )
    return Finding(
        rule_id="PROGRESS",
        severity=Severity.INFO,
        action=Action.SUGGESTION,
        physio_message=message,
        progress_to=target,
        needs_rts_sign_off=needs_rts,
        once_key=f"{plan.current_phase}-{target}",
    )


# --- as the days pass -----------------------------------------------------------------


def _improved(check_ins: Sequence[CheckInFacts], plan: PlanFacts) -> bool:
    if not check_ins:
        return False
    latest = check_ins[-1]
    return latest.pain <= plan.baseline_pain - MEANINGFUL_IMPROVEMENT


def evaluate_daily(check_ins: Sequence[CheckInFacts], plan: PlanFacts) -> tuple[Finding, ...]:
    """The time-based rules, run once a day. Each finding carries a `once_key` so that the
    service raises it once per plan (and once per review, for PLAN-EXPIRY)."""
    check_ins = sorted(check_ins, key=lambda c: c.at)
    latest = check_ins[-1] if check_ins else None
    improved = _improved(check_ins, plan)
    findings: list[Finding] = []

    psfs = plan.psfs_change
    if plan.days_on_plan >= CHK_2W_DAYS:
        says_no_better = latest is None or latest.feeling is not Feeling.BETTER
        psfs_no_better = psfs is not None and not psfs.is_meaningful
        if not improved or says_no_better or psfs_no_better:
            findings.append(
                Finding(
                    rule_id="CHK-2W",
                    severity=Severity.REVIEW,
                    action=Action.TASK,
                    physio_message=_chk_2w_message(latest, plan, psfs if psfs_no_better else None),
                    once_key="plan",
                )
            )

    if plan.days_on_plan >= REVIEW_4W_DAYS and plan.current_phase in ("P1", "P2"):
        values = {
            "rule_id": "ESC-REVIEW-4W",
            "days": plan.days_on_plan,
            "phase": plan.current_phase,
        }
        if plan.is_new_episode_over_50 and not improved:
            message = _(
                "%(rule_id)s: %(days)s days on the plan without leaving %(phase)s. Review before "
                "further reminders; re-run the red-flag screen. New episode at 50 or over that "
                "has not improved: %(cancer_rule)s, arrange an urgent medical review."
            ) % {**values, "cancer_rule": "RF-URG-CANCER"}
        else:
            message = (
                _(
                    "%(rule_id)s: %(days)s days on the plan without leaving %(phase)s. Review "
                    "before further reminders; re-run the red-flag screen."
                )
                % values
            )
        findings.append(
            Finding(
                rule_id="ESC-REVIEW-4W",
                severity=Severity.URGENT
                if plan.is_new_episode_over_50 and not improved
                else Severity.REVIEW,
                action=Action.TASK,
                physio_message=message,
                patient_message=REVIEW_4W_PATIENT_TEXT,
                pauses_reminders=True,
                once_key="plan",
            )
        )

    days_since_onset = (plan.today - plan.onset_date).days
    if days_since_onset >= REFER_6W_DAYS:
        if psfs is not None:
            function_improved = psfs.is_meaningful
        else:
            function_improved = latest is not None and (
                latest.feeling is Feeling.BETTER and latest.can_manage_daily_tasks
            )
        if not improved and not function_improved:
            findings.append(
                Finding(
                    rule_id="ESC-REFER-6W",
                    severity=Severity.REVIEW,
                    action=Action.TASK,
                    physio_message=_(
                        "%(rule_id)s: %(days)s days since onset without meaningful "
                        "improvement (pain under 2 points better, function not improved). "
                        "Consider a medical referral."
                    )
                    % {"rule_id": "ESC-REFER-6W", "days": days_since_onset},
                    patient_message=REFER_6W_PATIENT_TEXT,
                    once_key="plan",
                )
            )

    if plan.is_high_risk and plan.days_on_plan >= HIGH_RISK_CHECK_IN_DAYS:
        last_day = latest.day if latest is not None else plan.start_date
        if (plan.today - last_day).days >= HIGH_RISK_CHECK_IN_DAYS:
            week = plan.days_on_plan // HIGH_RISK_CHECK_IN_DAYS
            findings.append(
                Finding(
                    rule_id="AMB-HIGHRISK",
                    severity=Severity.REVIEW,
                    action=Action.TASK,
                    physio_message=_(
                        "%(rule_id)s: STarT Back high risk and no check-in for "
                        "%(days)s days (check-ins weekly). Contact the "
                        "patient; keep to a psychologically informed approach."
                    )
                    % {"rule_id": "AMB-HIGHRISK", "days": (plan.today - last_day).days},
                    once_key=f"week-{week}",
                )
            )

    if (plan.today - plan.last_published_on).days >= PLAN_EXPIRY_DAYS:
        findings.append(
            Finding(
                rule_id="PLAN-EXPIRY",
                severity=Severity.REVIEW,
                action=Action.TASK,
                physio_message=_(
                    "%(rule_id)s: last reviewed on %(date)s, more "
                    "than 6 weeks ago. Reminders have stopped until you renew the plan "
                    "(publish it again)."
                )
                % {"rule_id": "PLAN-EXPIRY", "date": plan.last_published_on.isoformat()},
                patient_message=EXPIRY_PATIENT_TEXT,
                once_key=f"published-{plan.last_published_on.isoformat()}",
            )
        )
    return tuple(findings)


def _chk_2w_message(
    latest: CheckInFacts | None, plan: PlanFacts, psfs_no_better: Change | None
) -> str:
    """CHK-2W's message to the physio: the latest check-in against the baseline."""
    if latest is None:
        return _(
            "%(rule_id)s: two weeks on the plan with no check-in yet. Review the plan; the "
            "patient continues."
        ) % {"rule_id": "CHK-2W"}
    values = {
        "rule_id": "CHK-2W",
        "pain": latest.pain,
        "baseline": plan.baseline_pain,
        "feeling": latest.feeling.value,
    }
    if psfs_no_better is None:
        return (
            _(
                "%(rule_id)s: two weeks on the plan and pain %(pain)s/10 (baseline "
                "%(baseline)s/10), "
                "feeling %(feeling)s. Review the plan; the patient continues."
            )
            % values
        )
    return _(
        "%(rule_id)s: two weeks on the plan and pain %(pain)s/10 (baseline %(baseline)s/10), "
        "feeling %(feeling)s, PSFS %(psfs_from)s to %(psfs_to)s (no better on PSFS). Review the "
        "plan; the patient continues."
    ) % {
        **values,
        "psfs_from": f"{psfs_no_better.baseline:g}",
        "psfs_to": f"{psfs_no_better.current:g}",
    }


@dataclass(frozen=True)
class Adherence:
    done: int
    expected: int

    @property
    def percent(self) -> int | None:
        if self.expected == 0:
            return None
        return round(100 * min(self.done, self.expected) / self.expected)


def adherence(
    session_days: Sequence[date],
    *,
    sessions_per_week: int,
    today: date,
    days: int,
    start_date: date,
) -> Adherence:
    """Sessions done against sessions prescribed over the last `days` days (today included).

    A session is a day with a check-in that reports at least one item done. Prescribed: the
    plan's sessions per week, pro rata over the window (or the part since the plan started),
    e.g. 3 a week over 7 days with 2 done is 67 %.
    """
    first = max(today - timedelta(days=days - 1), start_date)
    window_days = (today - first).days + 1
    if window_days <= 0:
        return Adherence(0, 0)
    done = len({day for day in session_days if first <= day <= today})
    return Adherence(done=done, expected=round(sessions_per_week * window_days / 7))


@dataclass(frozen=True)
class PainTrend:
    latest: int | None
    change: int | None  # latest minus the one before

    @property
    def direction(self) -> str:
        if self.change is None:
            return ""
        if self.change <= -1:
            return "down"
        if self.change >= 1:
            return "up"
        return "same"


def pain_trend(pains: Sequence[int]) -> PainTrend:
    """Last pain and its change from the check-in before (oldest first)."""
    if not pains:
        return PainTrend(None, None)
    if len(pains) == 1:
        return PainTrend(pains[-1], None)
    return PainTrend(pains[-1], pains[-1] - pains[-2])


__all__ = [
    "Action",
    "Adherence",
    "CheckInFacts",
    "CheckInOutcome",
    "Feeling",
    "Finding",
    "PlanFacts",
    "Severity",
    "Zone",
    "adherence",
    "evaluate_check_in",
    "evaluate_daily",
    "pain_trend",
    "regression_is_over",
    "warning_sign_questions",
]


# --- what the patient is told after a check-in ----------------------------------------------


@dataclass(frozen=True)
class Told:
    """One thing a rule tells the patient at once, in its own words."""

    rule_id: str
    severity: Severity
    patient_message: str


@dataclass(frozen=True)
class PatientAdvice:
    """Everything the patient is told after a check-in; the API and the result page both
    show this, so neither can give weaker advice than the rules decided."""

    level: str  # emergency | urgent | worse | ok: which advice comes first
    told: tuple[Told, ...]  # in the order the rules fired, one per rule
    zone_advice: str
    is_progress: bool
    reminders_paused: bool

    def _messages(self, wanted) -> list[str]:
        return [t.patient_message for t in self.told if wanted(t.rule_id)]

    @property
    def emergency_messages(self) -> list[str]:
        return self._messages(lambda rule_id: rule_id.startswith("RF-EMERG"))

    @property
    def urgent_messages(self) -> list[str]:
        return self._messages(lambda r: r.startswith("RF-URG") or r == "ESC-SEVERE")

    @property
    def worse_message(self) -> str:
        return "".join(self._messages(lambda rule_id: rule_id == "ESC-WORSE"))

    @property
    def regress_message(self) -> str:
        return "".join(self._messages(lambda rule_id: rule_id == "REGRESS"))


# The check-in rules besides the RF ones that speak to the patient at once, in firing order.
_TOLD_BY_RULE = {
    "ESC-WORSE": (Severity.URGENT, WORSE_PATIENT_TEXT),
    "ESC-SEVERE": (Severity.URGENT, SEVERE_PATIENT_TEXT),
    "REGRESS": (Severity.REVIEW, REGRESS_PATIENT_TEXT),
}


def told_after_check_in(
    *, rule_ids: Sequence[str], warning_signs: Sequence[str], zone: str | None
) -> PatientAdvice:
    """What the patient is told after a check-in, from what it recorded: the warning signs
    answered yes and the rules that fired (`CheckInOutcome.rule_ids`)."""
    told: list[Told] = []
    for key in warning_signs:
        finding = red_flag_finding(key)
        if all(t.rule_id != finding.rule_id for t in told):
            told.append(Told(finding.rule_id, finding.severity, finding.patient_message))
    for rule_id, (severity, text) in _TOLD_BY_RULE.items():
        if rule_id in rule_ids:
            told.append(Told(rule_id, severity, text))
    return PatientAdvice(
        level=advice_level(rule_ids),
        told=tuple(told),
        zone_advice=ZONE_ADVICE[Zone(zone)] if zone else "",
        is_progress="PROGRESS" in rule_ids,
        # A warning sign (RF-*) or ESC-WORSE pauses the reminders in the same transaction.
        reminders_paused=any(r.startswith("RF-") or r == "ESC-WORSE" for r in rule_ids),
    )


EMERGENCY_LEADS = (EMERGENCY_PATIENT_TEXT, CARDIO_PATIENT_TEXT)


def emergency_headline(messages: Sequence[str]) -> tuple[str, list[str]]:
    """Emergency advice as one headline ("Go to an emergency department now." or "Call the
    emergency number now.") and what follows it: the result page of a check-in and the
    patient's safety state say it the same way."""
    headline, details = "", []
    for message in messages:
        lead = next((text for text in EMERGENCY_LEADS if message.startswith(text)), "")
        if lead and not headline:
            headline, message = lead, message[len(lead) :].strip()
        if message:
            details.append(message)
    return headline or EMERGENCY_PATIENT_TEXT, details


# --- may a reminder go out ------------------------------------------------------------------
class ReminderBlock(StrEnum):
    """Why a patient gets no reminder now, most basic first. None of them: a reminder may go."""

    NO_SCHEDULE = "no_schedule"
    UNSUBSCRIBED = "unsubscribed"
    TURNED_OFF = "turned_off"
    PAUSED = "paused"
    NO_WEEKDAY = "no_weekday"
    NO_PLAN = "no_plan"
    PLAN_PAUSED = "plan_paused"
    PLAN_EXPIRED = "plan_expired"  # PLAN-EXPIRY


def reminder_block(
    *,
    has_schedule: bool,
    is_subscribed: bool,
    is_enabled: bool,
    paused_reason: str,
    weekdays: Sequence[int],
    plan_status: str | None,
    last_published_at: datetime | None,
    now: datetime,
) -> ReminderBlock | None:
    """May a reminder go out now? The one definition: the dispatcher (on the plain values its
    SQL selects), the sender (again at send time) and the physio's panel all ask this.

    `plan_status` is that of the patient's current plan (None: no published plan);
    `last_published_at` the plan's last publication. PLAN-EXPIRY: reminders stop 6 weeks
    (PLAN_EXPIRY_DAYS) after it, until the physio publishes again.
    """
    if not has_schedule:
        return ReminderBlock.NO_SCHEDULE
    if not is_subscribed:
        return ReminderBlock.UNSUBSCRIBED
    if not is_enabled:
        return ReminderBlock.TURNED_OFF
    if paused_reason:
        return ReminderBlock.PAUSED
    if not weekdays:
        return ReminderBlock.NO_WEEKDAY
    if plan_status is None:
        return ReminderBlock.NO_PLAN
    if plan_status != "active":
        return ReminderBlock.PLAN_PAUSED
    if last_published_at is None or now - last_published_at >= timedelta(days=PLAN_EXPIRY_DAYS):
        return ReminderBlock.PLAN_EXPIRED
    return None
