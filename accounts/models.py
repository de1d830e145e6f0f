"""Users (email login), clinics, physiotherapists, patients, invitations and the audit trail."""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinical.screening import ADULT_FROM_AGE, is_adult_on

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager
    from django_stubs_ext import StrOrPromise

# Why an under-18 cannot be registered: the planner's GATE-AGE gives them no plan (5.1 age).
ADULTS_ONLY = lazy(
    lambda: (
        gettext(
            "Patients must be %(age)s or over: this service is for adults, and gives no plan to "
            "anyone younger."
        )
        % {"age": ADULT_FROM_AGE}
    ),
    str,
)()


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone (e.g. Europe/London)."),
            params={"value": repr(value)},
        )


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a physiotherapist, a patient, or staff. Login is by email."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(max_length=200, blank=True, verbose_name=_("full name"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    is_staff = models.BooleanField(default=False, verbose_name=_("staff"))
    date_joined = models.DateTimeField(default=timezone.now, verbose_name=_("date joined"))

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # Set by Django, unknown to the stubs: the raw password `set_password` keeps until the
    # save (AbstractBaseUser), and the reverse relation of knox's AuthToken (no stubs).
    _password: str | None
    auth_token_set: RelatedManager[Any]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def save(self, *args, **kwargs) -> None:
        # set_password keeps the new raw password until the save (AbstractBaseUser): a changed
        # or reset password ends every API token, wherever it was used.
        password_changed = self._password is not None
        super().save(*args, **kwargs)
        if password_changed and self.pk:
            self.auth_token_set.all().delete()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_physio(self) -> bool:
        return hasattr(self, "physiotherapist")

    @property
    def is_patient(self) -> bool:
        return hasattr(self, "patient")


DEFAULT_BRAND_COLOUR = "#1f5f8b"


class Language(models.TextChoices):
    """The languages of settings.LANGUAGES, each named in its own language."""

    EN = "en", "English"
    ES = "es", "Español"


class Clinic(models.Model):
    class PaperSize(models.TextChoices):
        A4 = "A4", "A4"
        LETTER = "letter", _("US Letter")

    name = models.CharField(max_length=200, verbose_name=_("name"))
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("phone"))
    email = models.EmailField(blank=True)
    emergency_wording = models.TextField(
        blank=True,
        help_text=_(
            "Local emergency and urgent-care wording shown to patients, "
            "e.g. 'Call 999 or go to the nearest emergency department.'"
        ),
    )
    paper_size = models.CharField(
        max_length=10, choices=PaperSize.choices, default=PaperSize.A4, verbose_name=_("paper size")
    )
    # The letterhead: a logo (re-encoded PNG or JPEG, in the private file store, never under a
    # public URL) and a colour, on the PDF's first page, in emails and on the patient's pages.
    logo = models.FileField(upload_to="clinics/", blank=True)
    brand_colour = models.CharField(
        max_length=7,
        default=DEFAULT_BRAND_COLOUR,
        validators=[
            RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Give the colour as #RRGGBB, e.g. #1f5f8b."))
        ],
        help_text=_("Headings and buttons, as #RRGGBB."),
    )
    is_start_back_enabled = models.BooleanField(
        _("Use the Keele STarT Back tool"),
        default=False,
        help_text=_(
            "Nine questions at the first assessment of a low back episode (risk "
            "stratification, NICE NG59). The Keele STarT Back Screening Tool © Keele "
            "University 01/08/07, funded by Arthritis Research UK: free for non-commercial "
            "clinical use; commercial use needs a licence from Keele University."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Physiotherapist(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("user")
    )
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="physiotherapists", verbose_name=_("clinic")
    )
    registration_number = models.CharField(max_length=60, blank=True)
    # Edits the clinic's details and letterhead on the clinic settings page.
    is_clinic_admin = models.BooleanField(default=False, verbose_name=_("clinic administrator"))
    # The language of this physiotherapist's own pages (the switcher in the header sets it).
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.EN)

    class Meta:
        verbose_name = _("physiotherapist")
        verbose_name_plural = _("physiotherapists")
        ordering = ["user__full_name"]

    def __str__(self) -> str:
        return self.user.get_full_name()


