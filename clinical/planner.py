"""Propose a staged plan from an intake, its screen and the catalogue (clinical-model.md 4).

``propose_plan`` refuses on an emergency or urgent flag or a blocked gate (``PlanRefused``).
Otherwise it composes all four phases: items by region (4.8) plus targeted items (5.2, 5.4,
5.5), hiding - and listing, with the reason - whatever an exclusion flag, missing equipment or
the physio-select-only rule rules out, then trimming to the phase's item count and session time
while keeping one item per region and the COMP-BALANCE items. Cold, heat, education and
restrictions come as structured advice items.

Phase size (COMP-COUNT, 4.2 "Exercise content": P1 3-6, P2 5-8, P3 and P4 6-10 items). Every
item on a phase's list counts toward its range - exercises, breathing and relaxation, the
aerobic item and the daily-life habits (rest positions, log roll, sitting resets, movement
breaks, desk and sleep set-up) alike: 4.2 counts posture among P2's 5-8 items and walking among
P1's, and a patient's list is as long as everything on it. Advice is not an item and is not
counted: cold and heat, education and restrictions have rows of their own in 4.2 (Modalities,
Advice/education, Restrictions) and come as advice. P4's "6-10 items + daily stretches (3-4) +
walking target" is read as 6-10 in all, the stretches and walking among them (needs sign-off).
What stays is decided by the planner's own priorities: the protected items first (the first
item of each region, the COMP-BALANCE cover, chronic relaxation, the first aerobic item - at
most 3 + 3 + 1 + 1, so they always fit P2-P4, and P1's 3 + 1 fit 6), then by tier (targeted
findings, the region's typical items and the habits for a recorded answer, then relaxation for
stress) and, within a tier, in the order they were proposed. Each item left out is listed in
``excluded`` with COMP-COUNT, the limit and what it was proposed for, so the physio can add it
back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from clinical.advice import (
    ModalityPlan,
    build_cold_advice,
    build_education,
    build_heat_advice,
    build_plan_advice,
    build_restrictions,
    plan_modalities,
    unsafe_modality_flags,
)
from clinical.catalogue import (
    COLD_KEY,
    HARD_EQUIPMENT,
    HEAT_KEY,
    CatalogueItem,
    Category,
    Direction,
    equipment_needed,
    index_catalogue,
)
from clinical.composition import (
    BALANCE_PHASES,
    DESK_KEYS,
    EXAM_FINDING_ITEMS,
    EXAM_FINDING_PHASES,
    HEAVY_MANUAL_KEYS,
    MAX_AEROBIC_ITEMS,
    OSTEO_KEYS,
    REGION_PICKS,
    RELAXATION_KEYS,
    SHORT_WALKS_KEY,
    SITTING_KEYS,
    SLEEP_KEYS,
    WALKING_PROGRAMME_KEY,
    Pick,
    find_missing_balance,
    is_daily_life,
    list_balance_needs,
)
from clinical.dosing import DoseChoice, choose_dosage, estimate_session_seconds
from clinical.education import SAFETY_NET, SYMPTOM_RESPONSE
from clinical.i18n import _, join_reasons
from clinical.intake import (
    ActivityLevel,
    Aggravating,
    DirectionalPreference,
    Equipment,
    ExamFinding,
    Intake,
    OccupationLoad,
    OtherLimit,
    PreferredActivity,
    PregnancyStatus,
    PreviousEpisodes,
    Region,
    SittingHours,
    SleepQuality,
    SpinalDiagnosis,
    SportsCategory,
    StressLevel,
    Trigger,
    in_order,
)
from clinical.phases import PHASES, PhaseChoice, PhaseCode, assign_starting_phase
from clinical.plan import (
    AdviceItem,
    Answers,
    ExcludedItem,
    PlanRefused,
    PlanWarning,
    ProposedItem,
    ProposedPhase,
    ProposedPlan,
)
from clinical.screening import ScreeningResult

# Priority tiers used when a phase must be trimmed (lower survives first).
TIER_ANCHOR = 0  # first item of each region: always kept (4.8)
TIER_TARGETED = 2  # exam findings, directional preference, osteoporosis, heavy work
TIER_REGION = 3  # the rest of the region's typical items
TIER_LIFESTYLE = 4  # relaxation for stress

AGGRAVATING_DIRECTIONS = (  # 5.2
    (Aggravating.BENDING_FORWARD, Direction.FLEXION),
    (Aggravating.BENDING_BACKWARDS, Direction.EXTENSION),
    (Aggravating.TURNING, Direction.ROTATION),
)
AEROBIC_BY_PREFERENCE = {  # 5.5 preferred_activity
    PreferredActivity.WALKING: (WALKING_PROGRAMME_KEY,),
    PreferredActivity.WATER_EXERCISE: ("A03",),
    PreferredActivity.CYCLING: ("A05",),
    PreferredActivity.YOGA_OR_TAI_CHI: ("A06",),
}
RETURN_TO_SPORT_SPORTS = frozenset({SportsCategory.TWISTING_OR_CONTACT, SportsCategory.LIFTING})


@dataclass(frozen=True)
class _Hidden:
    reason: str
    rule_ids: tuple[str, ...]
    flags: tuple[str, ...]
    answers: Answers


@dataclass
class _Candidate:
    item: CatalogueItem
    tier: int
    seq: int
    reasons: list[str]
    rule_ids: list[str]
    answers: list[tuple[str, str]]
    is_protected: bool = False

    def merge(self, reason: str, rule_ids: Iterable[str], answers: Iterable[tuple[str, str]]):
        if reason not in self.reasons:
            self.reasons.append(reason)
        self.rule_ids += [rule_id for rule_id in rule_ids if rule_id not in self.rule_ids]
        self.answers += [answer for answer in answers if answer not in self.answers]


@dataclass
class _Exclusions:
    """Hidden and trimmed items of the whole plan, one entry per item and reason."""

    entries: dict[tuple[str, str], tuple[list[PhaseCode], _Hidden]] = field(default_factory=dict)

    def add(self, key: str, phase: PhaseCode, hidden: _Hidden) -> None:
        phases, _ = self.entries.setdefault((key, hidden.reason), ([], hidden))
        if phase not in phases:
            phases.append(phase)

    def items(self) -> tuple[ExcludedItem, ...]:
        return tuple(
            ExcludedItem(key, tuple(phases), reason, hidden.rule_ids, hidden.flags, hidden.answers)
            for (key, reason), (phases, hidden) in self.entries.items()
        )


@dataclass
class _Context:
    intake: Intake
    screening: ScreeningResult
    catalogue: dict[str, CatalogueItem]
    today: date
    choice: PhaseChoice
    exclusions: _Exclusions = field(default_factory=_Exclusions)

    def __post_init__(self) -> None:
        primary = self.intake.primary_region
        others = [r for r in in_order(self.intake.regions, Region) if r is not primary]
        self.regions = (primary, *others)
        self.flag_sources: dict[str, list] = {}
        for source in self.screening.exclusion_flags:
            self.flag_sources.setdefault(source.flag, []).append(source)
        self.has_known_dx = self.screening.has_fired("AMB-KNOWN-DX")
        intake = self.intake
        self.aggravating = [
            (movement, direction)
            for movement, direction in AGGRAVATING_DIRECTIONS
            if movement in intake.aggravating
        ]
        self.is_disc_with_leg_pain = (
            SpinalDiagnosis.DISC_HERNIATION in intake.known_spinal_dx and intake.has_leg_pain
        )
        self.is_balance_impaired = "balance_impaired" in self.flag_sources
        self.has_heart_or_lung_limit = OtherLimit.HEART_OR_LUNG_CONDITION in intake.other_limits
        self.is_pregnant = intake.pregnancy_status is PregnancyStatus.PREGNANT


def _why_hidden(
    ctx: _Context,
    item: CatalogueItem,
    *,
    is_physio_choice: bool = False,
    extra_flags: frozenset[str] = frozenset(),
    check_equipment: bool = True,
) -> _Hidden | None:
    """COMP-PHYSIO-SELECT, COMP-EXCLUDE and COMP-EQUIPMENT (6.2, 5.5): why an item that would
    have been proposed is hidden, or ``None`` when it may be proposed."""
    reasons: list[str] = []
    rule_ids: list[str] = []
    flags: list[str] = []
    answers: list[tuple[str, str]] = []
    if item.physio_select_only and not is_physio_choice:
        reasons.append(_("physio-select-only: never auto-suggested (6.2)"))
        rule_ids.append("COMP-PHYSIO-SELECT")
    if item.physio_select_only and is_physio_choice and ctx.has_known_dx:
        reasons.append(_("known spinal diagnosis: direction-biased items only by physio selection"))
        rule_ids.append("AMB-KNOWN-DX")
    for flag in sorted((item.exclude_if | extra_flags) & ctx.flag_sources.keys()):
        sources = ctx.flag_sources[flag]
        # The screen's reason with its rule id; "a (X), b (Y)" is shown as written.
        why = ", ".join(f"{source.reason} ({source.rule_id})" for source in sources)
        reasons.append(_("exclude_if %(flag)s: %(why)s") % {"flag": flag, "why": why})
        flags.append(flag)
        rule_ids.append("COMP-EXCLUDE")
        for source in sources:
            rule_ids.append(source.rule_id)
            answers += [answer for answer in source.answers if answer not in answers]
    if check_equipment:
        missing = [
            equipment
            for equipment in equipment_needed(item)
            if equipment in HARD_EQUIPMENT and equipment not in ctx.intake.equipment
        ]
        if missing:
            labels = ", ".join(equipment.value.replace("_", " ") for equipment in missing)
            reasons.append(
                _("needs %(equipment)s, not recorded in equipment") % {"equipment": labels}
            )
            rule_ids.append("COMP-EQUIPMENT")
            recorded = in_order(ctx.intake.equipment, Equipment)
            answers.append(("equipment", ", ".join(e.value for e in recorded) or "none"))
    if not reasons:
        return None
    return _Hidden(
        _("Hidden: %(reasons)s.") % {"reasons": join_reasons(reasons)},
        tuple(dict.fromkeys(rule_ids)),
        tuple(flags),
        tuple(answers),
    )


class _PhaseBuilder:
    """Collects the candidate items of one phase in priority order."""

    def __init__(self, ctx: _Context, phase: PhaseCode) -> None:
        self.ctx = ctx
        self.phase = phase
        self.candidates: dict[str, _Candidate] = {}

    def _usable(self, key: str, *, require_region: bool) -> CatalogueItem | None:
        item = self.ctx.catalogue.get(key)
        if item is None or self.phase not in item.phases:
            return None
        if require_region and not item.regions & self.ctx.intake.regions:
            return None
        return item

    def add(
        self,
        key: str,
        tier: int,
        reason: str,
        rule_ids: tuple[str, ...],
        answers: Answers = (),
        *,
        alternatives: tuple[str, ...] = (),
        require_region: bool = True,
        is_physio_choice: bool = False,
    ) -> _Candidate | None:
        item = self._usable(key, require_region=require_region)
        if item is None:
            return None
        existing = self.candidates.get(key)
        if existing is not None:
            existing.tier = min(existing.tier, tier)
            existing.merge(reason, rule_ids, answers)
            return existing
        hidden = _why_hidden(self.ctx, item, is_physio_choice=is_physio_choice)
        if hidden is None:
            return self._create(item, tier, reason, rule_ids, answers)
        self.ctx.exclusions.add(key, self.phase, hidden)
        for alternative in alternatives:
            alt_item = self._usable(alternative, require_region=require_region)
            if alt_item is None or alternative in self.candidates:
                continue
            if _why_hidden(self.ctx, alt_item) is not None:
                continue
            return self._create(
                alt_item,
                tier,
                _("Instead of %(key)s (%(name)s): %(why)s")
                % {
                    "key": key,
                    "name": item.name,
                    "why": f"{hidden.reason[0].lower()}{hidden.reason[1:]}",
                },
                (*rule_ids, "COMP-SUBSTITUTE"),
                answers + hidden.answers,
            )
        return None

    def _create(
        self,
        item: CatalogueItem,
        tier: int,
        reason: str,
        rule_ids: tuple[str, ...],
        answers: Answers,
    ) -> _Candidate:
        candidate = _Candidate(
            item, tier, len(self.candidates), [reason], list(rule_ids), list(answers)
        )
        self.candidates[item.key] = candidate
        return candidate

    @property
    def aerobic(self) -> list[_Candidate]:
        return [c for c in self.candidates.values() if c.item.category is Category.AEROBIC]

    @property
    def exercises(self) -> list[_Candidate]:
        """Non-aerobic candidates in priority order."""
        return sorted(
            (c for c in self.candidates.values() if c.item.category is not Category.AEROBIC),
            key=lambda c: (c.tier, c.seq),
        )


def _add_region_items(builder: _PhaseBuilder) -> None:
    """COMP-REGION (4.8): the region's typical items, regions taken in turn (primary first) so
    a trimmed multi-region phase keeps its spread; each region's first item is kept always."""
    ctx, phase = builder.ctx, builder.phase
    tables = [(region, REGION_PICKS[region][phase]) for region in ctx.regions]
    anchored: set[Region] = set()
    for index in range(max(len(picks) for _region, picks in tables)):
        for region, picks in tables:
            if index >= len(picks):
                continue
            pick: Pick = picks[index]
            is_anchor = region not in anchored
            candidate = builder.add(
                pick.key,
                TIER_ANCHOR if is_anchor else TIER_REGION,
                _("Typical %(region)s item for %(phase)s (4.8).")
                % {"region": region.value, "phase": PHASES[phase].name},
                ("COMP-REGION",),
                (("regions", region.value),),
                alternatives=pick.alternatives,
            )
            if candidate is not None and is_anchor and not is_daily_life(candidate.item.key):
                candidate.is_protected = True
                anchored.add(region)


