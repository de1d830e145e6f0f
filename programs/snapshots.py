"""Frozen JSON pictures of a plan: published revisions, templates, and what changed between two.

A revision snapshot holds everything a patient, a PDF or an email shows (names, steps,
cautions, dosage in plain words), so a later catalogue or plan edit never changes it.
"""

from __future__ import annotations

from django.db.models import Prefetch

from exercises.dosage import DosageValues, describe_dosage
from exercises.models import Exercise
from programs.models import Plan, PlanPhase, Prescription

DOSAGE_FIELDS = Exercise.DOSAGE_FIELDS


def advice_dict(advice) -> dict:
    """A planner AdviceItem (dataclass) or an AdviceItem row, as plain JSON."""
    kind = getattr(advice, "kind", "")
    return {
        "key": advice.key,
        "kind": getattr(kind, "value", kind),
        "title": advice.title,
        "patient_text": advice.patient_text,
        "reason": advice.reason,
        "rule_ids": list(advice.rule_ids),
        "minutes": advice.minutes,
        "minutes_max": advice.minutes_max,
        "per_day": advice.per_day,
        "start_date": advice.start_date.isoformat() if advice.start_date else None,
        "end_date": advice.end_date.isoformat() if advice.end_date else None,
        "is_tickable": advice.is_tickable,
        "is_optional": advice.is_optional,
    }


def dosage_text(item) -> str:
    return describe_dosage(DosageValues(**{name: getattr(item, name) for name in DOSAGE_FIELDS}))


def load_plan_content(plan: Plan) -> list[PlanPhase]:
    """Phases with items (and their exercises) and advice, in a constant number of queries."""
    return list(
        plan.phases.order_by("code").prefetch_related(
            Prefetch(
                "prescriptions",
                queryset=Prescription.objects.select_related(
                    "exercise__progression", "exercise__regression"
                ).order_by("order", "id"),
            ),
            "advice",
        )
    )


def _item(prescription: Prescription) -> dict:
    exercise = prescription.exercise
    return {
        "id": prescription.pk,
        "exercise_key": exercise.key,
        "name": exercise.name,
        "category": exercise.category,
        "position": exercise.position,
        "picture": exercise.picture,
        "steps": list(exercise.steps),
        "cautions": exercise.cautions,
        **{name: getattr(prescription, name) for name in DOSAGE_FIELDS},
        "dosage_text": dosage_text(prescription),
        "notes": prescription.notes,
        "reason": prescription.reason,
        "rule_ids": list(prescription.rule_ids),
    }


def plan_snapshot(plan: Plan) -> dict:
    patient = plan.patient
    physio = plan.physiotherapist
    return {
        "plan_id": plan.pk,
        "patient": {"name": patient.full_name, "first_name": patient.first_name},
        "physiotherapist": physio.user.get_full_name(),
        "clinic": {
            "name": patient.clinic.name,
            "address": patient.clinic.address,
            "phone": patient.clinic.phone,
            "emergency_wording": patient.clinic.emergency_wording,
        },
        "start_date": plan.start_date.isoformat(),
        "current_phase": plan.current_phase,
        "plan_advice": plan.plan_advice,
        "phases": [
            {
                "code": phase.code,
                "name": phase.name,
                "goals": phase.goals_patient or phase.goals,
                "typical_duration": phase.typical_duration,
                "minimum_days": phase.minimum_days,
                "exit_criteria": [c["patient_text"] for c in phase.exit_criteria],
                "restrictions": [r["patient_text"] for r in phase.restrictions],
                "session_cap": phase.session_cap,
                "aerobic_target": phase.aerobic_target,
                "start_date": phase.start_date.isoformat() if phase.start_date else None,
                "end_date": phase.end_date.isoformat() if phase.end_date else None,
                "notes": phase.notes,
                "items": [_item(p) for p in phase.prescriptions.all()],
                "advice": [advice_dict(a) for a in phase.advice.all()],
            }
            for phase in load_plan_content(plan)
        ],
    }


def template_content(plan: Plan) -> dict:
    """Items per phase code, with dosage and notes: no patient data."""
    return {
        phase.code: [
            {
                "exercise_key": p.exercise.key,
                "notes": p.notes,
                **{name: getattr(p, name) for name in DOSAGE_FIELDS},
            }
            for p in phase.prescriptions.all()
        ]
        for phase in load_plan_content(plan)
    }


def template_keys(content: dict) -> set[str]:
    return {item["exercise_key"] for items in content.values() for item in items}


def compare_snapshots(old: dict | None, new: dict) -> dict:
    """What changed from one revision to the next: items added/removed, dosage, phase facts."""
    old_phases = {p["code"]: p for p in (old or {}).get("phases", [])}
    changes = []
    for phase in new["phases"]:
        before = old_phases.get(
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
