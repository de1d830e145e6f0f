"""Bodies the API cannot read still answer in the one error shape, never a 500 or HTML."""

import json

import pytest
from django.conf import settings

from accounts.models import Patient

pytestmark = pytest.mark.django_db

PATIENTS = "/api/v1/patients/"


def test_json_nested_too_deeply_is_a_400_naming_the_problem(api, physio_a):
    nested = "[" * 100_000 + "]" * 100_000

    response = api.as_user(physio_a.user).generic(
        "POST", PATIENTS, nested, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "detail": "JSON parse error - nested too deeply.",
        "fields": {},
    }
    assert Patient.objects.count() == 0


def test_a_body_over_the_upload_limit_is_a_413_in_the_error_shape(api, physio_a):
    big = json.dumps({"first_name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})

    response = api.as_user(physio_a.user).generic(
        "POST", PATIENTS, big, content_type="application/json"
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "too_large"
    assert response.json()["fields"] == {}
    assert Patient.objects.count() == 0


def test_pages_keep_djangos_bad_request_page(client):
    big = "username=" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = client.generic(
        "POST", "/login/", big, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
