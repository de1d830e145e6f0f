"""Dosage in plain words for patients: "3 sets of 10, hold 5 seconds, twice a day".

Pure (no models, no queries): used by pages, the PDF and emails alike, so a patient reads the
same words everywhere. The words are in the active language (Django's gettext): a task that
writes to a patient renders inside ``translation.override(patient.language)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

_TIMES_A_DAY = {
    1: gettext_lazy("once a day"),
    2: gettext_lazy("twice a day"),
    3: gettext_lazy("three times a day"),
    4: gettext_lazy("four times a day"),
}


@dataclass(frozen=True)
class DosageValues:
    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    minutes: int | None = None
    per_day: int | None = None
    days_per_week: int | None = None
    per_side: bool = False


def _sets(sets: int) -> str:
    return ngettext("%(sets)s set", "%(sets)s sets", sets) % {"sets": sets}


def describe_dosage(dosage: DosageValues) -> str:
    parts: list[str] = []
    if dosage.sets and dosage.reps:
        parts.append(
            ngettext("%(sets)s set of %(reps)s", "%(sets)s sets of %(reps)s", dosage.sets)
            % {"sets": dosage.sets, "reps": dosage.reps}
        )
    elif dosage.reps:
        # "1 times" as before in English: a single repetition is not a real dosage.
        parts.append(
            ngettext("%(reps)s times", "%(reps)s times", dosage.reps) % {"reps": dosage.reps}
        )
    elif dosage.sets:
        parts.append(_sets(dosage.sets))
    if dosage.hold_seconds:
        parts.append(
            ngettext("hold %(seconds)s second", "hold %(seconds)s seconds", dosage.hold_seconds)
            % {"seconds": dosage.hold_seconds}
        )
    if dosage.minutes:
        parts.append(
            ngettext("%(minutes)s minute", "%(minutes)s minutes", dosage.minutes)
            % {"minutes": dosage.minutes}
        )
    if dosage.per_side:
        parts.append(_("each side"))
    if dosage.per_day:
        times = _TIMES_A_DAY.get(dosage.per_day)
        parts.append(
            str(times)
            if times is not None
            else _("%(count)s times a day") % {"count": dosage.per_day}
        )
    if dosage.days_per_week:
        parts.append(
            _("every day")
            if dosage.days_per_week == 7
            else ngettext("%(days)s days a week", "%(days)s days a week", dosage.days_per_week)
            % {"days": dosage.days_per_week}
        )
    text = ", ".join(parts)
    return text[:1].upper() + text[1:] if text else _("As your physio advises")


def dosage_in_words(values: Mapping[str, Any]) -> str:
    """``describe_dosage`` of a mapping holding the dosage fields (a snapshot item)."""
    return describe_dosage(
        DosageValues(**{f.name: values[f.name] for f in fields(DosageValues) if f.name in values})
    )
