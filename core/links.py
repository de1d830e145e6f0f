"""Signed links sent by email (invitation, check-in, unsubscribe, document download).

One helper for all of them: `django.core.signing` with a salt per purpose and a maximum age,
one exception saying why a link cannot be used, and one mapping from that reason to the
status of the page that says so (404 for a link that never was valid, 410 for one that was).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

TAMPERED = "tampered"  # not signed by us, or for something that does not exist
EXPIRED = "expired"
USED = "used"
REPLACED = "replaced"

# A link that never was valid is not found; one that was, is gone.
STATUS_BY_REASON = {TAMPERED: 404, EXPIRED: 410, USED: 410, REPLACED: 410}


class InvalidLink(Exception):
    """A signed link that cannot be used; `reason` says why, for a clear page."""

    def __init__(self, reason: str, subject: Any = None):
        super().__init__(reason)
        self.reason = reason
        self.subject = subject  # the object the link was for, when it could be read

    @property
    def status(self) -> int:
        return STATUS_BY_REASON.get(self.reason, 404)


@dataclass(frozen=True)
class SignedLink:
    """A kind of link: its salt (never change it: sent links would stop working), how long it
    lasts, and the URL it opens (a URL name taking `token`)."""

    salt: str
    url_name: str
    max_age: datetime.timedelta | Callable[[], datetime.timedelta]

    def token(self, value: Any) -> str:
        return signing.dumps(value, salt=self.salt, compress=True)

    def url(self, value: Any) -> str:
        path = reverse(self.url_name, kwargs={"token": self.token(value)})
        return f"{settings.SITE_URL}{path}"

    def read(self, token: str, error: type[InvalidLink] = InvalidLink) -> Any:
        """The signed value, or `error` with reason expired or tampered."""
        max_age = self.max_age() if callable(self.max_age) else self.max_age
        try:
            return signing.loads(token, salt=self.salt, max_age=max_age)
        except signing.SignatureExpired as expired:
            raise error(EXPIRED) from expired
        except signing.BadSignature as bad:
            raise error(TAMPERED) from bad


def _invitation_max_age() -> datetime.timedelta:
    return settings.INVITATION_MAX_AGE  # a setting, read when a link is read


INVITATION = SignedLink("accounts.invitation", "accept-invitation", _invitation_max_age)
CHECK_IN = SignedLink("checkins.link", "check-in-link", datetime.timedelta(days=7))
FUNCTION_REVIEW = SignedLink(
    "checkins.function_review", "function-review-link", datetime.timedelta(days=14)
)
UNSUBSCRIBE = SignedLink(
    "reminders.unsubscribe", "reminder-unsubscribe", datetime.timedelta(days=365)
)
# Opened as document-download?token=…, so only `token` and `read` are used.
DOCUMENT_DOWNLOAD = SignedLink(
    "documents.download", "document-download", datetime.timedelta(hours=1)
)


def check_in_url(patient_id: int) -> str:
    """The link of reminder emails that lets its holder check in for this patient only."""
    return CHECK_IN.url({"patient": patient_id})
