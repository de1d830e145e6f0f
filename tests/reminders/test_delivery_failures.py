"""Reminders that could not be sent show on the physio's dashboard: a count, the patient,
the reason in words; nothing of another clinic."""

import datetime

import pytest
from django.urls import reverse

from reminders.models import ReminderDelivery
from reminders.selectors import delivery_failures
from tests.factories import PatientFactory

REASON = (
    "Not sent: The email server could not be reached. Tried 28 times until the reminder "
    "was 2 hours late."
)


def failed(patient, slot_at, reason=REASON):
    return ReminderDelivery.objects.create(
        patient=patient, slot_at=slot_at, status="failed", last_error=reason
    )


@pytest.mark.django_db
def test_the_dashboard_lists_patients_whose_reminders_failed(
    client, clock, physio_a, physio_b, patient_a1, patient_a2
):
    failed(patient_a1, clock.now - datetime.timedelta(days=2), reason="older reason")
    failed(patient_a1, clock.now - datetime.timedelta(hours=3))
    failed(patient_a2, clock.now - datetime.timedelta(days=8))  # too old to show
    ReminderDelivery.objects.create(
        patient=patient_a2, slot_at=clock.now - datetime.timedelta(hours=1), status="sent"
    )
    other = PatientFactory(physiotherapist=physio_b)
    failed(other, clock.now - datetime.timedelta(hours=1))

    rows = delivery_failures(clinic_id=physio_a.clinic_id, now=clock.now)
    client.force_login(physio_a.user)
    html = client.get(reverse("dashboard")).content.decode()

    assert [(r.patient, r.count, r.reason) for r in rows] == [(patient_a1, 2, REASON)]
    assert "Reminder emails not sent (1 patient, last 7 days)" in html
    assert f"{patient_a1.full_name}</a>:\n      2 reminders not sent" in html
    assert REASON in html and "older reason" not in html
    assert other.full_name not in html


@pytest.mark.django_db
def test_no_box_without_failures(client, physio_a, patient_a1):
    client.force_login(physio_a.user)

    html = client.get(reverse("dashboard")).content.decode()

    assert "Reminder emails not sent" not in html


@pytest.mark.django_db
def test_the_selector_costs_two_queries(
    clock, physio_a, patient_a1, patient_a2, django_assert_num_queries
):
    for patient in (patient_a1, patient_a2):
        failed(patient, clock.now - datetime.timedelta(hours=1))

    with django_assert_num_queries(2):
        rows = delivery_failures(clinic_id=physio_a.clinic_id, now=clock.now)

    assert sorted(r.patient.pk for r in rows) == sorted([patient_a1.pk, patient_a2.pk])
