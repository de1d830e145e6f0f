"""The physio's patient page: `patient_page` loads everything it shows, for its one view.

Its follow-up panel (alerts, a pain/adherence chart, check-ins) is built by
`follow_up_panel`; the chart is a server-rendered SVG whose geometry is computed here, the
markup in `followup/_chart.html`, so it prints and reads without JavaScript.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import AuditEvent, Invitation, Patient
from accounts.selectors import get_patient_page_for
from clinical.intake import RED_FLAG_QUESTIONS_BY_KEY
from core.i18n import localise
from followup import outcomes
from followup.models import Alert
from followup.selectors import PHASE_NAMES, RESOLVED_SHOWN, FollowUp, follow_up_overview
from programs.models import Assessment, Plan
from programs.safety import SafetyState, state_of
from reminders.selectors import physio_panel as reminder_panel

# Chart frame (SVG user units; the SVG scales to its container).
WIDTH, HEIGHT = 680, 310
LEFT, RIGHT, TOP, BOTTOM = 52, 60, 56, 50
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
BAR_SHARE = 5 / 7  # of a week's width


def _number(value: float) -> str:
    """Coordinates as plain strings, so template localisation never changes them."""
    return f"{value:.1f}"


def _day_label(day: datetime.date) -> str:
    """A short day and month in the active language ("8 Dec", "8 dic")."""
    return date_format(day, "j M")


def chart(overview: FollowUp) -> dict | None:
    """Coordinates and words for the chart; None when there is nothing to draw."""
    if overview.chart_from is None or not overview.chart_points:
        return None
    weeks = overview.chart_weeks
    span_days = 7 * len(weeks)
    week_width = PLOT_WIDTH / len(weeks)

    def x_of(days: float) -> float:
        return LEFT + PLOT_WIDTH * days / span_days

    def y_of(share: float) -> float:  # share of the axis, 0-1
        return TOP + PLOT_HEIGHT * (1 - share)

    points = []
    for point in overview.chart_points:
        offset = (point.day - overview.chart_from).days
        offset += (point.at.hour + point.at.minute / 60) / 24
        points.append(
            {
                "x": _number(x_of(offset)),
                "y": _number(y_of(point.pain / 10)),
                "label": _("%(day)s %(time)s: pain %(pain)s/10")
                % {"day": _day_label(point.day), "time": f"{point.at:%H:%M}", "pain": point.pain},
            }
        )
    bars = []
    for index, week in enumerate(weeks):
        percent = week.adherence.percent
        left = LEFT + index * week_width
        bar = {
            "week_label": _day_label(week.starts_on),
            "label_x": _number(left + week_width / 2),
            "divider_x": _number(left),
            "percent": percent,
            "done": week.adherence.done,
            "expected": week.adherence.expected,
        }
        if percent is not None:
            height = PLOT_HEIGHT * percent / 100
            bar |= {
                "x": _number(left + week_width * (1 - BAR_SHARE) / 2),
                "y": _number(TOP + PLOT_HEIGHT - height),
                "width": _number(week_width * BAR_SHARE),
                "height": _number(height),
                # The figure sits above a short bar and inside a tall one (under the 10 line).
                "text_y": _number(
                    TOP + PLOT_HEIGHT - height - 5
                    if percent < 85
                    else TOP + PLOT_HEIGHT - height + 16
                ),
            }
        bars.append(bar)
    pains = [p.pain for p in overview.chart_points]
    first, last = overview.chart_points[0], overview.chart_points[-1]
    weekly = "; ".join(
        (
            _("week of %(week)s: %(percent)s %% (%(done)s of %(expected)s sessions)")
            % {
                "week": _day_label(w.starts_on),
                "percent": w.adherence.percent,
                "done": w.adherence.done,
                "expected": w.adherence.expected,
            }
            if w.adherence.percent is not None
            else _("week of %(week)s: no sessions prescribed") % {"week": _day_label(w.starts_on)}
        )
        for w in weeks
    )
    description = ngettext(
        "Pain at %(count)s check-in from %(first_day)s to %(last_day)s %(year)s: "
        "first %(first)s/10, latest %(latest)s/10, lowest %(lowest)s/10, highest %(highest)s/10. "
        "Sessions done as a share of those prescribed, per week: %(weekly)s.",
        "Pain at %(count)s check-ins from %(first_day)s to %(last_day)s %(year)s: "
        "first %(first)s/10, latest %(latest)s/10, lowest %(lowest)s/10, highest %(highest)s/10. "
        "Sessions done as a share of those prescribed, per week: %(weekly)s.",
        len(pains),
    ) % {
        "count": len(pains),
        "first_day": _day_label(first.day),
        "last_day": _day_label(last.day),
        "year": last.day.year,
        "first": pains[0],
        "latest": pains[-1],
        "lowest": min(pains),
        "highest": max(pains),
        "weekly": weekly,
    }
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right_edge": WIDTH - RIGHT,
        "top": TOP,
        "bottom_edge": TOP + PLOT_HEIGHT,
        "axis_label_x": _number(LEFT - 8),
        "right_label_x": _number(WIDTH - RIGHT + 8),
        "week_label_y": _number(TOP + PLOT_HEIGHT + 18),
        "none_y": _number(TOP + PLOT_HEIGHT - 6),
        "x_title_y": _number(HEIGHT - 8),
        "x_title_x": _number(LEFT + PLOT_WIDTH / 2),
        "left_title_x": 14,
        "right_title_x": WIDTH - 12,
        "y_middle": _number(TOP + PLOT_HEIGHT / 2),
        "pain_ticks": [
            {"value": value, "y": _number(y_of(value / 10))} for value in range(0, 11, 2)
        ],
        "percent_ticks": [
            {"value": value, "y": _number(y_of(value / 100))} for value in (0, 50, 100)
        ],
        "points": points,
        "line": " ".join(f"{p['x']},{p['y']}" for p in points),
        "bars": bars,
        "description": description,
    }


def _warning_words(keys: list[str]) -> list[str]:
    return [
        localise(RED_FLAG_QUESTIONS_BY_KEY[key].physio_text).rstrip("?").lstrip("¿")
        if key in RED_FLAG_QUESTIONS_BY_KEY
        else key
        for key in keys
    ]


def follow_up_panel(patient, overview: FollowUp) -> dict:
    """Everything the physio's follow-up panel shows (`followup/_physio_panel.html`)."""
    plan = overview.plan
    rts_pending = bool(
        plan
        and plan.is_return_to_sport_sign_off_required
        and plan.return_to_sport_signed_off_at is None
    )
    for alert in overview.open_alerts:
        alert.is_progression = alert.action == Alert.Action.SUGGESTION and bool(alert.progress_to)
        alert.asks_rts_sign_off = alert.needs_rts_sign_off or (
            alert.progress_to == "P4" and rts_pending
        )
    for check_in in overview.history:
        check_in.warning_words = _warning_words(check_in.warning_signs)
    return {
        "patient": patient,
        "overview": overview,
        "plan": plan,
        "phase_name": localise(PHASE_NAMES.get(overview.phase, "")),
        "current_phase_name": localise(PHASE_NAMES.get(plan.current_phase, "")) if plan else "",
        "chart": chart(overview),
        "chart_id": f"follow-up-chart-{patient.pk}",
        "resolved_shown": RESOLVED_SHOWN,
    }


