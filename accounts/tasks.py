from celery import shared_task
from django.contrib.sessions.backends.db import SessionStore

from accounts import services
from core.tasks import TRANSIENT_EMAIL_ERRORS, RetryingTask

EMAIL_QUEUE = "email"


@shared_task(
    base=RetryingTask,
    autoretry_for=TRANSIENT_EMAIL_ERRORS,
    record_failure="accounts.services.record_invitation_failure",
)
def send_invitation_email_task(*, invitation_id: int) -> None:
    services.send_invitation_email(invitation_id=invitation_id)


@shared_task
def clear_expired_sessions_task() -> None:
    SessionStore.clear_expired()
