from celery import shared_task

from core.outbox import Busy
from core.tasks import TRANSIENT_EMAIL_ERRORS, RetryingTask
from documents import services
from documents.errors import TransientRenderError

# Queues are named at each enqueue (Celery deprecates the `queue` task attribute): renders on
# `pdf`, so slow layouts never hold up email; the email on `email`.
PDF_QUEUE = "pdf"
EMAIL_QUEUE = "email"


# Time limits: CELERY_TASK_SOFT_TIME_LIMIT / CELERY_TASK_TIME_LIMIT (settings).
@shared_task(
    bind=True,
    base=RetryingTask,
    autoretry_for=(TransientRenderError,),
    max_retries=4,
    retry_backoff_max=120,
    record_failure="documents.services.record_render_failure",
    acks_late=True,
)
def render_program_pdf_task(self: RetryingTask, *, document_id: int) -> None:
    try:
        services.render_program_pdf(document_id=document_id)
    except Busy as busy:
        self.defer(busy)


@shared_task
def sweep_stuck_documents_task() -> None:
    services.sweep_stuck_documents()


# Given up: the PDF is ready on the patient's page; only the "it is ready" email is missing.
@shared_task(base=RetryingTask, autoretry_for=TRANSIENT_EMAIL_ERRORS)
def send_program_ready_email_task(*, document_id: int) -> None:
    services.send_program_ready_email(document_id=document_id)
