"""The outbox without a worker: written with the change, sent after commit, relayed when the
broker failed or the task did not finish, done when the task says so."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

from core import outbox
from core.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)

TASK = "core.tasks.purge_outbox_task"  # any registered task; its run is harmless


@pytest.fixture
def sent():
    """Capture what reaches the broker, as (task, kwargs, headers)."""
    calls: list[tuple[str, dict, dict]] = []

    def apply_async(self, args=None, kwargs=None, **options):
        calls.append((self.name, kwargs, options["headers"]))

    with mock.patch("celery.app.task.Task.apply_async", apply_async):
        yield calls


@pytest.fixture
def broker_down():
    error = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch("celery.app.task.Task.apply_async", side_effect=error) as failing:
        yield failing


@pytest.fixture
def not_eager():
    """Messages go to the broker: the Celery app's own setting, which it read once from
    Django's settings (whichever test came first), not `settings.CELERY_TASK_ALWAYS_EAGER`."""
    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    yield
    current_app.conf.task_always_eager = before


def test_a_message_is_sent_after_commit_with_its_row_id(sent):
    with transaction.atomic():
        message = outbox.add(TASK, kwargs={"x": 1}, queue="default")
        assert sent == []  # not before the commit

    assert sent == [(TASK, {"x": 1}, {"outbox_id": str(message.pk)})]


def test_a_rolled_back_change_sends_nothing(sent):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.add(TASK, kwargs={"x": 1}, queue="default")
        raise RuntimeError("the change failed")

    assert sent == []
    assert not OutboxMessage.objects.exists()


def test_a_broker_error_after_commit_is_logged_and_left_to_the_relay(
    broker_down, not_eager, clock, caplog
):
    with transaction.atomic():
        first = outbox.add(TASK, kwargs={"x": 1}, queue="default")
        second = outbox.add(TASK, kwargs={"x": 2}, queue="default")

    # One failed attempt per commit callback, no exception to the caller.
    assert broker_down.call_count == 2
    rows = OutboxMessage.objects.order_by("id")
    assert [(m.pk, m.relay_after, m.done_at) for m in rows] == [
        (first.pk, clock.now, None),
        (second.pk, clock.now, None),
    ]
    assert "Connection refused" in rows[0].last_error
    assert "the relay will" in caplog.text


def test_the_relay_sends_due_messages_once_and_again_only_after_the_resend_delay(
    sent, clock, settings
):
    later = clock.now + datetime.timedelta(minutes=5)
    due = OutboxMessage.objects.create(task=TASK, kwargs={"n": 1}, queue="default")
    OutboxMessage.objects.create(task=TASK, kwargs={"n": 2}, queue="default", relay_after=later)
    OutboxMessage.objects.create(task=TASK, kwargs={"n": 3}, queue="default", done_at=clock.now)

    first = outbox.relay(now=clock.now)
    again = outbox.relay(now=clock.now + datetime.timedelta(seconds=59))
    after_delay = outbox.relay(now=clock.now + datetime.timedelta(seconds=60))

    assert (first, again, after_delay) == (1, 0, 1)
    assert sent == [(TASK, {"n": 1}, {"outbox_id": str(due.pk)})] * 2
    assert OutboxMessage.objects.get(pk=due.pk).sends == 2


def test_done_and_deferred_messages(clock):
    message = OutboxMessage.objects.create(task=TASK, kwargs={}, queue="default")
    until = clock.now + datetime.timedelta(seconds=30)

    outbox.defer(message.pk, until=until)
    deferred = OutboxMessage.objects.get(pk=message.pk).relay_after
    outbox.mark_done(message.pk)
    outbox.defer(message.pk, until=until + datetime.timedelta(hours=1))  # done: ignored

    message.refresh_from_db()
    assert deferred == until
    assert (message.relay_after, message.done_at) == (until, clock.now)
    assert outbox.relay(now=until + datetime.timedelta(days=1)) == 0


def test_an_eager_task_marks_its_message_done(clock):
    message = outbox.add(  # eager in this suite; no such invitation: nothing to send
        "accounts.tasks.send_invitation_email_task", kwargs={"invitation_id": 0}, queue="email"
    )

    message.refresh_from_db()
    assert message.done_at == clock.now


def test_purge_keeps_open_and_recent_messages(clock):
    old = clock.now - datetime.timedelta(days=8)
    OutboxMessage.objects.create(task=TASK, kwargs={}, queue="default", done_at=old)
    recent = OutboxMessage.objects.create(task=TASK, kwargs={}, queue="default", done_at=clock.now)
    still_open = OutboxMessage.objects.create(task=TASK, kwargs={}, queue="default")

    assert outbox.purge_done(older_than=datetime.timedelta(days=7)) == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, still_open.pk}
