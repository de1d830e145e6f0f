"""Account workflows: inviting patients, accepting invitations, auditing access."""

from __future__ import annotations

import base64
import hashlib
import io
import logging
from email.utils import formataddr, parseaddr
from pathlib import Path

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from knox.models import AuthToken
from PIL import Image

from accounts import tasks
from accounts.models import (
    AuditEvent,
    Clinic,
    Invitation,
    Patient,
    Physiotherapist,
    User,
    patient_label,
)
from core import links, outbox
from core.mail import attach_inline_image

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
    outbox.add(
        tasks.send_invitation_email_task,
        kwargs={"invitation_id": invitation.pk},
        queue=tasks.EMAIL_QUEUE,
    )
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
        or invitation.sent_at is not None  # a second delivery of the message
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
    # In the patient's language (set by the physio when adding the patient).
    with translation.override(patient.language):
        message = EmailMultiAlternatives(
            # Transactional mail: no health details in the subject.
            subject=_("Set up your account with %(clinic)s") % {"clinic": patient.clinic.name},
            body=render_to_string("emails/invitation.txt", context),
            from_email=clinic_sender(patient.clinic),
            to=[invitation.email],
        )
        message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    add_letterhead(message, invitation.patient.clinic)
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


# --- the clinic's letterhead --------------------------------------------------------------

LOGO_MAX_BYTES = 2 * 1024 * 1024  # the upload
LOGO_MAX_PIXELS = 25_000_000  # refused before decoding: a small file can hold a huge image
LOGO_BOX = (600, 200)  # stored at most this size: a letterhead, not a poster
LOGO_FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg")}


class LogoRefused(ValueError):
    """The upload is not a PNG or JPEG logo we can use (the message says why)."""


def reencode_logo(data: bytes) -> tuple[bytes, str]:
    """A PNG or JPEG upload decoded and written afresh (no metadata, at most `LOGO_BOX`):
    (bytes, extension). Anything else, too big, or broken is refused with `LogoRefused`."""
    if len(data) > LOGO_MAX_BYTES:
        raise LogoRefused(f"The logo must be at most {LOGO_MAX_BYTES // (1024 * 1024)} MB.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
        if kind not in LOGO_FORMATS:
            raise LogoRefused("The logo must be a PNG or JPEG image.")
        if width * height > LOGO_MAX_PIXELS:
            raise LogoRefused("The logo image is too large: use one under 5000 by 5000 pixels.")
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image.thumbnail(LOGO_BOX)
            out = io.BytesIO()
            if kind == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
            else:
                keep = "RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB"
                image.convert(keep).save(out, "PNG", optimize=True)
    except LogoRefused:
        raise
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise LogoRefused("The logo could not be read as a PNG or JPEG image.") from error
    return out.getvalue(), LOGO_FORMATS[kind][0]


@transaction.atomic
def update_clinic(*, clinic: Clinic, by: User, logo: bytes | None, remove_logo: bool, **fields):
    """Save the clinic's details and letterhead; a new logo is re-encoded and stored
    privately under a name of its content (so a PDF with the new logo renders afresh)."""
    old_logo = clinic.logo.name
    for name, value in fields.items():
        setattr(clinic, name, value)
    if logo is not None:
        data, extension = reencode_logo(logo)
        digest = hashlib.sha256(data).hexdigest()[:16]
        clinic.logo.save(f"clinic-{clinic.pk}-{digest}.{extension}", ContentFile(data), save=False)
    elif remove_logo:
        clinic.logo = None
    clinic.full_clean()
    clinic.save()
    if old_logo and old_logo != clinic.logo.name:
        transaction.on_commit(lambda: default_storage.delete(old_logo))
    logger.info("clinic %s letterhead updated by user %s", clinic.pk, by.pk)
    return clinic


def clinic_logo(clinic: Clinic) -> tuple[bytes, str] | None:
    """The clinic's stored logo and its content type, or None."""
    name = clinic.logo.name if clinic.logo else None
    if not name:
        return None
    content_type = "image/png" if name.endswith(".png") else "image/jpeg"
    try:
        with default_storage.open(name, "rb") as stored:
            return stored.read(), content_type
    except OSError:
        logger.warning("clinic %s logo %s is missing from the file store", clinic.pk, name)
        return None


def clinic_logo_data_uri(clinic: Clinic) -> str:
    """The logo as a data: URI (the PDF renderer fetches nothing else), or ""."""
    logo = clinic_logo(clinic)
    if logo is None:
        return ""
    data, content_type = logo
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


LOGO_CONTENT_ID = "clinic-logo"


def add_letterhead(message: EmailMultiAlternatives, clinic: Clinic) -> None:
    """Attach the clinic's logo inline (cid:clinic-logo), for the HTML part's letterhead."""
    logo = clinic_logo(clinic)
    if logo is None:
        return
    data, content_type = logo
    attach_inline_image(
        message,
        data,
        subtype=content_type.split("/")[1],
        content_id=LOGO_CONTENT_ID,
        filename=Path(clinic.logo.name or "").name,
    )


def _profiles(user) -> list:
    """The signed-in user's patient and physiotherapist profiles (those they have)."""
    if not user.is_authenticated:
        return []
    found = (getattr(user, profile, None) for profile in ("patient", "physiotherapist"))
    return [member for member in found if member is not None]


def profile_language(user) -> str:
    """The language of a signed-in user's profile ("" for anyone else)."""
    return next((member.language for member in _profiles(user) if member.language), "")


def set_language(user, language: str) -> None:
    """Keep a signed-in patient's or physiotherapist's language on their profile."""
    for member in _profiles(user):
        if member.language != language:
            member.language = language
            member.save(update_fields=["language"])
