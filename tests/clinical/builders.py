"""Builders for the pure planner tests: the real catalogue YAML and a clear intake.

No database: the planner takes frozen dataclasses, so these tests build them directly.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

from clinical.catalogue import CatalogueItem, catalogue_item_from_mapping
from clinical.intake import (
    Answer,
    Equipment,
    Intake,
    Irritability,
    OnsetType,
    Paraesthesia,
    PregnancyStatus,
    PreviousEpisodes,
    RadiatingPain,
    Region,
    Trigger,
    Weakness,
    WorkStatus,
    required_red_flag_questions,
)

CATALOGUE_PATH = Path(__file__).resolve().parents[2] / "exercises" / "catalogue" / "exercises.yaml"
TODAY = date(2025, 3, 10)


@cache
def load_catalogue() -> tuple[CatalogueItem, ...]:
    entries = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))["exercises"]
    return tuple(catalogue_item_from_mapping(entry) for entry in entries)


def build_intake(**overrides) -> Intake:
    """A clear lumbar intake assessed today, every required red-flag question answered "no".

    ``red_flags`` in ``overrides`` are merged over the all-"no" answers of the final regions;
    ``onset_days_ago`` sets ``onset_date`` relative to ``TODAY``.
    """
    regions = frozenset(overrides.pop("regions", {Region.LUMBAR}))
    red_flags = {key: Answer.NO for key in required_red_flag_questions(regions)}
    red_flags.update(overrides.pop("red_flags", {}))
    onset_days_ago = overrides.pop("onset_days_ago", 20)
    fields = {
        "assessment_date": TODAY,
        "age": 35,
        "pregnancy_status": PregnancyStatus.NOT_APPLICABLE,
        "regions": regions,
        "primary_region": overrides.pop("primary_region", sorted(regions)[0]),
        "onset_date": TODAY - timedelta(days=onset_days_ago),
        "onset_type": OnsetType.GRADUAL,
        "triggers": frozenset({Trigger.NONE_KNOWN}),
        "previous_episodes": PreviousEpisodes.NONE,
        "pain_now": 4,
        "pain_worst_24h": 6,
        "irritability": Irritability.MODERATE,
        "aggravating": frozenset(),
        "radiating_pain": RadiatingPain.NONE,
        "paraesthesia": Paraesthesia.NONE,
        "weakness": Weakness.NONE,
        "function_walk_10min": True,
        "work_status": WorkStatus.WORKING_NORMALLY,
        "red_flags": red_flags,
        "equipment": frozenset(
            {
                Equipment.FLOOR_MAT,
                Equipment.STURDY_CHAIR,
                Equipment.TOWEL_OR_STRAP,
                Equipment.PILLOWS,
                Equipment.WALL,
                Equipment.ICE_PACK,
                Equipment.HEAT_PACK,
            }
        ),
    }
    fields.update(overrides)
    return Intake(**fields)


def with_answers(intake: Intake, **answers: Answer) -> Intake:
    return replace(intake, red_flags={**intake.red_flags, **answers})
