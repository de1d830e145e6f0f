"""The audit trail: events name their patient and outlive them, the patient page shows the
latest ones, the admin exports them as CSV to staff only and changes none."""

from __future__ import annotations

import csv
import importlib
import io

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts.models import AuditEvent, Patient, patient_label
from accounts.services import record_audit
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:accounts_auditevent_changelist"


def trail(patient) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(patient=patient)
        .order_by("id")
        .values_list("actor", "action", "detail", "patient_label")
    )


# --- the row -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_name", "last_name", "label"),
    [
        ("Ada", "Lovelace", "Patient #12 (A. Lovelace)"),
        ("  ada ", " Lovelace ", "Patient #12 (a. Lovelace)"),
        ("", "Lovelace", "Patient #12 (Lovelace)"),
        ("", "", "Patient #12"),
    ],
)
def test_the_label_gives_the_id_initial_and_surname_only(first_name, last_name, label):
    assert patient_label(pk=12, first_name=first_name, last_name=last_name) == label


def test_an_event_names_its_patient_on_the_row(physio_a):
    patient = PatientFactory(physiotherapist=physio_a, first_name="Ada", last_name="Lovelace")

    event = record_audit(
        actor=physio_a.user, patient=patient, action=AuditEvent.Action.VIEW, detail="plan 7"
    )

    event.refresh_from_db()
    assert (event.actor, event.patient, event.patient_label, event.summary) == (
        physio_a.user,
        patient,
        f"Patient #{patient.pk} (A. Lovelace)",
        "viewed plan 7",
    )


def test_a_long_detail_is_cut_at_300_characters(physio_a, patient_a1):
    event = record_audit(
        actor=physio_a.user, patient=patient_a1, action=AuditEvent.Action.UPDATE, detail="x" * 400
    )

    assert len(event.detail) == 300


def test_deleting_a_patient_keeps_their_events_with_the_label(api, physio_a):
    patient = PatientFactory(physiotherapist=physio_a, first_name="Ada", last_name="Lovelace")
    api.as_user(physio_a.user)
    api.get(f"/api/v1/patients/{patient.pk}/")
    api.patch(f"/api/v1/patients/{patient.pk}/", {"first_name": "Adeline"}, format="json")
    ids = list(
        AuditEvent.objects.filter(patient=patient).order_by("id").values_list("id", flat=True)
    )
    label = f"Patient #{patient.pk} (A. Lovelace)"

    patient.delete()

    assert not Patient.objects.filter(pk=patient.pk).exists()
    assert list(
        AuditEvent.objects.filter(pk__in=ids)
        .order_by("id")
        .values_list("actor", "patient", "action", "detail", "patient_label")
    ) == [
        (physio_a.user.pk, None, "view", "patient details", label),
        (physio_a.user.pk, None, "update", "changed first_name", label),
    ]


def test_the_migration_labels_the_events_written_before_it(physio_a, patient_a1, patient_a2):
    migration = importlib.import_module("accounts.migrations.0003_audit_trail_outlives_patient")
    for patient in (patient_a1, patient_a2, patient_a1):
        record_audit(actor=physio_a.user, patient=patient, action=AuditEvent.Action.VIEW)
    AuditEvent.objects.update(patient_label="")  # as the rows were before the migration

    migration.label_existing_events(apps, None)

    assert list(AuditEvent.objects.order_by("id").values_list("patient_label", flat=True)) == [
        patient_label(pk=p.pk, first_name=p.first_name, last_name=p.last_name)
        for p in (patient_a1, patient_a2, patient_a1)
    ]


# --- the patient page --------------------------------------------------------------------


def test_the_patient_page_shows_who_looked_at_or_changed_the_record(
    client, physio_a, patient_a1, patient_a2
):
    physio_a.user.full_name = "Pat Physio"
    physio_a.user.save(update_fields=["full_name"])
    record_audit(actor=physio_a.user, patient=patient_a1, action="view", detail="plan 7")
    record_audit(actor=patient_a1.user, patient=patient_a1, action="view", detail="plan 7 r1")
    record_audit(
        actor=None, patient=patient_a1, action="update", detail="unsubscribed from reminder emails"
    )
    record_audit(actor=physio_a.user, patient=patient_a2, action="view", detail="plan 8")
    client.force_login(physio_a.user)

    response = client.get(reverse("patient-detail", args=[patient_a1.pk]))

    assert response.status_code == 200
    assert [(event.actor, event.summary) for event in response.context["page"].audit_events] == [
        (None, "unsubscribed from reminder emails"),
        (patient_a1.user, "viewed plan 7 r1"),
        (physio_a.user, "viewed plan 7"),
    ]
    page = response.content.decode()
    assert "Who looked at or changed this record" in page
    assert "The latest 3 events before this visit, latest first" in page
    assert "Pat Physio (physio)" in page
    assert escape(f"{patient_a1.user.get_full_name()} (patient)") in page
    assert "no login (an email link or the system)" in page
    assert "viewed plan 8" not in page
    # The visit itself is recorded, once, and listed on the next one.
    assert trail(patient_a1)[-1] == (
        physio_a.user.pk,
        "view",
        "patient page with check-ins",
        f"Patient #{patient_a1.pk} ({patient_a1.first_name[0]}. {patient_a1.last_name})",
    )
    again = client.get(reverse("patient-detail", args=[patient_a1.pk]))
    assert [event.summary for event in again.context["page"].audit_events][:2] == [
        "viewed patient page with check-ins",
        "unsubscribed from reminder emails",
    ]


