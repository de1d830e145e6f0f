"""Outcome measures (clinical-model.md §3 rows 15-16, §5.6): the Keele STarT Back tool, the
Patient-Specific Functional Scale (PSFS) and the pain scale (NPRS) over an episode.

Pure scoring, no Django. The STarT Back items are shown only with the copyright and funding
statement below (the licence asks for it wherever the items appear); the tool is for lumbar
episodes only: Keele does not recommend modified versions for the neck or the upper back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from clinical.i18n import _
from clinical.intake import Region, StartBackRisk, StartBackScore

# --- Keele STarT Back tool (G16) ---------------------------------------------------------

START_BACK_LICENCE = _(
    "The Keele STarT Back Screening Tool © Keele University 01/08/07, funded by Arthritis "
    "Research UK. Free for non-commercial clinical use; commercial use needs a licence from "
    "Keele University. Do not modify the items."
)
START_BACK_INTRODUCTION = _(
    "Thinking about the last 2 weeks, tick your response to the following questions."
)


@dataclass(frozen=True)
class StartBackItem:
    number: int
    text: str
    is_distress: bool  # items 5-9: the distress (psychosocial) subscale


START_BACK_ITEMS: tuple[StartBackItem, ...] = (
    StartBackItem(
        1,
        _("My back pain has spread down my leg(s) at some time in the last 2 weeks"),
        False,
    ),
    StartBackItem(
        2,
        _("I have had pain in the shoulder or neck at some time in the last 2 weeks"),
        False,
    ),
    StartBackItem(
        3,
        _("I have only walked short distances because of my back pain"),
        False,
    ),
    StartBackItem(
        4,
        _("In the last 2 weeks, I have dressed more slowly than usual because of back pain"),
        False,
    ),
    StartBackItem(
        5,
        _("It's not really safe for a person with a condition like mine to be physically active"),
        True,
    ),
    StartBackItem(
        6,
        _("Worrying thoughts have been going through my mind a lot of the time"),
        True,
    ),
    StartBackItem(
        7,
        _("I feel that my back pain is terrible and it's never going to get any better"),
        True,
    ),
    StartBackItem(
        8,
        _("In general I have not enjoyed all the things I used to enjoy"),
        True,
    ),
    StartBackItem(
        9,
        _("Overall, how bothersome has your back pain been in the last 2 weeks?"),
        True,
    ),
)
AGREE_ITEMS = tuple(item for item in START_BACK_ITEMS if item.number <= 8)
BOTHERSOME_ITEM = START_BACK_ITEMS[8]


class Agreement(StrEnum):
    DISAGREE = "disagree"
    AGREE = "agree"


class Bothersome(StrEnum):
    """Item 9: only "very much" and "extremely" score a point."""

    NOT_AT_ALL = "not_at_all"
    SLIGHTLY = "slightly"
    MODERATELY = "moderately"
    VERY_MUCH = "very_much"
    EXTREMELY = "extremely"

    @property
    def label(self) -> str:
        return _BOTHERSOME_LABELS[self.value]

    @property
    def scores(self) -> bool:
        return self in (Bothersome.VERY_MUCH, Bothersome.EXTREMELY)


_BOTHERSOME_LABELS = {
    "not_at_all": _("Not at all"),
    "slightly": _("Slightly"),
    "moderately": _("Moderately"),
    "very_much": _("Very much"),
    "extremely": _("Extremely"),
}


@dataclass(frozen=True)
class StartBackAnswers:
    """The patient's nine answers: items 1-8 agree/disagree, item 9 how bothersome."""

    agreements: tuple[Agreement, ...]  # items 1-8, in order
    bothersome: Bothersome

    def __post_init__(self) -> None:
        if len(self.agreements) != len(AGREE_ITEMS):
            raise ValueError(f"STarT Back needs {len(AGREE_ITEMS)} agree/disagree answers")

    @classmethod
    def from_stored(cls, stored: dict) -> StartBackAnswers:
        """From the stored form ``{"items": ["agree", ...8], "bothersome": "slightly"}``."""
        return cls(
            agreements=tuple(Agreement(value) for value in stored["items"]),
            bothersome=Bothersome(stored["bothersome"]),
        )

    def to_stored(self) -> dict:
        return {"items": [a.value for a in self.agreements], "bothersome": self.bothersome.value}

    def point(self, item: StartBackItem) -> int:
        if item.number == BOTHERSOME_ITEM.number:
            return int(self.bothersome.scores)
        return int(self.agreements[item.number - 1] is Agreement.AGREE)


def score_start_back(answers: StartBackAnswers) -> StartBackScore:
    """Total 0-9 (one point an agreement, one for "very much" or "extremely" bothersome) and
    the distress subscale 0-5 (items 5-9). Group: 0-3 low; 4-9 medium, unless the subscale is
    4-5: high (G16). The group is `StartBackScore.risk`."""
    points = {item.number: answers.point(item) for item in START_BACK_ITEMS}
    return StartBackScore(
        total=sum(points.values()),
        distress=sum(points[item.number] for item in START_BACK_ITEMS if item.is_distress),
    )


