"""API routes (included under /api/v1/)."""

from django.urls import path

from followup.api import MyCheckInsView

urlpatterns: list = [
    path("me/check-ins/", MyCheckInsView.as_view(), name="api-my-check-ins"),
]
