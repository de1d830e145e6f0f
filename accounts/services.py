"""Account workflows: inviting patients, accepting invitations, auditing access."""

from __future__ import annotations

import logging
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from knox.models import AuthToken

from accounts import tasks
from accounts.models import (
    AuditEvent,
    Invitation,
    Patient,
    Physiotherapist,
    User,
    patient_label,
)
from core import links

logger = logging.getLogger(__name__)

PATIENT_FIELDS = ("first_name", "last_name", "date_of_birth", "email", "timezone", "language")


class InvitationInvalid(links.InvalidLink):
    """An invitation link that cannot be used: tampered, expired, used or replaced."""

    @property
    def invitation(self) -> Invitation | None:
        return self.subject


def record_audit(
    *, actor: User | None, patient: Patient, action: str, detail: str = ""
) -> AuditEvent:
    """One line of the audit trail: who (None: a signed link, the system) did what to whose
    data. The patient is named on the row too, so the line stays readable after they go."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        patient=patient,
        patient_label=patient_label(
            pk=patient.pk, first_name=patient.first_name, last_name=patient.last_name
        ),
        action=action,
        detail=detail[:300],
    )


def _save_patient(patient: Patient) -> None:
    patient.email = patient.email.strip().lower()
    patient.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError as error:  # two requests raced past clean()
        raise ValidationError(
            {"email": "A patient with this email already exists here."}
        ) from error


@transaction.atomic
def invite_patient(*, physio: Physiotherapist, **fields) -> Patient:
    """Create a patient of the physio's clinic and send them an invitation to set a password."""
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise ValidationError({name: "Unknown field." for name in unknown})
    patient = Patient(clinic_id=physio.clinic_id, physiotherapist=physio, **fields)
    _save_patient(patient)
    record_audit(actor=physio.user, patient=patient, action=AuditEvent.Action.CREATE)
    send_invitation(patient=patient, by=physio.user)
    return patient


@transaction.atomic
def update_patient(*, patient: Patient, by: User, **changes) -> Patient:
    """Change a patient's details; the change is validated as a whole and audited.

    A new email ends every open invitation: a link sent to the old address (a typo, say)
    must not set the password of the account the new address will use."""
    for name, value in changes.items():
        if name not in PATIENT_FIELDS:
            raise ValidationError({name: "This field cannot be changed."})
        setattr(patient, name, value)
    _save_patient(patient)
    if "email" in changes:
        _replace_open_invitations(patient, except_email=patient.email)
    if changes:
        record_audit(
            actor=by,
            patient=patient,
            action=AuditEvent.Action.UPDATE,
            detail="changed " + ", ".join(sorted(changes)),
        )
    return patient


@transaction.atomic
def send_invitation(*, patient: Patient, by: User | None) -> Invitation:
    """Create a fresh invitation and email it once the transaction commits."""
    if patient.has_account:
        raise ValidationError({"email": "This patient has already set up their account."})
    now = timezone.now()
    _replace_open_invitations(patient)  # only the newest link works
    invitation = Invitation.objects.create(
        patient=patient,
        email=patient.email,
        created_by=by,
        created_at=now,
        expires_at=now + settings.INVITATION_MAX_AGE,
    )
    record_audit(actor=by, patient=patient, action=AuditEvent.Action.INVITE)
    tasks.send_invitation_email_task.delay_on_commit(invitation_id=invitation.pk)
    return invitation


def _replace_open_invitations(patient: Patient, *, except_email: str | None = None) -> None:
    """End the patient's unused invitations (those sent to `except_email` stay open)."""
    open_invitations = Invitation.objects.filter(
        patient=patient, accepted_at=None, replaced_at=None
    )
    if except_email is not None:
        open_invitations = open_invitations.exclude(email__iexact=except_email)
    open_invitations.update(replaced_at=timezone.now())


