from django.urls import path

from programs import views

urlpatterns = [
    path("patients/<int:patient_pk>/safety/close/", views.safety_close, name="safety-close"),
    path(
        "patients/<int:patient_pk>/assessments/new/",
        views.assessment_create,
        name="assessment-create",
    ),
    path(
        "patients/<int:patient_pk>/assessments/screen/",
        views.assessment_screen_preview,
        name="assessment-screen",
    ),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("assessments/<int:pk>/confirm/", views.assessment_confirm, name="assessment-confirm"),
    path("assessments/<int:assessment_pk>/plan/", views.plan_generate, name="plan-generate"),
    path("plans/<int:pk>/", views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/publish/", views.plan_publish, name="plan-publish"),
    path("plans/<int:pk>/template/", views.plan_save_template, name="plan-save-template"),
    path("plans/<int:plan_pk>/phases/<str:phase_code>/", views.phase_update, name="phase-update"),
    path("plans/<int:plan_pk>/phases/<str:phase_code>/items/", views.item_add, name="item-add"),
    path("plans/<int:plan_pk>/items/<int:item_pk>/", views.item_update, name="item-update"),
    path("plans/<int:plan_pk>/items/<int:item_pk>/remove/", views.item_remove, name="item-remove"),
    path("plans/<int:plan_pk>/items/<int:item_pk>/move/", views.item_move, name="item-move"),
    path("plans/<int:plan_pk>/items/<int:item_pk>/swap/", views.item_swap, name="item-swap"),
    path(
        "plans/<int:plan_pk>/revisions/<int:number>/changes/",
        views.revision_changes,
        name="revision-changes",
    ),
]
