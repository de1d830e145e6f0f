"""Program documents: ask for a revision's PDF, render it once, tell the patient it is ready.

The database is the source of truth (DESIGN.md §9): every render and email is an outbox
message written with the change that asks for it; a worker claims the row with a conditional
update and holds it with a lease it renews while rendering, so a dead worker's row is taken
over when the lease ends; files are named after the content hash so the same content is never
rendered twice.
"""

from __future__ import annotations

import datetime
import logging
import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.services import add_letterhead, clinic_logo_data_uri, clinic_sender
from core import leases, links, outbox
from documents import pdf, tasks
from documents.errors import TransientRenderError
from documents.models import ProgramDocument
from programs.models import PlanRevision

logger = logging.getLogger(__name__)

DOWNLOAD_MAX_AGE = links.DOCUMENT_DOWNLOAD.max_age
# A row `pending` this long has lost its queue message (broker flushed, enqueue failed).
STALE_PENDING_AFTER = datetime.timedelta(minutes=5)
SWEEP_BATCH = 100


def _held_by_dead_worker(now: datetime.datetime) -> Q:
    """`rendering` rows whose lease has ended (or that never had one): their worker is gone."""
    return Q(status=ProgramDocument.Status.RENDERING) & (
        Q(locked_until__lt=now) | Q(locked_until__isnull=True)
    )


def _queue_render(document_id: int) -> None:
    outbox.add(
        tasks.render_program_pdf_task, kwargs={"document_id": document_id}, queue=tasks.PDF_QUEUE
    )


def document_language(revision: PlanRevision) -> str:
    """The language a revision's PDF is printed in: its patient's (the PDF is theirs)."""
    return revision.plan.patient.language


def document_of(revision: PlanRevision, *, large_print: bool) -> ProgramDocument | None:
    """The revision's document in its patient's language, if it was asked for."""
    return revision.documents.filter(
        is_large_print=large_print, language=document_language(revision)
    ).first()


def request_program_pdf(
    *, revision: PlanRevision, large_print: bool = False, language: str | None = None
) -> ProgramDocument:
    """The revision's document row in `language` (by default the patient's), queued for
    rendering (after commit) unless ready.

    Asking again for a failed document is the retry: it goes back to `pending`.
    """
    document, _created = ProgramDocument.objects.get_or_create(
        revision=revision,
        is_large_print=large_print,
        language=language or document_language(revision),
    )
    if document.status == ProgramDocument.Status.FAILED:
        ProgramDocument.objects.filter(pk=document.pk, status=ProgramDocument.Status.FAILED).update(
            status=ProgramDocument.Status.PENDING
        )
        document.refresh_from_db()
    if document.status == ProgramDocument.Status.PENDING:
        _queue_render(document.pk)
    return document


def _claim(document_id: int, now: datetime.datetime) -> bool:
    """pending/failed/rendering with an ended lease → rendering; exactly one caller wins."""
    claimable = Q(
        status__in=[ProgramDocument.Status.PENDING, ProgramDocument.Status.FAILED]
    ) | _held_by_dead_worker(now)
    claimed = ProgramDocument.objects.filter(claimable, pk=document_id).update(
        status=ProgramDocument.Status.RENDERING,
        started_at=now,
        locked_until=leases.lease_end(now),
        finished_at=None,
        attempts=F("attempts") + 1,
    )
    return claimed == 1


def program_html(document: ProgramDocument) -> str:
    """The document's print HTML in its language: the revision's content as shown in that
    language (`PlanRevision.content`), fixed texts and dates too. The content hash covers the
    HTML, so each language is its own file."""
    revision = document.revision
    clinic = revision.plan.patient.clinic
    with translation.override(document.language):
        return pdf.render_program_html(
            snapshot=revision.content,
            revision_number=revision.number,
            published_at=revision.published_at,
            large_print=document.is_large_print,
            paper_size=clinic.paper_size,
            # The clinic's letterhead as it is now: a new logo or colour renders a new PDF
            # (the content hash covers the HTML).
            letterhead=pdf.Letterhead(
                logo_uri=clinic_logo_data_uri(clinic), colour=clinic.brand_colour
            ),
        )


def _stored_file_for(content_hash: str) -> str | None:
    """A file already holding this content: another ready row's, or one a dead worker saved."""
    ready = (
        ProgramDocument.objects.filter(content_hash=content_hash, status="ready")
        .exclude(file="")
        .values_list("file", flat=True)
        .first()
    )
    if ready:
        return ready
    name = f"programs/{content_hash}.pdf"
    return name if default_storage.exists(name) else None


def render_program_pdf(*, document_id: int) -> ProgramDocument | None:
    """Claim, render (or reuse the stored file for the same content), store, mark ready.

    Returns None when there was nothing to do (missing row, ready or failed for good).
    Raises ``outbox.Busy`` when another worker holds the row's lease (it may die: try again
    when the lease ends). Storage errors raise ``TransientRenderError`` with the row back in
    `pending`; any other error marks the row failed with the reason.
    """
    started = timezone.now()
    if not _claim(document_id, started):
        held_until = (
            ProgramDocument.objects.filter(pk=document_id, status=ProgramDocument.Status.RENDERING)
            .values_list("locked_until", flat=True)
            .first()
        )
        if held_until is not None:
            raise outbox.Busy(held_until)
        logger.info("document %s: not claimable, nothing to do", document_id)
        return None
    mine = ProgramDocument.objects.filter(
        pk=document_id, status=ProgramDocument.Status.RENDERING, started_at=started
    )
    with leases.renewing(lambda until: mine.update(locked_until=until)):
        return _render_claimed(document_id, mine)


