"""`screen_for_referral`: an incomplete intake gives a referral or nothing (issue #14 item 3)."""

from __future__ import annotations

from clinical.intake import (
    Answer,
    OsteoporosisHistory,
    Region,
    Weakness,
)
from clinical.screening import Outcome, screen_for_referral

from .builders import TODAY

RECORDED = {"assessment_date": TODAY, "age": 35}


def test_an_emergency_answer_alone_refers_and_blocks_with_what_is_missing():
    result = screen_for_referral(
        {**RECORDED, "regions": frozenset({Region.LUMBAR}), "red_flags": {"ces_both_legs": "yes"}},
        unanswered=("onset_type", "pain_now"),
        today=TODAY,
    )

    assert result.outcome is Outcome.EMERGENCY
    assert result.rule_ids == ("RF-EMERG-CES",)
    assert [(b.rule_id, b.answers) for b in result.blocked] == [
        ("GATE-ASSESSED", (("onset_type", "unanswered"), ("pain_now", "unanswered")))
    ]
    assert result.patient_message == "Go to an emergency department now."
    assert not result.is_plan_allowed


def test_a_recorded_field_fires_its_urgent_rule():
    result = screen_for_referral(
        {**RECORDED, "weakness": Weakness.NEW_OR_WORSENING, "red_flags": {}},
        unanswered=("regions",),
        today=TODAY,
    )

    assert (result.outcome, result.rule_ids) == (Outcome.URGENT, ("RF-URG-NEURO",))


def test_amber_findings_are_left_out_and_nothing_refers_without_a_red_flag():
    """Amber rules may rest on a stand-in value: an incomplete intake keeps none of them."""
    result = screen_for_referral(
        {
            **RECORDED,
            "age": 60,
            "hx_osteoporosis": OsteoporosisHistory.YES,
            "red_flags": {"widespread_cramps": Answer.YES},
        },
        unanswered=("regions",),
        today=TODAY,
    )

    assert (result.outcome, result.rule_ids, result.exclusion_flags) == (Outcome.CLEAR, (), ())
    assert [b.rule_id for b in result.blocked] == ["GATE-ASSESSED"]
