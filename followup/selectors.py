"""Reads for the physio's follow-up: the dashboard rows and the patient page's follow-up panel.

The figures themselves (adherence, pain trend) are pure functions in
`clinical.follow_up`; this module loads what they need in a constant number of
queries and hands them plain rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict, cast
from zoneinfo import ZoneInfo

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, Patient
from accounts.permissions import get_own_patient_or_404
from accounts.services import record_audit
from clinical import follow_up
from clinical.follow_up import Adherence, PainTrend
from followup.models import Alert, CheckIn
from followup.services import local_now
from programs import revision_content
from programs.models import PHASE_CHOICES, Plan, PlanRevision
from programs.safety import CLEAR, SafetyState, open_concerns_of
from programs.selectors import current_revision
from reminders.models import ReminderSchedule

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PHASE_NAMES = dict(PHASE_CHOICES)
ADHERENCE_WINDOWS = (7, 28)
HISTORY_LENGTH = 60  # check-ins in the patient page's history table
RESOLVED_SHOWN = 10  # dealt-with alerts shown under the open ones
CHART_WEEKS = 8  # weeks of the patient page's chart, this one included

# Dashboard status codes, most pressing first, with the words on the badge.
STATUS_LABELS = {
    "emergency": _("EMERGENCY: plan on hold"),
    "urgent": _("URGENT: plan on hold"),
    "alert": _("alert"),
    "reminders_paused": _("reminders paused"),
    "plan_paused": _("plan paused"),
    "active": _("active"),
    "draft": _("draft"),
    "completed": _("plan completed"),
    "no_plan": _("no plan"),
    "invited": _("invited"),
}


def sessions_per_week(revision: PlanRevision | dict | None, phase_code: str | None = None) -> int:
    """Exercise sessions a week prescribed in the followed phase of a published revision
    (`revision_content.sessions_per_week`; stored per phase on `PlanRevision`).

    `phase_code` defaults to the phase the patient follows now (`Plan.followed_phase`: the
    previous one while regressed), which needs `revision.plan`.
    """
    if revision is None:
        return 0
    if isinstance(revision, dict):
        if phase_code is None:
            raise TypeError("sessions_per_week: a bare snapshot needs its phase_code")
        return revision_content.sessions_per_week(revision, phase_code)
    code = phase_code or revision.plan.followed_phase
    return revision.sessions_per_week.get(code, 0)


def _session_days(check_ins: Iterable[tuple[datetime.date, list]]) -> list[datetime.date]:
    """The days with a check-in that reports at least one item done."""
    return sorted({day for day, items_done in check_ins if items_done})


def _most_severe_first(alerts: Iterable[Alert]) -> list[Alert]:
    by_time = sorted(alerts, key=lambda a: (a.created_at, a.pk), reverse=True)
    return sorted(by_time, key=lambda a: a.severity_rank)


@dataclass
class DashboardRow:
    patient: Patient
    status: str
    plan: Plan | None = None
    phase: str = ""  # the followed phase
    adherence_7: Adherence | None = None
    adherence_28: Adherence | None = None
    trend: PainTrend = field(default_factory=lambda: PainTrend(None, None))
    last_check_in_at: datetime.datetime | None = None
    open_alerts: list[Alert] = field(default_factory=list)
    paused_reason: str = ""
    safety: SafetyState = CLEAR

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def phase_name(self) -> str:
        return str(PHASE_NAMES.get(self.phase, ""))

    @property
    def is_regressed(self) -> bool:
        return bool(self.plan and self.plan.regressed_to)

    @property
    def top_alert(self) -> Alert | None:
        return self.open_alerts[0] if self.open_alerts else None

    @property
    def sort_key(self) -> tuple:
        """An open safety concern first (emergency before urgent), then open alerts (most
        severe first), then by name."""
        safety_rank = {"emergency": 0, "urgent": 1}.get(self.safety.level, 2)
        rank = self.top_alert.severity_rank if self.top_alert else len(Alert.Severity.values)
        name = self.patient
        return (safety_rank, rank, name.last_name.lower(), name.first_name.lower(), name.pk)


def _status(
    patient: Patient, plan: Plan | None, paused_reason: str, open_alerts: list[Alert]
) -> str:
    """The badge: "alert" only for an open emergency or urgent alert (review tasks and
    progression suggestions show in the alerts column without it), then the plan's state."""
    if any(alert.is_urgent for alert in open_alerts):
        return "alert"
    if plan is None:
        return "no_plan" if patient.has_account else "invited"
    if plan.status == Plan.Status.ACTIVE:
        if paused_reason:
            return "reminders_paused"
        return "active"
    by_status: dict[str, str] = {
        Plan.Status.PAUSED: "plan_paused",
        Plan.Status.DRAFT: "draft",
        Plan.Status.COMPLETED: "completed",
    }
    return by_status[plan.status]


class _PlanFacts(TypedDict):
    latest_revision_id: int | None
    patients_current_plan_id: int | None
    last_pain: int | None
    previous_pain: int | None
    last_check_in_at: datetime.datetime | None


if TYPE_CHECKING:
    CurrentPlan = WithAnnotations[Plan, _PlanFacts]  # a plan from `_current_plans`


def _current_plans(patient_filter: dict) -> dict[int, CurrentPlan]:
    """Each patient's current plan: the plan of their current revision
    (`PlanRevision.objects.current`), else their newest draft or completed plan. One query;
    plans carry `latest_revision_id`, `last_pain`, `previous_pain` and `last_check_in_at`
    (over the plan's whole history, not only the adherence window)."""
    revisions = PlanRevision.objects.filter(plan=OuterRef("pk")).order_by("-number")
    check_ins = CheckIn.objects.filter(plan=OuterRef("pk")).order_by("-created_at", "-id")
    plans = (
        Plan.objects.filter(**patient_filter)
        .exclude(status=Plan.Status.ARCHIVED)
        .annotate(
            latest_revision_id=Subquery(revisions.values("pk")[:1]),
            patients_current_plan_id=Subquery(
                PlanRevision.objects.current(OuterRef("patient_id")).values("plan_id")[:1]
            ),
            last_pain=Subquery(check_ins.values("pain")[:1]),
            previous_pain=Subquery(check_ins.values("pain")[1:2]),
            last_check_in_at=Subquery(check_ins.values("created_at")[:1]),
        )
        .order_by("-created_at", "-id")
    )
    current: dict[int, CurrentPlan] = {}
    for plan in plans:  # newest first: the patient's current plan wins, else the newest plan
        if plan.patient_id not in current or _is_published(plan):
            current[plan.patient_id] = plan
    return current


def _is_published(plan: CurrentPlan) -> bool:
    """The plan of the patient's current revision."""
    return plan.pk == plan.patients_current_plan_id


DASHBOARD_PAGE_SIZE = 25  # about a screenful
# The dashboard's status filter: which rows each choice keeps.
DASHBOARD_FILTERS = {
    "alerts": (_("Open alerts"), lambda row: bool(row.open_alerts) or row.safety.is_open),
    "paused": (
        _("Paused"),
        lambda row: (
            bool(row.paused_reason)
            or (row.plan is not None and row.plan.status == Plan.Status.PAUSED)
        ),
    ),
    "no_plan": (
        _("No plan yet"),
        lambda row: row.plan is None or row.plan.status == Plan.Status.DRAFT,
    ),
}


def _matching_patients(physio, search: str) -> QuerySet[Patient]:
    """The clinic's patients whose name or email holds every word of `search`."""
    patients = Patient.objects.filter(clinic_id=physio.clinic_id)
    for word in search.split():
        patients = patients.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    return patients


def _sorted_rows(physio, *, search: str = "", status: str = "") -> list[DashboardRow]:
    """The dashboard's rows, alerts first, without the adherence figures (`_add_figures`).

    Five queries whatever the number of patients: patients, their current plans (with the
    last two pains), open alerts, reminder schedules, open safety concerns.
    """
    patients = list(
        _matching_patients(physio, search)
        .select_related("physiotherapist__user")
        .order_by("last_name", "first_name", "id")
    )
    if not patients:
        return []
    in_clinic = {"patient__clinic_id": physio.clinic_id}
    plans = _current_plans(in_clinic)
    alerts: dict[int, list[Alert]] = defaultdict(list)
    for alert in Alert.objects.filter(resolved_at__isnull=True, **in_clinic):
        alerts[alert.patient_id].append(alert)
    paused_reasons = dict(
        ReminderSchedule.objects.filter(**in_clinic)
        .exclude(paused_reason="")
        .values_list("patient_id", "paused_reason")
    )
    concerns = open_concerns_of([patient.pk for patient in patients])

    rows = []
    for patient in patients:
        plan = plans.get(patient.pk)
        open_alerts = _most_severe_first(alerts[patient.pk])
        state = concerns.get(patient.pk, CLEAR)
        paused_reason = paused_reasons.get(patient.pk, "")
        row = DashboardRow(
            patient=patient,
            status=state.level
            if state.is_open
            else _status(patient, plan, paused_reason, open_alerts),
            safety=state,
            plan=plan,
            open_alerts=open_alerts,
            paused_reason=paused_reason,
        )
        if plan is not None:
            row.phase = plan.followed_phase
            row.last_check_in_at = plan.last_check_in_at
            row.trend = follow_up.pain_trend(
                [pain for pain in (plan.previous_pain, plan.last_pain) if pain is not None]
            )
        rows.append(row)
    if status in DASHBOARD_FILTERS:
        keep = DASHBOARD_FILTERS[status][1]
        rows = [row for row in rows if keep(row)]
    rows.sort(key=lambda row: row.sort_key)
    return rows


def _add_figures(rows: list[DashboardRow], today: datetime.date | None) -> None:
    """Adherence over 7 and 28 days for these rows, in two queries: the sessions a week of
    their plans' latest revisions (a small column, not the snapshots) and their check-ins
    of the last 28 days. `today` defaults to each patient's own local date."""
    # `_sorted_rows` gives each row its plan from `_current_plans`, with its annotations.
    published = [
        row for row in rows if row.plan is not None and _is_published(cast("CurrentPlan", row.plan))
    ]
    if not published:
        return
    todays = {row.patient.pk: today or local_now(row.patient).date() for row in published}
    per_week: dict[int | None, dict[str, int]] = dict(
        PlanRevision.objects.filter(
            pk__in=[cast("CurrentPlan", row.plan).latest_revision_id for row in published]
        ).values_list("pk", "sessions_per_week")
    )
    window_start = min(todays.values()) - datetime.timedelta(days=max(ADHERENCE_WINDOWS) - 1)
    check_ins: dict[int, list[tuple[datetime.date, list]]] = defaultdict(list)
    for plan_id, day, items_done in CheckIn.objects.filter(
        plan_id__in=[cast("CurrentPlan", row.plan).pk for row in published],
        local_date__gte=window_start,
    ).values_list("plan_id", "local_date", "items_done"):
        check_ins[plan_id].append((day, items_done))
    for row in published:
        plan = cast("CurrentPlan", row.plan)
        figures = per_week.get(plan.latest_revision_id)
        if figures is None:
            continue
        days = _session_days(check_ins[plan.pk])
        row.adherence_7, row.adherence_28 = (
            follow_up.adherence(
                days,
                sessions_per_week=figures.get(plan.followed_phase, 0),
                today=todays[row.patient.pk],
                days=window,
                start_date=plan.start_date,
            )
            for window in ADHERENCE_WINDOWS
        )


def dashboard_rows(physio, *, today: datetime.date | None = None) -> list[DashboardRow]:
    """The clinic's patients for the physio's dashboard, those with open alerts first (most
    severe first), then by name, with every figure. Seven queries whatever the number of
    patients (`_sorted_rows`, `_add_figures`). `today` defaults to each patient's own local
    date."""
    rows = _sorted_rows(physio)
    _add_figures(rows, today)
    return rows


def dashboard_page(
    physio, *, search: str = "", status: str = "", page: int | str | None = 1, today=None
) -> Page:
    """One page of the dashboard (DASHBOARD_PAGE_SIZE rows) of the patients whose name or
    email holds every word of `search`, kept by the `status` filter (DASHBOARD_FILTERS),
    alerts first. Every matching patient is sorted; only the page's get their figures. A
    constant number of queries whatever the number of patients."""
    rows = _sorted_rows(physio, search=search, status=status)
    shown = Paginator(rows, DASHBOARD_PAGE_SIZE).get_page(page)
    _add_figures(list(shown.object_list), today)
    return shown


# --- the patient page ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChartWeek:
    starts_on: datetime.date  # the ISO week's Monday
    adherence: Adherence

    @property
    def ends_on(self) -> datetime.date:
        return self.starts_on + datetime.timedelta(days=6)


@dataclass(frozen=True)
class ChartPoint:
    at: datetime.datetime  # in the patient's time zone
    day: datetime.date
    pain: int


@dataclass
class FollowUp:
    patient: Patient
    today: datetime.date
    plan: Plan | None
    revision: PlanRevision | None
    sessions_per_week: int
    adherence_7: Adherence | None
    adherence_28: Adherence | None
    open_alerts: list[Alert]
    resolved_alerts: list[Alert]
    history: list[CheckIn]
    chart_from: datetime.date | None
    chart_weeks: list[ChartWeek]
    chart_points: list[ChartPoint]
    trend: PainTrend

    @property
    def phase(self) -> str:
        return self.plan.followed_phase if self.plan else ""

    @property
    def is_regressed(self) -> bool:
        return bool(self.plan and self.plan.regressed_to)


