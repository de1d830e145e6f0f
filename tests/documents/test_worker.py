"""Program PDFs through a real Celery worker on Redis and PostgreSQL."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import time

import pytest
from django.utils import timezone

from documents import services
from documents.models import ProgramDocument
from documents.tasks import PDF_QUEUE, render_program_pdf_task
from tests.documents.conftest import make_plan, publish

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_until_ready(revision, timeout: float = 90.0) -> ProgramDocument:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document = ProgramDocument.objects.filter(revision=revision).first()
        if document and document.status in ("ready", "failed"):
            return document
        time.sleep(0.2)
    pytest.fail(f"document of {revision} not ready in {timeout} s")


def files_in(location) -> list[str]:
    folder = location / "programs"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_publishing_renders_once_and_emails_the_patient_once(
    celery_worker, smtp_server, patient_a1, catalogue, private_media
):
    revision = publish(make_plan(patient_a1))
    document = ProgramDocument.objects.get(revision=revision)
    # The same message delivered twice more (redelivery, a second enqueue).
    for _ in range(2):
        render_program_pdf_task.apply_async(kwargs={"document_id": document.pk}, queue=PDF_QUEUE)

    document = wait_until_ready(revision)
    smtp_server.wait_for(1)
    time.sleep(3)  # let the duplicates reach the worker and find nothing to claim

    document.refresh_from_db()
    assert document.status == "ready", document.error
    assert document.attempts == 1
    assert files_in(private_media) == [f"{document.content_hash}.pdf"]
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Subject"] == "Your exercise program is ready"
    log = celery_worker.log_path.read_text()
    # Each duplicate found the row rendering (held: deferred) or ready (nothing to do).
    assert log.count("not claimable") + log.count("; deferred") == 2


def test_sweeper_recovers_a_render_whose_worker_died(
    celery_worker, smtp_server, patient_a1, catalogue, private_media
):
    revision = publish(make_plan(patient_a1))
    document = wait_until_ready(revision)
    smtp_server.wait_for(1)
    # What a worker killed mid-render leaves behind: the row in `rendering`, no file, and a
    # broker message already acknowledged. (Simulated: set the row as that worker left it.)
    (private_media / document.file.name).unlink()
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    ProgramDocument.objects.filter(pk=document.pk).update(
        status="rendering", started_at=long_ago, file="", content_hash=""
    )

    assert services.sweep_stuck_documents() == [document.pk]
    document = wait_until_ready(revision)

    assert document.status == "ready", document.error
    assert document.attempts == 2
    assert files_in(private_media) == [f"{document.content_hash}.pdf"]
    assert len(smtp_server.messages) == 1  # the patient was told once


def test_a_worker_killed_mid_render_loses_nothing(
    private_media, celery_worker, smtp_server, patient_a1, catalogue
):
    revision = publish(make_plan(patient_a1))
    wait_until_ready(revision)
    # The large print is the longest render: kill the worker (SIGKILL, pool children first)
    # while its row is claimed, so the broker message is gone with it.
    document = services.request_program_pdf(revision=revision, large_print=True)
    deadline = time.monotonic() + 60
    while ProgramDocument.objects.get(pk=document.pk).status != "rendering":
        assert time.monotonic() < deadline, "the render never started"
        time.sleep(0.01)
    subprocess.run(["pkill", "-KILL", "-P", str(celery_worker.pid)], check=False)
    os.kill(celery_worker.pid, signal.SIGKILL)
    celery_worker.wait(timeout=10)
    killed = ProgramDocument.objects.get(pk=document.pk)
    assert killed.status == "rendering"
    assert not (private_media / "programs").exists() or not killed.file

    celery_worker.start_another("second")
    # The sweeper only takes rows whose lease has ended: end it rather than wait for it.
    ProgramDocument.objects.filter(pk=document.pk).update(
        locked_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert services.sweep_stuck_documents() == [document.pk]
    deadline = time.monotonic() + 90
    while ProgramDocument.objects.get(pk=document.pk).status != "ready":
        assert time.monotonic() < deadline, "the swept document never became ready"
        time.sleep(0.2)

    document.refresh_from_db()
    assert document.attempts == 2
    assert document.is_large_print
    assert len(files_in(private_media)) == 2  # the standard and the large print, once each