def _add_targeted_items(builder: _PhaseBuilder) -> None:
    """COMP-EXAM, COMP-OSTEO, COMP-DIRPREF and COMP-OCCUPATION: items chosen for a recorded
    finding (5.2 exam_findings and directional_preference, 4.5 AMB-OSTEO, 5.4 heavy work)."""
    ctx, phase, intake = builder.ctx, builder.phase, builder.ctx.intake
    for finding in in_order(intake.exam_findings, ExamFinding):
        if phase not in EXAM_FINDING_PHASES.get(finding, frozenset(PhaseCode)):
            continue
        label = finding.value.replace("_", " ")
        for key in EXAM_FINDING_ITEMS[finding]:
            builder.add(
                key,
                TIER_TARGETED,
                _("Exam finding: %(finding)s (5.2).") % {"finding": label},
                ("COMP-EXAM",),
                (("exam_findings", finding.value),),
                require_region=False,
            )
    if ctx.screening.has_fired("AMB-OSTEO") and phase in (PhaseCode.P3, PhaseCode.P4):
        for key in OSTEO_KEYS:
            builder.add(
                key,
                TIER_TARGETED,
                _("Osteoporosis: favour back-extensor work (AMB-OSTEO)."),
                ("COMP-OSTEO", "AMB-OSTEO"),
                (("hx_osteoporosis", intake.hx_osteoporosis.value),),
            )
    preference = intake.directional_preference
    if preference in (DirectionalPreference.EXTENSION, DirectionalPreference.FLEXION):
        for item in ctx.catalogue.values():
            if item.physio_select_only and item.direction.value == preference.value:
                builder.add(
                    item.key,
                    TIER_TARGETED,
                    _("Directional preference for %(direction)s recorded by the physio (5.2, G26).")
                    % {"direction": preference.value},
                    ("COMP-DIRPREF",),
                    (("directional_preference", preference.value),),
                    is_physio_choice=True,
                )
    if intake.occupation_load is OccupationLoad.HEAVY_MANUAL and phase in (
        PhaseCode.P3,
        PhaseCode.P4,
    ):
        for key in HEAVY_MANUAL_KEYS:
            builder.add(
                key,
                TIER_TARGETED,
                _("Heavy manual work: lifting skills before full duties (5.4)."),
                ("COMP-OCCUPATION", "GATE-RTS"),
                (("occupation_load", intake.occupation_load.value),),
            )


