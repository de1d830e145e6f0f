"""The four patient phases as data (clinical-model.md 4.2) and the starting-phase rule (4.3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from clinical.i18n import _, join_reasons
from clinical.intake import Intake, Irritability, OnsetType

# Thresholds of 4.3 (need clinical sign-off, section 8 item 3).
ACUTE_MAX_DAYS = 7
CHRONIC_AFTER_DAYS = 84
P1_PAIN_FROM = 7
P2_PAIN_UP_TO = 6


class PhaseCode(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


@dataclass(frozen=True)
class Criterion:
    """One entry or exit criterion, for the physio and in plain words for the patient."""

    key: str
    physio_text: str
    patient_text: str
    rule_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExitThresholds:
    """Exit criteria as values a check-in can be compared with (4.2)."""

    pain_now_max: int | None = None
    pain_now_max_with_drop: int | None = None
    pain_drop_min: int | None = None
    pain_with_activity_max: int | None = None
    walk_minutes_min: int | None = None
    green_days_min: int | None = None
    is_no_new_symptoms_required: bool = False
    is_function_improving_required: bool = False
    is_usual_activity_required: bool = False
    is_physio_sign_off_required: bool = False


@dataclass(frozen=True)
class ContentLimits:
    """How many items a phase holds (4.2): every item on its list, daily-life habits such as
    the log roll included; advice (cold, heat, education) is not an item (see the planner)."""

    items_min: int
    items_max: int
    description: str


@dataclass(frozen=True)
class AerobicTarget:
    minutes_low: int
    minutes_high: int
    per_day_low: int
    per_day_high: int
    days_per_week_low: int
    days_per_week_high: int
    description: str
    weekly_minutes_goal: int | None = None


@dataclass(frozen=True)
class SessionCap:
    minutes_max: int
    sessions_per_day_min: int
    sessions_per_day_max: int
    strength_days_per_week_max: int | None
    description: str


@dataclass(frozen=True)
class Restriction:
    key: str
    physio_text: str
    patient_text: str


@dataclass(frozen=True)
class Phase:
    code: PhaseCode
    name: str
    aim: str
    aim_patient: str
    typical_duration: str
    typical_days_min: int | None
    typical_days_max: int | None
    review_after_days: int | None
    minimum_days: int | None
    entry_criteria: tuple[Criterion, ...]
    exit_criteria: tuple[Criterion, ...]
    exit_thresholds: ExitThresholds
    education_keys: tuple[str, ...]
    modality_notes: str
    content: ContentLimits
    aerobic: AerobicTarget
    restrictions: tuple[Restriction, ...]
    session_cap: SessionCap


_NO_FLAGS = Criterion(
    "no_emergency_or_urgent_flag",
    _("No emergency or urgent red flag"),
    _("Your physio has checked there are no warning signs."),
    ("GATE-ASSESSED",),
)

PHASES: Mapping[PhaseCode, Phase] = MappingProxyType(
    {
        PhaseCode.P1: Phase(
            code=PhaseCode.P1,
            name=_("Settle"),
            aim=_("Calm the spasm, keep moving, reassure"),
            aim_patient=_("Calm the spasm and keep moving gently."),
            typical_duration=_("2-7 days (review if more than 14 days)"),
            typical_days_min=2,
            typical_days_max=7,
            review_after_days=14,
            minimum_days=3,
            entry_criteria=(
                _NO_FLAGS,
                Criterion(
                    "acute_or_irritable",
                    _(
                        "Any of: onset 7 days ago or less; pain now 7/10 or more; high "
                        "irritability (over 30 min to settle, or no comfortable position); acute "
                        "flare of a recurring problem"
                    ),
                    _("The pain is new, strong or easily stirred up."),
                ),
            ),
            exit_criteria=(
                Criterion(
                    "pain_settling",
                    _(
                        "Pain now 4/10 or less, or 5/10 or less and at least 2 points below "
                        "baseline (G19)"
                    ),
                    _(
                        "Your pain is 4 out of 10 or less, or 5 and at least 2 points lower than "
                        "when you started."
                    ),
                ),
                Criterion(
                    "walk_and_daily_tasks",
                    _("Can walk 10 minutes or more and manage basic daily tasks"),
                    _("You can walk for 10 minutes and manage everyday tasks."),
                ),
                Criterion(
                    "no_new_symptoms", _("No new symptoms"), _("No new symptoms have appeared.")
                ),
                Criterion(
                    "exercises_green_or_amber",
                    _("P1 exercises green or amber"),
                    _("Your exercises feel green or amber on the traffic-light table."),
                    ("SYM-RESPONSE",),
                ),
            ),
            exit_thresholds=ExitThresholds(
                pain_now_max=4,
                pain_now_max_with_drop=5,
                pain_drop_min=2,
                walk_minutes_min=10,
                is_no_new_symptoms_required=True,
            ),
            education_keys=(
                "what_is_spasm",
                "outlook",
                "stay_active",
                "during_a_spasm",
                "when_to_seek_help",
                "medicines_generic",
            ),
            modality_notes=(
                _(
                    "Cold 0-48 h after an acute injury or flare; heat afterwards, or from the "
                    "start "
                    "if the onset was not an injury; supported rest positions."
                )
            ),
            content=ContentLimits(
                3, 6, _("Gentle mobility in the pain-free range, breathing, short walks")
            ),
            aerobic=AerobicTarget(5, 10, 2, 3, 7, 7, _("Walking 5-10 min, 2-3 times a day")),
            restrictions=(
                Restriction(
                    "no_heavy_lifting",
                    _("No heavy lifting"),
                    _("Do not lift anything heavy for now."),
                ),
                Restriction(
                    "no_sudden_twisting",
                    _("No sudden twisting"),
                    _("Avoid sudden twisting movements."),
                ),
                Restriction(
                    "no_sustained_bending",
                    _("No sustained bending"),
                    _("Avoid staying bent over for long."),
                ),
                Restriction("no_sport", _("No sport"), _("No sport for now.")),
                Restriction(
                    "no_loaded_strength_work",
                    _("No loaded strength work for the painful region"),
                    _("No weights or hard strength exercise for the sore area yet."),
                ),
            ),
            session_cap=SessionCap(10, 2, 3, None, _("10 min or less per session, 2-3 a day")),
        ),
        PhaseCode.P2: Phase(
            code=PhaseCode.P2,
            name=_("Restore"),
            aim=_("Restore comfortable movement and basic muscle control"),
            aim_patient=_("Get moving comfortably again and start to control your muscles."),
            typical_duration=_("1-3 weeks"),
            typical_days_min=7,
            typical_days_max=21,
            review_after_days=None,
            minimum_days=7,
            entry_criteria=(
                _NO_FLAGS,
                Criterion(
                    "settled_or_subacute",
                    _(
                        "Exit criteria of P1 met; or at intake onset 8-84 days ago with pain now "
                        "6/10 or less and low or moderate irritability; or chronic (onset over 84 "
                        "days ago) with pain now 6/10 or less"
                    ),
                    _(
                        "The worst has settled, or the pain has been there a while but is "
                        "manageable."
                    ),
                ),
            ),
            exit_criteria=(
                Criterion(
                    "pain_with_activity_low",
                    _("Pain with daily activities 3/10 or less"),
                    _("Everyday activities hurt 3 out of 10 or less."),
                ),
                Criterion(
                    "green_five_days",
                    _("P2 exercises green for 5 or more days in a row"),
                    _("Your exercises have felt green for at least 5 days in a row."),
                    ("SYM-RESPONSE",),
                ),
                Criterion(
                    "function_improving",
                    _(
                        "Function improving (patient-reported; ODI/NDI improved by its MCID if "
                        "used)"
                    ),
                    _("You can do more of your usual activities."),
                ),
            ),
            exit_thresholds=ExitThresholds(
                pain_with_activity_max=3,
                green_days_min=5,
                is_function_improving_required=True,
            ),
            education_keys=("why_core", "posture_sitting", "sleep_setup", "avoid_sudden", "stress"),
            modality_notes=_("Heat optional before exercise (default for chronic pain)."),
            content=ContentLimits(
                5,
                8,
                _(
                    "Stretches (2-4), low-load control (2-3), posture (1-2), walking or water "
                    "exercise"
                ),
            ),
            aerobic=AerobicTarget(
                10, 20, 1, 1, 7, 7, _("Walking 10-20 min daily or water walking")
            ),
            restrictions=(
                Restriction(
                    "no_heavy_lifting",
                    _("No heavy lifting"),
                    _("Do not lift anything heavy yet."),
                ),
                Restriction(
                    "sport_if_physio_allows",
                    _("Sport only if the physio allows"),
                    _("Only play sport if your physio has said it is fine."),
                ),
            ),
            session_cap=SessionCap(20, 1, 2, None, _("20 min or less, 1-2 sessions a day")),
        ),
        PhaseCode.P3: Phase(
            code=PhaseCode.P3,
            name=_("Strengthen"),
            aim=_("Build strength, endurance and confidence; return to usual activities"),
            aim_patient=_("Build strength and confidence and get back to your usual activities."),
            typical_duration=_("2-6 weeks"),
            typical_days_min=14,
            typical_days_max=42,
            review_after_days=None,
            minimum_days=14,
            entry_criteria=(
                _NO_FLAGS,
                Criterion(
                    "p2_exit_met", _("Exit criteria of P2 met"), _("You have finished Restore.")
                ),
            ),
            exit_criteria=(
                Criterion(
                    "pain_minimal",
                    _("Pain 2/10 or less, or none"),
                    _("Pain is 2 out of 10 or less, or gone."),
                ),
                Criterion(
                    "usual_activities",
                    _("Back to usual work and daily activities"),
                    _("You are back to your usual work and daily activities."),
                ),
                Criterion(
                    "green_two_weeks",
                    _("P3 programme green for 2 weeks"),
                    _("Your programme has felt green for 2 weeks."),
                    ("SYM-RESPONSE",),
                ),
                Criterion(
                    "physio_sign_off_heavy_work",
                    _(
                        "Physio sign-off before heavy lifting, heavy manual work or "
                        "contact/twisting sports"
                    ),
                    _(
                        "Your physio has agreed before you go back to heavy lifting, heavy work or "
                        "contact or twisting sports."
                    ),
                    ("GATE-RTS",),
                ),
            ),
            exit_thresholds=ExitThresholds(
                pain_now_max=2,
                green_days_min=14,
                is_usual_activity_required=True,
                is_physio_sign_off_required=True,
            ),
            education_keys=("graded_return", "lifting", "ergonomics"),
            modality_notes=_("Heat optional."),
            content=ContentLimits(
                6,
                10,
                _(
                    "Core endurance (2-4, front + side + back), hip/leg strength (1-2), upper back "
                    "(1-2 if cervical/thoracic), movement skills (1), stretches kept (2-3), aerobic"
                ),
            ),
            aerobic=AerobicTarget(20, 30, 1, 1, 3, 5, _("20-30 min, 3-5 days a week")),
            restrictions=(
                Restriction(
                    "heavy_lifting_and_sport_after_gate_rts",
                    _("Heavy lifting and sport only after GATE-RTS sign-off"),
                    _("Heavy lifting and sport only once your physio has signed you off."),
                ),
            ),
            session_cap=SessionCap(
                30,
                1,
                1,
                3,
                _("30 min or less, 1 session a day; strength days 2-3 a week, not in a row"),
            ),
        ),
        PhaseCode.P4: Phase(
            code=PhaseCode.P4,
            name=_("Maintain"),
            aim=_("Keep well; reduce recurrence"),
            aim_patient=_("Keep well and lower the chance of another episode."),
            typical_duration=_("Ongoing; physio review at 3 and 6 months"),
            typical_days_min=None,
            typical_days_max=None,
            review_after_days=91,
            minimum_days=None,
            entry_criteria=(
                _NO_FLAGS,
                Criterion(
                    "p3_exit_met_or_prevention",
                    _(
                        "Exit criteria of P3 met, or prevention-only referral (recovered, history "
                        "of episodes)"
                    ),
                    _("You have finished Strengthen, or you are here to prevent another episode."),
                ),
            ),
            exit_criteria=(),
            exit_thresholds=ExitThresholds(),
            education_keys=("prevention_intro", "flare_plan", "hydration", "stress"),
            modality_notes=_("Cold or heat as needed for flares."),
            content=ContentLimits(
                6,
                10,
                _("6-10 items in 2-3 sessions a week, daily stretches (3-4) and a walking target"),
            ),
            aerobic=AerobicTarget(
                20,
                30,
                1,
                1,
                5,
                5,
                _("Build to 30 min, 5 days a week (G31); 150 min a week (G35)"),
                weekly_minutes_goal=150,
            ),
            restrictions=(),
            session_cap=SessionCap(
                30, 1, 1, 3, _("30 min or less, 2-3 days a week, plus a daily 5-10 min stretch")
            ),
        ),
    }
)


@dataclass(frozen=True)
class PhaseChoice:
    """The suggested starting phase with the reasons behind it (4.3)."""

    phase: PhaseCode
    reason: str
    rule_ids: tuple[str, ...]
    answers: tuple[tuple[str, str], ...]
    days_since_onset: int
    is_chronic: bool
    warnings: tuple[str, ...] = ()


def assign_starting_phase(intake: Intake, *, today: date) -> PhaseChoice:
    """Suggest the starting phase from the intake (clinical-model.md 4.3).

    Assumes the screen allowed a plan (no emergency or urgent flag). Prevention-only referrals
    start in P4; otherwise the software never starts above P2, so technique can be checked.
    P1 when onset is 7 days ago or less, pain now is 7/10 or more, irritability is high, or the
    episode is a flare of a recurring problem; P2 when chronic (onset over 84 days ago, heat
    default and daily relaxation) or pain now is 6/10 or less; P1 otherwise.
    """
    days = intake.days_since_onset(today)
    is_chronic = days > CHRONIC_AFTER_DAYS
    base = (("days_since_onset", str(days)),)
    if intake.is_prevention_only:
        warnings: tuple[str, ...] = ()
        if intake.pain_now > 2:
            warnings = (
                _(
                    "Prevention-only referral with pain now %(pain)s/10: recovery is "
                    "expected to mean pain 2/10 or less; check the starting phase."
                )
                % {"pain": intake.pain_now},
            )
        return PhaseChoice(
            PhaseCode.P4,
            _("Prevention-only referral (recovered, history of episodes): start in Maintain."),
            ("PHASE-P4-PREVENTION",),
            (("is_prevention_only", "true"), ("pain_now", str(intake.pain_now))),
            days,
            is_chronic,
            warnings,
        )
    reasons: list[str] = []
    rule_ids: list[str] = []
    answers: list[tuple[str, str]] = []
    if days <= ACUTE_MAX_DAYS:
        reasons.append(_("onset %(days)s day(s) ago (7 or less)") % {"days": days})
        rule_ids.append("PHASE-P1-ACUTE")
        answers.extend(base)
    if intake.pain_now >= P1_PAIN_FROM:
        reasons.append(_("pain now %(pain)s/10 (7 or more)") % {"pain": intake.pain_now})
        rule_ids.append("PHASE-P1-PAIN")
        answers.append(("pain_now", str(intake.pain_now)))
    if intake.irritability is Irritability.HIGH:
        reasons.append(_("high irritability"))
        rule_ids.append("PHASE-P1-IRRITABLE")
        answers.append(("irritability", intake.irritability.value))
    if intake.onset_type is OnsetType.FLARE:
        reasons.append(_("flare of a recurring problem"))
        rule_ids.append("PHASE-P1-FLARE")
        answers.append(("onset_type", intake.onset_type.value))
    if reasons:
        return PhaseChoice(
            PhaseCode.P1,
            _("Start in Settle: %(reasons)s.") % {"reasons": join_reasons(reasons)},
            tuple(rule_ids),
            tuple(answers),
            days,
            is_chronic,
        )
    if is_chronic:
        return PhaseChoice(
            PhaseCode.P2,
            _(
                "Start in Restore, chronic variant: onset %(days)s days ago (over 84); heat is "
                "the default and relaxation is daily."
            )
            % {"days": days},
            ("PHASE-P2-CHRONIC",),
            base,
            days,
            is_chronic,
        )
    if intake.pain_now <= P2_PAIN_UP_TO:
        return PhaseChoice(
            PhaseCode.P2,
            _(
                "Start in Restore: onset %(days)s days ago with pain now %(pain)s/10 "
                "(6 or less) and %(irritability)s irritability."
            )
            % {"days": days, "pain": intake.pain_now, "irritability": intake.irritability.value},
            ("PHASE-P2-SUBACUTE",),
            (
                *base,
                ("pain_now", str(intake.pain_now)),
                ("irritability", intake.irritability.value),
            ),
            days,
            is_chronic,
        )
    # Unreachable while pain is a whole number (7+ already chose P1); kept to mirror 4.3.
    return PhaseChoice(
        PhaseCode.P1,
        _("Start in Settle."),
        ("PHASE-P1-DEFAULT",),
        base,
        days,
        is_chronic,
    )
