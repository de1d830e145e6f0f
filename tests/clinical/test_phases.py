"""Phase data (clinical-model.md 4.2) and starting-phase assignment (4.3)."""

from __future__ import annotations

import pytest

from clinical.education import EDUCATION
from clinical.intake import Irritability, OnsetType
from clinical.phases import PHASES, PhaseCode, assign_starting_phase
from clinical.rules import RULES

from .builders import TODAY, build_intake

P1, P2, P3, P4 = PhaseCode


@pytest.mark.parametrize(
    ("overrides", "phase", "rule_ids", "is_chronic"),
    [
        pytest.param(
            {"is_prevention_only": True, "onset_days_ago": 3, "pain_now": 1},
            P4,
            ("PHASE-P4-PREVENTION",),
            False,
            id="prevention-only-P4",
        ),
        pytest.param({"onset_days_ago": 0}, P1, ("PHASE-P1-ACUTE",), False, id="onset-today"),
        pytest.param({"onset_days_ago": 7}, P1, ("PHASE-P1-ACUTE",), False, id="onset-7-days"),
        pytest.param({"onset_days_ago": 8}, P2, ("PHASE-P2-SUBACUTE",), False, id="onset-8-days"),
        pytest.param(
            {"onset_days_ago": 20, "pain_now": 7}, P1, ("PHASE-P1-PAIN",), False, id="pain-7"
        ),
        pytest.param(
            {"onset_days_ago": 20, "pain_now": 6}, P2, ("PHASE-P2-SUBACUTE",), False, id="pain-6"
        ),
        pytest.param(
            {"onset_days_ago": 20, "pain_now": 2, "irritability": Irritability.HIGH},
            P1,
            ("PHASE-P1-IRRITABLE",),
            False,
            id="high-irritability",
        ),
        pytest.param(
            {"onset_days_ago": 20, "irritability": Irritability.LOW},
            P2,
            ("PHASE-P2-SUBACUTE",),
            False,
            id="low-irritability",
        ),
        pytest.param(
            {"onset_days_ago": 20, "onset_type": OnsetType.FLARE},
            P1,
            ("PHASE-P1-FLARE",),
            False,
            id="flare",
        ),
        pytest.param(
            {"onset_days_ago": 84, "pain_now": 6}, P2, ("PHASE-P2-SUBACUTE",), False, id="day-84"
        ),
        pytest.param(
            {"onset_days_ago": 85, "pain_now": 6}, P2, ("PHASE-P2-CHRONIC",), True, id="day-85"
        ),
        pytest.param(
            {"onset_days_ago": 200, "pain_now": 7},
            P1,
            ("PHASE-P1-PAIN",),
            True,
            id="chronic-pain-7",
        ),
        pytest.param(
            {"onset_days_ago": 60, "pain_now": 0, "irritability": Irritability.LOW},
            P2,
            ("PHASE-P2-SUBACUTE",),
            False,
            id="never-above-P2",
        ),
        pytest.param(
            {
                "onset_days_ago": 2,
                "pain_now": 8,
                "irritability": Irritability.HIGH,
                "onset_type": OnsetType.FLARE,
            },
            P1,
            ("PHASE-P1-ACUTE", "PHASE-P1-PAIN", "PHASE-P1-IRRITABLE", "PHASE-P1-FLARE"),
            False,
            id="every-P1-reason",
        ),
    ],
)
def test_assign_starting_phase(overrides, phase, rule_ids, is_chronic):
    intake = build_intake(**overrides)

    choice = assign_starting_phase(intake, today=TODAY)

    assert choice.phase is phase
    assert choice.rule_ids == rule_ids
    assert choice.is_chronic is is_chronic
    assert choice.reason
    assert choice.warnings == ()


def test_prevention_only_with_pain_warns():
    intake = build_intake(is_prevention_only=True, pain_now=5)

    choice = assign_starting_phase(intake, today=TODAY)

    assert choice.phase is P4
    assert choice.warnings == (
        "Prevention-only referral with pain now 5/10: recovery is expected to mean pain 2/10 "
        "or less; check the starting phase.",
    )


def test_phase_reason_names_the_answers():
    intake = build_intake(onset_days_ago=1, pain_now=7)

    choice = assign_starting_phase(intake, today=TODAY)

    assert (
        choice.reason
        == "Start in Settle: onset 1 day(s) ago (7 or less); pain now 7/10 (7 or more)."
    )
    assert choice.answers == (("days_since_onset", "1"), ("pain_now", "7"))


@pytest.mark.parametrize(
    ("code", "name", "minimum_days", "cap_minutes", "items"),
    [
        (P1, "Settle", 3, 10, (3, 6)),
        (P2, "Restore", 7, 20, (5, 8)),
        (P3, "Strengthen", 14, 30, (6, 10)),
        (P4, "Maintain", None, 30, (6, 10)),
    ],
)
def test_phase_data(code, name, minimum_days, cap_minutes, items):
    phase = PHASES[code]

    assert (phase.name, phase.minimum_days, phase.session_cap.minutes_max) == (
        name,
        minimum_days,
        cap_minutes,
    )
    assert (phase.content.items_min, phase.content.items_max) == items
    assert all(key in EDUCATION for key in phase.education_keys)
    for criterion in phase.entry_criteria + phase.exit_criteria:
        assert criterion.physio_text and criterion.patient_text
        assert all(rule_id in RULES for rule_id in criterion.rule_ids)


def test_exit_thresholds_are_structured():
    assert PHASES[P1].exit_thresholds.pain_now_max == 4
    assert PHASES[P1].exit_thresholds.pain_now_max_with_drop == 5
    assert PHASES[P1].exit_thresholds.pain_drop_min == 2
    assert PHASES[P1].exit_thresholds.walk_minutes_min == 10
    assert PHASES[P2].exit_thresholds.pain_with_activity_max == 3
    assert PHASES[P2].exit_thresholds.green_days_min == 5
    assert PHASES[P3].exit_thresholds.pain_now_max == 2
    assert PHASES[P3].exit_thresholds.is_physio_sign_off_required
    assert PHASES[P4].exit_criteria == ()