def _add_lifestyle_items(builder: _PhaseBuilder) -> None:
    """COMP-CHRONIC, COMP-STRESS, COMP-SITTING and COMP-SLEEP (4.3 chronic variant; 5.4)."""
    ctx, phase, intake = builder.ctx, builder.phase, builder.ctx.intake
    if ctx.choice.is_chronic and phase is not PhaseCode.P1:
        # The chronic variant of 4.3 makes relaxation daily: kept when the phase is trimmed.
        relaxation = builder.add(
            "SC03",
            TIER_TARGETED,
            _("Chronic pain: relaxation daily (4.3)."),
            ("COMP-CHRONIC",),
            (("days_since_onset", str(ctx.choice.days_since_onset)),),
        )
        if relaxation is not None:
            relaxation.is_protected = True
    if intake.stress_level is not StressLevel.LOW:
        for key in RELAXATION_KEYS:
            builder.add(
                key,
                TIER_LIFESTYLE,
                _("Stress %(level)s: relaxation daily (5.4).")
                % {"level": intake.stress_level.value},
                ("COMP-STRESS",),
                (("stress_level", intake.stress_level.value),),
            )
    if intake.sitting_hours is not SittingHours.UNDER_4:
        for key in SITTING_KEYS:
            builder.add(
                key,
                TIER_REGION,
                _("Sitting %(hours)s hours a day (5.4).")
                % {"hours": intake.sitting_hours.value.replace("_", " ")},
                ("COMP-SITTING",),
                (("sitting_hours", intake.sitting_hours.value),),
            )
    if intake.occupation_load is OccupationLoad.DESK:
        for key in DESK_KEYS:
            builder.add(
                key,
                TIER_REGION,
                _("Desk work (5.4)."),
                ("COMP-SITTING",),
                (("occupation_load", intake.occupation_load.value),),
            )
    sleep_answers: list[tuple[str, str]] = []
    if intake.sleep_quality is not SleepQuality.GOOD:
        sleep_answers.append(("sleep_quality", intake.sleep_quality.value))
    if Trigger.AWKWARD_SLEEPING_POSITION in intake.triggers:
        sleep_answers.append(("triggers", Trigger.AWKWARD_SLEEPING_POSITION.value))
    if sleep_answers:
        for key in SLEEP_KEYS:
            builder.add(
                key,
                TIER_REGION,
                _("Sleep disturbed or started by an awkward sleeping position (5.4, S0-10)."),
                ("COMP-SLEEP",),
                tuple(sleep_answers),
            )


