"""Through a real Celery worker on Redis and PostgreSQL: one email per slot, retries."""

import datetime
import time

import pytest

from reminders import services
from reminders.models import ReminderDelivery, ReminderSchedule
from tests.factories import PatientFactory
from tests.reminders.conftest import make_plan, make_schedule

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


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

    assert len(smtp_server.wait_for(1, timeout=40)) == 1
    time.sleep(1)
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == "sent" and delivery.attempts >= 2
    assert len(smtp_server.messages) == 1
