"""The reminder email over real SMTP, RFC 8058 unsubscribe, settings page, API, physio panel."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.template import Context, Template
from django.urls import reverse

from clinical.education import SAFETY_NET
from core.models import OutboxMessage
from reminders import services
from reminders.models import ReminderDelivery, ReminderSchedule
from reminders.selectors import physio_panel
from tests.reminders.conftest import MONDAY, london, make_plan, make_schedule

UTC = datetime.UTC
SLOT_TIME = london(0, 8, 1)  # a minute after Monday's 08:00 slot in London


@pytest.fixture
def ready(clock, patient_a1):
    make_plan(patient_a1)
    return make_schedule(patient_a1, now=clock.now)


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.mark.django_db
def test_reminder_email_over_real_smtp(clock, ready, patient_a1, client, smtp_server):
    clock.now = SLOT_TIME

    services.dispatch_due_reminders(now=clock.now)

    [message] = smtp_server.wait_for(1)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert message["Subject"] == "Your exercise reminder"
    assert message["From"].startswith("Clinic A <")
    assert message["To"] == "a1@example.com"
    unsubscribe_url = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url.startswith("http") and "/reminders/unsubscribe/" in unsubscribe_url
    for body in (text, html):
        assert "Pelvic tilt" in body and "2 sets of 10, twice a day" in body
        assert "Other" not in body  # only the current phase
        assert unsubscribe_url in body
    assert SAFETY_NET in text and SAFETY_NET in " ".join(html.split())
    # The drawing's start frame travels inline, linked from the HTML; Walking has none.
    images = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert [image["Content-ID"] for image in images] == ["<drawing-0>"]
    assert images[0].get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert html.count('src="cid:') == 1 and 'src="cid:drawing-0"' in html
    plan_url = next(w for w in text.split() if w.endswith(reverse("patient-home")))
    client.force_login(patient_a1.user)
    assert client.get(path_of(plan_url)).status_code == 200
    assert client.get(path_of(unsubscribe_url)).status_code == 200
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == "sent" and delivery.message_id == message["Message-ID"]


@pytest.mark.django_db
def test_subject_carries_no_health_words():
    words = {"pain", "back", "spasm", "physio", "exercise program", "injury", "health"}
    assert not {w for w in words if w in services.SUBJECT.lower()}


def retry_time(delivery_id: int) -> datetime.datetime:
    delivery = ReminderDelivery.objects.get(pk=delivery_id)
    assert delivery.status == "pending" and delivery.locked_until is not None
    return delivery.locked_until


@pytest.mark.django_db
def test_smtp_refusing_then_back_delivers_once(clock, ready, smtp_server, enqueued):
    clock.now = SLOT_TIME
    services.dispatch_due_reminders(now=clock.now)
    smtp_server.refuse = True

    first = services.send_reminders_batch(delivery_ids=enqueued)
    too_soon = services.send_reminder(delivery_id=enqueued[0])  # the backoff is not over
    clock.now = retry_time(enqueued[0])
    second = services.send_reminder(delivery_id=enqueued[0])
    smtp_server.refuse = False
    clock.now = retry_time(enqueued[0])
    third = services.send_reminder(delivery_id=enqueued[0])
    fourth = services.send_reminder(delivery_id=enqueued[0])

    assert (first, too_soon, second, third, fourth) == (
        {enqueued[0]: "retry"},
        "not_claimed",
        "retry",
        "sent",
        "not_claimed",
    )
    assert len(smtp_server.messages) == 1
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    # Each retry is an outbox message for the end of its backoff: 10 s, then 20 s.
    retries = OutboxMessage.objects.order_by("id").values_list("kwargs", "relay_after")
    assert list(retries) == [
        ({"delivery_ids": [delivery.pk]}, SLOT_TIME + datetime.timedelta(seconds=10)),
        ({"delivery_ids": [delivery.pk]}, SLOT_TIME + datetime.timedelta(seconds=30)),
    ]


@pytest.mark.django_db
def test_smtp_refusing_until_the_window_closes_fails_in_words(clock, ready, smtp_server, enqueued):
    clock.now = SLOT_TIME  # a minute after the slot
    services.dispatch_due_reminders(now=clock.now)
    smtp_server.refuse = True

    outcomes = []
    while not outcomes or outcomes[-1] == "retry":
        outcomes.append(services.send_reminder(delivery_id=enqueued[0]))
        if outcomes[-1] == "retry":
            clock.now = retry_time(enqueued[0])

    # Backoff 10, 20, 40, 80, 160 s, then every 5 minutes: the 28th attempt, at 6,970 s after
    # the slot, is the last whose next one would still be within 2 hours.
    assert outcomes == ["retry"] * 27 + ["failed"]
    assert clock.now - SLOT_TIME == datetime.timedelta(seconds=6970 - 60)
    assert len(smtp_server.messages) == 0
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "failed",
        28,
        "Not sent: The email server asked us to try later (it answered 451 Try again later). "
        "Tried 28 times until the reminder was 2 hours late.",
    )
    assert services.send_reminder(delivery_id=enqueued[0]) == "not_claimed"


@pytest.mark.django_db
def test_unsubscribe_post_twice_without_login_or_csrf(clock, ready, patient_a1, enqueued):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    url = reverse("reminder-unsubscribe", args=[services.unsubscribe_token(ready)])

    first = client.post(url, {"List-Unsubscribe": "One-Click"})
    stamp = ReminderSchedule.objects.get().unsubscribed_at
    second = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert first.status_code == second.status_code == 200
    assert stamp is not None and ReminderSchedule.objects.get().unsubscribed_at == stamp
    assert patient_a1.audit_events.filter(detail__contains="unsubscribed").count() == 1
    clock.now = SLOT_TIME
    assert services.dispatch_due_reminders(now=clock.now).queued == []


@pytest.mark.django_db
def test_unsubscribe_is_honoured_for_an_already_queued_reminder(clock, ready, enqueued, client):
    clock.now = SLOT_TIME
    services.dispatch_due_reminders(now=clock.now)

    client.post(reverse("reminder-unsubscribe", args=[services.unsubscribe_token(ready)]))

    assert services.send_reminder(delivery_id=enqueued[0]) == "skipped"
    assert ReminderDelivery.objects.get().last_error == "The patient unsubscribed."


@pytest.mark.django_db
def test_unsubscribe_get_changes_nothing_and_tampered_token_is_404(ready, client):
    token = services.unsubscribe_token(ready)

    page = client.get(reverse("reminder-unsubscribe", args=[token]))
    tampered = client.post(reverse("reminder-unsubscribe", args=[token[:-2] + "xx"]))

    assert page.status_code == 200 and b'method="post"' in page.content
    assert tampered.status_code == 404 and b"cannot be used" in tampered.content
    assert ReminderSchedule.objects.get().unsubscribed_at is None


@pytest.mark.django_db
def test_resubscribe_on_the_settings_page(clock, ready, patient_a1, client, enqueued):
    services.unsubscribe(schedule=ready)
    client.force_login(patient_a1.user)

    page = client.get(reverse("reminder-settings"))
    client.post(reverse("reminder-resubscribe"))

    assert b"Turn reminder emails back on" in page.content
    schedule = ReminderSchedule.objects.get()
    assert schedule.is_subscribed and schedule.next_slot_at is not None
    clock.now = SLOT_TIME
    assert len(services.dispatch_due_reminders(now=clock.now).queued) == 1


@pytest.mark.django_db
def test_patient_changes_days_and_time_on_the_settings_page(ready, patient_a1, client):
    client.force_login(patient_a1.user)

    response = client.post(
        reverse("reminder-settings"),
        {
            "is_enabled": "on",
            "weekdays": ["1", "3"],
            "local_time": "18:30",
            "timezone": "Europe/Paris",
        },
    )

    assert response.status_code == 302
    schedule = ReminderSchedule.objects.get()
    assert (schedule.weekdays, schedule.local_time, schedule.timezone) == (
        [1, 3],
        datetime.time(18, 30),
        "Europe/Paris",
    )


@pytest.mark.django_db
def test_settings_page_is_for_patients_only(client, physio_a):
    anonymous = client.get(reverse("reminder-settings"))
    client.force_login(physio_a.user)
    physio = client.get(reverse("reminder-settings"))

    assert anonymous.status_code == 302 and physio.status_code == 404


@pytest.mark.django_db
def test_api_get_and_put(ready, patient_a1, api):
    api.as_user(patient_a1.user)

    got = api.get("/api/v1/me/reminders/")
    put = api.put(
        "/api/v1/me/reminders/",
        {
            "is_enabled": True,
            "weekdays": [0, 6],
            "local_time": "07:15",
            "timezone": "America/New_York",
            "is_subscribed": True,
        },
        format="json",
    )

    assert got.status_code == 200 and got.json()["weekdays"] == [0, 1, 2, 3, 4, 5, 6]
    assert put.status_code == 200, put.json()
    assert put.json()["weekdays"] == [0, 6] and put.json()["local_time"] == "07:15"
    assert ReminderSchedule.objects.get().timezone == "America/New_York"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weekdays": [7]}, "weekdays"),
        ({"local_time": "25:00"}, "local_time"),
        ({"timezone": "Mars/Base"}, "timezone"),
    ],
)
def test_api_errors_name_the_field(ready, patient_a1, api, change, field):
    body = {
        "is_enabled": True,
        "weekdays": [0],
        "local_time": "08:00",
        "timezone": "UTC",
        "is_subscribed": True,
    }

    response = api.as_user(patient_a1.user).put(
        "/api/v1/me/reminders/", {**body, **change}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert ReminderSchedule.objects.get().weekdays == [0, 1, 2, 3, 4, 5, 6]


@pytest.mark.django_db
def test_api_is_for_patients_only(api, physio_a):
    assert api.as_user(physio_a.user).get("/api/v1/me/reminders/").status_code == 404


@pytest.mark.django_db
def test_physio_panel_shows_schedule_deliveries_and_errors(clock, ready, patient_a1, rf):
    clock.now = SLOT_TIME
    services.dispatch_due_reminders(now=clock.now)
    ReminderDelivery.objects.update(status="failed", last_error="SMTP said no")
    request = rf.get("/")
    request.user = patient_a1.physiotherapist.user

    html = Template('{% include "reminders/_physio_panel.html" with patient=patient %}').render(
        Context({"patient": patient_a1, "request": request, "panel": physio_panel(patient_a1)})
    )

    assert "Reminder emails" in html and "08:00 (Europe/London)" in html
    assert "Failed" in html and "SMTP said no" in html
    tuesday = MONDAY + datetime.timedelta(days=1)
    assert f"Tue {tuesday.day} {tuesday:%b %Y}, 08:00" in html  # the next reminder, local time


@pytest.mark.django_db
def test_physio_changes_the_schedule_and_another_clinic_gets_404(
    ready, patient_a1, physio_a, physio_b, client
):
    url = reverse("reminder-physio-edit", args=[patient_a1.pk])
    data = {
        "is_enabled": "on",
        "weekdays": ["2"],
        "local_time": "09:00",
        "timezone": "Europe/London",
    }
    client.force_login(physio_b.user)
    refused = client.post(url, data)
    unchanged = ReminderSchedule.objects.get().weekdays
    client.force_login(physio_a.user)
    saved = client.post(url, data)

    assert refused.status_code == 404 and unchanged == [0, 1, 2, 3, 4, 5, 6]
    assert saved.status_code == 302
    assert ReminderSchedule.objects.get().weekdays == [2]


@pytest.mark.django_db
def test_publishing_applies_the_default_schedule_once(clock, patient_a1, physio_a):
    from programs.models import Plan

    plan = make_plan(patient_a1, status="draft", phase="P4")
    services.apply_default_schedule(plan=plan)
    schedule = ReminderSchedule.objects.get()
    services.update_schedule(patient=patient_a1, by=physio_a.user, weekdays=[3])
    services.apply_default_schedule(plan=Plan.objects.get())

    assert schedule.weekdays == [0] and schedule.local_time == datetime.time(8)
    assert ReminderSchedule.objects.get().weekdays == [3]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_a_batch_claims_once_and_costs_one_query_per_email_beyond_a_constant(
    clock, physio_a, enqueued, django_assert_num_queries, mailoutbox, count
):
    from tests.factories import PatientFactory

    for _ in range(count):
        patient = PatientFactory(physiotherapist=physio_a)
        make_plan(patient)
        make_schedule(patient, now=clock.now)
    clock.now = SLOT_TIME
    services.dispatch_due_reminders(now=clock.now)
    assert len(enqueued) == count

    # Claim (select + update in a savepoint, 4 here inside the test's transaction), load (rows,
    # revisions), then one finishing UPDATE per email.
    with django_assert_num_queries(6 + count):
        first = services.send_reminders_batch(delivery_ids=enqueued)
    again = services.send_reminders_batch(delivery_ids=enqueued)

    assert set(first.values()) == {"sent"}
    assert set(again.values()) == {"not_claimed"}
    assert len(mailoutbox) == count
