import logging

from celery import shared_task

from documents import services

logger = logging.getLogger(__name__)

EMAIL_RETRIES = 5
# Queues are named at each enqueue (Celery deprecates the `queue` task attribute): renders on
# `pdf`, so slow layouts never hold up email; the email on `email`.
PDF_QUEUE = "pdf"
EMAIL_QUEUE = "email"


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
    max_retries=4,
)
def render_program_pdf_task(self, *, document_id: int) -> None:
    try:
        services.render_program_pdf(document_id=document_id)
    except services.TransientRenderError as error:
        if self.request.retries >= self.max_retries:
            services.record_render_failure(document_id=document_id, error=str(error))
            logger.error("document %s failed for good: %s", document_id, error)
            return
        countdown = min(120, 5 * 2**self.request.retries)
        raise self.retry(exc=error, countdown=countdown, queue=PDF_QUEUE) from error


@shared_task
def sweep_stuck_documents_task() -> None:
    services.sweep_stuck_documents()


@shared_task(bind=True, max_retries=EMAIL_RETRIES)
def send_program_ready_email_task(self, *, document_id: int) -> None:
    from accounts.tasks import TRANSIENT_EMAIL_ERRORS

    try:
        services.send_program_ready_email(document_id=document_id)
    except TRANSIENT_EMAIL_ERRORS as error:
        if self.request.retries >= self.max_retries:
            logger.error("program-ready email for document %s not sent: %r", document_id, error)
            return
        countdown = min(300, 5 * 2**self.request.retries)
        raise self.retry(exc=error, countdown=countdown, queue=EMAIL_QUEUE) from error
