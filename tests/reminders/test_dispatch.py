"""Dispatching due slots: exactly once, who gets none, outages, daylight saving, sweeping."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection

from programs.models import Plan
from reminders import services
from reminders.models import ReminderDelivery
from tests.reminders.conftest import london, make_plan, make_schedule

UTC = datetime.UTC


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture
def ready(clock, patient_a1):
    """Patient A1 with an active plan and daily 08:00 London reminders; clock at 07:00."""
    make_plan(patient_a1)
    return make_schedule(patient_a1, now=clock.now)


@pytest.mark.django_db
def test_dispatcher_run_twice_in_the_same_minute_sends_one_email(clock, ready):
    clock.now = london(0, 8, 0, 30)

    first = services.dispatch_due_reminders(now=clock.now)
    second = services.dispatch_due_reminders(now=clock.now)

    assert len(first.queued) == 1 and second.queued == []
    assert ReminderDelivery.objects.get().status == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_send_run_twice_for_one_delivery_sends_one_email(clock, ready, enqueued):
    clock.now = london(0, 8, 1)
    services.dispatch_due_reminders(now=clock.now)

    outcomes = [services.send_reminder(delivery_id=enqueued[0]) for _ in range(2)]

    assert outcomes == ["sent", "not_claimed"]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_reset_schedule_does_not_enqueue_an_existing_row_again(clock, ready, enqueued):
    clock.now = london(0, 8, 1)
    services.dispatch_due_reminders(now=clock.now)
    ready.refresh_from_db()
    ready.next_slot_at = london(0, 8)  # e.g. an edit that recomputed an earlier slot
    ready.save()

    services.dispatch_due_reminders(now=clock.now)

    assert len(enqueued) == 1
    assert ReminderDelivery.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda p: Plan.objects.filter(patient=p).update(status="paused"), "The plan is paused."),
        (
            lambda p: services.pause_reminders(patient=p, reason="ESC-WORSE: pain worse"),
            "Paused: ESC-WORSE",
        ),
        (lambda p: Plan.objects.filter(patient=p).update(status="archived"), "No published plan."),
    ],
    ids=["plan-paused", "ESC-WORSE", "archived"],
)
def test_no_reminder_when_the_plan_or_schedule_is_paused(clock, ready, patient_a1, setup, reason):
    setup(patient_a1)
    clock.now = london(0, 8, 1)

    result = services.dispatch_due_reminders(now=clock.now)

    assert result.queued == [] and not ReminderDelivery.objects.exists()
    assert mail.outbox == []
    assert reason in services.reminder_overview(patient_a1)["not_sending_reason"]


@pytest.mark.django_db
def test_plan_expiry_six_weeks_after_the_last_publish(clock, patient_a1):
    make_plan(patient_a1, published_at=clock.now - datetime.timedelta(weeks=6, hours=1))
    make_schedule(patient_a1, now=clock.now)
    clock.now = london(0, 8, 1)

    result = services.dispatch_due_reminders(now=clock.now)

    assert result.queued == [] and mail.outbox == []
    assert "PLAN-EXPIRY" in services.reminder_overview(patient_a1)["not_sending_reason"]


@pytest.mark.django_db
def test_a_draft_plan_gets_no_reminders(clock, patient_a1):
    make_plan(patient_a1, status="draft")
    make_schedule(patient_a1, now=clock.now)
    clock.now = london(0, 8, 1)

    assert services.dispatch_due_reminders(now=clock.now).queued == []
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_paused_plan_resumes_at_its_next_slot_without_a_burst(clock, ready, patient_a1):
    Plan.objects.filter(patient=patient_a1).update(status="paused")
    for day in range(3):
        services.dispatch_due_reminders(now=london(day, 8, 1))
    Plan.objects.filter(patient=patient_a1).update(status="active")
    clock.now = london(3, 8, 1)

    result = services.dispatch_due_reminders(now=clock.now)

    assert len(result.queued) == 1 and result.skipped == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_after_a_three_hour_outage_late_slots_are_skipped_and_recent_ones_sent(clock, patient_a1):
    make_plan(patient_a1)
    # A 05:00 slot (3 h late when the dispatcher comes back) and, after a change, a 07:00 one.
    schedule = make_schedule(patient_a1, at="05:00", now=london(0, 4, 0))
    clock.now = london(0, 8, 0)  # the dispatcher was down from 04:59 to 08:00

    late = services.dispatch_due_reminders(now=clock.now)
    schedule.refresh_from_db()
    schedule.local_time = datetime.time(7, 0)
    schedule.next_slot_at = london(0, 7, 0)
    schedule.save()
    recent = services.dispatch_due_reminders(now=clock.now)

    assert late.queued == [] and late.skipped == 1
    assert len(recent.queued) == 1
    assert dict(ReminderDelivery.objects.values_list("slot_at", "status")) == {
        london(0, 5): "skipped",
        london(0, 7): "sent",
    }
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_outage_window_sends_within_two_hours_and_skips_older(clock, patient_a1):
    make_plan(patient_a1)
    # Monday to Wednesday at 08:00 London; the dispatcher stops on Monday 07:00.
    make_schedule(patient_a1, weekdays=(0, 1, 2), at="08:00", now=london(0, 7))
    clock.now = london(1, 9, 30)  # Tuesday: Monday's slot is a day late

    result = services.dispatch_due_reminders(now=clock.now)

    assert result.skipped == 1 and len(result.queued) == 1
    assert dict(ReminderDelivery.objects.values_list("slot_at", "status")) == {
        london(0, 8): "skipped",
        london(1, 8): "sent",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tz", "start", "expected"),
    [
        ("Europe/London", utc(2026, 3, 27), [8, 8, 7, 7]),
        ("Europe/London", utc(2026, 10, 23), [7, 7, 8, 8]),
        ("America/New_York", utc(2026, 3, 6), [13, 13, 12, 12]),
        ("America/New_York", utc(2026, 10, 30), [12, 12, 13, 13]),
    ],
)
def test_dispatcher_sends_one_reminder_at_eight_local_each_day_across_dst(
    clock, patient_a1, tz, start, expected
):
    clock.now = start
    make_plan(patient_a1)
    make_schedule(patient_a1, tz=tz, now=start)

    while clock.now < start + datetime.timedelta(days=4):  # 384 dispatcher runs
        clock.advance(minutes=15)
        services.dispatch_due_reminders(now=clock.now)

    slots = list(ReminderDelivery.objects.order_by("slot_at").values_list("slot_at", "status"))
    assert [slot.hour for slot, _ in slots] == expected
    assert {status for _, status in slots} == {"sent"}
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_sweeper_returns_a_row_stuck_in_sending(clock, ready, enqueued):
    clock.now = london(0, 8, 1)
    services.dispatch_due_reminders(now=clock.now)
    delivery = ReminderDelivery.objects.get()
    ReminderDelivery.objects.filter(pk=delivery.pk).update(
        status="sending", claimed_at=clock.now, attempts=1
    )  # the worker died mid-send

    too_early = services.sweep_stuck_deliveries(now=clock.advance(minutes=2))
    swept = services.sweep_stuck_deliveries(now=clock.advance(minutes=4))
    outcome = services.send_reminder(delivery_id=delivery.pk)

    assert too_early == [] and swept == [delivery.pk]
    assert outcome == "sent" and len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


@pytest.mark.django_db
def test_a_row_is_taken_over_when_its_workers_lease_ends(clock, ready, enqueued):
    clock.now = london(0, 8, 1)
    services.dispatch_due_reminders(now=clock.now)
    delivery = ReminderDelivery.objects.get()
    lease_end = clock.now + datetime.timedelta(seconds=30)
    ReminderDelivery.objects.filter(pk=delivery.pk).update(
        status="sending", claimed_at=clock.now, locked_until=lease_end, attempts=1
    )  # a worker claimed it and died

    clock.now = lease_end - datetime.timedelta(seconds=1)
    while_held = services.send_reminder(delivery_id=delivery.pk)
    held = services.held_until([delivery.pk], clock.now)
    clock.now = lease_end + datetime.timedelta(seconds=1)
    after = services.send_reminder(delivery_id=delivery.pk)

    assert (while_held, held, after) == ("not_claimed", lease_end, "sent")
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.locked_until) == ("sent", 2, None)


@pytest.mark.django_db
def test_sweeper_enqueues_a_pending_row_whose_message_was_lost(clock, ready, enqueued):
    clock.now = london(0, 8, 1)
    services.dispatch_due_reminders(now=clock.now)
    enqueued.clear()  # the broker lost it

    swept = services.sweep_stuck_deliveries(now=clock.advance(minutes=11))

    assert swept == [ReminderDelivery.objects.get().pk] == enqueued


@pytest.mark.django_db
def test_dispatch_uses_a_constant_number_of_queries(
    clock, physio_a, enqueued, django_assert_num_queries
):
    from tests.factories import PatientFactory

    def patients(count):
        for _ in range(count):
            patient = PatientFactory(physiotherapist=physio_a)
            make_plan(patient)
            make_schedule(patient, now=clock.now)

    patients(1)
    # Select (with the plan status), insert, advance, read new rows, and the savepoint pair.
    with django_assert_num_queries(6) as one:
        services.dispatch_due_reminders(now=london(0, 8, 1))
    patients(5)
    with django_assert_num_queries(len(one.captured_queries)):
        # Only the five new patients are due now; the first already had its slot.
        services.dispatch_due_reminders(now=london(0, 8, 2))


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_one_email_per_slot(clock, physio_a, smtp_server):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent inserts need PostgreSQL")
    from tests.factories import PatientFactory

    for _ in range(20):
        patient = PatientFactory(physiotherapist=physio_a)
        make_plan(patient)
        make_schedule(patient, now=clock.now)
    now = london(0, 8, 1)
    clock.now = now
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(services.dispatch_due_reminders(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(len(r.queued) for r in results) == 20
    assert len(smtp_server.wait_for(20)) == 20
    recipients = [m["To"] for m in smtp_server.messages]
    assert len(set(recipients)) == 20
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"sent"}
