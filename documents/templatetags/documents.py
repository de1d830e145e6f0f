"""Template tags that put a revision's PDF status on the plan editor and the patient page."""

from django import template

from documents import selectors
from documents.views import status_context

register = template.Library()


@register.inclusion_tag("documents/_status.html", takes_context=True)
def program_pdf_status(context, revision):
    """Standard and large-print PDF of one revision: status, create, retry, download."""
    if revision is None:
        return {"revision": None}
    documents = selectors.documents_of(revision)
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "revision": revision,
        "variants": [
            status_context(revision, documents.get(large_print), large_print=large_print)
            for large_print in (False, True)
        ],
    }


@register.inclusion_tag("documents/_status.html", takes_context=True)
def patient_program_pdf(context, patient):
    """The PDF of the patient's current revision (nothing before the first publish)."""
    return program_pdf_status(context, selectors.current_revision_of(patient))
