"""The programs REST API: intake and screening, plan generation and refusal, editing,
publishing revisions, templates, the patient's own plan, access and query budgets."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from clinical.intake import required_red_flag_questions
from exercises.models import Exercise
from programs import services
from programs.intake_form import AssessmentInputSerializer
from programs.models import (
    AdviceItem,
    Assessment,
    Plan,
    PlanPhase,
    PlanRevision,
    PlanTemplate,
    Prescription,
)
from tests.clock import suite_today
from tests.factories import PatientFactory

TODAY = suite_today()


def day(offset: int) -> str:
    """The ISO date `offset` days from the suite's today."""
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


PLANS = "/api/v1/plans/"
# Publishing confirms the plan's open warnings as checked (issue #14 item 5); without it, 409.
CONFIRMED = {"confirm_warnings": True}
ALL_REGIONS = ["lumbar", "cervical", "thoracic"]


def intake_payload(*, red_flags: dict | None = None, **changes) -> dict:
    """A complete, clear lumbar intake; every required red-flag question answered "no"."""
    data = {
        "assessment_date": day(-1),
        "pregnancy_status": "not_pregnant",
        "regions": ["lumbar"],
        "primary_region": "lumbar",
        "onset_date": day(-2),
        "onset_type": "sudden_injury",
        "triggers": ["heavy_lift"],
        "previous_episodes": "none",
        "pain_now": 6,
        "pain_worst_24h": 7,
        "irritability": "moderate",
        "aggravating": ["bending_forward"],
        "radiating_pain": "none",
        "paraesthesia": "none",
        "weakness": "none",
        "function_walk_10min": True,
        "work_status": "working_normally",
        "time_per_day": 20,
        "equipment": ["floor_mat", "pillows", "ice_pack", "heat_pack"],
        **changes,
    }
    answers = {key: "no" for key in required_red_flag_questions(data["regions"])}
    data["red_flags"] = {**answers, **(red_flags or {})}
    return data


def assessments_url(patient) -> str:
    return f"/api/v1/patients/{patient.pk}/assessments/"


def plan_url(plan_id, rest: str = "") -> str:
    return f"{PLANS}{plan_id}/{rest}"


def plan_rows() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Plan, PlanPhase, Prescription, AdviceItem)}


def record(patient, physio, *, red_flags=None, **changes) -> Assessment:
    """Arrange: an assessment recorded through the same serializer and service as the API."""
    serializer = AssessmentInputSerializer(
        data=intake_payload(red_flags=red_flags, **changes),
        context={"date_of_birth": patient.date_of_birth, "today": TODAY},
    )
    serializer.is_valid(raise_exception=True)
    return services.record_assessment(
        patient=patient, by=physio.user, answers=serializer.validated_data, today=TODAY
    )


def make_plan(patient, physio, **changes) -> Plan:
    return services.generate_plan(assessment=record(patient, physio, **changes), by=physio.user)


def items_of(body: dict, code: str) -> list[dict]:
    return next(phase["items"] for phase in body["phases"] if phase["code"] == code)


def everything() -> dict[str, list]:
    """Every row a programs endpoint could write, to show that a refused call wrote nothing."""
    models = (
        Assessment,
        Plan,
        PlanPhase,
        Prescription,
        AdviceItem,
        PlanRevision,
        PlanTemplate,
        AuditEvent,
    )
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


# --- the whole journey --------------------------------------------------------------------


@pytest.mark.django_db
def test_intake_to_two_published_revisions_and_what_changed(api, physio_a, patient_a1, catalogue):
    api.as_user(physio_a.user)

    # Intake: clear.
    recorded = api.post(assessments_url(patient_a1), intake_payload(), format="json")
    assert recorded.status_code == 201
    assert recorded.json()["screening"]["outcome"] == "clear"
    assert recorded.json()["screening"]["fired_rules"] == []

    # Proposal: four phases, every item with its reason and rule ids.
    proposed = api.post(PLANS, {"assessment": recorded.json()["id"]}, format="json")
    assert proposed.status_code == 201
    plan = proposed.json()
    assert plan["status"] == "draft"
    assert plan["latest_revision"] is None
    assert [phase["code"] for phase in plan["phases"]] == ["P1", "P2", "P3", "P4"]
    items = [item for phase in plan["phases"] for item in phase["items"]]
    assert items and len(items) == Prescription.objects.filter(phase__plan_id=plan["id"]).count()
    assert all(item["reason"].strip() and item["rule_ids"] for item in items)
    assert all(item["dosage_text"] for item in items)
    settle = items_of(plan, "P1")

    # Dosage of one item.
    dosed = settle[-1]
    patched = api.patch(
        plan_url(plan["id"], f"items/{dosed['id']}/"),
        {"sets": 2, "reps": 5, "change_reason": "easing_off"},
        format="json",
    )
    assert patched.status_code == 200
    assert (patched.json()["sets"], patched.json()["reps"]) == (2, 5)
    assert Prescription.objects.values_list("sets", "reps").get(pk=dosed["id"]) == (2, 5)

    # Swap one item to its harder version.
    swappable = next(item for item in settle if item["exercise"]["progression"])
    swapped = api.post(
        plan_url(plan["id"], f"items/{swappable['id']}/swap/"), {"to": "progression"}, format="json"
    )
    assert swapped.status_code == 200
    assert swapped.json()["exercise"]["key"] == swappable["exercise"]["progression"]
    assert swapped.json()["reason"] == (
        f"Swapped by the physiotherapist to the harder version of {swappable['exercise']['name']}."
    )

    # Add one from the catalogue.
    in_settle = {item["exercise"]["key"] for item in settle} | {swapped.json()["exercise"]["key"]}
    extra = next(
        e
        for e in catalogue.order_by("key")
        if "P1" in e.phases and "lumbar" in e.regions and e.key not in in_settle
    )
    added = api.post(
        plan_url(plan["id"], "items/"), {"phase": "P1", "exercise": extra.key}, format="json"
    )
    assert added.status_code == 201
    assert added.json()["exercise"]["key"] == extra.key
    assert added.json()["added_by_physio"] is True
    assert added.json()["reason"] == "Added by the physiotherapist."

    # Publish: revision 1.
    first = api.post(plan_url(plan["id"], "publish/"), CONFIRMED)
    assert first.status_code == 201
    assert first.json()["number"] == 1
    snapshot_1 = first.json()["snapshot"]
    first_changes = api.get(plan_url(plan["id"], "revisions/1/changes/")).json()
    assert first_changes == {
        "number": 1,
        "previous": None,
        "is_first": True,
        "current_phase": None,
        "phases": [
            {
                "code": phase["code"],
                "name": phase["name"],
                "added": [item["name"] for item in phase["items"]],
                "removed": [],
                "dosage": [],
                "notes_changed": [],
                "phase_changed": ["start_date"] if phase["code"] == "P1" else [],
            }
            for phase in snapshot_1["phases"]
        ],
    }
    assert api.get(plan_url(plan["id"])).json()["status"] == "active"

    # Edit again: dosage in Settle, one item out of Restore, Restore notes, notes on a Strengthen
    # item, then publish revision 2.
    restore_item = items_of(plan, "P2")[0]
    strengthen_item = items_of(plan, "P3")[0]
    redosed = api.patch(
        plan_url(plan["id"], f"items/{added.json()['id']}/"),
        {"sets": 3, "reps": 12, "change_reason": "progressing", "change_note": "Easy now."},
        format="json",
    )
    removed = api.delete(plan_url(plan["id"], f"items/{restore_item['id']}/"))
    phase_notes = api.patch(
        plan_url(plan["id"], "phases/P2/"), {"notes": "Keep every movement gentle."}, format="json"
    )
    item_notes = api.patch(
        plan_url(plan["id"], f"items/{strengthen_item['id']}/"),
        {"notes": "Slowly, breathe out on the way up."},
        format="json",
    )
    assert [r.status_code for r in (redosed, removed, phase_notes, item_notes)] == [
        200,
        204,
        200,
        200,
    ]
    second = api.post(plan_url(plan["id"], "publish/"), CONFIRMED)
    assert second.status_code == 201
    assert second.json()["number"] == 2

    changes = api.get(plan_url(plan["id"], "revisions/2/changes/"))

    assert changes.status_code == 200
    assert changes.json() == {
        "number": 2,
        "previous": 1,
        "is_first": False,
        "current_phase": None,
        "phases": [
            {
                "code": "P1",
                "name": "Settle",
                "added": [],
                "removed": [],
                "dosage": [
                    {
                        "name": extra.name,
                        "before": added.json()["dosage_text"],
                        "after": redosed.json()["dosage_text"],
                        "reason": "Progressing: the exercise is easy now (4.4): Easy now.",
                    }
                ],
                "notes_changed": [],
                "phase_changed": [],
            },
            {
                "code": "P2",
                "name": "Restore",
                "added": [],
                "removed": [restore_item["exercise"]["name"]],
                "dosage": [],
                "notes_changed": [],
                "phase_changed": ["notes"],
            },
            {
                "code": "P3",
                "name": "Strengthen",
                "added": [],
                "removed": [],
                "dosage": [],
                "notes_changed": [strengthen_item["exercise"]["name"]],
                "phase_changed": [],
            },
        ],
    }
    assert redosed.json()["dosage_text"].startswith("3 sets of 12")
    listed = api.get(plan_url(plan["id"], "revisions/")).json()
    assert [row["number"] for row in listed["results"]] == [2, 1]
    assert api.get(plan_url(plan["id"], "revisions/1/")).json()["snapshot"] == snapshot_1


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["planner-item-without-warnings", "swapped", "added"])
def test_dosage_of_any_item_can_be_changed(api, physio_a, draft, how):
    api.as_user(physio_a.user)
    if how == "planner-item-without-warnings":
        item = next(
            p
            for p in Prescription.objects.filter(phase__plan=draft).order_by("pk")
            if not p.warnings
        )
    elif how == "swapped":
        item = Prescription.objects.filter(phase__plan=draft, exercise__key="F01").get()
        api.post(plan_url(draft.pk, f"items/{item.pk}/swap/"), {"to": "progression"})
    elif how == "added":
        added = api.post(plan_url(draft.pk, "items/"), {"phase": "P2", "exercise": "F05"})
        item = Prescription.objects.get(pk=added.json()["id"])

    response = api.patch(
        plan_url(draft.pk, f"items/{item.pk}/"),
        {"sets": 4, "change_reason": "progressing"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert Prescription.objects.get(pk=item.pk).sets == 4


@pytest.mark.django_db
def test_swap_add_remove_and_phase_notes_show_in_what_changed(api, physio_a, draft):
    api.as_user(physio_a.user)
    settle = list(Prescription.objects.filter(phase__plan=draft, phase__code="P1"))
    swappable = next(p for p in settle if p.exercise.progression_id)
    harder = swappable.exercise.progression
    restore_first = first_item(draft, "P2")

    swapped = api.post(
        plan_url(draft.pk, f"items/{swappable.pk}/swap/"), {"to": "progression"}, format="json"
    )
    added = api.post(plan_url(draft.pk, "items/"), {"phase": "P2", "exercise": "F05"})
    first = api.post(plan_url(draft.pk, "publish/"), CONFIRMED)
    removed = api.delete(plan_url(draft.pk, f"items/{restore_first.pk}/"))
    noted = api.patch(plan_url(draft.pk, "phases/P3/"), {"notes": "Two sessions a week."})
    second = api.post(plan_url(draft.pk, "publish/"), CONFIRMED)
    first_changes = api.get(plan_url(draft.pk, "revisions/1/changes/")).json()
    changes = api.get(plan_url(draft.pk, "revisions/2/changes/"))

    assert [r.status_code for r in (swapped, added, first, removed, noted, second)] == [
        200,
        201,
        201,
        204,
        200,
        201,
    ]
    assert (first.json()["number"], second.json()["number"]) == (1, 2)
    assert swapped.json()["exercise"]["key"] == harder.key
    assert swapped.json()["rule_ids"] == ["PHYSIO-CHANGE", "DOSE-DEFAULT"]
    assert added.json()["reason"] == "Added by the physiotherapist."
    settle_1 = first.json()["snapshot"]["phases"][0]
    assert harder.name in first_changes["phases"][0]["added"]
    assert first_changes["phases"][0]["added"] == [item["name"] for item in settle_1["items"]]
    assert changes.status_code == 200
    assert changes.json() == {
        "number": 2,
        "previous": 1,
        "is_first": False,
        "current_phase": None,
        "phases": [
            {
                "code": "P2",
                "name": "Restore",
                "added": [],
                "removed": [restore_first.exercise.name],
                "dosage": [],
                "notes_changed": [],
                "phase_changed": [],
            },
            {
                "code": "P3",
                "name": "Strengthen",
                "added": [],
                "removed": [],
                "dosage": [],
                "notes_changed": [],
                "phase_changed": ["notes"],
            },
        ],
    }


# --- phase size (clinical-model 4.2) -------------------------------------------------------


@pytest.mark.django_db
def test_proposed_phases_keep_to_their_size_and_list_what_was_left_out(
    api, physio_a, patient_a1, catalogue
):
    api.as_user(physio_a.user)
    recorded = api.post(
        assessments_url(patient_a1),
        intake_payload(sitting_hours="over_8", occupation_load="desk"),
        format="json",
    )

    proposed = api.post(PLANS, {"assessment": recorded.json()["id"]}, format="json")

    assert proposed.status_code == 201
    body = api.get(plan_url(proposed.json()["id"])).json()
    sizes = {phase["code"]: len(phase["items"]) for phase in body["phases"]}
    assert sizes == {"P1": 6, "P2": 8, "P3": 9, "P4": 9}
    left_out = [(x["exercise_key"], x["phases"], x["rule_ids"]) for x in body["excluded"]]
    assert left_out[:7] == [
        ("PO10", ["P1"], ["COMP-COUNT"]),
        ("PO06", ["P1"], ["COMP-COUNT"]),
        ("PO07", ["P1"], ["COMP-COUNT"]),
        ("PO08", ["P1"], ["COMP-COUNT"]),
        ("PO07", ["P2"], ["COMP-COUNT"]),
        ("PO06", ["P2"], ["COMP-COUNT"]),
        ("PO08", ["P2"], ["COMP-COUNT"]),
    ]
    assert body["excluded"][3] == {
        "exercise_key": "PO08",
        "phases": ["P1"],
        "reason": "Trimmed: Settle holds at most 6 items (4.2: 3-6; a longer list is followed "
        "less) and the 6 kept rank higher. Proposed for: Desk work (5.4).",
        "rule_ids": ["COMP-COUNT"],
        "flags": [],
    }
    kept = {item["exercise"]["key"] for item in items_of(body, "P1")}
    assert not kept & {"PO10", "PO06", "PO07", "PO08"}


# --- screening and refusal ----------------------------------------------------------------

# Every urgent and emergency rule the intake can trigger, with the rule ids the refusal names.
RED_FLAG_CASES = {
    "ces-saddle": ({"red_flags": {"ces_saddle_numbness": "yes"}}, ["RF-EMERG-CES"]),
    "ces-unsure-counts-as-yes": ({"red_flags": {"ces_incontinence": "unsure"}}, ["RF-EMERG-CES"]),
    "ces-both-legs": (
        {"radiating_pain": "both_legs", "neuro_exam_done": True},
        ["RF-EMERG-CES"],
    ),
    "ces-saddle-tingling": (
        {"paraesthesia": "saddle_area", "neuro_exam_done": True},
        ["RF-EMERG-CES"],
    ),
    "cord-signs": (
        {
            "regions": ["cervical"],
            "primary_region": "cervical",
            "red_flags": {"cord_signs": "yes"},
        },
        ["RF-EMERG-CORD"],
    ),
    "cord-both-arms": (
        {
            "regions": ["cervical"],
            "primary_region": "cervical",
            "radiating_pain": "both_arms",
            "neuro_exam_done": True,
        },
        ["RF-EMERG-CORD"],
    ),
    "vascular": (
        {
            "regions": ["cervical"],
            "primary_region": "cervical",
            "red_flags": {"vascular_symptoms": "yes"},
        },
        ["RF-EMERG-VASC"],
    ),
    "cardiac": ({"red_flags": {"visceral_cardiac": "yes"}}, ["RF-EMERG-CARDIO"]),
    "aortic": ({"red_flags": {"visceral_aortic": "yes"}}, ["RF-EMERG-CARDIO"]),
    "infection": ({"red_flags": {"infection_unwell": "yes"}}, ["RF-URG-INFECTION"]),
    "infection-risk": ({"red_flags": {"infection_risk": "yes"}}, ["RF-URG-INFECTION"]),
    "cancer": ({"red_flags": {"cancer_history": "yes"}}, ["RF-URG-CANCER"]),
    "weight-loss": ({"red_flags": {"cancer_weight_loss": "yes"}}, ["RF-URG-CANCER"]),
    "fracture": ({"red_flags": {"fracture_major_trauma": "yes"}}, ["RF-URG-FRACTURE"]),
    "fragile-bones-and-lift": (
        {"hx_osteoporosis": "yes", "triggers": ["heavy_lift"]},
        ["RF-URG-FRACTURE"],
    ),
    "neuro-weakness": (
        {"weakness": "new_or_worsening", "neuro_exam_done": True},
        ["RF-URG-NEURO"],
    ),
    "neuro-spreading": (
        {"red_flags": {"neuro_spreading_or_weakening": "yes"}},
        ["RF-URG-NEURO"],
    ),
    "visceral": ({"red_flags": {"visceral_urinary_or_abdominal": "yes"}}, ["RF-URG-VISCERAL"]),
    "unchanged-by-movement": (
        {"red_flags": {"visceral_unchanged_by_movement": "yes"}},
        ["RF-URG-VISCERAL"],
    ),
    "severe-night-pain": (
        {"pain_worst_24h": 9, "red_flags": {"cancer_constant_or_night_pain": "yes"}},
        ["RF-URG-CANCER", "ESC-SEVERE"],
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "rule_ids"), list(RED_FLAG_CASES.values()), ids=list(RED_FLAG_CASES)
)
def test_red_flags_refuse_a_plan_with_422_and_write_no_plan(
    api, physio_a, patient_a1, catalogue, changes, rule_ids
):
    api.as_user(physio_a.user)
    recorded = api.post(assessments_url(patient_a1), intake_payload(**changes), format="json")
    assert recorded.status_code == 201
    audit_before = AuditEvent.objects.count()

    response = api.post(PLANS, {"assessment": recorded.json()["id"]}, format="json")

    assert response.status_code == 422
    body = response.json()
    assert set(body) == {
        "code",
        "detail",
        "fields",
        "rule_ids",
        "patient_message",
        "physio_message",
    }
    assert body["code"] == "red_flags"
    assert body["fields"] == {}
    assert body["rule_ids"] == rule_ids
    assert body["patient_message"]
    assert all(rule_id in body["physio_message"] for rule_id in rule_ids)
    assert recorded.json()["screening"]["outcome"] in ("urgent", "emergency")
    assert plan_rows() == {"Plan": 0, "PlanPhase": 0, "Prescription": 0, "AdviceItem": 0}
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_emergency_screening_reads_back_with_rule_answers_and_messages(api, physio_a, patient_a1):
    assessment = record(patient_a1, physio_a, red_flags={"ces_saddle_numbness": "yes"})

    response = api.as_user(physio_a.user).get(f"/api/v1/assessments/{assessment.pk}/screening/")

    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "emergency"
    assert body["rule_ids"] == ["RF-EMERG-CES"]
    (rule,) = body["fired_rules"]
    assert rule["rule_id"] == "RF-EMERG-CES"
    assert rule["severity"] == "emergency"
    assert rule["blocks_plan"] is True
    assert rule["answers"] == [{"field": "ces_saddle_numbness", "value": "yes"}]
    assert rule["patient_message"] == "Go to an emergency department now."
    assert body["patient_message"] == "Go to an emergency department now."
    assert body["physio_message"].startswith("RF-EMERG-CES: ")
    assert body["confirmations"] == []
    assert body["is_amber_confirmed"] is False


@pytest.mark.django_db
def test_amber_needs_a_recorded_confirmation_before_a_plan(api, physio_a, patient_a1, catalogue):
    api.as_user(physio_a.user)
    recorded = api.post(
        assessments_url(patient_a1),
        intake_payload(radiating_pain="buttock_or_thigh", neuro_exam_done=True),
        format="json",
    ).json()
    assert recorded["screening"]["outcome"] == "amber"
    assert recorded["screening"]["rule_ids"] == ["AMB-RADIC"]

    refused = api.post(PLANS, {"assessment": recorded["id"]}, format="json")

    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "amber_not_confirmed"
    assert body["rule_ids"] == ["AMB-RADIC"]
    assert [c["rule_id"] for c in body["confirmations"]] == ["AMB-RADIC"]
    assert body["confirmations"][0]["text"]
    assert plan_rows() == {"Plan": 0, "PlanPhase": 0, "Prescription": 0, "AdviceItem": 0}

    confirmed = api.post(
        f"/api/v1/assessments/{recorded['id']}/confirm/",
        {"note": "Examined: stable, no deficit."},
        format="json",
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["is_amber_confirmed"] is True
    assert confirmed.json()["amber_confirmed_by"] == physio_a.user.pk
    assert confirmed.json()["amber_confirmation_note"] == "Examined: stable, no deficit."

    planned = api.post(PLANS, {"assessment": recorded["id"]}, format="json")

    assert planned.status_code == 201
    assert Plan.objects.filter(assessment_id=recorded["id"]).count() == 1


@pytest.mark.django_db
def test_confirming_a_clear_assessment_is_a_conflict(api, physio_a, patient_a1):
    assessment = record(patient_a1, physio_a)

    response = api.as_user(physio_a.user).post(
        f"/api/v1/assessments/{assessment.pk}/confirm/", {"note": "x"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assessment.refresh_from_db()
    assert assessment.amber_confirmed_at is None


@pytest.mark.django_db
def test_a_stale_assessment_is_not_plannable(api, physio_a, patient_a1, catalogue):
    assessment = record(patient_a1, physio_a, assessment_date=day(-51), onset_date=day(-52))

    response = api.as_user(physio_a.user).post(PLANS, {"assessment": assessment.pk}, format="json")

    assert response.status_code == 422
    assert response.json()["code"] == "not_plannable"
    assert response.json()["rule_ids"] == ["GATE-ASSESSED"]
    assert "51 days old" in response.json()["detail"]
    assert plan_rows() == {"Plan": 0, "PlanPhase": 0, "Prescription": 0, "AdviceItem": 0}
    screening = api.get(f"/api/v1/assessments/{assessment.pk}/screening/").json()
    assert screening["outcome"] == "blocked"
    assert [(r["rule_id"], r["severity"], r["blocks_plan"]) for r in screening["fired_rules"]] == [
        ("GATE-ASSESSED", "block", True)
    ]


@pytest.mark.django_db
def test_a_medical_clearance_turns_an_urgent_flag_into_amber(api, physio_a, patient_a1, catalogue):
    api.as_user(physio_a.user)
    payload = intake_payload(
        red_flags={"fracture_major_trauma": "yes"},
        clearance_by="Dr Ada Okafor",
        clearance_role="GP",
        clearance_date=day(-1),
    )

    recorded = api.post(assessments_url(patient_a1), payload, format="json").json()
    refused = api.post(PLANS, {"assessment": recorded["id"]}, format="json")
    api.post(f"/api/v1/assessments/{recorded['id']}/confirm/", {"note": "X-ray clear."})
    planned = api.post(PLANS, {"assessment": recorded["id"]}, format="json")

    assert recorded["screening"]["outcome"] == "amber"
    (rule,) = recorded["screening"]["fired_rules"]
    assert (rule["rule_id"], rule["is_cleared"], rule["blocks_plan"]) == (
        "RF-URG-FRACTURE",
        True,
        False,
    )
    assert refused.status_code == 422
    assert (refused.json()["code"], refused.json()["rule_ids"]) == (
        "amber_not_confirmed",
        ["RF-URG-FRACTURE"],
    )
    assert planned.status_code == 201


# --- bad input ----------------------------------------------------------------------------


def _without_saddle_question() -> dict:
    data = intake_payload()
    del data["red_flags"]["ces_saddle_numbness"]
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (intake_payload(pain_now=12), {"pain_now"}),
        (intake_payload(onset_date=day(7)), {"onset_date"}),
        (intake_payload(assessment_date=day(1)), {"assessment_date"}),
        (intake_payload(radiating_pain="below_knee"), {"neuro_exam_done"}),
        (intake_payload(regions=["lumbar"], primary_region="cervical"), {"primary_region"}),
        (intake_payload(red_flags={"ces_saddle_numbness": "maybe"}), {"red_flags"}),
        (_without_saddle_question(), {"red_flags"}),
    ],
    ids=[
        "pain-12",
        "onset-next-week",
        "assessed-tomorrow",
        "limb-without-neuro-exam",
        "primary-not-a-region",
        "red-flag-bad-answer",
        "red-flag-unanswered",
    ],
)
def test_bad_intake_answers_400_naming_the_field_and_writes_nothing(
    api, physio_a, patient_a1, payload, fields
):
    before = everything()

    response = api.as_user(physio_a.user).post(assessments_url(patient_a1), payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == fields
    assert all(field in body["detail"] for field in fields)
    assert everything() == before


@pytest.mark.django_db
def test_an_unanswered_red_flag_is_named_under_red_flags(api, physio_a, patient_a1):
    response = api.as_user(physio_a.user).post(
        assessments_url(patient_a1), _without_saddle_question(), format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "red_flags": {"ces_saddle_numbness": ["Answer this red-flag question."]}
    }
    assert not Assessment.objects.exists()


@pytest.fixture
def draft(physio_a, patient_a1, catalogue) -> Plan:
    return make_plan(patient_a1, physio_a)


def first_item(plan: Plan, code: str = "P1") -> Prescription:
    return Prescription.objects.filter(phase__plan=plan, phase__code=code).order_by("order").first()


def item_rows(plan: Plan) -> list[dict]:
    return list(Prescription.objects.filter(phase__plan=plan).order_by("pk").values())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sets": -3}, "sets"),
        ({"sets": 21}, "sets"),
        ({"reps": -1}, "reps"),
        ({"reps": "many"}, "reps"),
        ({"hold_seconds": 601}, "hold_seconds"),
        ({"minutes": 181}, "minutes"),
        ({"per_day": 0}, "per_day"),
        ({"per_day": 13}, "per_day"),
        ({"days_per_week": 8}, "days_per_week"),
        ({"per_side": "sometimes"}, "per_side"),
        ({"sets": None, "reps": None, "hold_seconds": None, "minutes": None}, "sets"),
        ({"order": 1}, None),  # not writable here: ignored, nothing changes, nothing fails
    ],
)
def test_bad_dosage_answers_400_naming_the_field_and_changes_nothing(api, draft, change, field):
    item = first_item(draft)
    before = item_rows(draft)

    response = api.as_user(draft.physiotherapist.user).patch(
        plan_url(draft.pk, f"items/{item.pk}/"), change, format="json"
    )

    if field is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert list(response.json()["fields"]) == [field]
    assert item_rows(draft) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"phase": "P1", "exercise": "NO-SUCH-KEY"}, "exercise"),
        ({"phase": "P9", "exercise": "F01"}, "phase"),
        ({"phase": "P1"}, "exercise"),
        ({"phase": "P1", "exercise": "F01"}, "exercise"),  # already in Settle
    ],
)
def test_bad_item_to_add_answers_400_naming_the_field(api, draft, payload, field):
    before = item_rows(draft)

    response = api.as_user(draft.physiotherapist.user).post(
        plan_url(draft.pk, "items/"), payload, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert item_rows(draft) == before


@pytest.mark.django_db
def test_another_clinics_private_exercise_is_unknown(api, draft, physio_b):
    private = Exercise.objects.get(key="F05")
    private.pk, private.key, private.clinic = None, "B-PRIVATE", physio_b.clinic
    private.save()

    response = api.as_user(draft.physiotherapist.user).post(
        plan_url(draft.pk, "items/"), {"phase": "P2", "exercise": "B-PRIVATE"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["exercise"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("swap/", {"to": "sideways"}, "to"),
        ("swap/", {"to": "regression"}, "to"),  # F01 has no easier version
        ("move/", {"offset": 2}, "offset"),
        ("move/", {}, "offset"),
    ],
)
def test_bad_swap_or_move_answers_400_naming_the_field(api, draft, path, payload, field):
    item = first_item(draft)
    assert item.exercise.key == "F01"
    before = item_rows(draft)

    response = api.as_user(draft.physiotherapist.user).post(
        plan_url(draft.pk, f"items/{item.pk}/{path}"), payload, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert item_rows(draft) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"start_date": day(19), "end_date": day(10)}, "end_date"),
        ({"end_date": day(-20)}, "end_date"),  # before the Settle start (today)
        ({"start_date": "soon"}, "start_date"),
    ],
)
def test_bad_phase_dates_answer_400_naming_the_field(api, draft, payload, field):
    before = list(PlanPhase.objects.filter(plan=draft).order_by("pk").values())

    response = api.as_user(draft.physiotherapist.user).patch(
        plan_url(draft.pk, "phases/P1/"), payload, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert list(PlanPhase.objects.filter(plan=draft).order_by("pk").values()) == before


@pytest.mark.django_db
def test_phase_dates_and_notes_are_saved(api, draft):
    response = api.as_user(draft.physiotherapist.user).patch(
        plan_url(draft.pk, "phases/P2/"),
        {"start_date": day(7), "end_date": day(21), "notes": "Review in three weeks."},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["code"] == "P2"
    assert (response.json()["start_date"], response.json()["end_date"]) == (day(7), day(21))
    assert PlanPhase.objects.get(plan=draft, code="P2").notes == "Review in three weeks."


@pytest.mark.django_db
def test_moving_an_item_down_answers_the_phase_in_its_new_order(api, draft):
    keys = list(
        Prescription.objects.filter(phase__plan=draft, phase__code="P1")
        .order_by("order", "id")
        .values_list("exercise__key", flat=True)
    )

    response = api.as_user(draft.physiotherapist.user).post(
        plan_url(draft.pk, f"items/{first_item(draft).pk}/move/"), {"offset": 1}, format="json"
    )

    assert response.status_code == 200
    assert [item["exercise"]["key"] for item in response.json()["items"]] == [
        keys[1],
        keys[0],
        *keys[2:],
    ]


@pytest.mark.django_db
def test_unknown_assessment_or_plan_answers_404(api, physio_a, draft):
    api.as_user(physio_a.user)

    responses = [
        api.post(PLANS, {"assessment": 999999}, format="json"),
        api.get(plan_url(999999)),
        api.patch(plan_url(draft.pk, "items/999999/"), {"sets": 2}, format="json"),
        api.patch(plan_url(draft.pk, "phases/P7/"), {"notes": "x"}, format="json"),
        api.get(plan_url(draft.pk, "revisions/1/")),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert {r.json()["code"] for r in responses} == {"not_found"}


@pytest.mark.django_db
def test_plan_request_without_assessment_names_the_field(api, physio_a):
    response = api.as_user(physio_a.user).post(PLANS, {}, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["assessment"]


# --- revisions are immutable; closed plans are not editable --------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_published_revision_cannot_be_changed(api, draft, method):
    api.as_user(draft.physiotherapist.user)
    api.post(plan_url(draft.pk, "publish/"), CONFIRMED)
    before = list(PlanRevision.objects.values())

    response = getattr(api, method)(
        plan_url(draft.pk, "revisions/1/"), {"snapshot": {}}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "revision_immutable"
    assert list(PlanRevision.objects.values()) == before


@pytest.mark.django_db
def test_a_completed_plan_cannot_be_edited_or_published(api, draft):
    Plan.objects.filter(pk=draft.pk).update(status=Plan.Status.COMPLETED)
    item = first_item(draft)
    api.as_user(draft.physiotherapist.user)

    responses = [
        api.patch(plan_url(draft.pk, f"items/{item.pk}/"), {"sets": 2}, format="json"),
        api.delete(plan_url(draft.pk, f"items/{item.pk}/")),
        api.post(plan_url(draft.pk, f"items/{item.pk}/swap/"), {"to": "progression"}),
        api.patch(plan_url(draft.pk, "phases/P1/"), {"notes": "x"}, format="json"),
        api.post(plan_url(draft.pk, "publish/")),
    ]

    assert [r.status_code for r in responses] == [409] * 5
    assert {r.json()["code"] for r in responses} == {"conflict"}
    assert not PlanRevision.objects.exists()


@pytest.mark.django_db
def test_publishing_an_empty_plan_names_items(api, draft):
    Prescription.objects.filter(phase__plan=draft).delete()

    response = api.as_user(draft.physiotherapist.user).post(plan_url(draft.pk, "publish/"))

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["items"]
    assert not PlanRevision.objects.exists()


# --- templates ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_plan_saved_as_template_seeds_the_next_plan(api, physio_a, patient_a2, draft):
    api.as_user(physio_a.user)
    saved = api.post(plan_url(draft.pk, "template/"), {"name": "Acute lumbar"}, format="json")
    duplicate = api.post(plan_url(draft.pk, "template/"), {"name": "acute lumbar"}, format="json")
    assessment = record(patient_a2, physio_a)

    listed = api.get("/api/v1/plan-templates/")
    seeded = api.post(
        PLANS, {"assessment": assessment.pk, "template": saved.json()["id"]}, format="json"
    )

    assert saved.status_code == 201
    assert duplicate.status_code == 400 and list(duplicate.json()["fields"]) == ["name"]
    assert [row["name"] for row in listed.json()["results"]] == ["Acute lumbar"]
    assert seeded.status_code == 201
    template_keys = {
        code: [item["exercise_key"] for item in items]
        for code, items in saved.json()["content"].items()
    }
    assert {
        phase["code"]: [item["exercise"]["key"] for item in phase["items"]]
        for phase in seeded.json()["phases"]
    } == template_keys
    assert {item["reason"] for p in seeded.json()["phases"] for item in p["items"]} == {
        "From the clinic template “Acute lumbar”."
    }


@pytest.mark.django_db
def test_another_clinics_template_is_refused_and_not_listed(
    api, physio_a, physio_b, patient_a1, draft
):
    theirs = PlanTemplate.objects.create(
        clinic=physio_b.clinic, name="Theirs", content={}, created_by=physio_b.user
    )
    assessment = record(patient_a1, physio_a)
    api.as_user(physio_a.user)
    plans_before = plan_rows()

    seeded = api.post(PLANS, {"assessment": assessment.pk, "template": theirs.pk}, format="json")
    listed = api.get("/api/v1/plan-templates/")

    assert seeded.status_code == 400
    assert list(seeded.json()["fields"]) == ["template"]
    assert plan_rows() == plans_before
    assert listed.json()["results"] == []


# --- access -------------------------------------------------------------------------------


def physio_endpoints(plan: Plan, assessment: Assessment, patient) -> list[tuple]:
    item = first_item(plan)
    return [
        ("get", assessments_url(patient), None),
        ("post", assessments_url(patient), intake_payload()),
        ("get", f"/api/v1/assessments/{assessment.pk}/", None),
        ("get", f"/api/v1/assessments/{assessment.pk}/screening/", None),
        ("post", f"/api/v1/assessments/{assessment.pk}/confirm/", {"note": "ok"}),
        ("post", PLANS, {"assessment": assessment.pk}),
        ("get", plan_url(plan.pk), None),
        ("patch", plan_url(plan.pk, "phases/P1/"), {"notes": "changed"}),
        ("post", plan_url(plan.pk, "items/"), {"phase": "P2", "exercise": "F05"}),
        ("patch", plan_url(plan.pk, f"items/{item.pk}/"), {"sets": 2}),
        ("post", plan_url(plan.pk, f"items/{item.pk}/swap/"), {"to": "progression"}),
        ("post", plan_url(plan.pk, f"items/{item.pk}/move/"), {"offset": 1}),
        ("delete", plan_url(plan.pk, f"items/{item.pk}/"), None),
        ("post", plan_url(plan.pk, "template/"), {"name": "Stolen"}),
        ("post", plan_url(plan.pk, "publish/"), None),
    ]


def revision_endpoints(plan: Plan) -> list[tuple]:
    return [
        ("get", plan_url(plan.pk, "revisions/"), None),
        ("get", plan_url(plan.pk, "revisions/1/"), None),
        ("get", plan_url(plan.pk, "revisions/1/changes/"), None),
        ("put", plan_url(plan.pk, "revisions/1/"), {"snapshot": {}}),
        ("patch", plan_url(plan.pk, "revisions/1/"), {"snapshot": {}}),
        ("delete", plan_url(plan.pk, "revisions/1/"), None),
    ]


@pytest.fixture
def published(physio_a, patient_a1, catalogue) -> tuple[Plan, Assessment]:
    """A1's published plan (revision 1) from an amber assessment not yet confirmed elsewhere."""
    amber = record(patient_a1, physio_a, radiating_pain="buttock_or_thigh", neuro_exam_done=True)
    plan = make_plan(patient_a1, physio_a)
    services.publish_plan(plan=plan, by=physio_a.user)
    plan.refresh_from_db()
    return plan, amber


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["physio_b", "patient_a1", "patient_a2", "staff_user"])
def test_others_get_404_on_every_physio_endpoint_and_nothing_changes(
    request, api, published, patient_a1, persona
):
    plan, amber = published
    user = request.getfixturevalue(persona)
    api.as_user(getattr(user, "user", user))
    before = everything()

    responses = [
        (method, url, getattr(api, method)(url, data, format="json"))
        for method, url, data in physio_endpoints(plan, amber, patient_a1)
    ]

    assert [(m, u, r.status_code) for m, u, r in responses] == [
        (m, u, 404) for m, u, _ in responses
    ]
    assert everything() == before


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["physio_b", "patient_a2", "staff_user"])
def test_others_get_404_on_a_patients_revisions(request, api, published, persona):
    plan, _ = published
    user = request.getfixturevalue(persona)
    api.as_user(getattr(user, "user", user))
    before = everything()

    statuses = [
        getattr(api, method)(url, data, format="json").status_code
        for method, url, data in revision_endpoints(plan)
    ]

    assert statuses == [404] * 6
    assert everything() == before


@pytest.mark.django_db
def test_other_clinic_sees_no_plans_and_cannot_filter_into_them(
    api, physio_b, published, patient_a1
):
    api.as_user(physio_b.user)

    everything_listed = api.get(PLANS)
    filtered = api.get(PLANS, {"patient": patient_a1.pk})

    assert everything_listed.json()["results"] == []
    assert filtered.json()["results"] == []


@pytest.mark.django_db
def test_plans_filter_by_patient_and_status(api, physio_a, patient_a1, patient_a2, catalogue):
    ones = make_plan(patient_a1, physio_a)
    twos = make_plan(patient_a2, physio_a)
    services.publish_plan(plan=twos, by=physio_a.user)
    api.as_user(physio_a.user)

    by_patient = api.get(PLANS, {"patient": patient_a1.pk}).json()["results"]
    active = api.get(PLANS, {"status": "active"}).json()["results"]
    bad = api.get(PLANS, {"patient": "someone"})

    assert [row["id"] for row in by_patient] == [ones.pk]
    assert [(row["id"], row["latest_revision"]) for row in active] == [(twos.pk, 1)]
    assert bad.status_code == 400
    assert list(bad.json()["fields"]) == ["patient"]


@pytest.mark.django_db
def test_patient_reads_own_revisions_but_cannot_change_them(api, published, patient_a1):
    plan, _ = published
    api.as_user(patient_a1.user)

    listed = api.get(plan_url(plan.pk, "revisions/"))
    detail = api.get(plan_url(plan.pk, "revisions/1/"))
    changes = api.get(plan_url(plan.pk, "revisions/1/changes/"))
    change = api.patch(plan_url(plan.pk, "revisions/1/"), {"snapshot": {}}, format="json")

    assert [row["number"] for row in listed.json()["results"]] == [1]
    assert detail.json()["snapshot"] == PlanRevision.objects.get(plan=plan).snapshot
    assert changes.json()["is_first"] is True
    assert change.status_code == 409


@pytest.mark.django_db
def test_patient_never_sees_a_draft_plan(api, physio_a, patient_a1, catalogue):
    draft = make_plan(patient_a1, physio_a)

    patient_view = api.as_user(patient_a1.user).get(plan_url(draft.pk, "revisions/"))
    physio_view = api.as_user(physio_a.user).get(plan_url(draft.pk, "revisions/"))

    assert patient_view.status_code == 404
    assert physio_view.status_code == 200 and physio_view.json()["results"] == []


@pytest.mark.django_db
def test_me_plan_shows_only_what_was_published(api, physio_a, patient_a1, patient_a2, draft):
    patient = api.__class__().as_user(patient_a1.user)
    physio = api.as_user(physio_a.user)
    nothing_yet = patient.get("/api/v1/me/plan/")
    item = first_item(draft)

    physio.post(plan_url(draft.pk, "publish/"), CONFIRMED)
    after_first = patient.get("/api/v1/me/plan/")
    physio.patch(plan_url(draft.pk, "phases/P1/"), {"notes": "Only after the next visit."})
    physio.delete(plan_url(draft.pk, f"items/{item.pk}/"))
    while_drafting = patient.get("/api/v1/me/plan/")
    physio.post(plan_url(draft.pk, "publish/"), CONFIRMED)
    after_second = patient.get("/api/v1/me/plan/")

    assert nothing_yet.status_code == 404
    assert nothing_yet.json()["code"] == "not_found"
    assert "no published plan" in nothing_yet.json()["detail"]
    assert after_first.status_code == 200
    assert after_first.json()["number"] == 1
    assert while_drafting.json() == after_first.json()

    def settle(response) -> tuple[str, list[int]]:
        phase = response.json()["snapshot"]["phases"][0]
        return phase["notes"], [i["id"] for i in phase["items"]]

    assert settle(while_drafting)[0] == ""
    assert item.pk in settle(while_drafting)[1]
    assert after_second.json()["number"] == 2
    assert settle(after_second)[0] == "Only after the next visit."
    assert item.pk not in settle(after_second)[1]
    assert api.__class__().as_user(patient_a2.user).get("/api/v1/me/plan/").status_code == 404
    assert physio.get("/api/v1/me/plan/").status_code == 404


@pytest.mark.django_db
def test_reading_an_assessment_or_plan_is_audited(api, physio_a, draft):
    api.as_user(physio_a.user)

    api.get(f"/api/v1/assessments/{draft.assessment_id}/")
    api.get(plan_url(draft.pk))

    assert list(
        AuditEvent.objects.filter(action="view").order_by("pk").values_list("detail", flat=True)
    ) == [f"assessment {draft.assessment_id}", f"plan {draft.pk}"]


@pytest.mark.django_db
def test_anonymous_requests_are_refused(api, draft):
    assert api.get(PLANS).status_code == 401
    assert api.get(plan_url(draft.pk)).status_code == 401


# --- query budgets ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_plan_list_runs_a_constant_number_of_queries(
    api, physio_a, django_assert_num_queries, catalogue, count
):
    for _ in range(count):
        patient = PatientFactory(physiotherapist=physio_a)
        plan = make_plan(patient, physio_a)
        services.publish_plan(plan=plan, by=physio_a.user)
    api.as_user(physio_a.user)

    with django_assert_num_queries(2):  # count, page (with patient and latest revision)
        response = api.get(PLANS)

    assert len(response.json()["results"]) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_assessment_list_runs_a_constant_number_of_queries(
    api, physio_a, patient_a1, django_assert_num_queries, count
):
    for _ in range(count):
        record(patient_a1, physio_a, radiating_pain="buttock_or_thigh", neuro_exam_done=True)
    api.as_user(physio_a.user)

    with django_assert_num_queries(3):  # patient, count, page
        response = api.get(assessments_url(patient_a1))

    assert len(response.json()["results"]) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_plan_detail_runs_a_constant_number_of_queries(
    api, draft, django_assert_num_queries, count
):
    keep = list(
        Prescription.objects.filter(phase__plan=draft).order_by("pk").values_list("pk", flat=True)
    )[:count]
    Prescription.objects.filter(phase__plan=draft).exclude(pk__in=keep).delete()
    api.as_user(draft.physiotherapist.user)

    # plan, audit, phases, items (with exercises and their links), advice
    with django_assert_num_queries(5):
        response = api.get(plan_url(draft.pk))

    assert sum(len(phase["items"]) for phase in response.json()["phases"]) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_revision_list_runs_a_constant_number_of_queries(
    api, draft, django_assert_num_queries, count
):
    item = Prescription.objects.filter(phase__plan=draft).order_by("pk")[0]
    for sets in range(1, count + 1):
        # A change each time: an unchanged plan is not published again.
        Prescription.objects.filter(pk=item.pk).update(sets=sets)
        services.publish_plan(plan=draft, by=draft.physiotherapist.user)
    api.as_user(draft.physiotherapist.user)

    with django_assert_num_queries(3):  # plan, count, page
        response = api.get(plan_url(draft.pk, "revisions/"))

    assert len(response.json()["results"]) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_template_list_runs_a_constant_number_of_queries(
    api, draft, django_assert_num_queries, count
):
    for number in range(count):
        services.save_plan_as_template(
            plan=draft, name=f"Template {number}", by=draft.physiotherapist.user
        )
    api.as_user(draft.physiotherapist.user)

    with django_assert_num_queries(2):  # count, page
        response = api.get("/api/v1/plan-templates/")

    assert len(response.json()["results"]) == count


@pytest.mark.django_db
def test_plan_generation_queries_do_not_grow_with_the_plan(api, physio_a, patient_a1, catalogue):
    small = record(patient_a1, physio_a)
    large = record(patient_a1, physio_a, regions=ALL_REGIONS, primary_region="lumbar")
    api.as_user(physio_a.user)

    sizes, counts = [], []
    for assessment in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = api.post(PLANS, {"assessment": assessment.pk}, format="json")
        assert response.status_code == 201
        sizes.append(sum(len(p["items"]) + len(p["advice"]) for p in response.json()["phases"]))
        counts.append(len(queries))

    assert sizes[0] < sizes[1]
    # assessment (locked), catalogue, plan, phases, exercise ids, items, advice, audit, the
    # answer's plan, phases, items and advice; plus savepoints
    assert counts == [15, 15]
