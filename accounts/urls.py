from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("language/", views.set_language, name="set-language"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            html_email_template_name="registration/password_reset_email.html",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("patients/new/", views.patient_create, name="patient-create"),
    path("patients/<int:pk>/edit/", views.patient_edit, name="patient-edit"),
    path("patients/<int:pk>/invitation/", views.patient_reinvite, name="patient-reinvite"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept-invitation"),
    path("account/api-sessions/", views.api_sessions, name="account-api-sessions"),
    path("clinic/settings/", views.clinic_settings, name="clinic-settings"),
    path("clinic/logo/", views.clinic_logo, name="clinic-logo"),
    path("clinic/style.css", views.clinic_style, name="clinic-style"),
    path(
        "account/api-sessions/<str:token_key>/end/",
        views.api_session_revoke,
        name="account-api-session-end",
    ),
]
