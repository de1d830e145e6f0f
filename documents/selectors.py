"""Which revisions and documents a user may see: through the one permission layer."""

from __future__ import annotations

from django.http import Http404

from accounts.models import AuditEvent
from accounts.permissions import patients_visible_to
from accounts.services import record_audit
from documents import services
from documents.models import ProgramDocument
from programs import safety
from programs.models import Plan, PlanRevision


def revisions_visible_to(user):
    """The clinic's physios see their patients' revisions; a patient sees their own."""
    return PlanRevision.objects.select_related("plan__patient__clinic").filter(
        plan__patient__in=patients_visible_to(user)
    )


def get_visible_revision(user, *, plan_id, number) -> PlanRevision:
    revision = revisions_visible_to(user).filter(plan_id=plan_id, number=number).first()
    if revision is None:
        raise Http404("No such revision.")
    return revision


def get_visible_document(user, pk) -> ProgramDocument:
    document = (
        ProgramDocument.objects.select_related("revision__plan__patient")
        .filter(pk=pk, revision__in=revisions_visible_to(user))
        .first()
    )
    if document is None:
        raise Http404("No such document.")
    return document


class OnHold(Exception):
    """The patient's safety concern is open: their exercises are on hold, the PDF too."""

    def __init__(self, state: safety.SafetyState):
        super().__init__(state.why)
        self.state = state


def _downloaded(document: ProgramDocument, *, actor, how: str = "") -> ProgramDocument:
    """The download of a ready PDF, audited (a PDF not ready yet is not found). While the
    patient's safety concern is open only their physios get it, not the patient or a link."""
    if not document.is_ready or not document.file:
        raise Http404("This document is not ready.")
    revision = document.revision
    if actor is None or not actor.is_physio:
        state = safety.state_of(revision.plan.patient_id)
        if state.is_open:
            raise OnHold(state)
    record_audit(
        actor=actor,
        patient=revision.plan.patient,
        action=AuditEvent.Action.VIEW,
        detail=f"downloaded {'large-print ' if document.is_large_print else ''}PDF of plan "
        f"{revision.plan_id} r{revision.number}{how}",
    )
    return document


def get_document_for(user, pk) -> ProgramDocument:
    """A PDF to download for the clinic's physios and the patient; the download is audited."""
    return _downloaded(get_visible_document(user, pk), actor=user)


def get_document_by_link(token: str, pk) -> ProgramDocument:
    """A PDF to download with a signed link, whoever holds it (audited with no actor)."""
    document = services.document_from_token(token)
    if document is None or document.pk != pk:
        raise Http404("This link is not valid any more.")
    return _downloaded(document, actor=None, how=" with a signed link")


def current_revision_of(patient) -> PlanRevision | None:
    """The newest revision of the patient's newest plan that is still in use."""
    return (
        PlanRevision.objects.select_related("plan__patient__clinic")
        .filter(plan__patient=patient)
        .exclude(plan__status=Plan.Status.ARCHIVED)
        .order_by("-plan__created_at", "-number")
        .first()
    )


def documents_of(revision: PlanRevision) -> dict[bool, ProgramDocument]:
    """The revision's documents in its patient's language, keyed by large print (False:
    standard)."""
    return {
        document.is_large_print: document
        for document in revision.documents.filter(language=services.document_language(revision))
    }