def _add_aerobic_items(builder: _PhaseBuilder) -> None:
    """COMP-AEROBIC (4.2 aerobic row; 5.5 preferred_activity; 5.4 activity_level).

    P1: short walks. P2-P4: the item for each preferred activity (a water or bike item needs
    pool or bike access), plus the walking programme when the patient mostly sits, has had 3 or
    more episodes (G31), or no preferred item is usable. At most two aerobic items.
    """
    phase, intake = builder.phase, builder.ctx.intake
    if phase is PhaseCode.P1:
        builder.add(
            SHORT_WALKS_KEY,
            TIER_ANCHOR,
            _("Settle: short walks 5-10 min, 2-3 times a day (4.2)."),
            ("COMP-AEROBIC",),
        )
        return
    emphasis: list[tuple[str, str]] = []
    if intake.activity_level is ActivityLevel.MOSTLY_SITTING:
        emphasis.append(("activity_level", intake.activity_level.value))
    if intake.previous_episodes is PreviousEpisodes.THREE_OR_MORE:
        emphasis.append(("previous_episodes", intake.previous_episodes.value))
    if emphasis:
        builder.add(
            WALKING_PROGRAMME_KEY,
            TIER_ANCHOR,
            _("Walking programme: mostly sitting or 3 or more previous episodes (5.4, G31)."),
            ("COMP-AEROBIC",),
            tuple(emphasis),
        )
    for preference in in_order(intake.preferred_activity, PreferredActivity):
        for key in AEROBIC_BY_PREFERENCE[preference]:
            builder.add(
                key,
                TIER_ANCHOR,
                _("Preferred activity: %(activity)s (5.5).")
                % {"activity": preference.value.replace("_", " ")},
                ("COMP-AEROBIC",),
                (("preferred_activity", preference.value),),
            )
    if not builder.aerobic:
        builder.add(
            WALKING_PROGRAMME_KEY,
            TIER_ANCHOR,
            _("Walking programme: the default when no preferred activity fits this phase (4.2)."),
            ("COMP-AEROBIC",),
        )


