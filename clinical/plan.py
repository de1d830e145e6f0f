"""What the planner hands back: a proposed plan, its phases, items, advice and exclusions.

Everything here is plain frozen data. Every proposed item, advice item and exclusion carries a
physio-facing ``reason``, the ``rule_ids`` behind it (see ``rules.RULES``) and the intake
``answers`` (field or question key, value) that triggered it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from clinical.catalogue import Dosage
from clinical.education import SymptomZone
from clinical.phases import (
    AerobicTarget,
    ContentLimits,
    Criterion,
    ExitThresholds,
    PhaseChoice,
    PhaseCode,
    SessionCap,
)
from clinical.screening import Confirmation, Outcome, ScreeningResult

Answers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PlanWarning:
    """Something the physio should look at before approving."""

    rule_id: str
    message: str
    phase: PhaseCode | None = None
    exercise_key: str | None = None


class AdviceKind(StrEnum):
    COLD = "cold"
    HEAT = "heat"
    EDUCATION = "education"
    AVOID = "avoid"
    SAFETY = "safety"


@dataclass(frozen=True)
class AdviceItem:
    """Structured advice: cold or heat on a schedule, an education snippet, an activity to
    avoid, or a safety instruction. Dates are inclusive; ``None`` means "while in the phase"."""

    key: str
    kind: AdviceKind
    title: str
    patient_text: str
    reason: str
    rule_ids: tuple[str, ...]
    answers: Answers = ()
    exercise_key: str | None = None
    education_key: str | None = None
    minutes: int | None = None
    minutes_max: int | None = None
    per_day: int | None = None
    min_gap_minutes: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    is_optional: bool = False
    is_tickable: bool = False
    warnings: tuple[PlanWarning, ...] = ()


@dataclass(frozen=True)
class ProposedItem:
    exercise_key: str
    name: str
    dosage: Dosage
    reason: str
    rule_ids: tuple[str, ...]
    answers: Answers
    warnings: tuple[PlanWarning, ...]
    order: int
    session_seconds: int
    is_daily_life: bool


# An exclusion with only these rule ids left a usable item out to keep the phase to its size
# (COMP-COUNT, 4.2) or session time (COMP-TIME); any other rule hid it for this patient.
SIZE_RULE_IDS = frozenset({"COMP-COUNT", "COMP-TIME"})


def is_left_out_for_size(rule_ids: Iterable[str]) -> bool:
    """Whether an exclusion with these rule ids only keeps a phase short (the physio may add
    the item back without an override reason), rather than hiding it by a rule."""
    ids = set(rule_ids)
    return bool(ids) and ids <= SIZE_RULE_IDS


@dataclass(frozen=True)
class ExcludedItem:
    """An item the planner would have proposed but hid, and why (never silently dropped)."""

    exercise_key: str
    phases: tuple[PhaseCode, ...]
    reason: str
    rule_ids: tuple[str, ...]
    flags: tuple[str, ...]
    answers: Answers

    @property
    def is_left_out_for_size(self) -> bool:
        return is_left_out_for_size(self.rule_ids)


@dataclass(frozen=True)
class ProposedPhase:
    code: PhaseCode
    name: str
    goals: str
    goals_patient: str
    typical_duration: str
    minimum_days: int | None
    review_after_days: int | None
    exit_criteria: tuple[Criterion, ...]
    exit_thresholds: ExitThresholds
    restrictions: tuple[AdviceItem, ...]
    session_cap: SessionCap
    content: ContentLimits
    aerobic_target: AerobicTarget
    modality_notes: str
    items: tuple[ProposedItem, ...]
    advice: tuple[AdviceItem, ...]
    warnings: tuple[PlanWarning, ...]
    is_starting: bool

    @property
    def session_minutes(self) -> float:
        return sum(item.session_seconds for item in self.items) / 60

    @property
    def education_keys(self) -> tuple[str, ...]:
        return tuple(
            advice.education_key
            for advice in self.advice
            if advice.kind is AdviceKind.EDUCATION and advice.education_key
        )


@dataclass(frozen=True)
class ProposedPlan:
    starting_phase: PhaseChoice
    phases: tuple[ProposedPhase, ...]
    warnings: tuple[PlanWarning, ...]
    excluded: tuple[ExcludedItem, ...]
    education_keys: tuple[str, ...]
    plan_advice: tuple[AdviceItem, ...]
    safety_net: str
    symptom_response: tuple[SymptomZone, ...]
    screening_outcome: Outcome
    confirmations: tuple[Confirmation, ...]
    is_chronic: bool
    is_return_to_sport_sign_off_required: bool

    def phase(self, code: PhaseCode) -> ProposedPhase:
        return next(phase for phase in self.phases if phase.code is code)

    @property
    def all_warnings(self) -> tuple[PlanWarning, ...]:
        return self.warnings + tuple(w for phase in self.phases for w in phase.warnings)


class PlanRefused(Exception):
    """No plan: the screen found an emergency or urgent flag, or a gate blocks (4.1 item 1)."""

    def __init__(self, screening: ScreeningResult) -> None:
        self.outcome = screening.outcome
        self.rule_ids = tuple(
            dict.fromkeys(
                [block.rule_id for block in screening.blocked]
                + [rule.rule_id for rule in screening.blocking_rules]
            )
        )
        self.physio_message = screening.physio_message
        self.patient_message = screening.patient_message
        super().__init__(f"plan refused ({', '.join(self.rule_ids)})")
