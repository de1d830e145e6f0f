"""The episode's outcome measures, read (issue #18): PSFS and pain from the assessment to now
against the plan's phases, the change from baseline with its MCID, the chart's geometry, and
the dashboard's "change since baseline" for many patients in a constant number of queries.

One reader for the patient page, the progress report PDF and the API. Scoring is pure
(`clinical.measures`); this module only gathers the rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinical.intake import StartBackScore
from clinical.measures import (
    START_BACK_LICENCE,
    Change,
    Measure,
    Point,
    first_meaningful_day,
    pain_change,
    psfs_baseline_ratings,
    psfs_change,
    psfs_mean,
)
from followup.models import CheckIn, FunctionReview
from programs.models import Plan


@dataclass(frozen=True)
class PhaseSpan:
    code: str
    name: str
    start: datetime.date
    end: datetime.date | None


@dataclass(frozen=True)
class MeasureRow:
    """One line of the table: a date, the measure then, and the change from baseline."""

    on: datetime.date
    value: float
    change: Change | None
    label: str = ""


@dataclass
class Episode:
    """A plan's episode as measured: baseline at the assessment, each measurement since."""

    plan: Plan
    start: datetime.date
    start_back: StartBackScore | None
    psfs_activities: list[str]
    psfs_baseline: float | None
    pain_baseline: int
    psfs_rows: list[MeasureRow] = field(default_factory=list)
    pain_rows: list[MeasureRow] = field(default_factory=list)
    phases: list[PhaseSpan] = field(default_factory=list)

    @property
    def start_back_licence(self) -> str:
        return START_BACK_LICENCE

    @property
    def psfs_change(self) -> Change | None:
        return self.psfs_rows[-1].change if self.psfs_rows else None

    @property
    def pain_change(self) -> Change | None:
        return self.pain_rows[-1].change if self.pain_rows else None

    def _points(self, rows: list[MeasureRow]) -> list[Point]:
        return [Point((row.on - self.start).days, row.value) for row in rows]

    @property
    def psfs_mcid_on(self) -> datetime.date | None:
        if self.psfs_baseline is None:
            return None
        day = first_meaningful_day(Measure.PSFS, self.psfs_baseline, self._points(self.psfs_rows))
        return None if day is None else self.start + datetime.timedelta(days=day)

    @property
    def pain_mcid_on(self) -> datetime.date | None:
        day = first_meaningful_day(Measure.PAIN, self.pain_baseline, self._points(self.pain_rows))
        return None if day is None else self.start + datetime.timedelta(days=day)


def episode_of(plan: Plan) -> Episode:
    """The measured episode of `plan` (three queries: check-ins, PSFS reviews, phases)."""
    assessment = plan.assessment
    answers = assessment.answers
    baseline_ratings = psfs_baseline_ratings(answers)
    episode = Episode(
        plan=plan,
        start=assessment.assessment_date,
        start_back=assessment.start_back,
        psfs_activities=[entry["activity"] for entry in assessment.psfs_baseline],
        psfs_baseline=psfs_mean(baseline_ratings) if baseline_ratings else None,
        pain_baseline=int(answers.get("pain_now") or 0),
    )
    for check_in in (
        CheckIn.objects.filter(plan=plan)
        .order_by("created_at", "id")
        .only("local_date", "pain", "created_at")
    ):
        episode.pain_rows.append(
            MeasureRow(
                on=check_in.local_date,
                value=check_in.pain,
                change=pain_change(episode.pain_baseline, check_in.pain),
            )
        )
    reviews = FunctionReview.objects.filter(plan=plan, answered_at__isnull=False).order_by(
        "answered_at", "id"
    )
    for review in reviews:
        episode.psfs_rows.append(
            MeasureRow(
                on=review.local_date or timezone.localdate(review.answered_at),
                value=psfs_mean(review.ratings),
                change=psfs_change(baseline_ratings, review.ratings),
                label=review.rule_id,
            )
        )
    for phase in plan.phases.filter(start_date__isnull=False).order_by("start_date", "code"):
        assert phase.start_date is not None  # filtered above
        episode.phases.append(PhaseSpan(phase.code, phase.name, phase.start_date, phase.end_date))
    return episode


def latest_episode(patient) -> Episode | None:
    """The episode of the patient's latest plan with a published revision, if any."""
    plan = (
        Plan.objects.filter(patient=patient, revisions__isnull=False)
        .select_related("assessment")
        .order_by("-created_at")
        .first()
    )
    return episode_of(plan) if plan is not None else None


