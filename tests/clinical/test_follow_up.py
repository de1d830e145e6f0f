"""The follow-up rules (clinical-model 4.4, 4.5): each fires, and does not, by its rule id."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from clinical.follow_up import (
    CheckInFacts,
    Feeling,
    PlanFacts,
    Severity,
    Zone,
    adherence,
    evaluate_check_in,
    evaluate_daily,
    pain_trend,
    regression_is_over,
    warning_sign_questions,
)

START = date(2026, 11, 1)
NOON = datetime(2026, 11, 1, 12, tzinfo=UTC)


def plan(**changes) -> PlanFacts:
    values = {
        "today": START + timedelta(days=1),
        "start_date": START,
        "current_phase": "P2",
        "phase_started_on": START,
        "phase_minimum_days": 7,
        "baseline_pain": 6,
        "phase_entry_pain": 4,
        "onset_date": START - timedelta(days=10),
        "regions": frozenset({"lumbar"}),
        "last_published_on": START,
    }
    values.update(changes)
    return PlanFacts(**values)


def at(day: int, hour: int = 0) -> datetime:
    return NOON + timedelta(days=day, hours=hour)


def check(day: int = 1, hour: int = 0, **changes) -> CheckInFacts:
    values = {"at": at(day, hour), "pain": 3, "zone": Zone.GREEN, "feeling": Feeling.BETTER}
    values.update(changes)
    return CheckInFacts(**values)


def ids(outcome) -> tuple[str, ...]:
    """Every rule that fired, in order: tests compare the whole tuple, so an extra rule that
    fires is a finding."""
    return tuple(outcome.rule_ids)


# --- warning signs --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "rule_id", "severity", "level"),
    [
        ("ces_saddle_numbness", "RF-EMERG-CES", Severity.EMERGENCY, "emergency"),
        ("ces_both_legs", "RF-EMERG-CES", Severity.EMERGENCY, "emergency"),
        ("infection_unwell", "RF-URG-INFECTION", Severity.URGENT, "urgent"),
        ("cancer_weight_loss", "RF-URG-CANCER", Severity.URGENT, "urgent"),
        ("neuro_spreading_or_weakening", "RF-URG-NEURO", Severity.URGENT, "urgent"),
    ],
)
def test_a_warning_sign_routes_to_its_red_flag_rule_and_esc_worse(key, rule_id, severity, level):
    outcome = evaluate_check_in(check(warning_signs=(key,)), [], plan())

    assert ids(outcome) == (rule_id, "ESC-WORSE")
    assert outcome.findings[0].severity is severity
    assert outcome.pauses_reminders
    assert outcome.advice_level == level


def test_an_emergency_sign_tells_the_patient_to_go_to_the_emergency_department():
    outcome = evaluate_check_in(check(warning_signs=("ces_incontinence",)), [], plan())

    assert ids(outcome) == ("RF-EMERG-CES", "ESC-WORSE")
    assert outcome.findings[0].patient_message.startswith("Go to an emergency department now.")


def test_a_calm_check_in_fires_nothing():
    outcome = evaluate_check_in(check(), [], plan())

    assert ids(outcome) == ()
    assert not outcome.pauses_reminders
    assert outcome.advice_level == "ok"


def test_warning_sign_questions_depend_on_the_plan_regions():
    lumbar = {q.key for q in warning_sign_questions({"lumbar"})}
    neck = {q.key for q in warning_sign_questions({"cervical"})}
    chest = {q.key for q in warning_sign_questions({"thoracic"})}

    assert {"ces_saddle_numbness", "infection_unwell", "cancer_weight_loss"} <= lumbar
    assert "cord_signs" not in lumbar and "vascular_symptoms" not in lumbar
    assert {"cord_signs", "vascular_symptoms"} <= neck
    assert "visceral_cardiac" in chest and "visceral_cardiac" not in lumbar
    # History questions are not asked again at a check-in.
    assert "cancer_history" not in lumbar | neck | chest


def test_an_unknown_warning_sign_key_is_refused():
    with pytest.raises(ValueError, match="unknown warning-sign keys: made_up"):
        check(warning_signs=("made_up",))


# --- ESC-WORSE ------------------------------------------------------------------------


def test_esc_worse_fires_when_pain_stays_two_points_up_for_more_than_48_hours():
    earlier = [check(1, pain=3), check(2, pain=5), check(3, pain=6)]

    outcome = evaluate_check_in(check(4, hour=1, pain=5), earlier, plan(today=START))

    assert ids(outcome) == ("ESC-WORSE",)
    assert outcome.pauses_reminders
    assert outcome.advice_level == "worse"


def test_esc_worse_does_not_fire_for_a_rise_of_48_hours_or_less():
    earlier = [check(1, pain=3), check(2, pain=5)]

    outcome = evaluate_check_in(check(4, pain=5), earlier, plan())

    assert ids(outcome) == ()


def test_esc_worse_does_not_fire_when_the_rise_eased_in_between():
    earlier = [check(1, pain=3), check(2, pain=5), check(3, pain=3)]

    outcome = evaluate_check_in(check(5, pain=5), earlier, plan())

    assert ids(outcome) == ()


def test_esc_worse_fires_for_new_symptoms():
    outcome = evaluate_check_in(check(has_new_symptoms=True), [], plan())

    assert ids(outcome) == ("ESC-WORSE",)
    assert "new symptoms" in outcome.findings[0].physio_message


def test_esc_worse_fires_for_red_twice_in_a_row_but_not_once():
    twice = evaluate_check_in(check(2, zone=Zone.RED), [check(1, zone=Zone.RED)], plan())
    once = evaluate_check_in(check(2, zone=Zone.RED), [check(1, zone=Zone.GREEN)], plan())

    assert ids(twice) == ("ESC-WORSE", "REGRESS")  # REGRESS: red twice, after Settle
    assert ids(once) == ()
    assert once.zone_advice.startswith("Stop any exercise that made it worse")


# --- ESC-SEVERE -----------------------------------------------------------------------


def test_esc_severe_fires_for_pain_8_that_does_not_ease_with_position():
    outcome = evaluate_check_in(check(pain=8, pain_eases_with_position=False), [], plan())

    assert ids(outcome) == ("ESC-SEVERE",)
    assert outcome.advice_level == "urgent"


@pytest.mark.parametrize(("pain", "eases"), [(8, True), (7, False)])
def test_esc_severe_does_not_fire_when_pain_eases_or_is_below_8(pain, eases):
    outcome = evaluate_check_in(check(pain=pain, pain_eases_with_position=eases), [], plan())

    assert ids(outcome) == ()


# --- REGRESS --------------------------------------------------------------------------


def test_regress_fires_when_pain_stays_two_above_phase_entry_for_more_than_48_hours():
    facts = plan(phase_entry_pain=3, today=START + timedelta(days=4))
    earlier = [check(1, pain=3), check(2, pain=5), check(3, pain=5)]

    outcome = evaluate_check_in(check(4, hour=1, pain=5), earlier, facts)

    # Pain 5 is also two above the check-in before the rise (3) for > 48 h: ESC-WORSE.
    assert ids(outcome) == ("ESC-WORSE", "REGRESS")
    regress = next(f for f in outcome.findings if f.rule_id == "REGRESS")
    assert regress.regress_to == "P1"
    assert regress.regress_until == facts.today + timedelta(days=3)


def test_regress_fires_for_red_twice_in_a_row():
    outcome = evaluate_check_in(check(2, zone=Zone.RED), [check(1, zone=Zone.RED)], plan())

    assert ids(outcome) == ("ESC-WORSE", "REGRESS")


def test_regress_does_not_fire_in_settle_or_while_already_regressed_or_below_the_rise():
    earlier = [check(1, zone=Zone.RED)]
    in_settle = evaluate_check_in(check(2, zone=Zone.RED), earlier, plan(current_phase="P1"))
    regressed = evaluate_check_in(
        check(2, zone=Zone.RED), earlier, plan(regressed_until=START + timedelta(days=5))
    )
    small_rise = evaluate_check_in(
        check(4, pain=5), [check(1, pain=5), check(2, pain=5)], plan(phase_entry_pain=4)
    )

    # Red twice in a row is still ESC-WORSE wherever the patient is.
    assert ids(in_settle) == ("ESC-WORSE",)
    assert ids(regressed) == ("ESC-WORSE",)
    assert ids(small_rise) == ()


def test_a_regression_ends_after_three_days_when_pain_is_back_near_phase_entry():
    facts = plan(phase_entry_pain=3, regressed_until=START + timedelta(days=4))

    assert regression_is_over(check(4, pain=4), facts)
    assert not regression_is_over(check(3, pain=3), facts)  # before the 3 days are over
    assert not regression_is_over(check(5, pain=5), facts)  # pain still 2 above entry
    assert not regression_is_over(check(5, pain=3, zone=Zone.RED), facts)


# --- PROGRESS and GATE-RTS ------------------------------------------------------------


def p1_plan(**changes) -> PlanFacts:
    values = {
        "current_phase": "P1",
        "phase_minimum_days": 3,
        "baseline_pain": 7,
        "phase_entry_pain": 7,
        "today": START + timedelta(days=3),
    }
    return plan(**{**values, **changes})


def test_progress_is_suggested_when_p1_exit_criteria_and_minimum_days_are_met():
    outcome = evaluate_check_in(check(3, pain=4, zone=Zone.AMBER), [check(1, pain=6)], p1_plan())

    assert ids(outcome) == ("PROGRESS",)
    progress = outcome.findings[0]
    assert progress.progress_to == "P2"
    assert progress.severity is Severity.INFO
    assert "P1 exit criteria met" in progress.physio_message


@pytest.mark.parametrize(
    ("why", "facts_changes", "check_changes"),
    [
        ("before the minimum days", {"today": START + timedelta(days=2)}, {}),
        ("pain above 4 and not 2 below baseline", {}, {"pain": 6}),
        ("cannot manage daily tasks", {}, {"can_manage_daily_tasks": False}),
        ("red response", {}, {"zone": Zone.RED}),
        ("while regressed", {"regressed_until": START + timedelta(days=5)}, {}),
    ],
)
def test_progress_is_not_suggested(why, facts_changes, check_changes):
    outcome = evaluate_check_in(
        check(3, **{"pain": 4, **check_changes}), [], p1_plan(**facts_changes)
    )

    assert ids(outcome) == (), why


def test_p1_exit_allows_pain_5_when_two_points_below_baseline():
    outcome = evaluate_check_in(check(3, pain=5), [], p1_plan())

    assert ids(outcome) == ("PROGRESS",)


def p2_green_days(days: int, last_day: int = 10) -> list[CheckInFacts]:
    return [check(day, pain=3) for day in range(last_day - days + 1, last_day)]


def test_p2_needs_five_green_days_in_a_row():
    facts = plan(today=START + timedelta(days=10), phase_entry_pain=5)

    five = evaluate_check_in(check(10, pain=3), p2_green_days(5), facts)
    four = evaluate_check_in(check(10, pain=3), p2_green_days(4), facts)

    assert ids(five) == ("PROGRESS",)
    assert five.findings[0].progress_to == "P3"
    assert ids(four) == ()


def test_an_amber_day_this_week_blocks_progress_after_settle():
    facts = plan(today=START + timedelta(days=10), phase_entry_pain=5)
    earlier = p2_green_days(5)
    earlier[-1] = dataclasses.replace(earlier[-1], zone=Zone.AMBER)

    outcome = evaluate_check_in(check(10, pain=3), earlier, facts)

    assert ids(outcome) == ()


def p3_plan(**changes) -> PlanFacts:
    return plan(
        current_phase="P3",
        phase_minimum_days=14,
        today=START + timedelta(days=15),
        phase_entry_pain=2,
        **changes,
    )


def p3_history() -> list[CheckInFacts]:
    return [check(day, pain=2) for day in (1, 4, 8, 11)]


def test_gate_rts_marks_the_strengthen_exit_when_sign_off_is_required():
    outcome = evaluate_check_in(
        check(15, pain=1), p3_history(), p3_plan(is_rts_sign_off_required=True)
    )

    assert ids(outcome) == ("PROGRESS",)
    progress = outcome.findings[0]
    assert progress.progress_to == "P4"
    assert progress.needs_rts_sign_off
    assert "GATE-RTS" in progress.physio_message


def test_gate_rts_does_not_apply_when_not_required_or_signed_off():
    not_required = evaluate_check_in(check(15, pain=1), p3_history(), p3_plan())
    signed = evaluate_check_in(
        check(15, pain=1),
        p3_history(),
        p3_plan(is_rts_sign_off_required=True, is_rts_signed_off=True),
    )

    for outcome in (not_required, signed):
        assert ids(outcome) == ("PROGRESS",)
        progress = outcome.findings[0]
        assert not progress.needs_rts_sign_off
        assert "GATE-RTS" not in progress.physio_message


def test_maintain_has_no_next_phase():
    outcome = evaluate_check_in(check(30, pain=0), [], plan(current_phase="P4"))

    assert ids(outcome) == ()


# --- daily rules ----------------------------------------------------------------------


def daily(check_ins, **changes) -> tuple[str, ...]:
    return tuple(finding.rule_id for finding in evaluate_daily(check_ins, plan(**changes)))


def test_chk_2w_fires_at_day_14_without_a_2_point_improvement():
    assert daily([check(13, pain=5)], today=START + timedelta(days=14)) == ("CHK-2W",)
    assert daily([], today=START + timedelta(days=14)) == ("CHK-2W",)


def test_chk_2w_does_not_fire_before_day_14_or_after_improvement():
    improved = [check(13, pain=3, feeling=Feeling.BETTER)]

    assert daily([check(12, pain=6)], today=START + timedelta(days=13)) == ()
    assert daily(improved, today=START + timedelta(days=14)) == ()


def test_chk_2w_fires_when_the_patient_says_no_better_despite_lower_pain():
    same = [check(13, pain=3, feeling=Feeling.SAME)]

    assert daily(same, today=START + timedelta(days=14)) == ("CHK-2W",)


def test_esc_review_4w_fires_in_p1_or_p2_after_28_days_and_pauses_reminders():
    findings = evaluate_daily([], plan(today=START + timedelta(days=28)))

    # No check-in since the start: no improvement either, so the 2-week check stands too.
    assert tuple(f.rule_id for f in findings) == ("CHK-2W", "ESC-REVIEW-4W")
    review = findings[1]
    assert review.pauses_reminders
    assert review.severity is Severity.REVIEW


def test_esc_review_4w_does_not_fire_before_28_days_or_after_leaving_p2():
    assert daily([], today=START + timedelta(days=27)) == ("CHK-2W",)
    assert daily([], today=START + timedelta(days=28), current_phase="P3") == ("CHK-2W",)


def test_esc_review_4w_routes_an_unimproved_new_episode_over_50_to_rf_urg_cancer():
    findings = evaluate_daily(
        [check(27, pain=6)],
        plan(today=START + timedelta(days=28), is_new_episode_over_50=True),
    )

    assert tuple(f.rule_id for f in findings) == ("CHK-2W", "ESC-REVIEW-4W")
    review = findings[1]
    assert "RF-URG-CANCER" in review.physio_message
    assert review.severity is Severity.URGENT


def test_esc_refer_6w_fires_without_meaningful_improvement_6_weeks_from_onset():
    findings = evaluate_daily(
        [check(30, pain=5, feeling=Feeling.SAME)], plan(today=START + timedelta(days=32))
    )

    assert tuple(f.rule_id for f in findings) == ("CHK-2W", "ESC-REVIEW-4W", "ESC-REFER-6W")
    refer = findings[2]
    assert refer.patient_message.startswith("Please book a review")


def test_esc_refer_6w_does_not_fire_with_improvement_or_before_6_weeks():
    six_weeks = START + timedelta(days=32)  # onset was 10 days before the start
    improved_pain = [check(30, pain=3, feeling=Feeling.SAME)]
    improved_function = [check(30, pain=5, feeling=Feeling.BETTER)]

    # Day 32 of a plan still in P2: the 2-week check (not 2 points better than the baseline
    # of 6 and feeling the same, or no check-in) and the 4-week review are due either way.
    assert daily(improved_pain, today=six_weeks) == ("CHK-2W", "ESC-REVIEW-4W")
    assert daily(improved_function, today=six_weeks) == ("CHK-2W", "ESC-REVIEW-4W")
    assert daily([], today=six_weeks - timedelta(days=1)) == ("CHK-2W", "ESC-REVIEW-4W")


def test_plan_expiry_fires_6_weeks_after_the_last_review_once_per_review():
    findings = evaluate_daily([], plan(today=START + timedelta(days=42), current_phase="P3"))

    assert tuple(f.rule_id for f in findings) == ("CHK-2W", "ESC-REFER-6W", "PLAN-EXPIRY")
    expiry = findings[-1]
    assert expiry.once_key == f"published-{START.isoformat()}"


def test_plan_expiry_does_not_fire_within_6_weeks_of_the_last_review():
    assert daily(
        [], today=START + timedelta(days=50), last_published_on=START + timedelta(days=9)
    ) == ("CHK-2W", "ESC-REVIEW-4W", "ESC-REFER-6W")  # still in P2 on day 50


# --- adherence and trend --------------------------------------------------------------


def test_adherence_three_a_week_two_done_is_67_percent():
    today = date(2026, 11, 20)
    done = [today - timedelta(days=1), today - timedelta(days=4), today - timedelta(days=9)]

    week = adherence(done, sessions_per_week=3, today=today, days=7, start_date=START)

    assert (week.done, week.expected, week.percent) == (2, 3, 67)


def test_adherence_over_28_days_counts_days_once_and_caps_at_100():
    today = date(2026, 11, 28)
    done = [today - timedelta(days=d) for d in range(0, 28, 3)] + [today]

    month = adherence(done, sessions_per_week=3, today=today, days=28, start_date=START)

    assert (month.done, month.expected) == (10, 12)
    assert month.percent == 83
    full = adherence(
        [today - timedelta(days=d) for d in range(28)],
        sessions_per_week=3,
        today=today,
        days=28,
        start_date=START,
    )
    assert full.percent == 100


def test_adherence_counts_only_since_the_plan_started():
    today = date(2026, 11, 20)

    recent = adherence(
        [today], sessions_per_week=7, today=today, days=28, start_date=today - timedelta(days=6)
    )

    assert (recent.done, recent.expected, recent.percent) == (1, 7, 14)


def test_pain_trend():
    assert pain_trend([]).direction == ""
    assert pain_trend([5]).latest == 5
    assert pain_trend([5, 3]).direction == "down"
    assert pain_trend([3, 5]).change == 2
    assert pain_trend([4, 4]).direction == "same"
