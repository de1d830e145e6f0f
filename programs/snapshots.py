"""Frozen JSON pictures of a plan: published revisions, templates, and what changed between two.

A revision snapshot holds everything a patient, a PDF or an email shows (names, steps,
cautions, dosage in plain words), so a later catalogue or plan edit never changes it.
"""

from __future__ import annotations

import copy

from django.conf import settings
from django.db.models import Prefetch
from django.utils import translation

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
        "name": exercise.english("name"),
        "category": exercise.category,
        "position": exercise.position,
        "picture": exercise.picture,
        "drawing": exercise.drawing,
        "picture_file": exercise.picture_file,
        "steps": list(exercise.english("steps")),
        "cautions": exercise.english("cautions"),
        **{name: getattr(prescription, name) for name in DOSAGE_FIELDS},
        "dosage_text": dosage_text(prescription),
        "notes": prescription.notes,  # what the physio wrote for this patient
        "patient_notes": exercise.english("patient_notes"),  # the catalogue's tip for patients
        "reason": prescription.reason,
        "rule_ids": list(prescription.rule_ids),
        "change_reason": prescription.change_reason,
        # The catalogue's texts in other languages, frozen with the item (issue #17); a
        # clinic's own exercise has none and shows as written.
        "translations": copy.deepcopy(exercise.translations or {}),
    }


def plan_snapshot(plan: Plan) -> dict:
    """The frozen JSON, written in English (the source language) whoever publishes: each
    reader sees it in their own language (`PlanRevision.content`)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _plan_snapshot(plan)


def _plan_snapshot(plan: Plan) -> dict:
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