def _item_warnings(ctx: _Context, item: CatalogueItem, phase: PhaseCode) -> tuple[PlanWarning, ...]:
    """Warnings shown on one item: COMP-AGGRAVATING (5.2: flag, never drop), flexion review
    for a disc herniation with leg pain (AMB-KNOWN-DX), balance support and heart/lung aerobic
    targets (COMP-LIMITS), and lying on the back in pregnancy (AMB-PREG)."""
    warnings = []
    for movement, direction in ctx.aggravating:
        if item.direction is direction:
            warnings.append(
                PlanWarning(
                    "COMP-AGGRAVATING",
                    _(
                        "Loads %(direction)s; %(movement)s aggravates the pain: check it suits the "
                        "patient before approving (5.2)."
                    )
                    % {"direction": direction.value, "movement": movement.value.replace("_", " ")},
                    phase,
                    item.key,
                )
            )
    if item.direction is Direction.MIXED and ctx.aggravating:
        movements = " and ".join(m.value.replace("_", " ") for m, _direction in ctx.aggravating)
        warnings.append(
            PlanWarning(
                "COMP-AGGRAVATING",
                _(
                    "Mixed-direction item; %(movements)s aggravates the pain: check it suits the "
                    "patient before approving (5.2)."
                )
                % {"movements": movements},
                phase,
                item.key,
            )
        )
    if item.direction is Direction.FLEXION and ctx.is_disc_with_leg_pain:
        warnings.append(
            PlanWarning(
                "AMB-KNOWN-DX",
                _("Disc herniation with leg pain: review this flexion item (5.4)."),
                phase,
                item.key,
            )
        )
    if ctx.is_balance_impaired and item.position == "standing":
        warnings.append(
            PlanWarning(
                "COMP-LIMITS",
                _("Balance problems: do this standing item next to a sturdy support (5.4)."),
                phase,
                item.key,
            )
        )
    if ctx.has_heart_or_lung_limit and item.category is Category.AEROBIC:
        warnings.append(
            PlanWarning(
                "COMP-LIMITS",
                _("Heart or lung condition: the physio sets the aerobic target (5.4)."),
                phase,
                item.key,
            )
        )
    if ctx.is_pregnant and item.position == "supine" and not is_daily_life(item.key):
        warnings.append(
            PlanWarning(
                "AMB-PREG",
                _("Lying on the back: later in pregnancy, check the position (needs sign-off)."),
                phase,
                item.key,
            )
        )
    return tuple(warnings)


