"""Real services for tests: an SMTP server on loopback, Redis, PostgreSQL, a Celery worker.

Locally a test whose service is not configured is skipped; in CI (CI=true) it fails, so a
missing service can never turn a red suite green.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from time_machine import escape_hatch

BASE_DIR = Path(__file__).resolve().parent.parent


def require_service(name: str, configured: bool) -> None:
    if configured:
        return
    message = f"{name} is not configured for this test run"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{message} (CI must provide it)")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    """What the loopback SMTP server received, parsed with the stdlib email package."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: bool = False
    # While set, each message waits in DATA unanswered (no 250 yet), so a sender can be killed
    # mid-send; `stalled` counts the waiting ones. A message whose connection dies meanwhile
    # is dropped (aiosmtpd cancels its handler), as a server that never accepted it.
    stall: bool = False
    stalled: int = 0
    port: int = 0  # where it listens: set by the smtp_server fixture

    async def handle_DATA(self, server, session, envelope):
        if self.stall:
            self.stalled += 1
            try:
                while self.stall:
                    await asyncio.sleep(0.02)
            finally:
                self.stalled -= 1
        if self.refuse:
            return "451 Try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback; Django's email settings point at it."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    mailbox.port = port
    yield mailbox
    controller.stop()


def _database_url() -> str:
    data = connection.settings_dict
    return (
        f"postgres://{data['USER']}:{data['PASSWORD']}@{data['HOST'] or '127.0.0.1'}:"
        f"{data['PORT'] or 5432}/{data['NAME']}"
    )


class WorkerProcess(subprocess.Popen[bytes]):
    """A Celery worker process, with its log and a way to start a second worker."""

    log_path: Path
    start_another: Callable[..., WorkerProcess]


@pytest.fixture
def celery_worker(transactional_db, smtp_server, tmp_path, clock):
    """A real Celery worker process on Redis, using the test database and SMTP server.

    The worker is another process, so it cannot share a clock that stands still. Instead,
    for the worker's life this test's clock ticks from the moment it showed (a nested
    time-machine travel), and the worker starts on the same moving clock (tests/worker_clock.py).
    Dates made by the test and by the worker therefore hold together whatever TEST_NOW is; the
    tests still compare no instants with the worker's, they wait for its states. `clock.now = …`
    has no effect while the worker runs: set rows' times explicitly instead.
    """
    require_service("Redis (REDIS_URL)", bool(settings.REDIS_URL))
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    from config.celery import app

    ticking = time_machine.travel(clock.now, tick=True)
    real_anchor = escape_hatch.time.time()
    ticking.start()
    app.conf.task_always_eager = False
    env = {
        **os.environ,
        "SUITE_CLOCK": f"{clock.now.isoformat()} {real_anchor}",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "MEDIA_ROOT": str(settings.STORAGES["default"]["OPTIONS"].get("location", tmp_path)),
        "DEBUG": "true",
    }
    app.control.purge()
    started: list[WorkerProcess] = []

    def start(name: str = "worker") -> WorkerProcess:
        log_path = tmp_path / f"{name}.log"
        with log_path.open("w") as log:
            process = WorkerProcess(
                [
                    sys.executable,
                    "-m",
                    "tests.worker_clock",
                    "-A",
                    "config",
                    "worker",
                    "--loglevel=INFO",
                    "--concurrency=2",
                    "-Q",
                    "default,pdf,email",
                    "--without-gossip",
                    "--without-mingle",
                    f"--hostname={name}-{os.getpid()}@%h",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, pool included
            )
        started.append(process)
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"Celery worker did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.05)
        process.log_path = log_path
        # A second worker, e.g. after this one was killed (SIGKILL tests).
        process.start_another = start
        return process

    process = start()
    yield process
    # The test is over: nothing in flight needs finishing, and a warm (or even a cold)
    # shutdown waits about two seconds for the pool. Kill each worker's process group.
    for worker in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=20)
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    ticking.stop()