def test_the_patient_page_says_when_nothing_is_recorded_yet(client, physio_a, patient_a1):
    client.force_login(physio_a.user)

    response = client.get(reverse("patient-detail", args=[patient_a1.pk]))

    assert response.context["page"].audit_events == []
    assert "Nothing recorded yet." in response.content.decode()


def test_the_patient_page_lists_the_latest_15_events(client, physio_a, patient_a1):
    for number in range(20):
        record_audit(
            actor=physio_a.user, patient=patient_a1, action="view", detail=f"plan {number}"
        )
    client.force_login(physio_a.user)

    response = client.get(reverse("patient-detail", args=[patient_a1.pk]))

    assert [event.detail for event in response.context["page"].audit_events] == [
        f"plan {number}" for number in range(19, 4, -1)
    ]


def _page_queries(client, patient) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("patient-detail", args=[patient.pk])).status_code == 200
    return len(queries.captured_queries)


def test_the_trail_costs_the_same_queries_whoever_and_however_many_the_actors(
    client, physio_a, patient_a1
):
    client.force_login(physio_a.user)
    record_audit(actor=physio_a.user, patient=patient_a1, action="view", detail="plan 1")
    one = _page_queries(client, patient_a1)
    for number in range(4):
        other = UserFactory(email=f"staff{number}@example.com", is_staff=True)
        record_audit(actor=other, patient=patient_a1, action="view", detail=f"plan {number}")
    record_audit(actor=patient_a1.user, patient=patient_a1, action="view", detail="plan 1 r1")
    record_audit(actor=None, patient=patient_a1, action="update", detail="unsubscribed")

    many = _page_queries(client, patient_a1)

    assert many == one


def test_another_clinic_gets_404_and_records_nothing(client, physio_b, patient_a1):
    client.force_login(physio_b.user)

    response = client.get(reverse("patient-detail", args=[patient_a1.pk]))

    assert response.status_code == 404
    assert trail(patient_a1) == []


def test_reading_a_patient_through_the_api_is_recorded_once(api, physio_a, patient_a1):
    api.as_user(physio_a.user)

    response = api.get(f"/api/v1/patients/{patient_a1.pk}/")
    listed = api.get("/api/v1/patients/")

    assert (response.status_code, listed.status_code) == (200, 200)
    assert [(actor, action, detail) for actor, action, detail, _ in trail(patient_a1)] == [
        (physio_a.user.pk, "view", "patient details")
    ]


# --- the admin: read-only, CSV export for staff --------------------------------------------


def _export(client, events, *, query: str = "", select_across: bool = False):
    return client.post(
        reverse(CHANGELIST) + query,
        {
            "action": "export_csv",
            "_selected_action": [event.pk for event in events],
            "select_across": "1" if select_across else "0",
            "index": "0",
        },
    )


def _rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(content)))


@pytest.fixture
def events(physio_a, patient_a1):
    return [
        record_audit(actor=physio_a.user, patient=patient_a1, action="view", detail="plan 7"),
        record_audit(
            actor=None, patient=patient_a1, action="update", detail="unsubscribed from reminders"
        ),
        record_audit(actor=patient_a1.user, patient=patient_a1, action="view", detail="plan 7 r1"),
    ]


def test_staff_export_the_selected_events_as_csv(client, staff_user, physio_a, patient_a1, events):
    client.force_login(staff_user)
    label = events[0].patient_label

    response = _export(client, events[:2])

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-events-')
    assert _rows(response) == [
        ["when", "actor email", "action", "patient", "detail"],
        [events[1].at.isoformat(), "", "changed", label, "unsubscribed from reminders"],
        [events[0].at.isoformat(), "physio.a@example.com", "viewed", label, "plan 7"],
    ]


def test_staff_export_every_event_the_filter_leaves(client, staff_user, patient_a1, events):
    client.force_login(staff_user)

    response = _export(client, events[:1], query="?action__exact=view", select_across=True)

    assert [row[1:] for row in _rows(response)[1:]] == [
        ["a1@example.com", "viewed", events[2].patient_label, "plan 7 r1"],
        ["physio.a@example.com", "viewed", events[0].patient_label, "plan 7"],
    ]


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(client, staff_user, physio_a):
    patient = PatientFactory(physiotherapist=physio_a, first_name="", last_name="=1+2")
    event = record_audit(actor=None, patient=patient, action="update", detail="=SUM(A1)")
    client.force_login(staff_user)

    [_, row] = _rows(_export(client, [event]))

    assert row[3:] == [f"Patient #{patient.pk} (=1+2)", "'=SUM(A1)"]


@pytest.mark.parametrize("persona", ["physio_a", "patient_a1"])
def test_non_staff_cannot_export(client, request, events, persona):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))

    response = _export(client, events)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not response.streaming


def test_staff_without_permission_to_view_events_cannot_export(client, events):
    client.force_login(UserFactory(email="helpdesk@example.com", is_staff=True))

    response = _export(client, events)

    assert response.status_code == 403
    assert not response.streaming


def test_the_admin_adds_changes_and_deletes_no_event(client, staff_user, events):
    client.force_login(staff_user)
    before = trail(events[0].patient)

    add = client.get(reverse("admin:accounts_auditevent_add"))
    change = client.post(
        reverse("admin:accounts_auditevent_change", args=[events[0].pk]), {"detail": "forged"}
    )
    delete = client.post(
        reverse("admin:accounts_auditevent_delete", args=[events[0].pk]), {"post": "yes"}
    )
    listed = client.get(reverse(CHANGELIST))

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert listed.status_code == 200
    assert list(listed.context["action_form"].fields["action"].choices)[1:] == [
        ("export_csv", "Export the selected events as CSV")
    ]
    assert trail(events[0].patient) == before
