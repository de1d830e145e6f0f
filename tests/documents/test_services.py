"""Requesting, rendering (once), reusing, failing, retrying and sweeping program documents."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.outbox import Busy
from documents import pdf, services
from documents.models import ProgramDocument
from tests.documents.conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def render_calls(monkeypatch):
    """Counts real renders (the render still happens)."""
    calls = []
    real = pdf.render_pdf

    def counting(html, **kwargs):
        calls.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", counting)
    return calls


def stored_files(location) -> list[str]:
    folder = location / "programs"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_publishing_queues_the_pdf_and_the_worker_makes_it_once(
    draft_plan, django_capture_on_commit_callbacks, render_calls, private_media
):
    with django_capture_on_commit_callbacks(execute=True):
        revision = publish(draft_plan)

    document = ProgramDocument.objects.get(revision=revision)
    assert document.status == ProgramDocument.Status.READY
    assert document.file.name == f"programs/{document.content_hash}.pdf"
    assert document.file.read(5) == b"%PDF-"
    assert document.attempts == 1
    assert document.render_seconds > 0
    assert document.started_at <= document.finished_at
    assert len(render_calls) == 1
    # Delivered again (redelivery, a second enqueue): nothing to claim, nothing rendered.
    assert services.render_program_pdf(document_id=document.pk) is None
    assert len(render_calls) == 1
    assert stored_files(private_media) == [f"{document.content_hash}.pdf"]


def test_same_content_reuses_the_stored_file_without_rendering(revision, render_calls):
    document = ProgramDocument.objects.get(revision=revision)
    services.render_program_pdf(document_id=document.pk)
    first_file = document.__class__.objects.get(pk=document.pk).file.name
    # A crash after the file was saved but before the row said so: the row is pending again.
    ProgramDocument.objects.filter(pk=document.pk).update(
        status=ProgramDocument.Status.PENDING, file=""
    )

    again = services.render_program_pdf(document_id=document.pk)

    assert len(render_calls) == 1
    assert again.file.name == first_file
    assert again.status == ProgramDocument.Status.READY


def test_a_render_error_is_stored_as_failed_and_asking_again_retries(
    revision, monkeypatch, django_capture_on_commit_callbacks
):
    document = ProgramDocument.objects.get(revision=revision)

    def broken(html, **kwargs):
        raise ValueError("layout exploded")

    with monkeypatch.context() as patch:
        patch.setattr(pdf, "render_pdf", broken)
        services.render_program_pdf(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == ProgramDocument.Status.FAILED
    assert document.error == "ValueError: layout exploded"

    with django_capture_on_commit_callbacks(execute=True):
        services.request_program_pdf(revision=revision)

    document.refresh_from_db()
    assert document.status == ProgramDocument.Status.READY
    assert document.attempts == 2


def test_storage_errors_are_retried_then_stored_as_failed(revision, monkeypatch):
    from celery.exceptions import Retry
    from django.core.files.storage import FileSystemStorage

    from documents.tasks import render_program_pdf_task

    document = ProgramDocument.objects.get(revision=revision)
    saves = []

    def full_disk(storage, name, content, *args, **kwargs):
        saves.append(name)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "save", full_disk)

    # A first attempt asks for a retry and hands the row back (pending, reason kept) ...
    with pytest.raises(Retry):
        render_program_pdf_task.apply(kwargs={"document_id": document.pk}, throw=True)
    document.refresh_from_db()
    assert document.status == ProgramDocument.Status.PENDING
    assert "No space left on device" in document.error
    # ... the last one fails the task and stores the failure for the physio to see.
    last = render_program_pdf_task.apply(
        kwargs={"document_id": document.pk},
        retries=render_program_pdf_task.max_retries,
        throw=False,  # as in a worker: on_failure runs (eager propagation would skip it)
    )
    assert isinstance(last.result, services.TransientRenderError)
    document.refresh_from_db()
    assert document.status == ProgramDocument.Status.FAILED
    assert "No space left on device" in document.error
    assert document.attempts == 2
    assert len(saves) == 2


def test_sweeper_re_enqueues_a_render_whose_worker_died(
    revision, render_calls, django_capture_on_commit_callbacks
):
    document = ProgramDocument.objects.get(revision=revision)
    a_second_ago = timezone.now() - datetime.timedelta(seconds=1)
    ProgramDocument.objects.filter(pk=document.pk).update(
        status=ProgramDocument.Status.RENDERING,
        started_at=a_second_ago - datetime.timedelta(seconds=30),
        locked_until=a_second_ago,  # the lease its worker stopped renewing
        attempts=1,
    )

    with django_capture_on_commit_callbacks(execute=True):
        swept = services.sweep_stuck_documents()

    document.refresh_from_db()
    assert swept == [document.pk]
    assert document.status == ProgramDocument.Status.READY
    assert document.attempts == 2
    assert len(render_calls) == 1


def test_sweeper_leaves_a_render_in_progress_alone(revision, render_calls):
    document = ProgramDocument.objects.get(revision=revision)
    lease_end = timezone.now() + datetime.timedelta(seconds=20)
    ProgramDocument.objects.filter(pk=document.pk).update(
        status=ProgramDocument.Status.RENDERING,
        started_at=timezone.now(),
        locked_until=lease_end,
        attempts=1,
    )

    assert services.sweep_stuck_documents() == []
    with pytest.raises(Busy) as busy:
        services.render_program_pdf(document_id=document.pk)
    assert busy.value.until == lease_end
    document.refresh_from_db()
    assert document.status == ProgramDocument.Status.RENDERING
    assert render_calls == []


def test_large_print_is_a_separate_document(revision, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        large = services.request_program_pdf(revision=revision, large_print=True)
        again = services.request_program_pdf(revision=revision, large_print=True)

    large.refresh_from_db()
    assert again.pk == large.pk
    assert large.status == ProgramDocument.Status.READY
    assert large.download_name == "exercise-program-r1-large-print.pdf"
    assert ProgramDocument.objects.filter(revision=revision).count() == 2
