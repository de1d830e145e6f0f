from django.urls import path

from reminders import views

urlpatterns = [
    path("me/reminders/", views.reminder_settings, name="reminder-settings"),
    path("me/reminders/resubscribe/", views.reminder_resubscribe, name="reminder-resubscribe"),
    path("patients/<int:pk>/reminders/", views.physio_reminder_edit, name="reminder-physio-edit"),
    path("reminders/unsubscribe/<str:token>/", views.unsubscribe, name="reminder-unsubscribe"),
]