@dataclass(frozen=True)
class PatientPage:
    patient: Patient
    invitation: Invitation | None
    assessments: list[Assessment]
    plans: list[Plan]
    follow_up: dict
    reminders: dict
    audit_events: list[AuditEvent]
    safety: SafetyState
    outcomes: dict | None = None  # issue #18: PSFS and pain from baseline, the chart


def patient_page(user, pk) -> PatientPage:
    """Everything the physio's page of patient `pk` shows (404 unless the user may see them);
    the visit is audited. The template runs no query of its own."""
    patient, audit_events = get_patient_page_for(user, pk)
    return PatientPage(
        patient=patient,
        invitation=patient.invitations.first(),
        assessments=list(patient.assessments.all()),
        plans=list(patient.plans.all()),
        follow_up=follow_up_panel(patient, follow_up_overview(patient)),
        reminders=reminder_panel(patient),
        audit_events=audit_events,
        safety=state_of(patient),
        outcomes=outcome_panel(patient),
    )


def outcome_panel(patient) -> dict | None:
    """The episode's measures for the patient page: None before a published plan."""
    episode = outcomes.latest_episode(patient)
    if episode is None:
        return None
    return {
        "episode": episode,
        # Drawn once something was measured after the baseline.
        "chart": outcomes.outcome_chart(episode, today=timezone.localdate())
        if episode.pain_rows or episode.psfs_rows
        else None,
        "chart_id": f"outcome-chart-{patient.pk}",
        "report_url": reverse("progress-report", kwargs={"plan_pk": episode.plan.pk}),
    }