def _select(
    builder: _PhaseBuilder,
) -> tuple[list[tuple[_Candidate, DoseChoice, int]], list[PlanWarning]]:
    """COMP-COUNT and COMP-TIME (4.2 exercise content and session cap; 5.5 time_per_day).

    Every item on the phase's list counts toward the 4.2 range, daily-life habits included
    (see the module docstring); the session time counts only what is done in the session.
    Keeps the protected items (one per region, COMP-BALANCE cover, chronic relaxation, the
    first aerobic item), then the rest by priority (tier, then the order they were proposed
    in) while the phase's item limit and session time allow; lists each item left out with
    why it was proposed, so the physio can add it back.
    """
    ctx, phase = builder.ctx, builder.phase
    spec = PHASES[phase]
    limits = spec.content
    budget_s = min(int(ctx.intake.time_per_day), spec.session_cap.minutes_max) * 60
    exercises = builder.exercises
    needs = list_balance_needs(ctx.intake.regions) if phase in BALANCE_PHASES else ()
    for need in needs:
        first = next((c for c in exercises if c.item.key in need.keys), None)
        if first is not None:
            first.is_protected = True
    aerobic = builder.aerobic[:]
    if aerobic:
        aerobic[0].is_protected = True
    for extra in aerobic[MAX_AEROBIC_ITEMS:]:
        ctx.exclusions.add(
            extra.item.key,
            phase,
            _Hidden(
                _("Trimmed: at most %(count)s aerobic items per phase.")
                % {"count": MAX_AEROBIC_ITEMS},
                ("COMP-COUNT",),
                (),
                tuple(extra.answers),
            ),
        )
    ordered = [c for c in exercises if c.is_protected] + aerobic[:1]
    ordered += [c for c in exercises if not c.is_protected] + aerobic[1:MAX_AEROBIC_ITEMS]
    chosen: list[tuple[_Candidate, DoseChoice, int]] = []
    total_s = 0
    time_answers = (("time_per_day", str(int(ctx.intake.time_per_day))),)
    for candidate in ordered:
        dose = choose_dosage(candidate.item, phase, ctx.intake)
        seconds = estimate_session_seconds(candidate.item, dose.dosage)
        if not candidate.is_protected:
            if len(chosen) + 1 > limits.items_max:
                ctx.exclusions.add(
                    candidate.item.key,
                    phase,
                    _Hidden(
                        _(
                            "Trimmed: %(phase)s holds at most %(max)s items (4.2: %(min)s-%(max)s; "
                            "a longer list is followed less) and the %(max)s kept rank higher. "
                            "Proposed for: %(reasons)s"
                        )
                        % {
                            "phase": spec.name,
                            "max": limits.items_max,
                            "min": limits.items_min,
                            "reasons": " ".join(candidate.reasons),
                        },
                        ("COMP-COUNT",),
                        (),
                        tuple(candidate.answers),
                    ),
                )
                continue
            # Daily-life and aerobic items take no session time (0 s): never time-trimmed.
            if seconds and total_s + seconds > budget_s:
                ctx.exclusions.add(
                    candidate.item.key,
                    phase,
                    _Hidden(
                        _(
                            "Trimmed to fit a %(budget)s min session (time per day %(time)s min; "
                            "%(phase)s cap %(cap)s min)."
                        )
                        % {
                            "budget": budget_s // 60,
                            "time": int(ctx.intake.time_per_day),
                            "phase": spec.name,
                            "cap": spec.session_cap.minutes_max,
                        },
                        ("COMP-TIME",),
                        (),
                        time_answers,
                    ),
                )
                continue
        chosen.append((candidate, dose, seconds))
        total_s += seconds
    warnings = []
    if total_s > budget_s:
        warnings.append(
            PlanWarning(
                "COMP-TIME",
                _(
                    "The minimum content (one item per region and %(rule_id)s) takes about "
                    "%(minutes)s min, more than the %(budget)s min available."
                )
                % {
                    "rule_id": "COMP-BALANCE",
                    "minutes": round(total_s / 60),
                    "budget": budget_s // 60,
                },
                phase,
            )
        )
    if len(chosen) < limits.items_min:
        warnings.append(
            PlanWarning(
                "COMP-COUNT",
                _("Only %(count)s items; %(phase)s usually holds %(min)s-%(max)s.")
                % {
                    "count": len(chosen),
                    "phase": spec.name,
                    "min": limits.items_min,
                    "max": limits.items_max,
                },
                phase,
            )
        )
    return chosen, warnings


def _display_group(item: CatalogueItem) -> int:
    if is_daily_life(item.key):
        return 3
    if item.category is Category.AEROBIC:
        return 2
    if item.category is Category.SELF_CARE:
        return 1
    return 0


# The sports of GATE-RTS in the words of its warning.
_SPORT_LABELS = {
    SportsCategory.TWISTING_OR_CONTACT: _("twisting or contact sport"),
    SportsCategory.LIFTING: _("lifting sport"),
    SportsCategory.ENDURANCE: _("endurance sport"),
}


# A substitute's reason quotes the hidden item's reason in lower case ("... : hidden: ...").
_LOWER_CASE_HIDDEN = _("hidden: %(reasons)s.")