def stored_start_back(stored: dict) -> StartBackScore | None:
    """The STarT Back result of stored answers: scored from the nine items, or (assessments
    recorded before the questionnaire) the total and distress score the physio typed in."""
    if stored.get("start_back_answers"):
        return score_start_back(StartBackAnswers.from_stored(stored["start_back_answers"]))
    if stored.get("start_back_total") is not None:
        return StartBackScore(stored["start_back_total"], stored["start_back_distress"])
    return None


def psfs_baseline_ratings(stored: dict) -> list[int]:
    return [int(entry["rating"]) for entry in stored.get("psfs_baseline") or []]


def is_start_back_used_for(regions: Sequence[str] | frozenset[Region]) -> bool:
    """Lumbar episodes only (G16): not for neck-only or upper-back-only presentations."""
    return Region.LUMBAR in {Region(region) for region in regions}


# The emphasis each group gets (§3 row 15, G1 1.1.2-1.1.3), shown to the physio with the
# education it adds (EDU-STARTBACK).
START_BACK_EMPHASIS: dict[StartBackRisk, tuple[str, tuple[str, ...]]] = {
    StartBackRisk.LOW: (
        _("Low risk: reassurance and self-management; lighter support."),
        ("outlook", "stay_active"),
    ),
    StartBackRisk.MEDIUM: (
        _("Medium risk: exercise and activity, physio-led."),
        ("stay_active", "graded_activity"),
    ),
    StartBackRisk.HIGH: (
        _(
            "High risk: psychologically informed approach; pain-coping and graded activity "
            "education (AMB-HIGHRISK)."
        ),
        ("stay_active", "graded_activity", "pain_coping"),
    ),
}


# --- change from baseline: PSFS and pain (NPRS) ------------------------------------------

PSFS_MAX_ACTIVITIES = 5
PSFS_MCID = 2.0  # points of the mean score; G19-style 2-point change, §3 row 16
NPRS_MCID = 2  # points of pain, G19


class Measure(StrEnum):
    PSFS = "psfs"
    PAIN = "pain"


@dataclass(frozen=True)
class Change:
    """A measure from baseline to now. `improvement` is positive when the patient is better
    (PSFS up, pain down); `is_meaningful` when that improvement reaches the MCID."""

    measure: Measure
    baseline: float
    current: float

    @property
    def improvement(self) -> float:
        delta = self.current - self.baseline
        return round(delta if self.measure is Measure.PSFS else -delta, 1)

    @property
    def is_meaningful(self) -> bool:
        mcid = PSFS_MCID if self.measure is Measure.PSFS else NPRS_MCID
        return self.improvement >= mcid

    @property
    def is_meaningfully_worse(self) -> bool:
        mcid = PSFS_MCID if self.measure is Measure.PSFS else NPRS_MCID
        return -self.improvement >= mcid


def validate_psfs_ratings(ratings: Sequence[int], *, activities: int | None = None) -> None:
    """Raise ValueError unless every rating is 0-10 and (for a review) one per activity."""
    if not 1 <= len(ratings) <= PSFS_MAX_ACTIVITIES:
        raise ValueError(f"Rate between 1 and {PSFS_MAX_ACTIVITIES} activities.")
    if activities is not None and len(ratings) != activities:
        raise ValueError("Rate each of the activities named at the assessment.")
    if any(not isinstance(r, int) or not 0 <= r <= 10 for r in ratings):
        raise ValueError("Each rating is a whole number from 0 (unable) to 10 (as before).")


def psfs_mean(ratings: Sequence[int]) -> float:
    """The PSFS score: mean of the activity ratings, 0 (unable) to 10 (as before the problem)."""
    validate_psfs_ratings(ratings)
    return round(sum(ratings) / len(ratings), 1)


def psfs_change(baseline: Sequence[int], current: Sequence[int]) -> Change:
    validate_psfs_ratings(current, activities=len(baseline))
    return Change(Measure.PSFS, psfs_mean(baseline), psfs_mean(current))


def pain_change(baseline: int, current: int) -> Change:
    return Change(Measure.PAIN, baseline, current)


@dataclass(frozen=True)
class Point:
    """One measurement on the episode's time line (day 0 = the assessment)."""

    day: int
    value: float


def first_meaningful_day(measure: Measure, baseline: float, points: Sequence[Point]) -> int | None:
    """The day the measure first reached its MCID from baseline (the chart's mark), if it did."""
    for point in sorted(points, key=lambda p: p.day):
        if Change(measure, baseline, point.value).is_meaningful:
            return point.day
    return None