# --- the chart (accessible SVG, printable) -------------------------------------------------

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 40, 44
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def outcome_chart(episode: Episode, *, today: datetime.date) -> dict:
    """Coordinates and words for the PSFS/pain chart: day 0 is the assessment; both measures
    share the 0-10 scale; phase bands behind; a dashed mark where each crossed its MCID."""
    last_day = max(
        [(today - episode.start).days]
        + [(row.on - episode.start).days for row in episode.pain_rows + episode.psfs_rows]
        + [1]
    )
    span = max(last_day, 7)

    def x_of(on: datetime.date) -> float:
        return LEFT + PLOT_WIDTH * min(max((on - episode.start).days, 0), span) / span

    def y_of(value: float) -> float:
        return TOP + PLOT_HEIGHT * (1 - value / 10)

    def series(
        baseline: float | None, rows: list[MeasureRow], unit: Callable[[str], str]
    ) -> list[dict]:
        if baseline is None:
            return []
        points = [
            {
                "x": _fmt(x_of(episode.start)),
                "y": _fmt(y_of(baseline)),
                "label": _("Baseline %(date)s: %(value)s")
                % {"date": _short(episode.start), "value": unit(f"{baseline:g}")},
            }
        ]
        for row in rows:
            points.append(
                {
                    "x": _fmt(x_of(row.on)),
                    "y": _fmt(y_of(row.value)),
                    "label": f"{_short(row.on)}: {unit(f'{row.value:g}')}",
                }
            )
        return points

    psfs = series(episode.psfs_baseline, episode.psfs_rows, lambda value: f"{value} (PSFS)")
    pain = series(
        episode.pain_baseline,
        episode.pain_rows,
        lambda value: _("pain %(value)s/10") % {"value": value},
    )
    bands = []
    for index, phase in enumerate(episode.phases):
        start = x_of(phase.start)
        end = x_of(phase.end or today)
        bands.append(
            {
                "x": _fmt(start),
                "width": _fmt(max(end - start, 2)),
                "label": f"{phase.code} {_(phase.name)}",  # a phase name is a catalogue message
                "label_x": _fmt(start + 3),
                "shade": "#eef2f6" if index % 2 == 0 else "#f8fafc",
            }
        )
    marks = []
    for name, on in (("PSFS", episode.psfs_mcid_on), (_("Pain"), episode.pain_mcid_on)):
        if on is not None:
            marks.append(
                {
                    "x": _fmt(x_of(on)),
                    "label": _("%(measure)s: meaningful change (2 points) on %(date)s")
                    % {"measure": name, "date": _short(on)},
                    "short": f"{name} MCID",
                }
            )
    description = _describe(episode)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right_edge": LEFT + PLOT_WIDTH,
        "top": TOP,
        "bottom_edge": TOP + PLOT_HEIGHT,
        "plot_height": PLOT_HEIGHT,
        "ticks": [{"value": value, "y": _fmt(y_of(value))} for value in (0, 2, 4, 6, 8, 10)],
        "psfs": psfs,
        "psfs_line": " ".join(f"{p['x']},{p['y']}" for p in psfs),
        "pain": pain,
        "pain_line": " ".join(f"{p['x']},{p['y']}" for p in pain),
        "bands": bands,
        "marks": marks,
        "mark_y": TOP - 4,
        "x_label_y": TOP + PLOT_HEIGHT + 18,
        "start_label": _short(episode.start),
        "end_label": _("day %(number)s") % {"number": span},
        "description": description,
    }


def _short(day: datetime.date) -> str:
    """A chart's day ("03 Mar") in the active language."""
    return date_format(day, "d M")


def _change_words(change: Change | None, name: str) -> str:
    if change is None:
        return _("no %(measure)s measurement since the baseline") % {"measure": name}
    values = {
        "measure": name,
        "before": f"{change.baseline:g}",
        "after": f"{change.current:g}",
        "points": f"{abs(change.improvement):g}",
    }
    if change.improvement > 0 and change.is_meaningful:
        message = _(
            "%(measure)s: from %(before)s to %(after)s (%(points)s points better, meaningful)"
        )
    elif change.improvement > 0:
        message = _("%(measure)s: from %(before)s to %(after)s (%(points)s points better)")
    elif change.improvement < 0 and change.is_meaningful:
        message = _(
            "%(measure)s: from %(before)s to %(after)s (%(points)s points worse, meaningful)"
        )
    elif change.improvement < 0:
        message = _("%(measure)s: from %(before)s to %(after)s (%(points)s points worse)")
    else:
        message = _("%(measure)s: from %(before)s to %(after)s")
    return message % values


def _describe(episode: Episode) -> str:
    changes = "; ".join(
        [
            _change_words(episode.psfs_change, "PSFS")
            if episode.psfs_baseline is not None
            else _("no PSFS baseline"),
            _change_words(episode.pain_change, _("pain")),
        ]
    )
    return _("From the assessment on %(date)s: %(changes)s.") % {
        "date": date_format(episode.start, "d F Y"),
        "changes": changes,
    }


# --- the dashboard: change since baseline, many patients at once --------------------------


@dataclass(frozen=True)
class BaselineChange:
    pain: Change | None
    psfs: Change | None


def change_since_baseline(patient_ids) -> dict[int, BaselineChange]:
    """{patient_id: change since baseline} for the patients' latest published plans, in three
    queries whatever the number of patients (plans with their assessments, latest check-ins,
    latest PSFS reviews)."""
    latest_plan = (
        Plan.objects.filter(patient_id=OuterRef("patient_id"), revisions__isnull=False)
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    plans = list(
        Plan.objects.filter(patient_id__in=list(patient_ids), id=Subquery(latest_plan))
        .select_related("assessment")
        .only("id", "patient_id", "assessment__answers")
    )
    plan_ids = [plan.pk for plan in plans]
    last_check_in = (
        CheckIn.objects.filter(plan_id__in=plan_ids)
        .values("plan_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    pains = dict(CheckIn.objects.filter(id__in=last_check_in).values_list("plan_id", "pain"))
    last_review = (
        FunctionReview.objects.filter(plan_id__in=plan_ids, answered_at__isnull=False)
        .values("plan_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    ratings = dict(
        FunctionReview.objects.filter(id__in=last_review).values_list("plan_id", "ratings")
    )
    changes = {}
    for plan in plans:
        answers = plan.assessment.answers
        baseline = psfs_baseline_ratings(answers)
        pain = pains.get(plan.pk)
        changes[plan.patient_id] = BaselineChange(
            pain=pain_change(int(answers.get("pain_now") or 0), pain) if pain is not None else None,
            psfs=psfs_change(baseline, ratings[plan.pk])
            if baseline and plan.pk in ratings
            else None,
        )
    return changes