def _render_claimed(document_id: int, mine) -> ProgramDocument | None:
    clock = time.perf_counter()
    try:
        document = ProgramDocument.objects.select_related("revision__plan__patient__clinic").get(
            pk=document_id
        )
        html = program_html(document)
        content_hash = pdf.content_hash(html)
        name = _stored_file_for(content_hash)
        if name is None:
            data = pdf.render_pdf(html)
            name = default_storage.save(f"programs/{content_hash}.pdf", ContentFile(data))
    except OSError as error:
        mine.update(status=ProgramDocument.Status.PENDING, error=_reason(error))
        raise TransientRenderError(_reason(error)) from error
    except Exception as error:
        logger.exception("document %s: render failed", document_id)
        record_render_failure(document_id=document_id, error=_reason(error))
        return None
    finished = timezone.now()
    # Ready and "tell the patient" commit together: a broker or worker lost right after
    # cannot lose the email.
    with transaction.atomic():
        updated = mine.update(
            status=ProgramDocument.Status.READY,
            file=name,
            content_hash=content_hash,
            error="",
            finished_at=finished,
            locked_until=None,
            render_seconds=round(time.perf_counter() - clock, 3),
        )
        document.refresh_from_db()
        if updated == 1 and _is_patient_to_be_told(document):
            outbox.add(
                tasks.send_program_ready_email_task,
                kwargs={"document_id": document.pk},
                queue=tasks.EMAIL_QUEUE,
            )
    return document


def _reason(error: BaseException) -> str:
    return (f"{type(error).__name__}: {error}")[:1000]


def record_render_failure(*, document_id: int, error: str) -> None:
    """The last attempt failed: keep the reason where the physio sees it."""
    ProgramDocument.objects.filter(pk=document_id).exclude(
        status=ProgramDocument.Status.READY
    ).update(status=ProgramDocument.Status.FAILED, error=error[:1000], finished_at=timezone.now())


def sweep_stuck_documents(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue again rows a dead worker left in `rendering` past their lease, and `pending`
    rows with no message (older than the outbox): the outbox relay covers the rest. The
    claim in ``render_program_pdf`` keeps a double message harmless."""
    now = now or timezone.now()
    stuck = list(
        ProgramDocument.objects.filter(
            _held_by_dead_worker(now)
            | Q(status=ProgramDocument.Status.PENDING, created_at__lt=now - STALE_PENDING_AFTER)
        )
        .order_by("id")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    for document_id in stuck:
        _queue_render(document_id)
    if stuck:
        logger.warning("re-enqueued stuck documents %s", stuck)
    return stuck


# --- telling the patient ------------------------------------------------------------------

PROGRAM_READY_SUBJECT = gettext_noop("Your exercise program is ready")


def _is_patient_to_be_told(document: ProgramDocument) -> bool:
    """Only the standard print, in the patient's language, of the plan's newest revision,
    for a patient with an account."""
    revision = document.revision
    patient = revision.plan.patient
    is_newest = not revision.plan.revisions.filter(number__gt=revision.number).exists()
    return (
        not document.is_large_print
        and document.language == patient.language
        and is_newest
        and patient.has_account
        and bool(patient.email)
        and document.patient_notified_at is None
    )


def send_program_ready_email(*, document_id: int) -> bool:
    """Email "your exercise program is ready" once: no health details, a portal link."""
    document = (
        ProgramDocument.objects.select_related("revision__plan__patient__clinic")
        .filter(pk=document_id, status=ProgramDocument.Status.READY, patient_notified_at=None)
        .first()
    )
    if document is None:
        return False
    patient = document.revision.plan.patient
    context = {
        "patient": patient,
        "clinic": patient.clinic,
        "url": settings.SITE_URL + reverse("patient-home"),
    }
    with translation.override(patient.language):
        message = EmailMultiAlternatives(
            # Transactional mail: no health details in the subject or body.
            subject=_(PROGRAM_READY_SUBJECT),
            body=render_to_string("emails/program_ready.txt", context),
            from_email=clinic_sender(patient.clinic),
            to=[patient.email],
        )
        message.attach_alternative(
            render_to_string("emails/program_ready.html", context), "text/html"
        )
    add_letterhead(message, patient.clinic)
    return leases.send_once(
        ProgramDocument,
        document_id,
        message,
        sent_field="patient_notified_at",
        status=ProgramDocument.Status.READY,
    )


# --- signed download links ----------------------------------------------------------------


def download_token(document: ProgramDocument) -> str:
    return links.DOCUMENT_DOWNLOAD.token({"document": document.pk})


def document_from_token(token: str) -> ProgramDocument | None:
    """The ready document behind a signed link, or None if tampered with, expired or gone."""
    try:
        data = links.DOCUMENT_DOWNLOAD.read(token)
    except links.InvalidLink:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("document"), int):
        return None
    return (
        ProgramDocument.objects.select_related("revision__plan__patient")
        .filter(pk=data["document"], status=ProgramDocument.Status.READY)
        .first()
    )
