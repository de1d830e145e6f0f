"""Which revisions and documents a user may see: through the one permission layer."""

from __future__ import annotations

from django.http import Http404

from accounts.permissions import patients_visible_to
from documents.models import ProgramDocument
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
    """The revision's documents keyed by large print (False: standard)."""
    return {document.is_large_print: document for document in revision.documents.all()}
