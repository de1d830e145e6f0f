from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import (
    ApiSessionListView,
    ApiSessionView,
    LogoutAllView,
    LogoutView,
    PatientViewSet,
    TokenView,
)
from config.health import HealthView
from exercises.api import ExerciseViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("patients", PatientViewSet, basename="patient")
router.register("exercises", ExerciseViewSet, basename="exercise")

api_urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="api-logout-all"),
    path("auth/sessions/", ApiSessionListView.as_view(), name="api-sessions"),
    path("auth/sessions/<str:token_key>/", ApiSessionView.as_view(), name="api-session"),
    path("health/", HealthView.as_view(), name="api-health"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script from a URL: no inline script for the CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    *router.urls,
    path("", include("programs.api_urls")),
    path("", include("documents.api_urls")),
    path("", include("reminders.api_urls")),
    path("", include("followup.api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    # The scripts' texts (domain djangojs) in the page's language: a same-origin script (CSP).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include(api_urlpatterns)),
    path("", include("accounts.urls")),
    path("", include("exercises.urls")),
    path("", include("programs.urls")),
    path("", include("documents.urls")),
    path("", include("reminders.urls")),
    path("", include("followup.urls")),
]

# An API URL no route matches answers in the API's error shape, not with an HTML page.
handler404 = "core.api.not_found"
# A body Django refuses before any view runs (too large) answers in the error shape too.
handler400 = "core.api.bad_request"
# The database unreachable (a restart): 503 in the error shape, not 500.
handler500 = "core.api.server_error"
