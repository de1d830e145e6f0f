"""Claims as leases: a worker holds a row until a time it keeps pushing ahead while it works.

A row claimed by a worker that died is free again when its lease ends (a fraction of the
task's time limit), so a redelivered message or the next outbox relay takes it over in
seconds, not after the time limit plus a sweeper's period (DESIGN §9).
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from core import outbox

logger = logging.getLogger(__name__)


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CLAIM_LEASE_SECONDS)


def lease_end(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) + lease()


@contextmanager
def renewing(renew: Callable[[datetime.datetime], object]) -> Iterator[None]:
    """Call `renew(new_end)` every third of a lease while the block runs (a thread with its
    own database connection), so a long render keeps its row and a dead one loses it. The
    outbox message being worked on moves with the lease: if the worker dies, the relay sends
    it again as soon as the lease has ended."""
    stop = threading.Event()
    period = lease().total_seconds() / 3
    message_id = outbox.running_message.get()  # threads do not inherit context variables

    def beat() -> None:
        try:
            while not stop.wait(period):
                try:
                    end = lease_end()
                    renew(end)
                    if message_id is not None:
                        outbox.defer(message_id, until=end)
                except Exception:  # the next beat tries again; the lease is not lost yet
                    logger.exception("lease renewal failed")
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name="lease-renewal", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def send_once(model, pk: int, message, *, sent_field: str, **conditions) -> bool:
    """Send `message` for one row exactly once, as far as a crash allows: the row is leased
    (`email_lease_until`) while the email goes, marked sent (`sent_field`) only once it went,
    and freed again when sending fails (the task retries). A worker that dies mid-send leaves
    a lease that ends within `CLAIM_LEASE_SECONDS`: the outbox sends the task again and the
    next run takes the row over. False when the row was sent, is leased by another run, or
    does not meet `conditions`."""
    now = timezone.now()
    rows = model.objects.filter(pk=pk, **{f"{sent_field}__isnull": True}, **conditions)
    free = Q(email_lease_until__isnull=True) | Q(email_lease_until__lt=now)
    if not rows.filter(free).update(email_lease_until=lease_end(now)):
        return False
    try:
        message.send()
    except Exception:
        model.objects.filter(pk=pk).update(email_lease_until=None)
        raise
    model.objects.filter(pk=pk).update(**{sent_field: timezone.now()}, email_lease_until=None)
    return True