def _is_replaced(invitation: Invitation) -> bool:
    """Ended by a newer invitation or an email change. The address is compared as well as
    `replaced_at`, so an email changed where update_patient is not called (the admin) still
    ends the link."""
    return (
        invitation.replaced_at is not None
        or invitation.email.casefold() != invitation.patient.email.casefold()
    )


def invitation_token(invitation: Invitation) -> str:
    return links.INVITATION.token(invitation.pk)


def invitation_url(invitation: Invitation) -> str:
    return links.INVITATION.url(invitation.pk)


def clinic_sender(clinic) -> str:
    """The clinic's name as the sender name, on our own sending address."""
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((clinic.name, address))


def send_invitation_email(*, invitation_id: int) -> bool:
    """Send one invitation email. Returns False when there is nothing (left) to send."""
    invitation = (
        Invitation.objects.select_related("patient__clinic", "patient__physiotherapist__user")
        .filter(pk=invitation_id)
        .first()
    )
    if (
        invitation is None
        or invitation.is_accepted
        or invitation.is_expired()
        or _is_replaced(invitation)
    ):
        logger.info("invitation %s: nothing to send", invitation_id)
        return False
    patient = invitation.patient
    context = {
        "patient": patient,
        "clinic": patient.clinic,
        "physio_name": patient.physiotherapist.user.get_full_name(),
        "url": invitation_url(invitation),
        "expires_at": invitation.expires_at,
    }
    message = EmailMultiAlternatives(
        # Transactional mail: no health details in the subject.
        subject=f"Set up your account with {patient.clinic.name}",
        body=render_to_string("emails/invitation.txt", context),
        from_email=clinic_sender(patient.clinic),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    message.send()
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now(), last_error="")
    return True


def record_invitation_failure(*, invitation_id: int, error: str) -> None:
    Invitation.objects.filter(pk=invitation_id).update(last_error=error[:1000])


def read_invitation(token: str) -> Invitation:
    """The invitation behind a link, or InvitationInvalid saying why it cannot be used."""
    invitation_id = links.INVITATION.read(token, InvitationInvalid)
    invitation = (
        Invitation.objects.select_related("patient__clinic").filter(pk=invitation_id).first()
    )
    if invitation is None:
        raise InvitationInvalid("tampered")
    if invitation.is_accepted or invitation.patient.has_account:
        raise InvitationInvalid("used", invitation)
    if _is_replaced(invitation):
        raise InvitationInvalid("replaced", invitation)
    if invitation.is_expired():
        raise InvitationInvalid("expired", invitation)
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, password: str) -> User:
    """Set the patient's password and link their login. A link works once."""
    invitation = read_invitation(token)
    # Lock the row: two clicks at once must not create two accounts.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    patient = Patient.objects.select_for_update().get(pk=invitation.patient_id)
    if invitation.is_accepted or patient.has_account:
        raise InvitationInvalid("used", invitation)
    invitation.patient = patient
    if _is_replaced(invitation):
        raise InvitationInvalid("replaced", invitation)
    if User.objects.filter(email__iexact=patient.email).exists():
        raise ValidationError(
            {"email": "An account with this email already exists. Ask your physio for help."}
        )
    user = User(email=patient.email, full_name=patient.full_name)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    patient.user = user
    patient.save(update_fields=["user", "updated_at"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record_audit(actor=user, patient=patient, action=AuditEvent.Action.ACCEPT)
    return user


# --- API tokens (django-rest-knox) ----------------------------------------------------------


def issue_api_token(*, user: User) -> tuple[AuthToken, str]:
    """A new API token for this login: the row (stored hashed) and the token, shown once.

    The user's expired tokens are deleted here (`accounts.authentication` no longer does it
    at every request); an expired token is refused either way."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return AuthToken.objects.create(user=user)


def api_sessions(user: User):
    """The user's API tokens that are still valid, newest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


def end_api_session(*, user: User, token_key: str) -> bool:
    """Revoke one of the user's own tokens; False when there is no such token (or not theirs)."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    return bool(deleted)


def end_all_api_sessions(*, user: User) -> int:
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted
