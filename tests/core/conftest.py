"""A Redis of the test's own, to stop at the worst moment, and the broker pointed at it."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field

import pytest
import redis
from aiosmtpd.controller import Controller
from kombu import pools

from tests.documents.conftest import private_media  # noqa: F401 - the fault tests use it
from tests.services import Mailbox, free_port

REDIS_SERVER = "/usr/bin/redis-server"


@dataclass
class RedisServer:
    """A redis-server on a spare port, without persistence: a restart starts empty, as a
    flushed or failed-over Redis would (the outbox must not need what the broker held)."""

    port: int
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def _reconnect(app) -> None:
    """Forget the Celery app's pools and kombu's, so the next send opens a connection to the
    URL now set. kombu keeps its pools per URL for the whole process: a spare port that an
    earlier test's Redis (stopped since) had used would hand back that Redis's dead
    connections."""
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@pytest.fixture
def own_redis():
    server = RedisServer(port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(own_redis, settings, monkeypatch):
    """The broker (for this process and the `celery_worker` it starts) is `own_redis`."""
    from config.celery import app

    previous = app.conf.broker_url
    settings.CELERY_BROKER_URL = own_redis.url
    # Celery reads CELERY_BROKER_URL from the environment before its own setting, and the
    # suite sets it for the second xdist worker (tests/conftest.py): point both at own_redis.
    monkeypatch.setenv("CELERY_BROKER_URL", own_redis.url)
    app.conf.broker_url = own_redis.url
    _reconnect(app)
    yield own_redis
    app.conf.broker_url = previous
    _reconnect(app)


@dataclass
class StoppableMailbox(Mailbox):
    """The loopback SMTP sink, which the test can stop (connection refused) and start again
    on the same port."""

    controller: Controller | None = field(default=None, repr=False)

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(settings):
    """As tests.services' smtp_server (the worker is pointed at it too), but stoppable."""
    mailbox = StoppableMailbox(port=free_port())
    mailbox.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = mailbox.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    yield mailbox
    mailbox.stop()
