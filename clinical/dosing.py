"""Starting dosage from the catalogue default, adjusted per clinical-model.md 4.7, and an
estimate of how long an item takes in a session (for the 4.2 session cap and time_per_day)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from clinical.catalogue import CatalogueItem, Category, Dosage
from clinical.composition import SHORT_WALKS_KEY, WALKING_PROGRAMME_KEY, is_daily_life
from clinical.i18n import _
from clinical.intake import ActivityLevel, Intake, PreviousEpisodes
from clinical.phases import PHASES, PhaseCode

SECONDS_PER_MOVEMENT = 3  # moving into and out of one repetition
REST_BETWEEN_SETS_S = 30
STATIC_STRETCH_MIN_HOLD_S = 15  # a hold this long marks a static stretch, not a mobility rep
P1_STRETCH_HOLD_S = 15  # 4.7: P1 10-20 s, gentle
STRETCH_HOLD_RANGE_S = (20, 30)  # 4.7: 20-30 s from P2
P1_CONTROL_HOLD_S = 5  # 4.7 low-load holds 5-10 s; start at 5 while settling
STRENGTH_DAYS_MAX = 3  # 4.7 strength 2-3 days a week, not in a row
SEDENTARY_SETS = 2  # 4.7 "2-3 sets" -> low end
WALKING_KEYS = frozenset({SHORT_WALKS_KEY, WALKING_PROGRAMME_KEY})


# Why a physio changed a dosage (4.1 item 4, "physio override, logged": the software stores the
# reason). The editor offers these; free text adds to a choice, or stands alone for "other".
DOSAGE_CHANGE_REASONS: tuple[tuple[str, str], ...] = (
    ("symptom_response", _("Symptom response at recent sessions (4.4)")),
    ("progressing", _("Progressing: the exercise is easy now (4.4)")),
    ("easing_off", _("Easing off: too hard or too sore")),
    ("time_available", _("To fit the time the patient has")),
    ("technique", _("Technique, equipment or position")),
    ("other", _("Other (say why)")),
)


@dataclass(frozen=True)
class DoseChoice:
    dosage: Dosage
    rule_ids: tuple[str, ...]
    notes: tuple[str, ...]


def _clamp(value: int | None, low: int, high: int) -> int | None:
    return None if value is None else min(max(value, low), high)


def choose_dosage(item: CatalogueItem, phase: PhaseCode, intake: Intake) -> DoseChoice:
    """The starting dosage of ``item`` in ``phase`` (4.7; DOSE-* rules).

    - DOSE-DEFAULT: the catalogue default.
    - DOSE-P1-GENTLE: static stretches hold 15 s and low-load holds 5 s in P1.
    - DOSE-STRETCH: static stretches hold 20-30 s from P2.
    - DOSE-STRENGTH-DAYS: core work at most 3 days a week in P3-P4.
    - DOSE-SEDENTARY: mostly sitting starts at the low end: aerobic minutes and frequency at
      the phase minimum, strength sets at 2 (5.4 activity_level).
    - DOSE-AEROBIC: aerobic minutes (and walking frequency) within the phase target (4.2);
      three or more previous episodes build walking to 30 min in P4 (G31).
    """
    dose = item.dosage
    rule_ids = ["DOSE-DEFAULT"]
    notes: list[str] = []
    is_static_stretch = (
        item.category is Category.FLEXIBILITY
        and dose.hold_s is not None
        and dose.hold_s >= STATIC_STRETCH_MIN_HOLD_S
    )
    sedentary = intake.activity_level is ActivityLevel.MOSTLY_SITTING
    if is_static_stretch and phase is PhaseCode.P1 and dose.hold_s != P1_STRETCH_HOLD_S:
        dose = replace(dose, hold_s=P1_STRETCH_HOLD_S)
        rule_ids.append("DOSE-P1-GENTLE")
        notes.append(
            _("gentle %(seconds)s s holds while settling") % {"seconds": P1_STRETCH_HOLD_S}
        )
    elif is_static_stretch and phase is not PhaseCode.P1:
        hold = _clamp(dose.hold_s, *STRETCH_HOLD_RANGE_S)
        if hold != dose.hold_s:
            dose = replace(dose, hold_s=hold)
            rule_ids.append("DOSE-STRETCH")
            notes.append(_("%(seconds)s s holds") % {"seconds": hold})
    if (
        item.category is Category.CORE
        and phase is PhaseCode.P1
        and dose.hold_s is not None
        and dose.hold_s > P1_CONTROL_HOLD_S
    ):
        dose = replace(dose, hold_s=P1_CONTROL_HOLD_S)
        rule_ids.append("DOSE-P1-GENTLE")
        notes.append(_("start with %(seconds)s s holds") % {"seconds": P1_CONTROL_HOLD_S})
    if item.category is Category.CORE and phase in (PhaseCode.P3, PhaseCode.P4):
        if dose.days_per_week is not None and dose.days_per_week > STRENGTH_DAYS_MAX:
            dose = replace(dose, days_per_week=STRENGTH_DAYS_MAX)
            rule_ids.append("DOSE-STRENGTH-DAYS")
            notes.append(_("%(days)s days a week, not in a row") % {"days": STRENGTH_DAYS_MAX})
        if sedentary and dose.sets is not None and dose.sets > SEDENTARY_SETS:
            dose = replace(dose, sets=SEDENTARY_SETS)
            rule_ids.append("DOSE-SEDENTARY")
            notes.append(_("%(sets)s sets to start") % {"sets": SEDENTARY_SETS})
    if item.category is Category.AEROBIC:
        dose, aerobic_rules, aerobic_notes = _aerobic_dosage(item, dose, phase, intake)
        rule_ids += aerobic_rules
        notes += aerobic_notes
    return DoseChoice(dose, tuple(dict.fromkeys(rule_ids)), tuple(notes))


def _aerobic_dosage(
    item: CatalogueItem, dose: Dosage, phase: PhaseCode, intake: Intake
) -> tuple[Dosage, list[str], list[str]]:
    target = PHASES[phase].aerobic
    rule_ids: list[str] = []
    notes: list[str] = []
    is_walking = item.key in WALKING_KEYS
    if intake.activity_level is ActivityLevel.MOSTLY_SITTING:
        changed = replace(dose, minutes=target.minutes_low)
        if is_walking:
            changed = replace(
                changed, per_day=target.per_day_low, days_per_week=target.days_per_week_low
            )
        if changed != dose:
            rule_ids.append("DOSE-SEDENTARY")
            notes.append(
                _("start at %(minutes)s min (mostly sitting)") % {"minutes": target.minutes_low}
            )
        return changed, rule_ids, notes
    changed = replace(dose, minutes=_clamp(dose.minutes, target.minutes_low, target.minutes_high))
    if is_walking:
        changed = replace(
            changed,
            per_day=_clamp(dose.per_day, target.per_day_low, target.per_day_high),
            days_per_week=_clamp(
                dose.days_per_week, target.days_per_week_low, target.days_per_week_high
            ),
        )
        if (
            phase is PhaseCode.P4
            and item.key == WALKING_PROGRAMME_KEY
            and intake.previous_episodes is PreviousEpisodes.THREE_OR_MORE
        ):
            changed = replace(changed, minutes=target.minutes_high)
            notes.append(
                _("walking %(minutes)s min (3 or more previous episodes, G31)")
                % {"minutes": target.minutes_high}
            )
    if changed != dose:
        rule_ids.append("DOSE-AEROBIC")
        if not notes:
            notes.append(_("within the phase target: %(target)s") % {"target": target.description})
    return changed, rule_ids, notes


def estimate_session_seconds(item: CatalogueItem, dose: Dosage) -> int:
    """Estimated time the item takes in one session; daily-life items and aerobic work are
    outside the session (walking has its own target, 4.2)."""
    if item.category is Category.AEROBIC or is_daily_life(item.key):
        return 0
    if dose.reps is None and dose.minutes is not None:
        return dose.minutes * 60
    sets = dose.sets or 1
    reps = dose.reps or 1
    sides = 2 if dose.per_side else 1
    one_rep = (dose.hold_s or 0) + SECONDS_PER_MOVEMENT
    return sets * reps * sides * one_rep + (sets - 1) * REST_BETWEEN_SETS_S