def _with_dosage_notes(reason: str, dose: DoseChoice) -> str:
    if dose.notes:
        return _("%(reason)s Dosage: %(notes)s.") % {
            "reason": reason,
            "notes": join_reasons(dose.notes),
        }
    return reason


def _compose_items(
    ctx: _Context, phase: PhaseCode
) -> tuple[tuple[ProposedItem, ...], list[PlanWarning]]:
    builder = _PhaseBuilder(ctx, phase)
    _add_region_items(builder)
    _add_targeted_items(builder)
    _add_lifestyle_items(builder)
    _add_aerobic_items(builder)
    chosen, warnings = _select(builder)
    chosen.sort(key=lambda entry: (_display_group(entry[0].item), entry[0].tier, entry[0].seq))
    items = []
    for order, (candidate, dose, seconds) in enumerate(chosen, start=1):
        items.append(
            ProposedItem(
                exercise_key=candidate.item.key,
                name=candidate.item.name,
                dosage=dose.dosage,
                reason=_with_dosage_notes(" ".join(candidate.reasons), dose),
                rule_ids=tuple(dict.fromkeys([*candidate.rule_ids, *dose.rule_ids])),
                answers=tuple(candidate.answers),
                warnings=_item_warnings(ctx, candidate.item, phase),
                order=order,
                session_seconds=seconds,
                is_daily_life=is_daily_life(candidate.item.key),
            )
        )
    for need in find_missing_balance(
        phase, (item.exercise_key for item in items), ctx.intake.regions
    ):
        warnings.append(
            PlanWarning(
                "COMP-BALANCE",
                _("%(phase)s lacks %(need)s (S0-05, S0-54): add one before approving.")
                % {"phase": PHASES[phase].name, "need": need.label},
                phase,
            )
        )
    return tuple(items), warnings


def _modality_advice(
    ctx: _Context, phase: PhaseCode, timing: ModalityPlan
) -> tuple[AdviceItem, ...]:
    """Cold (P1, first 48 h) and heat (every phase the catalogue allows), unless AMB-MODALITY
    or another exclusion flag removes them (4.6) - then they are listed as hidden."""
    advice: list[AdviceItem] = []
    cold = ctx.catalogue.get(COLD_KEY)
    if cold is not None and phase in cold.phases and timing.cold_start is not None:
        hidden = _why_hidden(
            ctx, cold, extra_flags=unsafe_modality_flags(COLD_KEY, cold), check_equipment=False
        )
        if hidden is None:
            item = build_cold_advice(cold, timing, ctx.intake)
            if item is not None:
                advice.append(item)
        else:
            ctx.exclusions.add(COLD_KEY, phase, hidden)
    heat = ctx.catalogue.get(HEAT_KEY)
    if heat is not None and phase in heat.phases:
        hidden = _why_hidden(
            ctx, heat, extra_flags=unsafe_modality_flags(HEAT_KEY, heat), check_equipment=False
        )
        if hidden is None:
            advice.append(build_heat_advice(heat, timing, ctx.intake, phase, ctx.choice))
        else:
            ctx.exclusions.add(HEAT_KEY, phase, hidden)
    return tuple(advice)


def _plan_warnings(ctx: _Context, phases: tuple[ProposedPhase, ...]) -> list[PlanWarning]:
    """Plan-level warnings: the starting-phase check, every non-blocking rule the screen fired
    (amber and review tasks such as AMB-AGE's 2-week review), GATE-RTS for heavy manual work or
    a twisting, contact or lifting sport (4.5), and COMP-EQUIPMENT for household equipment the
    intake did not record."""
    intake = ctx.intake
    warnings = [PlanWarning(ctx.choice.rule_ids[0], text) for text in ctx.choice.warnings]
    for rule in ctx.screening.fired:
        if not rule.blocks_plan:
            warnings.append(PlanWarning(rule.rule_id, rule.physio_message))
    rts_answers = []
    if intake.occupation_load is OccupationLoad.HEAVY_MANUAL:
        rts_answers.append(_("heavy manual work"))
    sports = [s for s in in_order(intake.sports_category, SportsCategory)]
    rts_answers += [
        _SPORT_LABELS.get(sport, sport.value.replace("_", " "))
        for sport in sports
        if sport in RETURN_TO_SPORT_SPORTS
    ]
    if rts_answers:
        warnings.append(
            PlanWarning(
                "GATE-RTS",
                _("Physio sign-off needed in Strengthen before: %(activities)s.")
                % {"activities": join_reasons(rts_answers)},
                PhaseCode.P3,
            )
        )
    # Soft equipment: household stand-ins exist, so the item stays; tell the physio once.
    needing: dict[Equipment, list[str]] = {}
    for phase in phases:
        for proposed in phase.items:
            for equipment in equipment_needed(ctx.catalogue[proposed.exercise_key]):
                if equipment in HARD_EQUIPMENT or equipment in intake.equipment:
                    continue
                keys = needing.setdefault(equipment, [])
                if proposed.exercise_key not in keys:
                    keys.append(proposed.exercise_key)
    for equipment in in_order(needing, Equipment):
        warnings.append(
            PlanWarning(
                "COMP-EQUIPMENT",
                _(
                    "%(equipment)s not recorded in equipment; used by %(keys)s: check the patient "
                    "has it or a household stand-in."
                )
                % {
                    "equipment": equipment.value.replace("_", " ").capitalize(),
                    "keys": ", ".join(needing[equipment]),
                },
            )
        )
    return warnings


