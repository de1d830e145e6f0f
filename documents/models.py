"""Program documents: the printable PDF of one published plan revision."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Language


class ProgramDocument(models.Model):
    """One PDF of one revision (normal or large print).

    The file is keyed by the hash of what is rendered, so the same content is stored once and
    never rendered twice; the row carries the state a worker claims with a conditional update.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be created")
        RENDERING = "rendering", _("Being created")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    revision = models.ForeignKey(
        "programs.PlanRevision", on_delete=models.CASCADE, related_name="documents"
    )
    is_large_print = models.BooleanField(default=False)
    # The language it is printed in (the patient's): the same revision in another language
    # is another document, with other content and another hash.
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.EN)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Private storage, named after the content hash: no health details in the name.
    file = models.FileField(blank=True, max_length=200)
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    # While `rendering`: the worker's lease (core.leases), renewed as it works. Past it, the
    # worker is gone and the row may be claimed again.
    locked_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Claimed before the "your program is ready" email goes out, so it goes out once.
    patient_notified_at = models.DateTimeField(null=True, blank=True)
    # Held while the email is being sent (core.leases.send_once); the sent time above is
    # written only once it went.
    email_lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "is_large_print", "language"],
                name="one_document_per_revision_print_and_language",
            ),
        ]
        indexes = [models.Index(fields=["status", "started_at"], name="document_status_started")]

    def __str__(self) -> str:
        return f"PDF of {self.revision}{' (large print)' if self.is_large_print else ''}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RENDERING)

    @property
    def download_name(self) -> str:
        """The attachment's file name: the revision number only, no health details."""
        suffix = "-large-print" if self.is_large_print else ""
        return f"exercise-program-r{self.revision.number}{suffix}.pdf"
