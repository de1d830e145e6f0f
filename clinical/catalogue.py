"""Catalogue items as the planner sees them (clinical-model.md 6.2).

The Django service builds ``CatalogueItem`` objects from the database; tests and the benchmark
build them from the YAML draft with ``catalogue_item_from_mapping``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from clinical.intake import Equipment, Region
from clinical.phases import PhaseCode


class Category(StrEnum):
    SELF_CARE = "self_care"
    FLEXIBILITY = "flexibility"
    CORE = "core"
    POSTURE = "posture"
    AEROBIC = "aerobic"


class Direction(StrEnum):
    FLEXION = "flexion"
    EXTENSION = "extension"
    ROTATION = "rotation"
    SIDE_BEND = "side_bend"
    MIXED = "mixed"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class Dosage:
    """Default dosage; ``None`` means not applicable (6.2)."""

    sets: int | None = None
    reps: int | None = None
    hold_s: int | None = None
    minutes: int | None = None
    per_day: int | None = None
    days_per_week: int | None = None
    per_side: bool = False
    # For the physio only (how to choose or change the dose); never shown to patients.
    physio_notes: str = ""
    # A tip the patient reads beside the exercise.
    patient_notes: str = ""


@dataclass(frozen=True)
class CatalogueItem:
    key: str
    name: str
    category: Category
    regions: frozenset[Region]
    target_muscles: tuple[str, ...]
    position: str
    direction: Direction
    equipment: tuple[str, ...]
    difficulty: int
    phases: frozenset[PhaseCode]
    dosage: Dosage
    progression: str | None = None
    regression: str | None = None
    physio_select_only: bool = False
    exclude_if: frozenset[str] = frozenset()
    cautions: str = ""
    steps: tuple[str, ...] = ()


COLD_KEY = "SC01"
HEAT_KEY = "SC02"
MODALITY_KEYS = frozenset({COLD_KEY, HEAT_KEY})


def catalogue_item_from_mapping(entry: Mapping[str, Any]) -> CatalogueItem:
    """Build an item from one catalogue entry in the YAML schema (``id`` is the key)."""
    dosage = dict(entry.get("dosage") or {})
    return CatalogueItem(
        key=entry["id"],
        name=entry["name"],
        category=Category(entry["category"]),
        regions=frozenset(Region(region) for region in entry["regions"]),
        target_muscles=tuple(entry.get("target_muscles") or ()),
        position=entry["position"],
        direction=Direction(entry["direction"]),
        equipment=tuple(entry.get("equipment") or ()),
        difficulty=int(entry["difficulty"]),
        phases=frozenset(PhaseCode(phase) for phase in entry["phases"]),
        dosage=Dosage(
            sets=dosage.get("sets"),
            reps=dosage.get("reps"),
            hold_s=dosage.get("hold_s"),
            minutes=dosage.get("minutes"),
            per_day=dosage.get("per_day"),
            days_per_week=dosage.get("days_per_week"),
            per_side=bool(dosage.get("per_side")),
            physio_notes=dosage.get("physio_notes") or "",
            patient_notes=dosage.get("patient_notes") or "",
        ),
        progression=entry.get("progression"),
        regression=entry.get("regression"),
        physio_select_only=bool(entry.get("physio_select_only")),
        exclude_if=frozenset(entry.get("exclude_if") or ()),
        cautions=entry.get("cautions") or "",
        steps=tuple(entry.get("steps") or ()),
    )


def index_catalogue(items: Iterable[CatalogueItem]) -> dict[str, CatalogueItem]:
    return {item.key: item for item in items}


# Catalogue equipment is free text; these patterns map it to the intake's equipment choices.
# Only the three below are "hard": without them the item cannot be done at all, so it is hidden.
# The others (mat, chair, towel, pillows, wall, packs) have household stand-ins; the physio is
# told they were not recorded instead.
_EQUIPMENT_PATTERNS: tuple[tuple[re.Pattern[str], Equipment], ...] = tuple(
    (re.compile(pattern), equipment)
    for pattern, equipment in (
        (r"\bband\b", Equipment.RESISTANCE_BAND),
        (r"\bpool\b", Equipment.POOL_ACCESS),
        (r"\bbike\b", Equipment.STATIONARY_BIKE),
        (r"\bmat\b", Equipment.FLOOR_MAT),
        (r"\bice pack\b|\bfrozen peas\b", Equipment.ICE_PACK),
        (r"\bheat(ing)? (pad|pack|wrap)\b|\bhot-water bottle\b", Equipment.HEAT_PACK),
        (r"\bstrap\b", Equipment.TOWEL_OR_STRAP),
        (r"\bpillows?\b", Equipment.PILLOWS),
        (r"\bsturdy chair\b", Equipment.STURDY_CHAIR),
        (r"\bwall\b", Equipment.WALL),
    )
)
HARD_EQUIPMENT = frozenset(
    {Equipment.RESISTANCE_BAND, Equipment.POOL_ACCESS, Equipment.STATIONARY_BIKE}
)


def equipment_needed(item: CatalogueItem) -> tuple[Equipment, ...]:
    """Intake equipment the item relies on; "(optional)" entries are never required."""
    return _equipment_for(item.equipment)


@cache
def _equipment_for(texts: tuple[str, ...]) -> tuple[Equipment, ...]:
    needed: list[Equipment] = []
    for text in texts:
        lowered = text.lower()
        if "optional" in lowered:
            continue
        for pattern, equipment in _EQUIPMENT_PATTERNS:
            if pattern.search(lowered) and equipment not in needed:
                needed.append(equipment)
                break
    return tuple(needed)