def propose_plan(
    intake: Intake,
    screening: ScreeningResult,
    catalogue: Iterable[CatalogueItem],
    *,
    today: date,
) -> ProposedPlan:
    """Propose all four phases for the physio to edit and approve (clinical-model.md 4).

    Raises ``PlanRefused`` (with the referral message and rule ids) when the screen found an
    emergency or urgent flag that no medical clearance lifted, or a gate blocks.
    """
    if not screening.is_plan_allowed:
        raise PlanRefused(screening)
    choice = assign_starting_phase(intake, today=today)
    ctx = _Context(intake, screening, index_catalogue(catalogue), today, choice)
    timing = plan_modalities(intake, today=today)
    phases = []
    for code in PhaseCode:
        spec = PHASES[code]
        items, warnings = _compose_items(ctx, code)
        modalities = _modality_advice(ctx, code, timing)
        education = build_education(intake, code, choice, (a.key for a in modalities))
        phases.append(
            ProposedPhase(
                code=code,
                name=spec.name,
                goals=spec.aim,
                goals_patient=spec.aim_patient,
                typical_duration=spec.typical_duration,
                minimum_days=spec.minimum_days,
                review_after_days=spec.review_after_days,
                exit_criteria=spec.exit_criteria,
                exit_thresholds=spec.exit_thresholds,
                restrictions=build_restrictions(intake, code),
                session_cap=spec.session_cap,
                content=spec.content,
                aerobic_target=spec.aerobic,
                modality_notes=spec.modality_notes,
                items=items,
                advice=modalities + education,
                warnings=tuple(warnings),
                is_starting=code is choice.phase,
            )
        )
    phase_tuple = tuple(phases)
    plan_warnings = tuple(_plan_warnings(ctx, phase_tuple))
    plan_advice = build_plan_advice(screening)
    education_keys = tuple(
        dict.fromkeys(
            [a.education_key for a in plan_advice if a.education_key]
            + [key for phase in phase_tuple for key in phase.education_keys]
        )
    )
    return ProposedPlan(
        starting_phase=choice,
        phases=phase_tuple,
        warnings=plan_warnings,
        excluded=ctx.exclusions.items(),
        education_keys=education_keys,
        plan_advice=plan_advice,
        safety_net=SAFETY_NET,
        symptom_response=SYMPTOM_RESPONSE,
        screening_outcome=screening.outcome,
        confirmations=screening.confirmations,
        is_chronic=choice.is_chronic,
        is_return_to_sport_sign_off_required=any(w.rule_id == "GATE-RTS" for w in plan_warnings),
    )


def describe_physio_item(
    intake: Intake,
    screening: ScreeningResult,
    item: CatalogueItem,
    *,
    phase: PhaseCode,
    reason: str,
    rule_ids: tuple[str, ...],
    today: date,
) -> ProposedItem:
    """An item the physio put in ``phase`` (a swap or an addition), with the facts the
    planner's rules give that exercise there, as for a proposed item: the dosage (4.7, DOSE-*)
    with its notes in the reason, the catalogue's note for the patient, and the item warnings
    (COMP-AGGRAVATING, AMB-KNOWN-DX, COMP-LIMITS, AMB-PREG). ``reason`` and ``rule_ids`` say why
    it is there (PHYSIO-CHANGE or PHYSIO-OVERRIDE: physio override, logged, 4.1 item 4).
    """
    choice = assign_starting_phase(intake, today=today)
    ctx = _Context(intake, screening, {item.key: item}, today, choice)
    dose = choose_dosage(item, phase, intake)
    return ProposedItem(
        exercise_key=item.key,
        name=item.name,
        dosage=dose.dosage,
        reason=_with_dosage_notes(reason, dose),
        rule_ids=tuple(dict.fromkeys([*rule_ids, *dose.rule_ids])),
        answers=(),
        warnings=_item_warnings(ctx, item, phase),
        order=0,
        session_seconds=estimate_session_seconds(item, dose.dosage),
        is_daily_life=is_daily_life(item.key),
    )
