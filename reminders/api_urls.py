"""API routes (included under /api/v1/)."""

from django.urls import path

from reminders.api import MyRemindersView

urlpatterns: list = [
    path("me/reminders/", MyRemindersView.as_view(), name="api-my-reminders"),
]
