"""Patient check-ins and the alerts, tasks and suggestions the follow-up rules raise."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinical import vocabulary

# The clinical core's phases, named in the reader's language.
PHASE_CHOICES = [(code, _(name)) for code, name in vocabulary.PHASE_CHOICES]


class CheckIn(models.Model):
    """A patient's short report (DESIGN §4): what was done, pain, how it felt, warning signs."""

    class Zone(models.TextChoices):
        GREEN = "green", _("Green: fine, or mild discomfort that settles within 30 minutes")
        AMBER = "amber", _("Amber: moderate discomfort, settled by the next morning")
        RED = "red", _("Red: sharp, shooting or spreading pain, or worse the next day")

    class Feeling(models.TextChoices):
        BETTER = "better", _("Better")
        SAME = "same", _("About the same")
        WORSE = "worse", _("Worse")

    class Source(models.TextChoices):
        PORTAL = "portal", _("Patient portal")
        EMAIL_LINK = "email_link", _("Link in a reminder email")
        API = "api", _("API")

    patient = models.ForeignKey(
        "accounts.Patient", on_delete=models.CASCADE, related_name="+", verbose_name=_("patient")
    )
    plan = models.ForeignKey("programs.Plan", on_delete=models.CASCADE, related_name="check_ins")
    revision_number = models.PositiveIntegerField()
    phase = models.CharField(max_length=2, choices=PHASE_CHOICES, help_text=_("Phase followed."))
    local_date = models.DateField(
        help_text=_("The patient's own date when they checked in."), verbose_name=_("date")
    )
    created_at = models.DateTimeField()
    items_done = models.JSONField(default=list, blank=True)
    pain = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(10)], verbose_name=_("pain (0-10)")
    )
    zone = models.CharField(max_length=5, choices=Zone.choices, blank=True, verbose_name=_("zone"))
    feeling = models.CharField(max_length=6, choices=Feeling.choices, verbose_name=_("feeling"))
    warning_signs = models.JSONField(default=list, blank=True)
    has_new_symptoms = models.BooleanField(default=False)
    can_manage_daily_tasks = models.BooleanField(default=True)
    pain_eases_with_position = models.BooleanField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=1000)
    source = models.CharField(max_length=10, choices=Source.choices, verbose_name=_("source"))
    # Made by the client (a hidden field of the form, `client_token` in the API): the same
    # token again is the same check-in, answered with this row and acted on once.
    client_token = models.UUIDField(null=True, blank=True, editable=False)
    rule_ids = models.JSONField(default=list, blank=True, help_text=_("Rules that fired."))
    advice_level = models.CharField(max_length=10, default="ok", verbose_name=_("advice level"))

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["plan", "created_at"], name="checkin_plan_time")]
        constraints = [
            models.CheckConstraint(condition=Q(pain__lte=10), name="checkin_pain_0_10"),
            models.UniqueConstraint(
                fields=["patient", "client_token"],
                condition=Q(client_token__isnull=False),
                name="checkin_client_token_once_per_patient",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in of patient {self.patient_id} on {self.local_date}"

    @property
    def sessions_done(self) -> int:
        return len(self.items_done)


class Alert(models.Model):
    """Something the physio should see: an alert, a task (review, renew) or a suggestion
    (progression) raised by a rule, with the rule id. Open until acknowledged or decided."""

    class Severity(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency")
        URGENT = "urgent", _("Urgent")
        REVIEW = "review", _("Review")
        INFO = "info", _("Information")

    class Action(models.TextChoices):
        ALERT = "alert", _("Alert")
        TASK = "task", _("Task")
        SUGGESTION = "suggestion", _("Suggestion")

    class Resolution(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    patient = models.ForeignKey(
        "accounts.Patient",
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("patient"),
    )
    plan = models.ForeignKey("programs.Plan", on_delete=models.CASCADE, related_name="alerts")
    check_in = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    rule_id = models.CharField(max_length=20, verbose_name=_("rule"))
    severity = models.CharField(max_length=10, choices=Severity.choices, verbose_name=_("severity"))
    action = models.CharField(max_length=10, choices=Action.choices, verbose_name=_("kind"))
    physio_message = models.TextField()
    patient_message = models.TextField(blank=True)
    progress_to = models.CharField(max_length=2, choices=PHASE_CHOICES, blank=True)
    needs_rts_sign_off = models.BooleanField(default=False)
    # Time-based rules fire once per plan (or per review): this key makes that a constraint.
    once_key = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("raised"))
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Held while the email is being sent (core.leases.send_once); the sent time above is
    # written only once it went.
    email_lease_until = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField(
        max_length=12, choices=Resolution.choices, blank=True, verbose_name=_("resolution")
    )

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["resolved_at", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "rule_id", "once_key"],
                condition=~Q(once_key=""),
                name="alert_once_per_plan_and_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["patient", "created_at"],
                name="alert_open_by_patient",
                condition=Q(resolved_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} for patient {self.patient_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_urgent(self) -> bool:
        return self.severity in (self.Severity.EMERGENCY, self.Severity.URGENT)

    @property
    def severity_rank(self) -> int:
        return list(self.Severity.values).index(self.severity)


class FunctionReview(models.Model):
    """A Patient-Specific Functional Scale re-rating (issue #18): at each review (CHK-2W,
    ESC-REVIEW-4W, ESC-REFER-6W, PLAN-EXPIRY, the end of a phase) the patient rates again the
    activities named at the assessment, from the portal or the email link. The row is also
    the email's outbox: `emailed_at` is written once the email went (core.leases.send_once)."""

    class Source(models.TextChoices):
        PORTAL = "portal", _("Patient portal")
        EMAIL_LINK = "email_link", _("Link in an email")
        API = "api", _("API")

    patient = models.ForeignKey("accounts.Patient", on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(
        "programs.Plan", on_delete=models.CASCADE, related_name="function_reviews"
    )
    rule_id = models.CharField(max_length=20, help_text=_("The review that asked for it."))
    once_key = models.CharField(max_length=40)
    requested_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Held while the email is being sent (core.leases.send_once); the sent time above is
    # written only once it went.
    email_lease_until = models.DateTimeField(null=True, blank=True)
    ratings = models.JSONField(
        null=True, blank=True, help_text=_("0-10 per baseline activity, in order; null: not yet.")
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    local_date = models.DateField(null=True, blank=True, help_text=_("The patient's date."))
    source = models.CharField(max_length=10, choices=Source.choices, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "rule_id", "once_key"], name="function_review_once_per_reason"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(ratings__isnull=False),
                name="function_review_answered_has_ratings",
            ),
        ]

    def __str__(self) -> str:
        return f"PSFS review ({self.rule_id}) of patient {self.patient_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class ProgressReport(models.Model):
    """A progress report PDF for a GP or insurer (issue #18), rendered by the worker on the
    `pdf` queue with the program PDF's restricted fetcher. The row is the outbox: claimed
    pending → rendering before the work, failed with the reason when it cannot be made."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RENDERING = "rendering", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    plan = models.ForeignKey(
        "programs.Plan", on_delete=models.CASCADE, related_name="progress_reports"
    )
    summary = models.TextField(max_length=4000, blank=True, help_text=_("The physio's summary."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Private storage; the name carries no health details.
    file = models.FileField(blank=True, max_length=200)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Progress report {self.pk} of plan {self.plan_id}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY
