import logging
import smtplib

from celery import shared_task
from django.contrib.sessions.backends.db import SessionStore

from accounts import services

logger = logging.getLogger(__name__)

# SMTP and network failures are worth retrying; anything else is a bug to surface.
TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


@shared_task(bind=True, max_retries=5)
def send_invitation_email_task(self, *, invitation_id: int) -> None:
    try:
        services.send_invitation_email(invitation_id=invitation_id)
    except TRANSIENT_EMAIL_ERRORS as error:
        if self.request.retries >= self.max_retries:
            services.record_invitation_failure(invitation_id=invitation_id, error=repr(error))
            logger.error("invitation %s not sent: %r", invitation_id, error)
            return
        raise self.retry(exc=error, countdown=min(300, 5 * 2**self.request.retries)) from error


@shared_task
def clear_expired_sessions_task() -> None:
    SessionStore.clear_expired()