def follow_up_overview(patient: Patient, *, today: datetime.date | None = None) -> FollowUp:
    """What the patient page's follow-up panel shows: alerts (open ones first, most severe
    first, then the last dealt with), adherence over 7 and 28 days, a chart of pain per
    check-in and adherence per ISO week over the last weeks of the current plan, and the
    check-in history (latest first)."""
    today = today or local_now(patient).date()
    revision = current_revision(patient)
    plan = revision.plan if revision else None
    per_week = sessions_per_week(revision) if revision else 0

    history = list(
        CheckIn.objects.filter(patient=patient).order_by("-created_at", "-id")[:HISTORY_LENGTH]
    )
    open_alerts = _most_severe_first(
        Alert.objects.filter(patient=patient, resolved_at__isnull=True).select_related("check_in")
    )
    resolved_alerts = list(
        Alert.objects.filter(patient=patient, resolved_at__isnull=False)
        .select_related("resolved_by")
        .order_by("-resolved_at", "-id")[:RESOLVED_SHOWN]
    )

    adherence_7 = adherence_28 = None
    chart_from = None
    weeks: list[ChartWeek] = []
    points: list[ChartPoint] = []
    trend = PainTrend(None, None)
    if plan is not None:
        this_monday = today - datetime.timedelta(days=today.weekday())
        start_monday = plan.start_date - datetime.timedelta(days=plan.start_date.weekday())
        chart_from = max(this_monday - datetime.timedelta(weeks=CHART_WEEKS - 1), start_monday)
        if chart_from > this_monday:  # a plan starting in a later week
            chart_from = this_monday
        earliest = min(chart_from, today - datetime.timedelta(days=max(ADHERENCE_WINDOWS) - 1))
        in_window = list(
            CheckIn.objects.filter(plan=plan, local_date__gte=earliest, local_date__lte=today)
            .order_by("created_at", "id")
            .only("pk", "local_date", "created_at", "pain", "items_done")
        )
        days = _session_days((c.local_date, c.items_done) for c in in_window)
        adherence_7, adherence_28 = (
            follow_up.adherence(
                days,
                sessions_per_week=per_week,
                today=today,
                days=window,
                start_date=plan.start_date,
            )
            for window in ADHERENCE_WINDOWS
        )
        zone = ZoneInfo(patient.timezone)
        points = [
            ChartPoint(at=c.created_at.astimezone(zone), day=c.local_date, pain=c.pain)
            for c in in_window
            if c.local_date >= chart_from
        ]
        monday = chart_from
        while monday <= this_monday:
            last_day = min(monday + datetime.timedelta(days=6), today)
            weeks.append(
                ChartWeek(
                    starts_on=monday,
                    adherence=follow_up.adherence(
                        days,
                        sessions_per_week=per_week,
                        today=last_day,
                        days=(last_day - monday).days + 1,
                        start_date=plan.start_date,
                    ),
                )
            )
            monday += datetime.timedelta(weeks=1)
        trend = follow_up.pain_trend([c.pain for c in reversed(history) if c.plan_id == plan.pk])
    return FollowUp(
        patient=patient,
        today=today,
        plan=plan,
        revision=revision,
        sessions_per_week=per_week,
        adherence_7=adherence_7,
        adherence_28=adherence_28,
        open_alerts=open_alerts,
        resolved_alerts=resolved_alerts,
        history=history,
        chart_from=chart_from,
        chart_weeks=weeks,
        chart_points=points,
        trend=trend,
    )


# --- the patient's own check-ins ----------------------------------------------------------


def get_check_in_for(user, pk) -> CheckIn:
    """One of the logged-in patient's own check-ins (404 otherwise); the read is audited."""
    patient = get_own_patient_or_404(user)
    check_in = get_object_or_404(CheckIn.objects.filter(patient=patient), pk=pk)
    check_in.patient = patient  # in hand: no query for it
    record_audit(
        actor=user,
        patient=patient,
        action=AuditEvent.Action.VIEW,
        detail=f"result of check-in {check_in.pk}",
    )
    return check_in


def own_check_ins(user) -> QuerySet[CheckIn]:
    """The logged-in patient's check-ins, latest first (404 for anyone else); the read is
    audited once per request, not per row."""
    patient = get_own_patient_or_404(user)
    record_audit(
        actor=user, patient=patient, action=AuditEvent.Action.VIEW, detail="check-ins (API)"
    )
    return CheckIn.objects.filter(patient=patient).order_by("-created_at", "-id")


def items_done_on(*, plan: Plan, on: datetime.date) -> set[str]:
    """What the patient checked in as done on their date `on` (every check-in of that day)."""
    done: set[str] = set()
    for items in CheckIn.objects.filter(plan=plan, local_date=on).values_list(
        "items_done", flat=True
    ):
        done.update(items)
    return done
