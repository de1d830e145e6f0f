"""The pure clinical core: intake in, screening result and proposed plan out.

Imports nothing from Django. ``screen`` runs the red-flag and gating rules of
``clinical-model.md`` 4.5; ``propose_plan`` builds the four-phase plan of 4.2-4.8 (or raises
``PlanRefused``). Both are deterministic for the same input and ``today``.
"""

from clinical.catalogue import CatalogueItem, Dosage, catalogue_item_from_mapping
from clinical.composition import find_missing_balance
from clinical.intake import (
    RED_FLAG_QUESTIONS,
    Answer,
    Intake,
    MedicalClearance,
    StartBackScore,
    required_red_flag_questions,
)
from clinical.phases import PHASES, PhaseChoice, PhaseCode, assign_starting_phase
from clinical.plan import (
    AdviceItem,
    ExcludedItem,
    PlanRefused,
    PlanWarning,
    ProposedItem,
    ProposedPhase,
    ProposedPlan,
)
from clinical.planner import propose_plan
from clinical.screening import FiredRule, Outcome, ScreeningResult, Severity, screen

__all__ = [
    "PHASES",
    "RED_FLAG_QUESTIONS",
    "AdviceItem",
    "Answer",
    "CatalogueItem",
    "Dosage",
    "ExcludedItem",
    "FiredRule",
    "Intake",
    "MedicalClearance",
    "Outcome",
    "PhaseChoice",
    "PhaseCode",
    "PlanRefused",
    "PlanWarning",
    "ProposedItem",
    "ProposedPhase",
    "ProposedPlan",
    "ScreeningResult",
    "Severity",
    "StartBackScore",
    "assign_starting_phase",
    "catalogue_item_from_mapping",
    "find_missing_balance",
    "propose_plan",
    "required_red_flag_questions",
    "screen",
]
