"""The one reader of a published revision's content: the frozen JSON that
`programs.snapshots.plan_snapshot` writes. Nothing else indexes a snapshot's phases.

`PlanRevision` (programs/models.py) offers these as methods; the functions here also take a
bare snapshot, for the rules that only have the JSON. Plain Python: no models, no queries.
"""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Callable, Mapping
from typing import Any, NotRequired, TypedDict

from clinical.i18n import _


class SnapshotItem(TypedDict):
    id: int
    exercise_key: str
    name: str
    category: str
    position: str
    picture: str
    drawing: NotRequired[dict]  # the figure's frames (revisions since issue #16)
    picture_file: NotRequired[str]  # an uploaded picture's storage name (since issue #16)
    steps: list[str]
    cautions: str
    sets: int | None
    reps: int | None
    hold_seconds: int | None
    minutes: int | None
    per_day: int | None
    days_per_week: int | None
    per_side: bool
    dosage_text: str
    notes: str  # written by the physio for this patient
    patient_notes: NotRequired[str]  # the catalogue's tip (revisions since issue #14)
    reason: str
    rule_ids: list[str]
    change_reason: NotRequired[str]  # revisions published before reasons were stored lack it
    # The catalogue's texts in other languages, frozen at publish (issue #17):
    # {"es": {"name": ..., "steps": [...], "cautions": ..., "patient_notes": ...}}
    translations: NotRequired[dict[str, dict[str, Any]]]


class SnapshotAdvice(TypedDict):
    key: str
    kind: str
    title: str
    patient_text: str
    reason: str
    rule_ids: list[str]
    minutes: int | None
    minutes_max: int | None
    per_day: int | None
    start_date: str | None
    end_date: str | None
    is_tickable: bool
    is_optional: bool


class SnapshotPhase(TypedDict):
    code: str
    name: str
    goals: str
    typical_duration: str
    minimum_days: int | None
    exit_criteria: list[str]
    restrictions: list[str]
    session_cap: Any
    aerobic_target: Any
    start_date: str | None
    end_date: str | None
    notes: str
    items: list[SnapshotItem]
    advice: list[SnapshotAdvice]


class Snapshot(TypedDict):
    plan_id: int
    patient: dict[str, str]
    physiotherapist: str
    clinic: dict[str, str]
    start_date: str
    current_phase: str
    plan_advice: NotRequired[list[SnapshotAdvice]]
    phases: list[SnapshotPhase]


# What a snapshot says in English that the clinical core or the catalogue wrote, by where it
# sits; what the physio wrote (notes, their own goals) is shown as written.
_ITEM_CATALOGUE_TEXTS = ("name", "steps", "cautions", "patient_notes")
_PHASE_TEXTS = ("name", "goals", "typical_duration", "session_cap", "aerobic_target")
_PHASE_TEXT_LISTS = ("exit_criteria", "restrictions")
_ADVICE_TEXTS = ("title", "patient_text", "reason")


def localised(
    snapshot: Mapping[str, Any],
    *,
    language: str,
    text: Callable[[str], str],
    dosage: Callable[[Mapping[str, Any]], str],
) -> Snapshot:
    """A copy of ``snapshot`` in ``language``: each item's catalogue texts from the
    translations frozen with it (as published when it has none in that language), its dosage
    in words again (``dosage(item)``), and every text the clinical core wrote through
    ``text`` (``core.i18n.localise`` in the active language). The stored JSON never changes."""
    shown: Any = copy.deepcopy(dict(snapshot))
    for advice in shown.get("plan_advice", []):
        _localise_advice(advice, text)
    for found in shown.get("phases", []):
        for key in _PHASE_TEXTS:
            if isinstance(found.get(key), str):
                found[key] = text(found[key])
        for key in _PHASE_TEXT_LISTS:
            found[key] = [text(value) for value in found.get(key, [])]
        for advice in found.get("advice", []):
            _localise_advice(advice, text)
        for item in found.get("items", []):
            own = item.get("translations", {}).get(language, {})
            for key in _ITEM_CATALOGUE_TEXTS:
                if own.get(key):
                    item[key] = own[key]
            item["dosage_text"] = dosage(item)
            item["reason"] = text(item.get("reason", ""))
    return shown


def _localise_advice(advice: dict[str, Any], text: Callable[[str], str]) -> None:
    for key in _ADVICE_TEXTS:
        if isinstance(advice.get(key), str):
            advice[key] = text(advice[key])


def phases(snapshot: Mapping[str, Any] | None) -> list[SnapshotPhase]:
    """The phases in order (none for no snapshot)."""
    return list((snapshot or {}).get("phases", []))


def phase(snapshot: Mapping[str, Any] | None, code: str) -> SnapshotPhase | None:
    return next((p for p in phases(snapshot) if p["code"] == code), None)


def phase_names(snapshot: Mapping[str, Any] | None) -> dict[str, str]:
    return {p["code"]: p["name"] for p in phases(snapshot)}


def exercise_keys(snapshot: Mapping[str, Any] | None) -> list[str]:
    """Every exercise in the revision, sorted."""
    return sorted({item["exercise_key"] for p in phases(snapshot) for item in p["items"]})


def has_items(snapshot: Mapping[str, Any] | None) -> bool:
    return any(p["items"] for p in phases(snapshot))


DAILY = 7  # an item without `days_per_week` is done every day


