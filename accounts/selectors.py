"""Reads of a patient's record, audited where the record is loaded, and its audit trail.

Every lookup that hands a page or API endpoint a patient's data records one "viewed" event
(DESIGN §9: an audit trail of access to patient data). The lookups of the other apps
(`programs.selectors`, `documents.selectors`, `followup.selectors`) do the same for
assessments, plans, PDFs and check-ins; a request path calls exactly one of them.
"""

from __future__ import annotations

from accounts.models import AuditEvent, Patient, User
from accounts.permissions import get_visible_patient
from accounts.services import record_audit

AUDIT_TRAIL_LENGTH = 15  # events on the patient page; the admin has them all


def get_patient_for(user: User, pk) -> Patient:
    """The patient if the user may see them (404 otherwise); the read is audited."""
    patient = get_visible_patient(user, pk)
    record_audit(
        actor=user, patient=patient, action=AuditEvent.Action.VIEW, detail="patient details"
    )
    return patient


def get_patient_page_for(user: User, pk) -> tuple[Patient, list[AuditEvent]]:
    """The patient page's patient (404 unless visible) with the latest events of their trail
    before this visit, then the visit itself is audited: the page shows its check-ins too."""
    patient = get_visible_patient(user, pk)
    trail = audit_trail_of(patient)
    record_audit(
        actor=user,
        patient=patient,
        action=AuditEvent.Action.VIEW,
        detail="patient page with check-ins",
    )
    return patient, trail


def audit_trail_of(patient: Patient, *, limit: int = AUDIT_TRAIL_LENGTH) -> list[AuditEvent]:
    """Who looked at or changed the patient's record, latest first (one query: the actor
    and whether they are a physio or a patient come with each event)."""
    return list(
        AuditEvent.objects.filter(patient=patient)
        .select_related("actor__physiotherapist", "actor__patient")
        .order_by("-at", "-id")[:limit]
    )
