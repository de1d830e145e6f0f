"""Outcome measures (clinical-model §3 rows 15-16, §5.6): STarT Back scoring on every boundary,
the group's effect on the plan, PSFS and pain change with the 2-point MCID, and the follow-up
rules that read them (P2 exit, CHK-2W, ESC-REFER-6W, AMB-HIGHRISK weekly check-ins)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from clinical.follow_up import CheckInFacts, Feeling, Zone, evaluate_check_in, evaluate_daily
from clinical.intake import Region, StartBackRisk
from clinical.measures import (
    START_BACK_ITEMS,
    Agreement,
    Bothersome,
    Measure,
    Point,
    StartBackAnswers,
    first_meaningful_day,
    is_start_back_used_for,
    pain_change,
    psfs_change,
    psfs_mean,
    score_start_back,
)
from clinical.planner import propose_plan
from clinical.rules import RULES
from clinical.screening import screen

from .builders import TODAY, build_intake
from .test_follow_up import START, plan

A, D = Agreement.AGREE, Agreement.DISAGREE


def answers(physical: int, distress_agreements: int, bothersome=Bothersome.NOT_AT_ALL):
    """Agree with the first `physical` of items 1-4 and `distress_agreements` of items 5-8."""
    items = [A] * physical + [D] * (4 - physical) + [A] * distress_agreements
    items += [D] * (4 - distress_agreements)
    return StartBackAnswers(tuple(items), bothersome)


@pytest.mark.parametrize(
    ("physical", "distress", "bothersome", "total", "subscale", "group"),
    [
        (0, 0, Bothersome.NOT_AT_ALL, 0, 0, StartBackRisk.LOW),
        (3, 0, Bothersome.MODERATELY, 3, 0, StartBackRisk.LOW),  # total 3: low
        (4, 0, Bothersome.MODERATELY, 4, 0, StartBackRisk.MEDIUM),  # total 4: medium
        (1, 3, Bothersome.SLIGHTLY, 4, 3, StartBackRisk.MEDIUM),  # subscale 3: medium
        (0, 3, Bothersome.VERY_MUCH, 4, 4, StartBackRisk.HIGH),  # subscale 4: high
        (0, 3, Bothersome.EXTREMELY, 4, 4, StartBackRisk.HIGH),  # the other positive answer
        (4, 4, Bothersome.EXTREMELY, 9, 5, StartBackRisk.HIGH),
        (0, 4, Bothersome.NOT_AT_ALL, 4, 4, StartBackRisk.HIGH),
        (3, 0, Bothersome.VERY_MUCH, 4, 1, StartBackRisk.MEDIUM),  # item 9 counts in the total
        (3, 0, Bothersome.MODERATELY, 3, 0, StartBackRisk.LOW),  # "moderately" scores 0
    ],
)
def test_start_back_scoring(physical, distress, bothersome, total, subscale, group):
    score = score_start_back(answers(physical, distress, bothersome))

    assert (score.total, score.distress, score.risk) == (total, subscale, group)


@pytest.mark.parametrize("bothersome", list(Bothersome))
def test_only_very_much_and_extremely_score_the_bothersomeness_item(bothersome):
    score = score_start_back(answers(0, 0, bothersome))

    expected = 1 if bothersome in (Bothersome.VERY_MUCH, Bothersome.EXTREMELY) else 0
    assert (score.total, score.distress) == (expected, expected)


def test_start_back_has_nine_items_and_five_in_the_distress_subscale():
    assert [item.number for item in START_BACK_ITEMS] == list(range(1, 10))
    assert [item.number for item in START_BACK_ITEMS if item.is_distress] == [5, 6, 7, 8, 9]
    with pytest.raises(ValueError, match="8 agree/disagree"):
        StartBackAnswers((A,) * 7, Bothersome.SLIGHTLY)


def test_stored_answers_round_trip():
    given = answers(2, 3, Bothersome.EXTREMELY)

    assert StartBackAnswers.from_stored(given.to_stored()) == given


@pytest.mark.parametrize(
    ("regions", "used"),
    [
        ({"lumbar"}, True),
        ({"lumbar", "cervical"}, True),
        ({"cervical"}, False),
        ({"thoracic"}, False),
    ],
)
def test_start_back_is_for_lumbar_episodes_only(regions, used):
    assert is_start_back_used_for(regions) is used


# --- the group feeds the screen and the planner --------------------------------------------


def _starting_education(intake, catalogue):
    proposed = propose_plan(intake, screen(intake, today=TODAY), catalogue, today=TODAY)
    starting = next(phase for phase in proposed.phases if phase.is_starting)
    return proposed, {
        advice.education_key: advice
        for advice in starting.advice
        if "EDU-STARTBACK" in advice.rule_ids
    }


@pytest.mark.parametrize(
    ("physical", "distress", "bothersome", "fired", "keys"),
    [
        (1, 0, Bothersome.SLIGHTLY, (), {"outlook", "stay_active"}),
        (3, 1, Bothersome.SLIGHTLY, (), {"stay_active", "graded_activity"}),
        (
            1,
            3,
            Bothersome.VERY_MUCH,
            ("AMB-HIGHRISK",),
            {"stay_active", "graded_activity", "pain_coping"},
        ),
    ],
)
def test_a_lumbar_vignette_gets_the_emphasis_of_its_group(
    catalogue, physical, distress, bothersome, fired, keys
):
    score = score_start_back(answers(physical, distress, bothersome))
    intake = build_intake(start_back=score)

    result = screen(intake, today=TODAY)
    proposed, education = _starting_education(intake, catalogue)

    assert tuple(rule.rule_id for rule in result.fired) == fired
    assert set(education) == keys
    high_risk_warnings = [w.message for w in proposed.warnings if w.rule_id == "AMB-HIGHRISK"]
    if fired:
        assert high_risk_warnings == [
            "STarT Back high risk: use a psychologically informed approach; weekly check-ins."
        ]
    else:
        assert high_risk_warnings == []


def test_a_neck_episode_gets_no_start_back_emphasis_or_flag(catalogue):
    score = score_start_back(answers(4, 4, Bothersome.EXTREMELY))
    intake = build_intake(
        regions=frozenset({Region.CERVICAL}), primary_region=Region.CERVICAL, start_back=score
    )

    _, education = _starting_education(intake, catalogue)

    assert "AMB-HIGHRISK" not in screen(intake, today=TODAY).rule_ids
    assert education == {}


def test_new_rule_ids_are_registered():
    assert {"EDU-STARTBACK", "PSFS-MCID", "AMB-HIGHRISK"} <= set(RULES)


# --- PSFS and pain change ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "current", "improvement", "meaningful"),
    [
        ([3, 4], [5, 5], 1.5, False),
        ([3, 4], [5, 6], 2.0, True),  # exactly the MCID
        ([2, 2, 2], [4, 4, 4], 2.0, True),
        ([6], [3], -3.0, False),
    ],
)
def test_psfs_change_and_mcid(baseline, current, improvement, meaningful):
    change = psfs_change(baseline, current)

    assert (change.improvement, change.is_meaningful) == (improvement, meaningful)


@pytest.mark.parametrize(
    ("ratings", "message"),
    [([], "between 1 and 5"), ([1] * 6, "between 1 and 5"), ([11], "0 \\(unable\\)")],
)
def test_psfs_ratings_are_checked(ratings, message):
    with pytest.raises(ValueError, match=message):
        psfs_mean(ratings)


def test_a_review_rates_each_baseline_activity():
    with pytest.raises(ValueError, match="each of the activities"):
        psfs_change([3, 4], [5])


@pytest.mark.parametrize(
    ("baseline", "current", "meaningful", "worse"),
    [(6, 5, False, False), (6, 4, True, False), (4, 6, False, True)],
)
def test_pain_change_mcid_is_two_points_down(baseline, current, meaningful, worse):
    change = pain_change(baseline, current)

    assert (change.is_meaningful, change.is_meaningfully_worse) == (meaningful, worse)


def test_first_meaningful_day_marks_the_mcid_crossing():
    points = [Point(7, 4.5), Point(14, 5.0), Point(21, 6.0)]

    assert first_meaningful_day(Measure.PSFS, 3.0, points) == 14
    assert first_meaningful_day(Measure.PAIN, 6, [Point(3, 5), Point(9, 4)]) == 9
    assert first_meaningful_day(Measure.PAIN, 6, [Point(3, 5)]) is None


# --- the follow-up rules read the PSFS ----------------------------------------------------


def _check(day: int, **changes) -> CheckInFacts:
    values = {
        "at": datetime(START.year, START.month, START.day, 12, tzinfo=UTC) + timedelta(days=day),
        "pain": 3,
        "zone": Zone.GREEN,
        "feeling": Feeling.BETTER,
    }
    values.update(changes)
    return CheckInFacts(**values)


def _daily_ids(check_ins, **changes):
    return tuple(f.rule_id for f in evaluate_daily(check_ins, plan(**changes)))


def test_chk_2w_counts_no_better_on_psfs_alongside_pain():
    better_pain = [_check(13, pain=2)]
    day_14 = START + timedelta(days=14)

    assert _daily_ids(better_pain, today=day_14) == ()
    assert _daily_ids(better_pain, today=day_14, psfs_change=psfs_change([3], [4])) == ("CHK-2W",)
    assert _daily_ids(better_pain, today=day_14, psfs_change=psfs_change([3], [5])) == ()


def test_esc_refer_6w_reads_function_from_the_psfs():
    same_pain = [_check(41, pain=6, feeling=Feeling.BETTER)]
    changes = {"today": START + timedelta(days=41), "current_phase": "P3"}

    assert _daily_ids(same_pain, **changes) == ("CHK-2W",)  # "better" counts as function
    assert _daily_ids(same_pain, psfs_change=psfs_change([3], [4]), **changes) == (
        "CHK-2W",
        "ESC-REFER-6W",
    )


def test_p2_exit_reads_the_psfs_change_where_one_exists():
    earlier = [_check(day, pain=3) for day in range(3, 7)]
    latest = _check(7, pain=3)
    facts = plan(today=START + timedelta(days=7), phase_minimum_days=7)

    def progress(plan_facts):
        return tuple(evaluate_check_in(latest, earlier, plan_facts).rule_ids)

    assert progress(facts) == ("PROGRESS",)
    assert progress(dataclasses.replace(facts, psfs_change=psfs_change([4], [5]))) == ()
    with_psfs = dataclasses.replace(facts, psfs_change=psfs_change([4], [6]))
    assert progress(with_psfs) == ("PROGRESS",)
    [finding] = evaluate_check_in(latest, earlier, with_psfs).findings
    assert "PSFS +2 from baseline" in finding.physio_message


def test_high_risk_asks_for_weekly_check_ins():
    day_7 = START + timedelta(days=7)

    assert _daily_ids([], today=day_7, is_high_risk=True) == ("AMB-HIGHRISK",)
    assert _daily_ids([], today=day_7, is_high_risk=False) == ()
    assert _daily_ids([_check(3)], today=day_7, is_high_risk=True) == ()
    [finding] = evaluate_daily([], plan(today=day_7, is_high_risk=True))
    assert finding.once_key == "week-1"
