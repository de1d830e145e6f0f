"""Advice items of a phase: cold and heat on a schedule (clinical-model.md 4.6), education
snippets (4.2, 5.2, 5.4, section 7) and restrictions (4.2)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from clinical.catalogue import COLD_KEY, HEAT_KEY, CatalogueItem
from clinical.education import EDUCATION, EDUCATION_TITLES
from clinical.i18n import _
from clinical.intake import (
    Aggravating,
    Equipment,
    Intake,
    OccupationLoad,
    OnsetType,
    PregnancyStatus,
    PreviousEpisodes,
    SleepQuality,
    StressLevel,
    Trigger,
    WeightCategory,
    WorkStatus,
    in_order,
)
from clinical.measures import START_BACK_EMPHASIS, is_start_back_used_for
from clinical.phases import PHASES, PhaseChoice, PhaseCode
from clinical.plan import AdviceItem, AdviceKind, Answers, PlanWarning
from clinical.screening import ScreeningResult

# 4.6 modality parameters (D5).
COLD_WINDOW_HOURS = 48  # PARAM:cold_window_h
HEAT_START_AFTER_HOURS = 48  # PARAM:heat_start_after_h
COLD_DEFAULT_MINUTES = 15
COLD_MAX_MINUTES = 20
HEAT_DEFAULT_MINUTES = 20
HEAT_MAX_MINUTES = 30
COLD_MIN_GAP_MINUTES = 60
# 4.6 "auto-exclude when", applied even if a catalogue edit drops a flag from exclude_if.
COLD_UNSAFE_FLAGS = frozenset(
    {"reduced_sensation", "circulation_disorder", "cold_sensitivity", "skin_broken"}
)
HEAT_UNSAFE_FLAGS = frozenset({"reduced_sensation", "diabetes_neuropathy", "skin_broken"})
INJURY_ONSETS = frozenset({OnsetType.SUDDEN_INJURY, OnsetType.FLARE})
# The onsets that start the cold window, in the words of MOD-COLD's reason.
_ONSET_LABELS = {
    OnsetType.SUDDEN_INJURY: _("Sudden injury"),
    OnsetType.FLARE: _("Flare of recurring problem"),
}


@dataclass(frozen=True)
class ModalityPlan:
    """When cold and heat apply for this intake (4.6), before safety exclusions."""

    cold_start: date | None
    cold_end: date | None
    heat_start: date
    is_injury_onset: bool


def plan_modalities(intake: Intake, *, today: date) -> ModalityPlan:
    """MOD-COLD / MOD-HEAT timing (4.6; D5; S0-34 to S0-41, G20).

    Cold covers the first 48 h after a sudden injury or a flare: the onset day and the day
    after (``cold_end`` inclusive), from today if the plan starts later. Heat starts 48 h after
    such an onset (onset + 2 days), otherwise from the start.
    """
    is_injury = intake.onset_type in INJURY_ONSETS
    if not is_injury:
        return ModalityPlan(None, None, max(today, intake.onset_date), False)
    window_days = COLD_WINDOW_HOURS // 24
    cold_end = intake.onset_date + timedelta(days=window_days - 1)
    heat_start = max(today, intake.onset_date + timedelta(days=HEAT_START_AFTER_HOURS // 24))
    if cold_end < today:
        return ModalityPlan(None, None, heat_start, True)
    return ModalityPlan(max(today, intake.onset_date), cold_end, heat_start, True)


def unsafe_modality_flags(key: str, item: CatalogueItem | None) -> frozenset[str]:
    base = COLD_UNSAFE_FLAGS if key == COLD_KEY else HEAT_UNSAFE_FLAGS
    return base | (item.exclude_if if item else frozenset())


def _onset_answers(intake: Intake) -> Answers:
    return (
        ("onset_date", intake.onset_date.isoformat()),
        ("onset_type", intake.onset_type.value),
    )


def build_cold_advice(
    item: CatalogueItem, timing: ModalityPlan, intake: Intake
) -> AdviceItem | None:
    """MOD-COLD: a wrapped cold pack 15 min (hard maximum 20), up to every 2-3 h while awake
    with at least 1 h between, in the first 48 h (4.6)."""
    if timing.cold_start is None:
        return None
    minutes = min(item.dosage.minutes or COLD_DEFAULT_MINUTES, COLD_MAX_MINUTES)
    warnings = []
    if Equipment.ICE_PACK not in intake.equipment:
        warnings.append(
            PlanWarning(
                "COMP-EQUIPMENT",
                _("No ice pack recorded: a bag of frozen peas wrapped in a thin cloth works."),
                PhaseCode.P1,
                COLD_KEY,
            )
        )
    return AdviceItem(
        key="cold",
        kind=AdviceKind.COLD,
        # The advice's own title (a message, so every language shows it), not the catalogue
        # entry's name, which only the catalogue's translation files carry.
        title=_("Cold pack"),
        patient_text=_(
            "Use a cold pack wrapped in a thin cloth for %(minutes)s minutes (never more than "
            "%(max)s), up to every 2-3 hours while awake, with at least an hour between. Stop "
            "if the skin goes numb, white or very red, or burns or aches. Never while asleep, "
            "on numb skin or over broken skin."
        )
        % {"minutes": minutes, "max": COLD_MAX_MINUTES},
        reason=_("%(onset)s on %(date)s: cold in the first 48 h, until %(until)s.")
        % {
            "onset": _ONSET_LABELS.get(intake.onset_type, intake.onset_type.value),
            "date": intake.onset_date.isoformat(),
            "until": timing.cold_end.isoformat() if timing.cold_end else "",
        },
        rule_ids=("MOD-COLD",),
        answers=_onset_answers(intake),
        exercise_key=COLD_KEY,
        minutes=minutes,
        minutes_max=COLD_MAX_MINUTES,
        per_day=item.dosage.per_day,
        min_gap_minutes=COLD_MIN_GAP_MINUTES,
        start_date=timing.cold_start,
        end_date=timing.cold_end,
        is_tickable=True,
        warnings=tuple(warnings),
    )


def build_heat_advice(
    item: CatalogueItem,
    timing: ModalityPlan,
    intake: Intake,
    phase: PhaseCode,
    choice: PhaseChoice,
) -> AdviceItem:
    """MOD-HEAT: 15-20 min (hard maximum 30), 1-3 times a day, with a towel layer (4.6).

    Default in P1 (from 48 h after an injury or flare, otherwise from the start) and in P2 for
    chronic pain; optional before exercise in P2-P3; as needed for flares in P4. Dates are set
    for the starting phase only; later phases start when the patient reaches them.
    """
    minutes = min(item.dosage.minutes or HEAT_DEFAULT_MINUTES, HEAT_MAX_MINUTES)
    is_starting = phase is choice.phase
    if phase is PhaseCode.P1:
        is_optional = False
        if timing.is_injury_onset:
            reason = _("Heat from 48 h after the injury or flare (cold first).")
            if timing.cold_start is None:
                reason = _("The 48 h cold window has passed: heat is the default.")
        else:
            reason = _("Onset was not an injury: heat from the start.")
    elif phase is PhaseCode.P2 and choice.is_chronic:
        is_optional = False
        reason = _("Chronic pain (onset over 12 weeks ago): heat is the default before exercise.")
    elif phase is PhaseCode.P4:
        is_optional = True
        reason = _("Heat as needed for flares.")
    else:
        is_optional = True
        reason = _("Heat optional before exercise.")
    warnings = []
    if intake.pregnancy_status is PregnancyStatus.PREGNANT:
        warnings.append(
            PlanWarning(
                "AMB-PREG", _("Pregnant: never apply heat to the abdomen."), phase, HEAT_KEY
            )
        )
    if Equipment.HEAT_PACK not in intake.equipment:
        warnings.append(
            PlanWarning(
                "COMP-EQUIPMENT",
                _("No heat pack recorded: a hot-water bottle (not boiling) in a towel works."),
                phase,
                HEAT_KEY,
            )
        )
    answers = (*_onset_answers(intake), ("days_since_onset", str(choice.days_since_onset)))
    values = {"minutes": minutes, "max": HEAT_MAX_MINUTES, "per_day": item.dosage.per_day or 3}
    if intake.pregnancy_status is PregnancyStatus.PREGNANT:
        patient = _(
            "Use gentle warmth for %(minutes)s minutes (never more than %(max)s), up to "
            "%(per_day)s times a day, on a low or medium setting with a towel layer. Stop if the "
            "skin becomes very red, blotchy or sore. Never while asleep, over numb skin or fresh "
            "bruising, or with heat rubs or creams. Never on your tummy."
        )
    else:
        patient = _(
            "Use gentle warmth for %(minutes)s minutes (never more than %(max)s), up to "
            "%(per_day)s times a day, on a low or medium setting with a towel layer. Stop if the "
            "skin becomes very red, blotchy or sore. Never while asleep, over numb skin or fresh "
            "bruising, or with heat rubs or creams."
        )
    patient = patient % values
    return AdviceItem(
        key="heat",
        kind=AdviceKind.HEAT,
        title=_("Heat pack"),
        patient_text=patient,
        reason=reason,
        rule_ids=("MOD-HEAT",),
        answers=answers,
        exercise_key=HEAT_KEY,
        minutes=minutes,
        minutes_max=HEAT_MAX_MINUTES,
        per_day=item.dosage.per_day,
        start_date=timing.heat_start if is_starting else None,
        is_optional=is_optional,
        is_tickable=True,
        warnings=tuple(warnings),
    )


# 5.2 triggers -> education (S0-10, S1-04, S4-07, S4-24).
TRIGGER_EDUCATION: tuple[tuple[Trigger, str], ...] = (
    (Trigger.HEAVY_LIFT, "lifting"),
    (Trigger.REPEATED_LIFTING, "lifting"),
    (Trigger.SUDDEN_BEND_OR_TWIST, "avoid_sudden"),
    (Trigger.AWKWARD_SLEEPING_POSITION, "sleep_setup"),
    (Trigger.PROLONGED_SITTING, "posture_sitting"),
    (Trigger.SPORT, "graded_return"),
    (Trigger.UNACCUSTOMED_HEAVY_ACTIVITY, "graded_return"),
    (Trigger.STRESS, "stress"),
)


@dataclass
class _EducationList:
    """Education of one phase, merging the reasons when a key is added twice."""

    entries: dict[str, tuple[list[str], list[str], list[tuple[str, str]]]]

    def add(self, key: str, reason: str, rule_id: str, answers: Iterable[tuple[str, str]] = ()):
        reasons, rule_ids, all_answers = self.entries.setdefault(key, ([], [], []))
        if reason not in reasons:
            reasons.append(reason)
        if rule_id not in rule_ids:
            rule_ids.append(rule_id)
        all_answers.extend(answer for answer in answers if answer not in all_answers)

    def items(self) -> tuple[AdviceItem, ...]:
        return tuple(
            AdviceItem(
                key=f"education:{key}",
                kind=AdviceKind.EDUCATION,
                title=EDUCATION_TITLES[key],
                patient_text=EDUCATION[key].text,
                reason=" ".join(reasons),
                rule_ids=tuple(rule_ids),
                answers=tuple(answers),
                education_key=key,
            )
            for key, (reasons, rule_ids, answers) in self.entries.items()
        )


def build_education(
    intake: Intake,
    phase: PhaseCode,
    choice: PhaseChoice,
    modality_keys: Iterable[str],
) -> tuple[AdviceItem, ...]:
    """Education of a phase: the 4.2 list (EDU-PHASE), plus - in the starting phase - the
    snippets for the recorded triggers (EDU-TRIGGER) and risk factors (EDU-RISK: previous
    episodes -> flare_plan early, sleep, stress, desk work, work status); weight in P3-P4 when
    recorded as overweight or obese (5.4)."""
    education = _EducationList({})
    name = PHASES[phase].name
    modality_keys = tuple(modality_keys)
    for key in PHASES[phase].education_keys:
        education.add(key, _("%(phase)s education (4.2).") % {"phase": name}, "EDU-PHASE")
        if key == "during_a_spasm":
            if "cold" in modality_keys:
                education.add("cold_use", _("Cold is advised in the first 48 h."), "MOD-COLD")
            if "heat" in modality_keys:
                education.add("heat_use", _("Heat is advised in this phase."), "MOD-HEAT")
    if phase is PhaseCode.P2 and choice.is_chronic and "heat" in modality_keys:
        education.add("heat_use", _("Chronic pain: heat is the default."), "MOD-HEAT")
    if phase in (PhaseCode.P3, PhaseCode.P4) and intake.weight_category in (
        WeightCategory.OVERWEIGHT,
        WeightCategory.OBESE,
    ):
        education.add(
            "weight",
            _("Weight recorded as %(weight)s (5.4).") % {"weight": intake.weight_category.value},
            "EDU-RISK",
            (("weight_category", intake.weight_category.value),),
        )
    if phase is choice.phase:
        for key, reason, rule_id, answers in _starting_education(intake):
            education.add(key, reason, rule_id, answers)
    return education.items()


def _starting_education(intake: Intake) -> list[tuple[str, str, str, Answers]]:
    extra: list[tuple[str, str, str, Answers]] = []
    triggers = in_order(intake.triggers, Trigger)
    for trigger, key in TRIGGER_EDUCATION:
        if trigger in triggers:
            label = trigger.value.replace("_", " ")
            extra.append(
                (
                    key,
                    _("Trigger: %(trigger)s (5.2).") % {"trigger": label},
                    "EDU-TRIGGER",
                    (("triggers", trigger.value),),
                )
            )
    if intake.previous_episodes is not PreviousEpisodes.NONE:
        extra.append(
            (
                "flare_plan",
                _("Previous episodes recorded: flare plan early (5.2)."),
                "EDU-RISK",
                (("previous_episodes", intake.previous_episodes.value),),
            )
        )
    if intake.sleep_quality is not SleepQuality.GOOD:
        extra.append(
            (
                "sleep_setup",
                _("Sleep disturbed (5.4)."),
                "EDU-RISK",
                (("sleep_quality", intake.sleep_quality.value),),
            )
        )
    if intake.stress_level is not StressLevel.LOW:
        extra.append(
            (
                "stress",
                _("Stress level %(level)s (5.4).") % {"level": intake.stress_level.value},
                "EDU-RISK",
                (("stress_level", intake.stress_level.value),),
            )
        )
    if intake.occupation_load is OccupationLoad.DESK:
        extra.append(
            (
                "ergonomics",
                _("Desk work (5.4, S1-26)."),
                "EDU-RISK",
                (("occupation_load", intake.occupation_load.value),),
            )
        )
    if intake.start_back is not None and is_start_back_used_for(intake.regions):
        group = intake.start_back.risk
        reason, keys = START_BACK_EMPHASIS[group]
        for key in keys:
            extra.append(
                (
                    key,
                    _("STarT Back %(reason)s") % {"reason": reason},
                    "EDU-STARTBACK",
                    (("start_back_group", group.value),),
                )
            )
    if intake.work_status in (WorkStatus.MODIFIED_DUTIES, WorkStatus.OFF_WORK):
        extra.append(
            (
                "graded_return",
                _("Work status: %(status)s (5.2).")
                % {"status": intake.work_status.value.replace("_", " ")},
                "EDU-RISK",
                (("work_status", intake.work_status.value),),
            )
        )
    return extra


_REINFORCED_BY = {
    "no_heavy_lifting": (Aggravating.LIFTING, Aggravating.BENDING_FORWARD),
    "no_sustained_bending": (Aggravating.BENDING_FORWARD,),
}


def build_restrictions(intake: Intake, phase: PhaseCode) -> tuple[AdviceItem, ...]:
    """RESTRICT-PHASE: the restrictions of the phase (4.2). In P1, bending forward or lifting
    as an aggravating movement reinforces the lifting and bending restrictions (S0-25)."""
    items = []
    for restriction in PHASES[phase].restrictions:
        reason = _("%(phase)s restriction (4.2).") % {"phase": PHASES[phase].name}
        answers: Answers = ()
        reinforcing = [
            movement
            for movement in _REINFORCED_BY.get(restriction.key, ())
            if phase is PhaseCode.P1 and movement in intake.aggravating
        ]
        if reinforcing:
            labels = " and ".join(movement.value.replace("_", " ") for movement in reinforcing)
            reason = _(
                "%(phase)s restriction (4.2). Reinforced: %(movements)s aggravates the pain "
                "(S0-25)."
            ) % {"phase": PHASES[phase].name, "movements": labels}
            answers = tuple(("aggravating", movement.value) for movement in reinforcing)
        items.append(
            AdviceItem(
                key=f"avoid:{restriction.key}",
                kind=AdviceKind.AVOID,
                title=restriction.physio_text,
                patient_text=restriction.patient_text,
                reason=reason,
                rule_ids=("RESTRICT-PHASE",),
                answers=answers,
            )
        )
    return tuple(items)


def build_plan_advice(screening: ScreeningResult) -> tuple[AdviceItem, ...]:
    """Advice printed once on the plan: its goal, the emergency list, and the AMB-RADIC stop
    rule when limb symptoms were recorded (4.5, 4.9)."""
    items = [
        AdviceItem(
            key="education:plan_goal",
            kind=AdviceKind.EDUCATION,
            title=_("Plan goal"),
            patient_text=EDUCATION["plan_goal"].text,
            reason=_("Printed on every plan (section 7)."),
            rule_ids=("EDU-PHASE",),
            education_key="plan_goal",
        ),
        AdviceItem(
            key="education:emergency",
            kind=AdviceKind.EDUCATION,
            title=_("When to get emergency help"),
            patient_text=EDUCATION["emergency"].text,
            reason=_('The "when to seek help" box of every plan (4.9).'),
            rule_ids=("EDU-PHASE",),
            education_key="emergency",
        ),
    ]
    for rule in screening.fired:
        if rule.rule_id == "AMB-RADIC":
            items.append(
                AdviceItem(
                    key="safety:limb_symptoms",
                    kind=AdviceKind.SAFETY,
                    title=_("If limb symptoms spread"),
                    patient_text=rule.patient_message,
                    reason=_("One-sided limb symptoms: stop rule added to the plan (AMB-RADIC)."),
                    rule_ids=("AMB-RADIC",),
                    answers=rule.answers,
                )
            )
    return tuple(items)
