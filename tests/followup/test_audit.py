"""A patient reading their own plan and check-ins in the portal is recorded once per page, with
the patient as the actor; checking in through the email link records the check-in only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from followup.services import check_in_token
from tests.followup.conftest import CALM_DAY_FORM, check_in

pytestmark = pytest.mark.django_db


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_since(mark: int) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(pk__gt=mark)
        .order_by("id")
        .values_list("actor", "patient", "action", "detail")
    )


@pytest.mark.parametrize("name", ["patient-home", "my-plan"])
def test_the_portal_pages_record_the_plan_read_once(client, patient_a1, revision_a1, name):
    client.force_login(patient_a1.user)
    mark = last_event_id()

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert events_since(mark) == [
        (patient_a1.user.pk, patient_a1.pk, "view", f"plan {revision_a1.plan_id} r1")
    ]


@pytest.mark.parametrize("name", ["patient-home", "my-plan"])
def test_nothing_published_means_nothing_read(client, patient_a2, revision_a1, name):
    client.force_login(patient_a2.user)
    mark = last_event_id()

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert events_since(mark) == []


def test_the_result_page_of_a_check_in_records_the_read(client, patient_a1, revision_a1):
    saved, _ = check_in(patient_a1)
    client.force_login(patient_a1.user)
    mark = last_event_id()

    response = client.get(reverse("check-in-result", args=[saved.pk]))

    assert response.status_code == 200
    assert events_since(mark) == [
        (patient_a1.user.pk, patient_a1.pk, "view", f"result of check-in {saved.pk}")
    ]


def test_another_patients_check_in_result_is_not_found_and_not_recorded(
    client, patient_a1, patient_a2, revision_a1
):
    saved, _ = check_in(patient_a1)
    client.force_login(patient_a2.user)
    mark = last_event_id()

    response = client.get(reverse("check-in-result", args=[saved.pk]))

    assert response.status_code == 404
    assert events_since(mark) == []


def test_checking_in_from_the_email_link_records_the_check_in_only(client, patient_a1, revision_a1):
    url = reverse("check-in-link", args=[check_in_token(patient_a1)])
    mark = last_event_id()

    form = client.get(url)
    result = client.post(url, {"pain": "2", "feeling": "better", **CALM_DAY_FORM})

    assert (form.status_code, result.status_code) == (200, 200)
    assert events_since(mark) == [
        (None, patient_a1.pk, "create", "check-in (email_link): pain 2/10")
    ]


def test_the_check_ins_api_list_records_one_read_whatever_the_rows(api, patient_a1, revision_a1):
    for pain in range(3):
        check_in(patient_a1, pain=pain)  # different answers: not repeats of one check-in
    mark = last_event_id()

    response = api.as_user(patient_a1.user).get("/api/v1/me/check-ins/")

    assert len(response.json()["results"]) == 3
    assert events_since(mark) == [(patient_a1.user.pk, patient_a1.pk, "view", "check-ins (API)")]


def test_ticking_on_today_records_no_further_read(client, patient_a1, revision_a1):
    """Each tick re-reads Today in the background (htmx) to keep the ticks in the address:
    opening the page is the read; the ticks add none."""
    client.force_login(patient_a1.user)
    client.get(reverse("patient-home"))
    mark = last_event_id()

    ticked = client.get(reverse("patient-home"), {"done": ["F01"]}, HTTP_HX_REQUEST="true")

    assert ticked.status_code == 200
    assert events_since(mark) == []
