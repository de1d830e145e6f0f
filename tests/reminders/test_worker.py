"""Through a real Celery worker on Redis and PostgreSQL: one email per slot, retries, a
worker killed mid-send."""

import datetime
import os
import signal
import subprocess
import time

import pytest
from django.utils import timezone

from core import outbox
from reminders import services
from reminders.models import ReminderDelivery, ReminderSchedule
from tests.factories import PatientFactory
from tests.reminders.conftest import make_plan, make_schedule

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def run_on_commit_at_once():
    """Overrides the package's: these tests commit for real, so after-commit work (the
    enqueue) runs after the commit, as in production; run at once, a fast worker could look
    for a delivery row not committed yet."""


def due_patients(physio, count: int) -> datetime.datetime:
    """`count` patients whose slot was one minute ago; returns now."""
    now = datetime.datetime.now(datetime.UTC)
    slot = now.replace(second=0, microsecond=0) - datetime.timedelta(minutes=1)
    for _ in range(count):
        patient = PatientFactory(physiotherapist=physio)
        make_plan(patient)
        make_schedule(patient, at=slot.time().isoformat(), tz="UTC", now=now)
    ReminderSchedule.objects.update(next_slot_at=slot)
    return now


def test_worker_sends_each_slot_once_when_dispatched_twice(celery_worker, smtp_server, physio_a):
    now = due_patients(physio_a, 5)

    services.dispatch_due_reminders(now=now)
    services.dispatch_due_reminders(now=now)

    assert len(smtp_server.wait_for(5)) == 5
    time.sleep(1)  # room for a duplicate to show up
    assert len(smtp_server.messages) == 5
    assert len({m["To"] for m in smtp_server.messages}) == 5
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_worker_retries_while_smtp_refuses_then_delivers_once(celery_worker, smtp_server, physio_a):
    now = due_patients(physio_a, 1)
    smtp_server.refuse = True

    services.dispatch_due_reminders(now=now)
    deadline = time.monotonic() + 20
    while not ReminderDelivery.objects.filter(attempts__gte=1, status="pending").exists():
        assert time.monotonic() < deadline, celery_worker.log_path.read_text()[-2000:]
        time.sleep(0.2)
    smtp_server.refuse = False

    # The retry is an outbox message for the end of its backoff (10 s): play beat's relay.
    deadline = time.monotonic() + 40
    while not smtp_server.messages:
        assert time.monotonic() < deadline, celery_worker.log_path.read_text()[-2000:]
        outbox.relay()
        time.sleep(0.5)
    time.sleep(1)
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(smtp_server.messages) == 1


def test_a_worker_killed_mid_send_is_resolved_by_the_sweeper(celery_worker, smtp_server, physio_a):
    now = due_patients(physio_a, 1)
    # The sink holds the message in DATA without answering, so the worker is killed mid-send,
    # before the server accepted the message. (The window services.py documents is a kill
    # after the server's 250 and before the row says `sent`: the sweeper's resend is then a
    # duplicate. Killed before DATA completes, as here, the patient gets exactly one email.)
    smtp_server.stall = True
    services.dispatch_due_reminders(now=now)
    deadline = time.monotonic() + 30
    while not smtp_server.stalled:
        assert time.monotonic() < deadline, celery_worker.log_path.read_text()[-2000:]
        time.sleep(0.01)
    # SIGKILL, pool children first: the claimed row stays in `sending` and the broker
    # message is gone with the worker.
    subprocess.run(["pkill", "-KILL", "-P", str(celery_worker.pid)], check=False)
    os.kill(celery_worker.pid, signal.SIGKILL)
    celery_worker.wait(timeout=10)
    deadline = time.monotonic() + 10
    while smtp_server.stalled:  # the dead connection's message is dropped, never accepted
        assert time.monotonic() < deadline, "the sink still holds the killed worker's message"
        time.sleep(0.01)
    smtp_server.stall = False
    killed = ReminderDelivery.objects.get()
    assert (killed.status, killed.attempts) == ("sending", 1)
    assert smtp_server.messages == []
    assert services.sweep_stuck_deliveries() == []  # not before its lease ends

    celery_worker.start_another("second")
    # End the lease rather than wait for it (the outbox relay would send the batch again then).
    ReminderDelivery.objects.filter(pk=killed.pk).update(
        locked_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert services.sweep_stuck_deliveries() == [killed.pk]
    deadline = time.monotonic() + 30
    while ReminderDelivery.objects.get().status != "sent":
        assert time.monotonic() < deadline, celery_worker.log_path.read_text()[-2000:]
        time.sleep(0.1)
    smtp_server.wait_for(1)
    time.sleep(1)  # room for a duplicate to show up

    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Message-ID"] == delivery.message_id
