from django.urls import path

from documents import views

urlpatterns = [
    path(
        "plans/<int:plan_pk>/revisions/<int:number>/pdf/",
        views.document_status,
        name="document-status",
    ),
    path(
        "plans/<int:plan_pk>/revisions/<int:number>/pdf/request/",
        views.document_request,
        name="document-request",
    ),
    path("documents/<int:pk>/download/", views.document_download, name="document-download"),
]
