"""Dosage in plain words for patients: "3 sets of 10, hold 5 seconds, twice a day".

Pure: used by pages, the PDF and emails alike, so a patient reads the same words everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

_TIMES = {1: "once", 2: "twice", 3: "three times", 4: "four times"}


@dataclass(frozen=True)
class DosageValues:
    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    minutes: int | None = None
    per_day: int | None = None
    days_per_week: int | None = None
    per_side: bool = False


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def describe_dosage(dosage: DosageValues) -> str:
    parts: list[str] = []
    if dosage.sets and dosage.reps:
        parts.append(f"{_plural(dosage.sets, 'set')} of {dosage.reps}")
    elif dosage.reps:
        parts.append(f"{dosage.reps} times")
    elif dosage.sets:
        parts.append(_plural(dosage.sets, "set"))
    if dosage.hold_seconds:
        parts.append(f"hold {_plural(dosage.hold_seconds, 'second')}")
    if dosage.minutes:
        parts.append(_plural(dosage.minutes, "minute"))
    if dosage.per_side:
        parts.append("each side")
    if dosage.per_day:
        parts.append(f"{_TIMES.get(dosage.per_day, f'{dosage.per_day} times')} a day")
    if dosage.days_per_week:
        parts.append(
            "every day" if dosage.days_per_week == 7 else f"{dosage.days_per_week} days a week"
        )
    text = ", ".join(parts)
    return text[:1].upper() + text[1:] if text else "As your physio advises"


def dosage_in_words(values: Mapping[str, Any]) -> str:
    """``describe_dosage`` of a mapping holding the dosage fields (a snapshot item)."""
    return describe_dosage(
        DosageValues(**{f.name: values[f.name] for f in fields(DosageValues) if f.name in values})
    )
