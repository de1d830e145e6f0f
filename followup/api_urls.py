"""API routes (included under /api/v1/)."""

from django.urls import path

from followup.api import (
    MeasureDefinitionsView,
    MyCheckInsView,
    MyFunctionReviewView,
    MyMeasuresView,
    PatientMeasuresView,
)

urlpatterns: list = [
    path("me/check-ins/", MyCheckInsView.as_view(), name="api-my-check-ins"),
    path("measures/", MeasureDefinitionsView.as_view(), name="api-measure-definitions"),
    path("me/measures/", MyMeasuresView.as_view(), name="api-my-measures"),
    path(
        "me/function-reviews/<int:pk>/",
        MyFunctionReviewView.as_view(),
        name="api-my-function-review",
    ),
    path(
        "patients/<int:patient_pk>/measures/",
        PatientMeasuresView.as_view(),
        name="api-patient-measures",
    ),
]
