"""Redis or PostgreSQL away: the web answers what it can, in the one error shape, never 500."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

UNAVAILABLE = {
    "code": "unavailable",
    "detail": "The service is briefly unavailable: try again in a moment.",
    "fields": {},
}
NO_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
}


@pytest.mark.django_db
def test_the_token_endpoint_answers_without_redis(api, physio_a, settings):
    settings.CACHES = NO_REDIS

    wrong = api.post(
        reverse("api-token"), {"email": physio_a.user.email, "password": "nope"}, format="json"
    )
    right = api.post(
        reverse("api-token"), {"email": physio_a.user.email, "password": PASSWORD}, format="json"
    )

    assert (wrong.status_code, right.status_code) == (400, 200)
    assert right.json()["token"]


@pytest.mark.django_db
def test_a_database_outage_answers_503_in_the_error_shape(physio_a):
    client = Client(raise_request_exception=False)
    client.force_login(physio_a.user)

    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("connection to server at 127.0.0.1, port 5432 failed"),
    ):
        api = client.get("/api/v1/patients/")
        page = client.get(reverse("dashboard"))

    assert (api.status_code, api.json()) == (503, UNAVAILABLE)
    assert page.status_code == 503
    assert b"Briefly unavailable" in page.content


@pytest.mark.django_db
def test_other_server_errors_stay_500_in_the_error_shape(physio_a):
    client = Client(raise_request_exception=False)
    client.force_login(physio_a.user)

    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load", side_effect=RuntimeError("bug")
    ):
        api = client.get("/api/v1/patients/")

    assert api.status_code == 500
    assert api.json() == {"code": "error", "detail": "A server error occurred.", "fields": {}}


@pytest.mark.django_db
def test_health_names_the_parts_that_are_down(api, settings, monkeypatch):
    from config.celery import app

    settings.CACHES = NO_REDIS
    # A broker nobody listens on (the URL given to the check's own connection, so nothing
    # another test left in the app's configuration stands in for it).
    connect = app.connection_for_write
    monkeypatch.setattr(app, "connection_for_write", lambda: connect("redis://127.0.0.1:1/0"))
    response = api.get("/api/v1/health/")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "broker": "error", "cache": "error", "storage": "ok"},
    }