class Patient(models.Model):
    """A clinic's patient. Linked to a login once the invitation is accepted."""

    Language = Language

    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="patients", verbose_name=_("clinic")
    )
    physiotherapist = models.ForeignKey(
        Physiotherapist,
        on_delete=models.PROTECT,
        related_name="patients",
        verbose_name=_("physiotherapist"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    first_name = models.CharField(max_length=100, verbose_name=_("first name"))
    last_name = models.CharField(max_length=100, verbose_name=_("last name"))
    date_of_birth = models.DateField()
    email = models.EmailField(verbose_name=_("email"))
    timezone = models.CharField(
        max_length=64, default="Europe/London", validators=[validate_timezone]
    )
    language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.EN, verbose_name=_("language")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                "clinic", Lower("email"), name="patient_email_unique_per_clinic"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def has_account(self) -> bool:
        return self.user_id is not None

    def clean(self) -> None:
        super().clean()
        errors: dict[str, StrOrPromise] = {}
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            errors["date_of_birth"] = _("Date of birth cannot be in the future.")
        elif self.date_of_birth and not is_adult_on(self.date_of_birth, timezone.localdate()):
            errors["date_of_birth"] = ADULTS_ONLY
        if (
            self.physiotherapist_id
            and self.clinic_id
            and (self.physiotherapist.clinic_id != self.clinic_id)
        ):
            errors["physiotherapist"] = _("The physiotherapist works at another clinic.")
        if self.email and self.clinic_id:
            duplicate = Patient.objects.filter(clinic_id=self.clinic_id, email__iexact=self.email)
            if duplicate.exclude(pk=self.pk).exists():
                errors["email"] = _("A patient with this email already exists here.")
        if errors:
            raise ValidationError(errors)


class Invitation(models.Model):
    """One invitation email for a patient to set a password. Single use, expiring, and only
    while it is the patient's latest one and their email is still the one it was sent to.

    The link carries a signed reference to this row; the row says whether it was used or
    replaced (by a newer invitation or an email change), and to which address it went.
    """

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("patient")
    )
    email = models.EmailField(
        help_text=_("The address this invitation was sent to."), verbose_name=_("email")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created on"))
    expires_at = models.DateTimeField(verbose_name=_("expires on"))
    accepted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("accepted on"))
    replaced_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When a newer invitation or a change of the patient's email ended this one."),
        verbose_name=_("replaced on"),
    )
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent on"))
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.patient} ({self.created_at:%Y-%m-%d})"

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


def patient_label(*, pk: int, first_name: str, last_name: str) -> str:
    """How an audit event names its patient, kept on the row so it outlives the patient:
    the id and the name's initial and surname ("Patient #12 (A. Smith)"), no more."""
    initial = f"{first_name.strip()[:1]}. " if first_name.strip() else ""
    name = f"{initial}{last_name.strip()}".strip()
    return f"Patient #{pk} ({name})" if name else f"Patient #{pk}"


class AuditEvent(models.Model):
    """Who read or changed which patient's data, when.

    The trail outlives the patient: deleting them empties `patient`, and `patient_label`
    (written with the event) still says whom the event was about."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        INVITE = "invite", _("invited")
        ACCEPT = "accept", _("accepted invitation")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    patient_label = models.CharField(max_length=150, blank=True, verbose_name=_("patient"))
    action = models.CharField(max_length=20, choices=Action.choices, verbose_name=_("action"))
    detail = models.CharField(max_length=300, blank=True, verbose_name=_("detail"))
    at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("when"))

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at"]
        indexes = [models.Index(fields=["patient", "-at"], name="audit_patient_latest")]

    def __str__(self) -> str:
        return (
            f"{self.actor or 'someone'} {self.get_action_display()} {self.patient_label} "
            f"at {self.at:%Y-%m-%d %H:%M}"
        )

    @property
    def summary(self) -> str:
        """What happened, in words: "viewed plan 7"; a change's detail says it on its own
        ("plan 7 P2: dosage of C03 changed: sets 2→3")."""
        if self.action == self.Action.UPDATE and self.detail:
            return self.detail
        return f"{self.get_action_display()} {self.detail}".strip()
