"""Finding a patient on the dashboard: search by name or email, filter by status, pages
(alerts first, as without them); the queries stay constant."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup import selectors
from programs.models import Plan
from reminders import services as reminder_services
from tests.factories import PatientFactory
from tests.followup.conftest import publish_plan_for
from tests.followup.test_dashboard import alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic_patients(physio_a, catalogue):
    """Five patients of one clinic in every state the filters tell apart."""
    today = datetime.date.today()

    def patient(first, last, email):
        return PatientFactory(
            physiotherapist=physio_a, first_name=first, last_name=last, email=email
        )

    alerted = patient("Ada", "Lovelace", "ada@example.com")
    alert(alerted, publish_plan_for(alerted, today=today), severity="urgent")
    plan_paused = patient("Grace", "Hopper", "grace@example.com")
    Plan.objects.filter(pk=publish_plan_for(plan_paused, today=today).plan_id).update(
        status=Plan.Status.PAUSED
    )
    reminders_paused = patient("Alan", "Turing", "alan@example.com")
    publish_plan_for(reminders_paused, today=today)
    reminder_services.pause_reminders(patient=reminders_paused, reason="Holiday")
    active = patient("Edsger", "Dijkstra", "shortest.path@example.com")
    publish_plan_for(active, today=today)
    no_plan = patient("Barbara", "Liskov", "barbara@example.com")
    return {
        "alerted": alerted,
        "plan_paused": plan_paused,
        "reminders_paused": reminders_paused,
        "active": active,
        "no_plan": no_plan,
    }


def names(response) -> list[str]:
    return [row.patient.last_name for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Lovelace", "Dijkstra", "Hopper", "Liskov", "Turing"]),
        ("q=grace", ["Hopper"]),
        ("q=TURING", ["Turing"]),
        ("q=shortest.path", ["Dijkstra"]),  # the email
        ("q=ada+lovelace", ["Lovelace"]),  # every word matches something
        ("q=ada+hopper", []),
        ("status=alerts", ["Lovelace"]),
        ("status=paused", ["Hopper", "Turing"]),
        ("status=no_plan", ["Liskov"]),
        ("status=paused&q=alan", ["Turing"]),
        ("status=bogus", ["Lovelace", "Dijkstra", "Hopper", "Liskov", "Turing"]),
    ],
)
def test_search_and_status_filter_keep_alerts_first(
    client, physio_a, clinic_patients, query, expected
):
    client.force_login(physio_a.user)

    response = client.get(f"{reverse('dashboard')}?{query}")

    assert response.status_code == 200
    assert names(response) == expected


def test_nothing_found_says_so_and_offers_all_patients(client, physio_a, clinic_patients):
    client.force_login(physio_a.user)

    html = client.get(f"{reverse('dashboard')}?q=nobody").content.decode()

    assert "No patient matches" in html
    assert "No patients yet" not in html


def test_another_clinics_patient_is_never_found(client, physio_b, clinic_patients):
    client.force_login(physio_b.user)

    assert names(client.get(f"{reverse('dashboard')}?q=ada")) == []


def test_pages_past_a_screenful_keep_the_order_and_the_query_count(
    client, physio_a, clinic_patients, monkeypatch
):
    monkeypatch.setattr(selectors, "DASHBOARD_PAGE_SIZE", 2)
    client.force_login(physio_a.user)
    url = reverse("dashboard")

    pages = [names(client.get(f"{url}?page={number}")) for number in (1, 2, 3)]
    second = client.get(f"{url}?page=2").content.decode()

    assert pages == [["Lovelace", "Dijkstra"], ["Hopper", "Liskov"], ["Turing"]]
    assert "Page 2 of 3 (5 patients)" in second
    assert 'href="?page=3"' in second and 'href="?page=1"' in second
    assert queries(client, f"{url}?page=1") == queries(client, f"{url}?page=3&q=t")


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)
