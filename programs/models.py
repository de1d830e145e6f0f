"""Assessments with their screening, plans (phases, prescriptions, advice), revisions, templates."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinical import vocabulary
from clinical.intake import StartBackScore
from clinical.measures import stored_start_back
from clinical.plan import is_left_out_for_size
from core.i18n import is_source_language, localise
from exercises.dosage import dosage_in_words
from programs import revision_content

# ("P1", "Settle") ...: the clinical core's phases, named in the reader's language.
PHASE_CHOICES = [(code, _(name)) for code, name in vocabulary.PHASE_CHOICES]


class Assessment(models.Model):
    """A physio's intake with the red-flag screen (clinical-model §5) and its screening result.

    Immutable once a plan was generated from it: corrections are a new assessment.
    """

    class Outcome(models.TextChoices):
        CLEAR = "clear", pgettext_lazy("screening outcome", "Clear")
        AMBER = "amber", _("Amber: confirm before planning")
        URGENT = "urgent", _("Urgent: no plan, medical assessment")
        EMERGENCY = "emergency", _("Emergency: no plan, emergency care")
        BLOCKED = "blocked", _("Cannot plan yet")

    patient = models.ForeignKey(
        "accounts.Patient", on_delete=models.CASCADE, related_name="assessments"
    )
    recorded_by = models.ForeignKey(
        "accounts.Physiotherapist", on_delete=models.PROTECT, related_name="+"
    )
    assessment_date = models.DateField()
    answers = models.JSONField(help_text=_("Every intake answer, keyed as in the intake form."))
    created_at = models.DateTimeField(auto_now_add=True)
    # The screening result, derived from the answers when the assessment is recorded.
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    fired_rules = models.JSONField(default=list, blank=True)
    exclusion_flags = models.JSONField(default=list, blank=True)
    confirmations = models.JSONField(default=list, blank=True)
    physio_message = models.TextField(blank=True)
    patient_message = models.TextField(blank=True)
    screened_on = models.DateField()
    # False when recorded with required answers empty because the answers given already call
    # for an urgent or emergency referral: such an assessment never gives a plan.
    is_complete = models.BooleanField(default=True)
    # Amber needs an explicit, recorded physio confirmation (who and when).
    amber_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amber_confirmed_at = models.DateTimeField(null=True, blank=True)
    amber_confirmation_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-assessment_date", "-id"]

    def __str__(self) -> str:
        return f"Assessment of {self.patient} on {self.assessment_date}"

    @property
    def is_amber_confirmed(self) -> bool:
        return self.amber_confirmed_at is not None

    @property
    def rule_ids(self) -> list[str]:
        return [rule["rule_id"] for rule in self.fired_rules]

    @property
    def start_back(self) -> StartBackScore | None:
        """The STarT Back result: from the nine answers, or an older typed-in total."""
        return stored_start_back(self.answers)

    @property
    def psfs_baseline(self) -> list[dict]:
        """The PSFS activities named at the assessment, each with its 0-10 rating."""
        return list(self.answers.get("psfs_baseline") or [])


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")
        ARCHIVED = "archived", _("Archived")

    patient = models.ForeignKey("accounts.Patient", on_delete=models.CASCADE, related_name="plans")
    physiotherapist = models.ForeignKey(
        "accounts.Physiotherapist", on_delete=models.PROTECT, related_name="plans"
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    start_date = models.DateField()
    current_phase = models.CharField(max_length=2, choices=PHASE_CHOICES)
    starting_phase_reason = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    excluded = models.JSONField(
        default=list, blank=True, help_text=_("Items the planner hid, with why.")
    )
    plan_advice = models.JSONField(default=list, blank=True)
    is_chronic = models.BooleanField(default=False)
    is_return_to_sport_sign_off_required = models.BooleanField(default=False)
    return_to_sport_signed_off_at = models.DateTimeField(null=True, blank=True)
    return_to_sport_signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Follow-up state (clinical-model 4.4): when the current phase began and the pain then
    # (REGRESS compares with it); a regression shows the previous phase's content until the
    # check-in rules end it, at least 3 days later.
    phase_started_on = models.DateField(null=True, blank=True)
    phase_entry_pain = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    regressed_to = models.CharField(max_length=2, choices=PHASE_CHOICES, blank=True)
    regressed_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Plan {self.pk} for {self.patient}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.ACTIVE, self.Status.PAUSED)

    @property
    def hidden_items(self) -> list[dict]:
        """Excluded items hidden by a rule (exclusion flag, equipment, physio-select-only)."""
        return [x for x in self.excluded if not is_left_out_for_size(x["rule_ids"])]

    @property
    def left_out_items(self) -> list[dict]:
        """Excluded items left out only to keep a phase to its size or session time (4.2)."""
        return [x for x in self.excluded if is_left_out_for_size(x["rule_ids"])]

    @property
    def followed_phase(self) -> str:
        """The phase whose content the patient follows now: the previous one while regressed."""
        return self.regressed_to or self.current_phase


class PlanPhase(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phases")
    code = models.CharField(max_length=2, choices=PHASE_CHOICES)
    name = models.CharField(max_length=40)
    goals = models.TextField()
    goals_patient = models.TextField(blank=True)
    typical_duration = models.CharField(max_length=80)
    minimum_days = models.PositiveSmallIntegerField(null=True, blank=True)
    exit_criteria = models.JSONField(default=list, blank=True)
    restrictions = models.JSONField(default=list, blank=True)
    session_cap = models.CharField(max_length=200, blank=True)
    session_cap_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    aerobic_target = models.CharField(max_length=200, blank=True)
    modality_notes = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="one_phase_per_code_per_plan"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="phase_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Prescription(models.Model):
    """One exercise in a phase: dosage, notes, and the reason it is there."""

    phase = models.ForeignKey(PlanPhase, on_delete=models.CASCADE, related_name="prescriptions")
    exercise = models.ForeignKey("exercises.Exercise", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)
    sets = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(20)]
    )
    reps = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    hold_seconds = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(600)]
    )
    minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(180)]
    )
    per_day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    days_per_week = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    per_side = models.BooleanField(default=False)
    notes = models.TextField(blank=True, help_text=_("Shown to the patient."))
    reason = models.TextField(help_text=_("Why this item is here (planner or physio)."))
    rule_ids = models.JSONField(default=list, blank=True)
    answers = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(
        blank=True, help_text=_("Why the physio re-enabled an item the rules hid.")
    )
    change_reason = models.TextField(
        blank=True, help_text=_("Why the physio last changed the dosage (physio override, logged).")
    )
    added_by_physio = models.BooleanField(default=False)

    class Meta:
        ordering = ["phase", "order", "id"]

    def __str__(self) -> str:
        return f"{self.exercise} in {self.phase}"


class AdviceItem(models.Model):
    """Structured advice: cold, heat, education, an activity to avoid, a safety instruction."""

    class Kind(models.TextChoices):
        COLD = "cold", _("Cold")
        HEAT = "heat", _("Heat")
        EDUCATION = "education", _("Education")
        AVOID = "avoid", _("Avoid")
        SAFETY = "safety", _("Safety")

    phase = models.ForeignKey(PlanPhase, on_delete=models.CASCADE, related_name="advice")
    key = models.CharField(max_length=60)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    patient_text = models.TextField()
    reason = models.TextField()
    rule_ids = models.JSONField(default=list, blank=True)
    answers = models.JSONField(default=list, blank=True)
    education_key = models.CharField(max_length=60, blank=True)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    minutes_max = models.PositiveSmallIntegerField(null=True, blank=True)
    per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    min_gap_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    is_optional = models.BooleanField(default=False)
    is_tickable = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["phase", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes_max__isnull=True)
                | Q(minutes__isnull=True)
                | Q(minutes__lte=models.F("minutes_max")),
                name="advice_minutes_within_maximum",
            ),
        ]

    def __str__(self) -> str:
        return self.title


# A patient sees the published revisions of these plans; never a draft.
VISIBLE_TO_PATIENT = (Plan.Status.ACTIVE, Plan.Status.PAUSED)


class PlanRevisionQuerySet(models.QuerySet):
    def current(self, patient) -> PlanRevisionQuerySet:
        """The revisions the patient may see, the current one first: published revisions of
        their active or paused plans, latest published first. `patient` may be a Patient, an
        id or an OuterRef (a subquery: take `[:1]`)."""
        return self.filter(plan__patient=patient, plan__status__in=VISIBLE_TO_PATIENT).order_by(
            "-published_at", "-id"
        )

    def current_for(self, patient) -> PlanRevision | None:
        """The patient's current revision (with its plan): all a patient ever sees."""
        return self.current(patient).select_related("plan").first()


