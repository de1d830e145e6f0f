"""The physio's dashboard: adherence, pain trend, alerts first, one clinic only, N+1 guard."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup import selectors, services
from followup.models import Alert
from programs.models import Plan, PlanRevision, Prescription
from programs.services import publish_plan
from tests.factories import PatientFactory
from tests.followup.conftest import TODAY, check_in, publish_plan_for

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def noon(day: datetime.date) -> datetime.datetime:
    """Midday UTC: the same local date in Europe/London, summer or winter."""
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def local_today(patient) -> datetime.date:
    return services.local_now(patient).date()


def three_sessions_a_week(patient, *, today: datetime.date = TODAY) -> PlanRevision:
    """A published plan whose P1 items are all prescribed 3 days a week (revision 2)."""
    plan = publish_plan_for(patient, today=today).plan
    Prescription.objects.filter(phase__plan=plan, phase__code="P1").update(days_per_week=3)
    return publish_plan(plan=Plan.objects.get(pk=plan.pk), by=patient.physiotherapist.user)


def session(patient, revision, day: datetime.date, **answers):
    """A check-in on `day` with two items done (a session)."""
    items = revision.tickable_keys(day)[:2]
    return check_in(patient, at=noon(day), items_done=items, zone="green", **answers)


def alert(patient, revision, *, severity: str, rule_id: str = "ESC-WORSE") -> Alert:
    return Alert.objects.create(
        patient=patient,
        plan=revision.plan,
        rule_id=rule_id,
        severity=severity,
        action="alert" if severity in ("emergency", "urgent") else "task",
        physio_message=f"{rule_id}: test",
    )


def row_of(rows, patient) -> selectors.DashboardRow:
    return next(row for row in rows if row.patient == patient)


# --- sessions per week ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_per_week", "expected"),
    [
        ((3, 2), 3),
        ((3, None), 7),  # an item without days_per_week is daily
        ((7,), 7),
        ((), 0),
    ],
)
def test_sessions_per_week_is_the_most_frequent_item_of_the_phase(days_per_week, expected):
    snapshot = {
        "phases": [
            {"code": "P1", "items": [{"days_per_week": d} for d in days_per_week]},
            {"code": "P2", "items": [{"days_per_week": 1}]},
        ]
    }

    assert selectors.sessions_per_week(snapshot, "P1") == expected


def test_sessions_per_week_reads_the_followed_phase_while_regressed(patient_a1, catalogue):
    revision = three_sessions_a_week(patient_a1)
    Plan.objects.filter(pk=revision.plan_id).update(current_phase="P2", regressed_to="P1")
    revision = PlanRevision.objects.select_related("plan").get(pk=revision.pk)

    assert revision.plan.followed_phase == "P1"
    assert selectors.sessions_per_week(revision) == 3


# --- adherence and pain ---------------------------------------------------------------------


def test_adherence_over_7_and_28_days_is_sessions_done_of_those_prescribed(
    physio_a, patient_a1, catalogue
):
    revision = three_sessions_a_week(patient_a1, today=TODAY)
    today = TODAY + 27 * DAY  # the 28-day window is exactly the plan's first 28 days
    # 9 session days in 28 days, 2 of them in the last 7 (days 21-27); a check-in with
    # nothing done is not a session.
    for offset in (1, 3, 6, 9, 12, 15, 18, 23, 26):
        session(patient_a1, revision, TODAY + offset * DAY)
    check_in(patient_a1, at=noon(TODAY + 20 * DAY), pain=3)

    row = row_of(selectors.dashboard_rows(physio_a, today=today), patient_a1)

    assert (row.adherence_7.done, row.adherence_7.expected, row.adherence_7.percent) == (2, 3, 67)
    assert (row.adherence_28.done, row.adherence_28.expected, row.adherence_28.percent) == (
        9,
        12,
        75,
    )


def test_adherence_counts_only_the_days_since_the_plan_started(physio_a, patient_a1, catalogue):
    revision = three_sessions_a_week(patient_a1, today=TODAY)
    session(patient_a1, revision, TODAY)

    row = row_of(selectors.dashboard_rows(physio_a, today=TODAY + 2 * DAY), patient_a1)

    # 3 days on the plan: 3 sessions a week pro rata is round(9 / 7) = 1 expected.
    assert (row.adherence_7.done, row.adherence_7.expected) == (1, 1)
    assert row.adherence_28 == row.adherence_7


def test_dashboard_page_shows_adherence_phase_and_pain_trend(
    client, physio_a, patient_a1, catalogue
):
    today = local_today(patient_a1)
    revision = three_sessions_a_week(patient_a1, today=today - 6 * DAY)
    session(patient_a1, revision, today - 5 * DAY, pain=5)
    session(patient_a1, revision, today - 2 * DAY, pain=3)
    client.force_login(physio_a.user)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    row = row_of(response.context["rows"], patient_a1)
    assert (row.status, row.phase, row.trend.latest, row.trend.change) == ("active", "P1", 3, -2)
    html = response.content.decode()
    assert html.count("67 %") == 2  # 2 of 3 over 7 days; the plan is 7 days old, so 28 too
    assert "P1 Settle" in html
    assert "down from 5" in html
    assert reverse("patient-detail", args=[patient_a1.pk]) in html
    assert '<th scope="col">Adherence<br>7 days</th>' in html


def test_a_patient_without_a_published_plan_shows_a_dash(client, physio_a, patient_a1):
    client.force_login(physio_a.user)

    response = client.get(reverse("dashboard"))

    row = row_of(response.context["rows"], patient_a1)
    assert (row.status, row.adherence_7, row.trend.latest) == ("no_plan", None, None)
    html = response.content.decode()
    assert "no plan" in html
    assert "no check-in yet" in html
    assert "%" not in html.split("<tbody>")[1]


def test_status_words_follow_the_plan_and_reminders(physio_a, patient_a1, catalogue):
    invited = PatientFactory(physiotherapist=physio_a, email="invited@example.com")
    revision = publish_plan_for(patient_a1)
    from reminders.services import pause_reminders

    pause_reminders(patient=patient_a1, reason="ESC-WORSE at the check-in of 2026-11-20")

    rows = selectors.dashboard_rows(physio_a, today=TODAY)

    assert row_of(rows, invited).status_label == "invited"
    assert row_of(rows, patient_a1).status_label == "reminders paused"
    alert(patient_a1, revision, severity="urgent")
    assert row_of(selectors.dashboard_rows(physio_a), patient_a1).status_label == "alert"


def test_a_regressed_plan_shows_the_followed_phase_and_a_marker(
    client, physio_a, patient_a1, catalogue
):
    revision = publish_plan_for(patient_a1)
    Plan.objects.filter(pk=revision.plan_id).update(
        current_phase="P2", regressed_to="P1", regressed_until=TODAY + 3 * DAY
    )
    client.force_login(physio_a.user)

    html = client.get(reverse("dashboard")).content.decode()

    assert "P1 Settle" in html
    assert "regressed from P2" in html


# --- alerts first ---------------------------------------------------------------------------


def test_rows_with_open_alerts_come_first_most_severe_first_then_by_name(
    client, physio_a, catalogue
):
    patients = {
        name: PatientFactory(
            physiotherapist=physio_a, last_name=name, email=f"{name.lower()}@example.com"
        )
        for name in ("Adams", "Baker", "Clark", "Young", "Zeller")
    }
    revisions = {name: publish_plan_for(patients[name]) for name in ("Baker", "Clark", "Young")}
    alert(patients["Baker"], revisions["Baker"], severity="review", rule_id="CHK-2W")
    alert(patients["Clark"], revisions["Clark"], severity="urgent")
    alert(patients["Clark"], revisions["Clark"], severity="info", rule_id="PROGRESS")
    alert(patients["Young"], revisions["Young"], severity="emergency", rule_id="RF-EMERG-CES")
    resolved = alert(patients["Baker"], revisions["Baker"], severity="emergency")
    Alert.objects.filter(pk=resolved.pk).update(resolved_at=resolved.created_at)
    client.force_login(physio_a.user)

    response = client.get(reverse("dashboard"))

    rows = response.context["rows"]
    assert [row.patient.last_name for row in rows] == ["Young", "Clark", "Baker", "Adams", "Zeller"]
    assert [len(row.open_alerts) for row in rows] == [1, 2, 1, 0, 0]
    assert rows[1].top_alert.rule_id == "ESC-WORSE"
    html = response.content.decode()
    assert "RF-EMERG-CES" in html and "+1 more" in html
    assert html.index("Young") < html.index("Clark") < html.index("Baker") < html.index("Adams")


# --- access and query budget ----------------------------------------------------------------


def test_physio_of_another_clinic_sees_none_of_these_patients(
    client, physio_a, physio_b, patient_a1, catalogue
):
    publish_plan_for(patient_a1)
    client.force_login(physio_b.user)

    response = client.get(reverse("dashboard"))

    assert selectors.dashboard_rows(physio_b) == []
    assert patient_a1.last_name.encode() not in response.content
    assert b"No patients yet" in response.content


def test_patients_get_404_on_the_dashboard(client, patient_a1):
    client.force_login(patient_a1.user)

    assert client.get(reverse("dashboard")).status_code == 404


def a_followed_patient(physio, index: int, today: datetime.date):
    patient = PatientFactory(physiotherapist=physio, email=f"followed{index}@example.com")
    revision = publish_plan_for(patient, today=today - 10 * DAY)
    session(patient, revision, today - 3 * DAY, pain=5)
    session(patient, revision, today - DAY, pain=4)
    alert(patient, revision, severity="urgent")
    alert(patient, revision, severity="review", rule_id="CHK-2W")
    return patient


def dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_the_number_of_patients(client, physio_a, catalogue):
    today = datetime.date.today()  # Europe/London and UTC agree at midday
    a_followed_patient(physio_a, 1, today)
    client.force_login(physio_a.user)
    with_one = dashboard_queries(client)

    a_followed_patient(physio_a, 2, today)
    a_followed_patient(physio_a, 3, today)
    with_three = dashboard_queries(client)

    for index in range(4, 31):
        a_followed_patient(physio_a, index, today)
    with_thirty = dashboard_queries(client)

    page = client.get(reverse("dashboard")).context["page"]
    assert (page.paginator.count, len(page.object_list)) == (30, selectors.DASHBOARD_PAGE_SIZE)
    assert with_one == with_three == with_thirty
