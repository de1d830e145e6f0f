"""Every intake rule of clinical-model.md 4.5: a case that fires it and one that does not."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from clinical.intake import (
    RED_FLAG_QUESTIONS,
    Answer,
    InflammatoryHistory,
    MedicalClearance,
    ModalitySafety,
    OnsetType,
    OsteoporosisHistory,
    OtherLimit,
    Paraesthesia,
    PregnancyStatus,
    PreviousEpisodes,
    RadiatingPain,
    Region,
    SleepQuality,
    SpinalDiagnosis,
    StartBackScore,
    Trigger,
    Weakness,
    required_red_flag_questions,
)
from clinical.rules import RULES
from clinical.screening import Outcome, Severity, screen

from .builders import TODAY, build_intake

YES = Answer.YES
C, T, L = Region.CERVICAL, Region.THORACIC, Region.LUMBAR

# (case id, intake overrides, rule ids fired in order, outcome)
FIRES = [
    # RF-EMERG-CES: every group A question, and the intake fields that mean the same.
    ("ces-urinary", {"red_flags": {"ces_urinary_difficulty": YES}}, ["RF-EMERG-CES"], "emergency"),
    ("ces-incontinence", {"red_flags": {"ces_incontinence": YES}}, ["RF-EMERG-CES"], "emergency"),
    ("ces-saddle", {"red_flags": {"ces_saddle_numbness": YES}}, ["RF-EMERG-CES"], "emergency"),
    ("ces-both-legs-q", {"red_flags": {"ces_both_legs": YES}}, ["RF-EMERG-CES"], "emergency"),
    (
        "ces-rapid-weakness",
        {"red_flags": {"ces_rapid_leg_weakness": YES}},
        ["RF-EMERG-CES"],
        "emergency",
    ),
    ("ces-sexual", {"red_flags": {"ces_sexual_dysfunction": YES}}, ["RF-EMERG-CES"], "emergency"),
    (
        "ces-radiating-both-legs",
        {"radiating_pain": RadiatingPain.BOTH_LEGS, "neuro_exam_done": True},
        ["RF-EMERG-CES"],
        "emergency",
    ),
    (
        "ces-saddle-paraesthesia",
        {"paraesthesia": Paraesthesia.SADDLE, "neuro_exam_done": True},
        ["RF-EMERG-CES"],
        "emergency",
    ),
    (
        "ces-both-limbs-lumbar",
        {"paraesthesia": Paraesthesia.BOTH_LIMBS, "neuro_exam_done": True},
        ["RF-EMERG-CES"],
        "emergency",
    ),
    # RF-EMERG-CORD
    (
        "cord-question",
        {"regions": {C}, "red_flags": {"cord_signs": YES}},
        ["RF-EMERG-CORD"],
        "emergency",
    ),
    (
        "cord-both-arms",
        {"regions": {C}, "radiating_pain": RadiatingPain.BOTH_ARMS, "neuro_exam_done": True},
        ["RF-EMERG-CORD"],
        "emergency",
    ),
    (
        "cord-both-limbs-neck",
        {"regions": {C}, "paraesthesia": Paraesthesia.BOTH_LIMBS, "neuro_exam_done": True},
        ["RF-EMERG-CORD"],
        "emergency",
    ),
    (
        "cord-bladder-in-thoracic",
        {"regions": {T}, "red_flags": {"ces_incontinence": YES}},
        ["RF-EMERG-CES", "RF-EMERG-CORD"],
        "emergency",
    ),
    # RF-EMERG-VASC
    (
        "vascular",
        {"regions": {C}, "red_flags": {"vascular_symptoms": YES}},
        ["RF-EMERG-VASC"],
        "emergency",
    ),
    # RF-EMERG-CARDIO
    (
        "cardio-thoracic",
        {"regions": {T}, "red_flags": {"visceral_cardiac": YES}},
        ["RF-EMERG-CARDIO"],
        "emergency",
    ),
    ("cardio-aortic", {"red_flags": {"visceral_aortic": YES}}, ["RF-EMERG-CARDIO"], "emergency"),
    # RF-URG-INFECTION
    ("infection-unwell", {"red_flags": {"infection_unwell": YES}}, ["RF-URG-INFECTION"], "urgent"),
    ("infection-risk", {"red_flags": {"infection_risk": YES}}, ["RF-URG-INFECTION"], "urgent"),
    # RF-URG-CANCER
    ("cancer-history", {"red_flags": {"cancer_history": YES}}, ["RF-URG-CANCER"], "urgent"),
    ("cancer-weight", {"red_flags": {"cancer_weight_loss": YES}}, ["RF-URG-CANCER"], "urgent"),
    (
        "cancer-night-pain",
        {"red_flags": {"cancer_constant_or_night_pain": YES}},
        ["RF-URG-CANCER"],
        "urgent",
    ),
    ("cancer-sites", {"red_flags": {"cancer_several_sites": YES}}, ["RF-URG-CANCER"], "urgent"),
    # RF-URG-FRACTURE
    (
        "fracture-major",
        {"red_flags": {"fracture_major_trauma": YES}},
        ["RF-URG-FRACTURE"],
        "urgent",
    ),
    (
        "fracture-minor-q",
        {"red_flags": {"fracture_minor_trauma_bone_risk": YES}},
        ["RF-URG-FRACTURE"],
        "urgent",
    ),
    (
        "fracture-central",
        {"red_flags": {"fracture_central_pain_or_deformity": YES}},
        ["RF-URG-FRACTURE"],
        "urgent",
    ),
    (
        "fracture-osteoporosis-fall",
        {"hx_osteoporosis": OsteoporosisHistory.YES, "triggers": {Trigger.FALL}},
        ["RF-URG-FRACTURE", "AMB-OSTEO"],
        "urgent",
    ),
    (
        "fracture-steroids-lift",
        {"long_term_steroids": True, "triggers": {Trigger.HEAVY_LIFT}},
        ["RF-URG-FRACTURE"],
        "urgent",
    ),
    # RF-URG-NEURO
    (
        "neuro-weakness",
        {"weakness": Weakness.NEW_OR_WORSENING, "neuro_exam_done": True},
        ["RF-URG-NEURO"],
        "urgent",
    ),
    (
        "neuro-spreading",
        {"red_flags": {"neuro_spreading_or_weakening": YES}},
        ["RF-URG-NEURO"],
        "urgent",
    ),
    # RF-URG-VISCERAL
    (
        "visceral-urinary",
        {"red_flags": {"visceral_urinary_or_abdominal": YES}},
        ["RF-URG-VISCERAL"],
        "urgent",
    ),
    (
        "visceral-unchanged",
        {"red_flags": {"visceral_unchanged_by_movement": YES}},
        ["RF-URG-VISCERAL"],
        "urgent",
    ),
    # ESC-SEVERE at intake
    (
        "severe-constant-8",
        {"pain_worst_24h": 8, "red_flags": {"cancer_constant_or_night_pain": YES}},
        ["RF-URG-CANCER", "ESC-SEVERE"],
        "urgent",
    ),
    (
        "severe-sleep-review",
        {"sleep_quality": SleepQuality.DISTURBED_BY_PAIN},
        ["ESC-SEVERE"],
        "clear",
    ),
    # AMB-RADIC
    (
        "radic-below-knee",
        {"radiating_pain": RadiatingPain.BELOW_KNEE, "neuro_exam_done": True},
        ["AMB-RADIC"],
        "amber",
    ),
    (
        "radic-buttock",
        {"radiating_pain": RadiatingPain.BUTTOCK_OR_THIGH, "neuro_exam_done": True},
        ["AMB-RADIC"],
        "amber",
    ),
    (
        "radic-one-arm",
        {"regions": {C}, "radiating_pain": RadiatingPain.ONE_ARM, "neuro_exam_done": True},
        ["AMB-RADIC"],
        "amber",
    ),
    (
        "radic-tingling",
        {"paraesthesia": Paraesthesia.ONE_LIMB, "neuro_exam_done": True},
        ["AMB-RADIC"],
        "amber",
    ),
    (
        "radic-stable-weakness",
        {"weakness": Weakness.STABLE_EXAMINED, "neuro_exam_done": True},
        ["AMB-RADIC"],
        "amber",
    ),
    # AMB-KNOWN-DX
    *[
        (
            f"known-dx-{diagnosis.value}",
            {"known_spinal_dx": {diagnosis}, "spinal_surgery_date": TODAY - timedelta(days=90)},
            ["AMB-KNOWN-DX"],
            "amber",
        )
        for diagnosis in SpinalDiagnosis
    ],
    (
        "known-dx-surgery-undated",
        {"known_spinal_dx": {SpinalDiagnosis.SPINAL_SURGERY}},
        ["AMB-KNOWN-DX"],
        "amber",
    ),
    # AMB-OSTEO
    ("osteo-yes", {"hx_osteoporosis": OsteoporosisHistory.YES}, ["AMB-OSTEO"], "amber"),
    (
        "osteo-fragility",
        {"hx_osteoporosis": OsteoporosisHistory.FRAGILITY_FRACTURE},
        ["AMB-OSTEO"],
        "amber",
    ),
    # AMB-INFLAM
    (
        "inflam-known",
        {"hx_inflammatory": InflammatoryHistory.ANKYLOSING_SPONDYLITIS},
        ["AMB-INFLAM"],
        "amber",
    ),
    ("inflam-pattern", {"red_flags": {"inflammatory_pattern": YES}}, ["AMB-INFLAM"], "amber"),
    # AMB-AGE
    ("age-50", {"age": 50}, ["AMB-AGE"], "amber"),
    # AMB-PREG
    ("pregnant", {"pregnancy_status": PregnancyStatus.PREGNANT}, ["AMB-PREG"], "amber"),
    (
        "postpartum",
        {"pregnancy_status": PregnancyStatus.POSTPARTUM_UNDER_12_WEEKS},
        ["AMB-PREG"],
        "amber",
    ),
    # AMB-NECK-DIZZY
    (
        "neck-dizzy",
        {"regions": {C}, "red_flags": {"neck_dizziness_non_vascular": YES}},
        ["AMB-NECK-DIZZY"],
        "amber",
    ),
    # AMB-MODALITY
    *[
        (f"modality-{condition.value}", {"modality_safety": {condition}}, ["AMB-MODALITY"], "amber")
        for condition in ModalitySafety
    ],
    # AMB-WIDESPREAD
    ("cramps", {"red_flags": {"widespread_cramps": YES}}, ["AMB-WIDESPREAD"], "amber"),
    # AMB-HIGHRISK (REVIEW: a physio task, the outcome stays clear)
    (
        "start-back-high",
        {"start_back": StartBackScore(total=7, distress=4)},
        ["AMB-HIGHRISK"],
        "clear",
    ),
]

DOES_NOT_FIRE = [
    # (case id, overrides, rule that must not fire, rules that do fire, outcome)
    ("ces-clear", {}, "RF-EMERG-CES", [], "clear"),
    (
        "ces-one-leg-is-radic",
        {"radiating_pain": RadiatingPain.BELOW_KNEE, "neuro_exam_done": True},
        "RF-EMERG-CES",
        ["AMB-RADIC"],
        "amber",
    ),
    (
        "ces-both-arms-tingling-neck",
        {"regions": {C}, "paraesthesia": Paraesthesia.BOTH_LIMBS, "neuro_exam_done": True},
        "RF-EMERG-CES",
        ["RF-EMERG-CORD"],
        "emergency",
    ),
    (
        "cord-bladder-lumbar-only",
        {"red_flags": {"ces_incontinence": YES}},
        "RF-EMERG-CORD",
        ["RF-EMERG-CES"],
        "emergency",
    ),
    (
        "cord-one-arm",
        {"regions": {C}, "radiating_pain": RadiatingPain.ONE_ARM, "neuro_exam_done": True},
        "RF-EMERG-CORD",
        ["AMB-RADIC"],
        "amber",
    ),
    (
        "vasc-non-vascular-dizziness",
        {"regions": {C}, "red_flags": {"neck_dizziness_non_vascular": YES}},
        "RF-EMERG-VASC",
        ["AMB-NECK-DIZZY"],
        "amber",
    ),
    ("cardio-clear", {"regions": {T}}, "RF-EMERG-CARDIO", [], "clear"),
    ("infection-clear", {}, "RF-URG-INFECTION", [], "clear"),
    ("cancer-high-pain-only", {"pain_worst_24h": 9}, "RF-URG-CANCER", [], "clear"),
    (
        "fracture-osteo-sitting",
        {"hx_osteoporosis": OsteoporosisHistory.YES, "triggers": {Trigger.PROLONGED_SITTING}},
        "RF-URG-FRACTURE",
        ["AMB-OSTEO"],
        "amber",
    ),
    (
        "fracture-collision-assessed",
        {"triggers": {Trigger.ROAD_COLLISION}},
        "RF-URG-FRACTURE",
        [],
        "clear",
    ),
    (
        "neuro-stable-weakness",
        {"weakness": Weakness.STABLE_EXAMINED, "neuro_exam_done": True},
        "RF-URG-NEURO",
        ["AMB-RADIC"],
        "amber",
    ),
    ("visceral-clear", {}, "RF-URG-VISCERAL", [], "clear"),
    (
        "severe-night-pain-7",
        {"pain_worst_24h": 7, "red_flags": {"cancer_constant_or_night_pain": YES}},
        "ESC-SEVERE",
        ["RF-URG-CANCER"],
        "urgent",
    ),
    ("severe-worst-9-not-constant", {"pain_worst_24h": 9}, "ESC-SEVERE", [], "clear"),
    (
        "radic-progressing-weakness-is-neuro",
        {
            "radiating_pain": RadiatingPain.BELOW_KNEE,
            "weakness": Weakness.NEW_OR_WORSENING,
            "neuro_exam_done": True,
        },
        "AMB-RADIC",
        ["RF-URG-NEURO"],
        "urgent",
    ),
    (
        "known-dx-old-surgery",
        {
            "known_spinal_dx": {SpinalDiagnosis.SPINAL_SURGERY},
            "spinal_surgery_date": TODAY - timedelta(days=800),
        },
        "AMB-KNOWN-DX",
        [],
        "clear",
    ),
    ("osteo-no", {"long_term_steroids": True}, "AMB-OSTEO", [], "clear"),
    ("inflam-none", {}, "AMB-INFLAM", [], "clear"),
    ("age-49", {"age": 49}, "AMB-AGE", [], "clear"),
    (
        "age-60-recurring-flare",
        {
            "age": 60,
            "onset_type": OnsetType.FLARE,
            "previous_episodes": PreviousEpisodes.ONE_OR_TWO,
        },
        "AMB-AGE",
        [],
        "clear",
    ),
    ("not-pregnant", {"pregnancy_status": PregnancyStatus.NOT_PREGNANT}, "AMB-PREG", [], "clear"),
    ("neck-not-dizzy", {"regions": {C}}, "AMB-NECK-DIZZY", [], "clear"),
    ("modality-none", {}, "AMB-MODALITY", [], "clear"),
    ("cramps-none", {}, "AMB-WIDESPREAD", [], "clear"),
    (
        "start-back-medium",
        {"start_back": StartBackScore(total=6, distress=3)},
        "AMB-HIGHRISK",
        [],
        "clear",
    ),
    (
        "start-back-high-neck-only",
        {"regions": {C}, "start_back": StartBackScore(total=7, distress=4)},
        "AMB-HIGHRISK",
        [],
        "clear",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "expected_rules", "outcome"),
    [pytest.param(o, r, out, id=case) for case, o, r, out in FIRES],
)
def test_rule_fires(overrides, expected_rules, outcome):
    intake = build_intake(**overrides)

    result = screen(intake, today=TODAY)

    assert list(result.rule_ids) == expected_rules
    assert result.outcome == Outcome(outcome)
    assert result.blocked == ()


@pytest.mark.parametrize(
    ("overrides", "absent_rule", "expected_rules", "outcome"),
    [pytest.param(o, a, r, out, id=case) for case, o, a, r, out in DOES_NOT_FIRE],
)
def test_rule_does_not_fire(overrides, absent_rule, expected_rules, outcome):
    intake = build_intake(**overrides)

    result = screen(intake, today=TODAY)

    assert not result.has_fired(absent_rule)
    assert list(result.rule_ids) == expected_rules
    assert result.outcome == Outcome(outcome)


def test_every_4_5_intake_rule_is_covered_by_a_firing_case():
    intake_rules = {
        "RF-EMERG-CES",
        "RF-EMERG-CORD",
        "RF-EMERG-VASC",
        "RF-EMERG-CARDIO",
        "RF-URG-INFECTION",
        "RF-URG-CANCER",
        "RF-URG-FRACTURE",
        "RF-URG-NEURO",
        "RF-URG-VISCERAL",
        "AMB-RADIC",
        "AMB-KNOWN-DX",
        "AMB-OSTEO",
        "AMB-INFLAM",
        "AMB-AGE",
        "AMB-PREG",
        "AMB-NECK-DIZZY",
        "AMB-MODALITY",
        "AMB-WIDESPREAD",
        "AMB-HIGHRISK",
        "ESC-SEVERE",
    }

    fired = {rule for _, _, rules, _ in FIRES for rule in rules}
    not_fired = {absent for _, _, absent, _, _ in DOES_NOT_FIRE}

    assert intake_rules <= fired
    assert intake_rules <= not_fired


@pytest.mark.parametrize(
    ("rule_id", "severity"),
    [
        ("RF-EMERG-CES", Severity.EMERGENCY),
        ("RF-URG-FRACTURE", Severity.URGENT),
        ("AMB-RADIC", Severity.AMBER),
        ("AMB-HIGHRISK", Severity.REVIEW),
    ],
)
def test_fired_rules_carry_severity_answers_and_messages(rule_id, severity):
    cases = {case_rules[0]: overrides for _, overrides, case_rules, _ in FIRES}
    result = screen(build_intake(**cases[rule_id]), today=TODAY)

    fired = next(rule for rule in result.fired if rule.rule_id == rule_id)

    assert fired.severity is severity
    assert fired.answers
    assert fired.physio_message
    assert (fired.patient_message != "") is (severity is not Severity.REVIEW)


def test_emergency_patient_message_sends_to_the_emergency_department():
    intake = build_intake(red_flags={"ces_saddle_numbness": YES})

    result = screen(intake, today=TODAY)

    assert result.patient_message == "Go to an emergency department now."
    assert not result.is_plan_allowed


def test_amber_lists_what_the_physio_must_confirm():
    intake = build_intake(radiating_pain=RadiatingPain.BELOW_KNEE, neuro_exam_done=True)

    result = screen(intake, today=TODAY)

    assert [c.rule_id for c in result.confirmations] == ["AMB-RADIC"]
    assert result.is_plan_allowed


@pytest.mark.parametrize(
    ("question", "rule_id", "regions"),
    [
        ("ces_urinary_difficulty", "RF-EMERG-CES", {L}),
        ("cord_signs", "RF-EMERG-CORD", {C}),
        ("vascular_symptoms", "RF-EMERG-VASC", {C}),
        ("infection_unwell", "RF-URG-INFECTION", {L}),
        ("cancer_history", "RF-URG-CANCER", {T}),
        ("fracture_major_trauma", "RF-URG-FRACTURE", {L}),
        ("visceral_cardiac", "RF-EMERG-CARDIO", {T}),
        ("inflammatory_pattern", "AMB-INFLAM", {L}),
        ("neck_dizziness_non_vascular", "AMB-NECK-DIZZY", {C}),
        ("widespread_cramps", "AMB-WIDESPREAD", {L}),
    ],
)
def test_unsure_counts_as_yes(question, rule_id, regions):
    intake = build_intake(regions=regions, red_flags={question: Answer.UNSURE})

    result = screen(intake, today=TODAY)

    assert result.has_fired(rule_id)
    fired = next(rule for rule in result.fired if rule.rule_id == rule_id)
    assert (question, "unsure") in fired.answers


def _clearance(**overrides):
    fields = {"cleared_by": "Dr A. Jones", "role": "GP", "cleared_on": TODAY}
    fields.update(overrides)
    return MedicalClearance(**fields)


def test_medical_clearance_lifts_an_urgent_block_to_amber():
    intake = build_intake(red_flags={"fracture_major_trauma": YES}, medical_clearance=_clearance())

    result = screen(intake, today=TODAY)

    fired = result.fired[0]
    assert (fired.rule_id, fired.severity, fired.is_cleared) == (
        "RF-URG-FRACTURE",
        Severity.URGENT,
        True,
    )
    assert fired.effective_severity is Severity.AMBER
    assert result.outcome is Outcome.AMBER
    assert result.is_plan_allowed
    assert [c.rule_id for c in result.confirmations] == ["RF-URG-FRACTURE"]


def test_medical_clearance_never_lifts_an_emergency():
    intake = build_intake(
        red_flags={"ces_incontinence": YES, "fracture_major_trauma": YES},
        medical_clearance=_clearance(),
    )

    result = screen(intake, today=TODAY)

    assert result.outcome is Outcome.EMERGENCY
    assert [rule.is_cleared for rule in result.fired] == [False, True]
    assert not result.is_plan_allowed


@pytest.mark.parametrize(
    "clearance",
    [
        pytest.param(_clearance(rule_ids=("RF-URG-INFECTION",)), id="names-another-rule"),
        pytest.param(_clearance(cleared_on=TODAY - timedelta(days=400)), id="before-onset"),
        pytest.param(_clearance(cleared_on=TODAY + timedelta(days=1)), id="in-the-future"),
    ],
)
def test_medical_clearance_that_does_not_cover_the_rule_keeps_the_block(clearance):
    intake = build_intake(red_flags={"fracture_major_trauma": YES}, medical_clearance=clearance)

    result = screen(intake, today=TODAY)

    assert result.outcome is Outcome.URGENT
    assert not result.fired[0].is_cleared


@pytest.mark.parametrize(
    ("overrides", "message_part"),
    [
        pytest.param({"assessment_date": None}, "No physio assessment date", id="no-date"),
        pytest.param(
            {"assessment_date": TODAY - timedelta(days=15)}, "15 days old", id="older-than-14"
        ),
        pytest.param(
            {"assessment_date": TODAY + timedelta(days=1)}, "in the future", id="future-date"
        ),
        pytest.param(
            {"onset_days_ago": -2, "assessment_date": TODAY}, "onset date", id="future-onset"
        ),
        pytest.param(
            {"radiating_pain": RadiatingPain.BELOW_KNEE},
            "without a neurological examination",
            id="limb-symptoms-no-exam",
        ),
        pytest.param(
            {"paraesthesia": Paraesthesia.ONE_LIMB, "neuro_exam_done": False},
            "without a neurological examination",
            id="tingling-exam-not-done",
        ),
    ],
)
def test_gate_assessed_blocks(overrides, message_part):
    intake = build_intake(**overrides)

    result = screen(intake, today=TODAY)

    assert [block.rule_id for block in result.blocked] == ["GATE-ASSESSED"]
    assert message_part in result.blocked[0].physio_message
    assert not result.is_plan_allowed


def test_gate_assessed_blocks_an_incomplete_screen():
    intake = build_intake()
    answers = {key: value for key, value in intake.red_flags.items() if key != "cancer_history"}
    incomplete = replace(intake, red_flags=answers)

    result = screen(incomplete, today=TODAY)

    assert [block.rule_id for block in result.blocked] == ["GATE-ASSESSED"]
    assert result.blocked[0].answers == (("cancer_history", "unanswered"),)


def test_gate_assessed_passes_a_complete_assessment_14_days_old():
    intake = build_intake(assessment_date=TODAY - timedelta(days=14))

    result = screen(intake, today=TODAY)

    assert result.blocked == ()
    assert result.is_plan_allowed


def test_rules_still_fire_when_the_gate_blocks():
    intake = build_intake(assessment_date=None, red_flags={"ces_saddle_numbness": YES})

    result = screen(intake, today=TODAY)

    assert result.outcome is Outcome.EMERGENCY
    assert [block.rule_id for block in result.blocked] == ["GATE-ASSESSED"]


@pytest.mark.parametrize(("age", "is_blocked"), [(17, True), (18, False)])
def test_under_18_is_out_of_scope(age, is_blocked):
    result = screen(build_intake(age=age), today=TODAY)

    assert ([block.rule_id for block in result.blocked] == ["GATE-AGE"]) is is_blocked
    assert result.is_plan_allowed is not is_blocked


@pytest.mark.parametrize(
    ("overrides", "flags"),
    [
        ({"radiating_pain": RadiatingPain.BELOW_KNEE, "neuro_exam_done": True}, ["radicular_leg"]),
        (
            {"regions": {C}, "radiating_pain": RadiatingPain.ONE_ARM, "neuro_exam_done": True},
            ["radicular_arm"],
        ),
        (
            {"regions": {C, L}, "paraesthesia": Paraesthesia.ONE_LIMB, "neuro_exam_done": True},
            ["radicular_leg", "radicular_arm"],
        ),
        ({"hx_osteoporosis": OsteoporosisHistory.YES}, ["osteoporosis"]),
        ({"pregnancy_status": PregnancyStatus.PREGNANT}, ["pregnancy"]),
        (
            {
                "known_spinal_dx": {
                    SpinalDiagnosis.SPINAL_STENOSIS,
                    SpinalDiagnosis.SPONDYLOLISTHESIS,
                }
            },
            ["stenosis", "spondylolisthesis"],
        ),
        (
            {
                "known_spinal_dx": {SpinalDiagnosis.DISC_HERNIATION},
                "radiating_pain": RadiatingPain.BELOW_KNEE,
                "neuro_exam_done": True,
            },
            ["radicular_leg", "radicular_leg"],
        ),
        (
            {"modality_safety": {ModalitySafety.RAYNAUDS, ModalitySafety.REDUCED_SKIN_SENSATION}},
            ["reduced_sensation", "cold_sensitivity"],
        ),
        (
            {"other_limits": {OtherLimit.SHOULDER_PROBLEM, OtherLimit.BALANCE_PROBLEMS}},
            ["shoulder_problem", "balance_impaired"],
        ),
        ({"other_limits": {OtherLimit.HEART_OR_LUNG_CONDITION}}, []),
    ],
)
def test_exclusion_flags(overrides, flags):
    result = screen(build_intake(**overrides), today=TODAY)

    assert [flag.flag for flag in result.exclusion_flags] == flags
    assert all(flag.rule_id in RULES for flag in result.exclusion_flags)


@pytest.mark.parametrize(
    ("regions", "included", "excluded"),
    [
        ({L}, [], ["cord_signs", "vascular_symptoms", "neck_dizziness_non_vascular"]),
        ({T}, ["cord_signs", "visceral_cardiac"], ["vascular_symptoms"]),
        ({C}, ["cord_signs", "vascular_symptoms", "neck_dizziness_non_vascular"], []),
        ({C, L}, ["cord_signs", "vascular_symptoms", "ces_saddle_numbness"], []),
    ],
)
def test_required_questions_depend_on_regions(regions, included, excluded):
    required = required_red_flag_questions(regions)

    assert set(included) <= set(required)
    assert not set(excluded) & set(required)
    everywhere = [q.key for q in RED_FLAG_QUESTIONS if q.group.value not in ("C", "D")]
    assert set(everywhere) <= set(required)


def test_red_flag_table_is_complete_and_traceable():
    keys = [question.key for question in RED_FLAG_QUESTIONS]

    assert len(keys) == len(set(keys))
    for question in RED_FLAG_QUESTIONS:
        assert question.physio_text and question.patient_text
        assert all(rule_id in RULES for rule_id in question.rule_ids)
    assert {q.group.value for q in RED_FLAG_QUESTIONS} == set("ABCDEFGHI")


def test_intake_rejects_unknown_red_flag_keys():
    with pytest.raises(ValueError, match="unknown red-flag"):
        build_intake(red_flags={"made_up": YES})


def test_intake_rejects_a_primary_region_outside_the_regions():
    with pytest.raises(ValueError, match="primary_region"):
        build_intake(regions={L}, primary_region=C)
