from django.urls import path

from followup import views

urlpatterns = [
    # Patient portal
    path("me/", views.today, name="patient-home"),
    path("me/session/", views.session, name="guided-session"),
    path("me/plan/", views.my_plan, name="my-plan"),
    path("me/help/", views.patient_help, name="patient-help"),
    path("me/check-in/", views.check_in, name="check-in"),
    path("me/check-ins/<int:pk>/", views.check_in_result, name="check-in-result"),
    # The signed link in reminder emails: check in, nothing else
    path("check-in/<str:token>/", views.check_in_link, name="check-in-link"),
    path("me/activities/", views.function_review, name="function-review"),
    path("me/start-back/", views.start_back, name="start-back"),
    path("activities/<str:token>/", views.function_review_link, name="function-review-link"),
    # Physio
    path("dashboard/", views.dashboard, name="dashboard"),
    path("patients/<int:pk>/", views.patient_detail, name="patient-detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("alerts/<int:pk>/approve/", views.alert_approve, name="alert-approve"),
    path(
        "plans/<int:plan_pk>/progress-report/",
        views.progress_report_page,
        name="progress-report",
    ),
    path(
        "progress-reports/<int:pk>/download/",
        views.progress_report_download,
        name="progress-report-download",
    ),
]