def sessions_per_week(snapshot: Mapping[str, Any] | None, code: str) -> int:
    """Exercise sessions a week prescribed in one phase of a published revision.

    A session is a day on which the patient does their exercises, so the phase asks for as
    many session days as its most frequent item: the largest `days_per_week` among its
    items, an item without `days_per_week` counting as daily (7), which is how the dosage
    text reads it ("2 times a day" with no weekly figure is every day). Items done less
    often (strength days 2-3 a week) fall on days the daily items already make sessions.
    A phase without items prescribes none (0).
    """
    found = phase(snapshot, code)
    if found is None or not found["items"]:
        return 0
    return max(item.get("days_per_week") or DAILY for item in found["items"])


def sessions_per_week_by_phase(snapshot: Mapping[str, Any] | None) -> dict[str, int]:
    """`sessions_per_week` of every phase: what `PlanRevision.sessions_per_week` stores, so the
    dashboard reads a few numbers instead of decoding every patient's snapshot."""
    return {found["code"]: sessions_per_week(snapshot, found["code"]) for found in phases(snapshot)}


def is_same(published: Mapping[str, Any], snapshot: Mapping[str, Any]) -> bool:
    """Whether a fresh snapshot shows exactly what a published one shows (compared as the JSON
    it would be stored as, so a tuple and a list with the same values are the same)."""
    return json.loads(json.dumps(snapshot)) == json.loads(json.dumps(published))


def advice_is_current(advice: Mapping[str, Any], on: datetime.date) -> bool:
    """Advice with dates (cold in its first 48 hours, for example) applies only between them."""
    start, end = advice.get("start_date"), advice.get("end_date")
    return (start is None or datetime.date.fromisoformat(start) <= on) and (
        end is None or on <= datetime.date.fromisoformat(end)
    )


def current_advice(followed: SnapshotPhase | None, on: datetime.date) -> list[SnapshotAdvice]:
    if followed is None:
        return []
    return [advice for advice in followed["advice"] if advice_is_current(advice, on)]


def tickable_keys(followed: SnapshotPhase | None, on: datetime.date) -> list[str]:
    """What a patient can tick on `on`: the followed phase's exercises and its advice that is
    tickable and current."""
    if followed is None:
        return []
    keys = [item["exercise_key"] for item in followed["items"]]
    keys += [
        advice["key"]
        for advice in followed["advice"]
        if advice["is_tickable"] and advice_is_current(advice, on)
    ]
    return keys


def _day_in_words(value: str | None) -> str:
    day = datetime.date.fromisoformat(value) if value else None
    return f"{day.day} {day:%B %Y}" if day else ""


def phase_facts_in_words(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    fields: list[str],
    day_in_words: Callable[[str | None], str] = _day_in_words,
) -> list[str]:
    """The phase facts that `compare` names (start_date, end_date, notes), as a physio reads
    them; a phase new in this revision (`before` None) has its facts set, not changed. English
    catalogue messages (the page shows them with ``localise``); ``day_in_words`` writes a date
    (the page passes one in the active language)."""
    words = []
    for field in fields:
        value = after.get(field)
        if field == "notes":
            if before is None:
                words.append(_("with your notes for the patient"))
            elif value:
                words.append(_("your notes for the patient changed"))
            else:
                words.append(_("your notes for the patient removed"))
            continue
        is_start = field == "start_date"
        if before is None:
            message = _("starts on %(date)s") if is_start else _("ends on %(date)s")
            words.append(message % {"date": day_in_words(value)})
        elif value and before.get(field):
            message = (
                _("start date now %(date)s (was %(old)s)")
                if is_start
                else _("end date now %(date)s (was %(old)s)")
            )
            words.append(
                message % {"date": day_in_words(value), "old": day_in_words(before.get(field))}
            )
        elif value:
            message = _("start date now %(date)s") if is_start else _("end date now %(date)s")
            words.append(message % {"date": day_in_words(value)})
        else:
            words.append(_("start date removed") if is_start else _("end date removed"))
    return words


def compare(old: Snapshot | None, new: Snapshot) -> dict:
    """What changed from one revision to the next: items added/removed, dosage, phase facts."""
    old_phases = {p["code"]: p for p in phases(old)}
    changes = []
    for phase in phases(new):
        before: Mapping[str, Any] = old_phases.get(
            phase["code"], {"items": [], "notes": "", "start_date": None, "end_date": None}
        )
        old_items = {i["exercise_key"]: i for i in before["items"]}
        new_items = {i["exercise_key"]: i for i in phase["items"]}
        added = [new_items[k]["name"] for k in new_items if k not in old_items]
        removed = [old_items[k]["name"] for k in old_items if k not in new_items]
        dosage = [
            {
                "name": new_items[k]["name"],
                "before": old_items[k]["dosage_text"],
                "after": new_items[k]["dosage_text"],
                "reason": new_items[k].get("change_reason", ""),
            }
            for k in new_items
            if k in old_items and old_items[k]["dosage_text"] != new_items[k]["dosage_text"]
        ]
        notes = [
            new_items[k]["name"]
            for k in new_items
            if k in old_items and old_items[k]["notes"] != new_items[k]["notes"]
        ]
        phase_facts = [
            field
            for field in ("start_date", "end_date", "notes")
            if before.get(field) != phase.get(field)
        ]
        if added or removed or dosage or notes or phase_facts:
            changes.append(
                {
                    "code": phase["code"],
                    "name": phase["name"],
                    "added": added,
                    "removed": removed,
                    "dosage": dosage,
                    "notes_changed": notes,
                    "phase_changed": phase_facts,
                }
            )
    current = None
    if old and old.get("current_phase") != new.get("current_phase"):
        current = {"before": old.get("current_phase"), "after": new.get("current_phase")}
    return {"phases": changes, "current_phase": current, "is_first": old is None}
