"""The shared vocabularies as plain text, for the apps that store, check or offer them.

Each is defined once by the clinical core: phase codes by ``PhaseCode`` and phase names by
``PHASES`` (``clinical.phases``), regions by ``Region`` (``clinical.intake``), categories,
directions and dosage fields by ``Category``, ``Direction`` and ``Dosage``
(``clinical.catalogue``). This module only spells them as the strings that model choices,
database constraints, the catalogue file's checks and admin filters compare with, in the
enums' order. (PLAN-EXPIRY is ``clinical.follow_up.PLAN_EXPIRY_DAYS``.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from types import MappingProxyType

from clinical.catalogue import Category, Direction, Dosage
from clinical.intake import Region
from clinical.phases import PHASES, PhaseCode

PHASE_CODES: tuple[str, ...] = tuple(code.value for code in PhaseCode)
PHASE_NAMES: Mapping[str, str] = MappingProxyType(
    {code.value: PHASES[code].name for code in PhaseCode}
)
PHASE_CHOICES: tuple[tuple[str, str], ...] = tuple(PHASE_NAMES.items())  # ("P1", "Settle"), ...
REGIONS: tuple[str, ...] = tuple(region.value for region in Region)
CATEGORIES: tuple[str, ...] = tuple(category.value for category in Category)
DIRECTIONS: tuple[str, ...] = tuple(direction.value for direction in Direction)

# Dosage fields as the catalogue file and ``Dosage`` name them (6.2).
DOSAGE_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(Dosage))
# Texts: for the physio only, and for the patient (an exercise stores both under these names).
DOSAGE_NOTES: tuple[str, ...] = ("physio_notes", "patient_notes")
DOSAGE_COUNTS: tuple[str, ...] = tuple(
    name for name in DOSAGE_FIELDS if name not in ("per_side", *DOSAGE_NOTES)
)  # whole numbers, or None when not applicable
DOSAGE_AMOUNTS: tuple[str, ...] = ("sets", "reps", "hold_s", "minutes")  # a dose needs one

# The same fields as exercises and prescriptions store them: the hold is spelled out, and the
# notes are kept apart (an exercise's ``physio_notes`` and ``patient_notes``; a prescription's
# ``notes`` are what the physio wrote for that patient).
_STORED_NAMES: Mapping[str, str] = MappingProxyType({"hold_s": "hold_seconds"})


def stored_dosage_name(name: str) -> str:
    """The stored name of a catalogue dosage field (``hold_s`` -> ``hold_seconds``)."""
    return _STORED_NAMES.get(name, name)


STORED_DOSAGE_FIELDS: tuple[str, ...] = tuple(
    stored_dosage_name(name) for name in DOSAGE_FIELDS if name not in DOSAGE_NOTES
)
STORED_DOSAGE_AMOUNTS: tuple[str, ...] = tuple(stored_dosage_name(name) for name in DOSAGE_AMOUNTS)
