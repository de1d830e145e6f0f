"""API routes of the programs app (included under /api/v1/ by config/urls.py).

Names start with `api-` so they never clash with the physio pages' routes of the same shape.
"""

from django.urls import path

from programs import api

assessments = api.PatientAssessmentViewSet.as_view({"get": "list", "post": "create"})
assessment = api.AssessmentViewSet.as_view({"get": "retrieve"})
screening = api.AssessmentViewSet.as_view({"get": "screening"})
confirm = api.AssessmentViewSet.as_view({"post": "confirm"})
plans = api.PlanViewSet.as_view({"get": "list", "post": "create"})
plan = api.PlanViewSet.as_view({"get": "retrieve"})
publish = api.PlanViewSet.as_view({"post": "publish"})
template = api.PlanViewSet.as_view({"post": "template"})
items = api.PlanItemViewSet.as_view({"post": "create"})
item = api.PlanItemViewSet.as_view({"patch": "partial_update", "delete": "destroy"})
swap = api.PlanItemViewSet.as_view({"post": "swap"})
move = api.PlanItemViewSet.as_view({"post": "move"})
revisions = api.PlanRevisionViewSet.as_view({"get": "list"})
revision = api.PlanRevisionViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)
changes = api.PlanRevisionViewSet.as_view({"get": "changes"})
templates = api.PlanTemplateViewSet.as_view({"get": "list"})

urlpatterns = [
    path("patients/<int:patient_pk>/safety/", api.PatientSafetyView.as_view(), name="api-safety"),
    path(
        "patients/<int:patient_pk>/safety/close/",
        api.PatientSafetyCloseView.as_view(),
        name="api-safety-close",
    ),
    path("patients/<int:patient_pk>/assessments/", assessments, name="api-patient-assessments"),
    path("assessments/<int:pk>/", assessment, name="api-assessment"),
    path("assessments/<int:pk>/screening/", screening, name="api-assessment-screening"),
    path("assessments/<int:pk>/confirm/", confirm, name="api-assessment-confirm"),
    path("plans/", plans, name="api-plans"),
    path("plans/<int:pk>/", plan, name="api-plan"),
    path("plans/<int:pk>/publish/", publish, name="api-plan-publish"),
    path("plans/<int:pk>/template/", template, name="api-plan-template"),
    path(
        "plans/<int:plan_pk>/phases/<str:code>/",
        api.PlanPhaseView.as_view(),
        name="api-plan-phase",
    ),
    path("plans/<int:plan_pk>/items/", items, name="api-plan-items"),
    path("plans/<int:plan_pk>/items/<int:pk>/", item, name="api-plan-item"),
    path("plans/<int:plan_pk>/items/<int:pk>/swap/", swap, name="api-plan-item-swap"),
    path("plans/<int:plan_pk>/items/<int:pk>/move/", move, name="api-plan-item-move"),
    path("plans/<int:plan_pk>/revisions/", revisions, name="api-plan-revisions"),
    path("plans/<int:plan_pk>/revisions/<int:number>/", revision, name="api-plan-revision"),
    path(
        "plans/<int:plan_pk>/revisions/<int:number>/changes/",
        changes,
        name="api-plan-revision-changes",
    ),
    path("plan-templates/", templates, name="api-plan-templates"),
    path("me/plan/", api.MyPlanView.as_view(), name="api-my-plan"),
]