class PlanRevision(models.Model):
    """An immutable, numbered snapshot of a published plan. Patients only ever see these.

    Its content is read through the methods below (programs/revision_content.py), never by
    indexing the JSON."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)
    # Derived from the snapshot when the revision is saved (snapshots never change): the
    # sessions a week each phase prescribes, {"P1": 7, ...}, read by the physio's dashboard.
    sessions_per_week = models.JSONField(default=dict, editable=False)

    objects = PlanRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="revision_number_unique_per_plan"
            )
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of plan {self.plan_id}"

    def save(self, *args, **kwargs) -> None:
        self.sessions_per_week = revision_content.sessions_per_week_by_phase(self.snapshot)
        super().save(*args, **kwargs)

    @property
    def content(self) -> revision_content.Snapshot:
        """The snapshot in the active language (what a page, a PDF or an email shows)."""
        language = translation.get_language() or settings.LANGUAGE_CODE
        if is_source_language(language):  # the language snapshots are written in
            return self.snapshot
        cached = getattr(self, "_localised", None)
        if cached is None or cached[0] != language:
            shown = revision_content.localised(
                self.snapshot, language=language, text=localise, dosage=dosage_in_words
            )
            cached = self._localised = (language, shown)
        return cached[1]

    @property
    def phases(self) -> list[revision_content.SnapshotPhase]:
        return revision_content.phases(self.content)

    def phase(self, code: str) -> revision_content.SnapshotPhase | None:
        return revision_content.phase(self.content, code)

    def phase_names(self) -> dict[str, str]:
        return revision_content.phase_names(self.content)

    def followed_phase(self) -> revision_content.SnapshotPhase | None:
        """The phase whose content the patient follows now (`Plan.followed_phase`: the previous
        one while a regression runs). Needs `plan`."""
        return self.phase(self.plan.followed_phase)

    def tickable_keys(self, on: datetime.date) -> list[str]:
        return revision_content.tickable_keys(self.followed_phase(), on)

    def current_advice(self, on: datetime.date) -> list[revision_content.SnapshotAdvice]:
        return revision_content.current_advice(self.followed_phase(), on)

    def exercise_keys(self) -> list[str]:
        return revision_content.exercise_keys(self.snapshot)

    def previous(self) -> PlanRevision | None:
        """The revision of the same plan published before this one."""
        return (
            PlanRevision.objects.filter(plan_id=self.plan_id, number__lt=self.number)
            .order_by("-number")
            .first()
        )

    def changes_from(self, previous: PlanRevision | None) -> dict:
        """What changed since `previous` (everything is new for None)."""
        return revision_content.compare(previous.content if previous else None, self.content)


class PlanTemplate(models.Model):
    """A clinic's reusable plan content (phases, items, advice), without patient data."""

    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.CASCADE, related_name="plan_templates"
    )
    name = models.CharField(max_length=120)
    content = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "name"], name="template_name_unique_per_clinic"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SafetyConcern(models.Model):
    """An urgent or emergency red flag of a patient, open until a physio closes it.

    Raised by an assessment or a check-in (`programs.safety`); while open the patient sees
    the advice and no exercises, reminders stay paused, and no plan is published. At most one
    is open per patient: a later finding raises its level and adds its rule ids."""

    class Level(models.TextChoices):
        URGENT = "urgent", _("Urgent: medical assessment within 24 hours")
        EMERGENCY = "emergency", _("Emergency: emergency care now")

    class Source(models.TextChoices):
        ASSESSMENT = "assessment", _("assessment")
        CHECK_IN = "check_in", _("check-in")

    patient = models.ForeignKey(
        "accounts.Patient", on_delete=models.CASCADE, related_name="safety_concerns"
    )
    level = models.CharField(max_length=10, choices=Level.choices)
    rule_ids = models.JSONField(default=list)
    source = models.CharField(max_length=12, choices=Source.choices)
    source_id = models.PositiveBigIntegerField(help_text=_("The assessment's or check-in's id."))
    patient_messages = models.JSONField(
        default=list, help_text=_("What the rules tell the patient, in their words.")
    )
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_safety_concern_per_patient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} for {self.patient} ({', '.join(self.rule_ids)})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_emergency(self) -> bool:
        return self.level == self.Level.EMERGENCY


class StartBackResponse(models.Model):
    """The patient's own answers to the Keele STarT Back tool before or at the first visit
    (issue #18), from the portal; the physio's assessment form starts from the latest."""

    patient = models.ForeignKey(
        "accounts.Patient", on_delete=models.CASCADE, related_name="start_back_responses"
    )
    answers = models.JSONField(help_text=_("items 1-8 agree or disagree, and bothersome (item 9)"))
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["-answered_at", "-id"]

    def __str__(self) -> str:
        return f"STarT Back answers of patient {self.patient_id}"

    @property
    def score(self) -> StartBackScore | None:
        return stored_start_back({"start_back_answers": self.answers})
