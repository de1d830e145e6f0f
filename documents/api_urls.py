"""API routes (included under /api/v1/)."""

from django.urls import path

from documents.api import DocumentDownloadView, RevisionDocumentView

urlpatterns = [
    path(
        "plans/<int:plan_id>/revisions/<int:number>/pdf/",
        RevisionDocumentView.as_view(),
        name="api-revision-document",
    ),
    path(
        "documents/<int:pk>/download/",
        DocumentDownloadView.as_view(),
        name="api-document-download",
    ),
]
