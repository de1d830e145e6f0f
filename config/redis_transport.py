"""Kombu's Redis transport, made to keep the worker up when Redis goes away mid-task.

With celery 5.7.0 / kombu 5.7.0 / redis-py 8.1, a worker whose broker stops while a task
runs exits with `Unrecoverable error: AttributeError("'NoneType' object has no attribute
'hostname'")`: on the connection error the consumer releases the connection, which closes
the channel, which tries to put the unacknowledged messages back (`restore_unacked`) on a
connection whose `client` is already None, and `Channel._connparams` reads
`self.connection.client.hostname`. Patched there alone, the worker reconnects and dies a
moment later acknowledging the task that finished during the outage: that channel's
`connection` is None (`'NoneType' object has no attribute 'client'`). Both are the same
read; kombu treats a connection error there as the broker being down (it logs "Couldn't
ack" and goes on), so this transport raises one instead of the AttributeError.

Nothing is lost by it: the outbox (core.outbox) sends again every message whose task has not
finished, and the task's own claim makes a second run harmless (DESIGN §9).
"""

from __future__ import annotations

from kombu.transport import TRANSPORT_ALIASES, redis


class BrokerConnectionGone(ConnectionError):
    """The channel's connection was closed by an earlier error: the broker is away."""


class Channel(redis.Channel):
    def _connparams(self, asynchronous=False):
        if self.connection is None or self.connection.client is None:
            raise BrokerConnectionGone("the broker connection is closed")
        return super()._connparams(asynchronous=asynchronous)  # type: ignore[misc]  # no stub


class Transport(redis.Transport):
    Channel = Channel


def install() -> None:
    """Make `redis://` and `rediss://` broker URLs use this transport."""
    for scheme in ("redis", "rediss"):
        TRANSPORT_ALIASES[scheme] = f"{__name__}:Transport"
