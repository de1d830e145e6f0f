"""The OpenAPI schema documents every programs endpoint with its request and answers."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

# path → {method: (success status, documented error statuses)}
ENDPOINTS = {
    "/api/v1/patients/{patient_pk}/assessments/": {
        "get": ("200", {"404"}),
        "post": ("201", {"400", "404"}),
    },
    "/api/v1/assessments/{id}/": {"get": ("200", {"404"})},
    "/api/v1/assessments/{id}/screening/": {"get": ("200", {"404"})},
    "/api/v1/assessments/{id}/confirm/": {"post": ("200", {"400", "404", "409"})},
    "/api/v1/plans/": {"get": ("200", {"400", "404"}), "post": ("201", {"400", "404", "422"})},
    "/api/v1/plans/{id}/": {"get": ("200", {"404"})},
    "/api/v1/plans/{id}/publish/": {"post": ("201", {"400", "404", "409"})},
    "/api/v1/plans/{id}/template/": {"post": ("201", {"400", "404"})},
    "/api/v1/plans/{plan_pk}/phases/{code}/": {"patch": ("200", {"400", "404", "409"})},
    "/api/v1/plans/{plan_pk}/items/": {"post": ("201", {"400", "404", "409"})},
    "/api/v1/plans/{plan_pk}/items/{id}/": {
        "patch": ("200", {"400", "404", "409"}),
        "delete": ("204", {"404", "409"}),
    },
    "/api/v1/plans/{plan_pk}/items/{id}/swap/": {"post": ("200", {"400", "404", "409"})},
    "/api/v1/plans/{plan_pk}/items/{id}/move/": {"post": ("200", {"400", "404", "409"})},
    "/api/v1/plans/{plan_pk}/revisions/": {"get": ("200", {"404"})},
    "/api/v1/plans/{plan_pk}/revisions/{number}/": {
        "get": ("200", {"404"}),
        "put": (None, {"404", "409"}),
        "patch": (None, {"404", "409"}),
        "delete": (None, {"404", "409"}),
    },
    "/api/v1/plans/{plan_pk}/revisions/{number}/changes/": {"get": ("200", {"404"})},
    "/api/v1/plan-templates/": {"get": ("200", {"404"})},
    # 409: the patient's safety concern is open (the advice, no exercises; issue #14 item 1).
    "/api/v1/me/plan/": {"get": ("200", {"404", "409"})},
    "/api/v1/patients/{patient_pk}/safety/": {"get": ("200", {"404"})},
    "/api/v1/patients/{patient_pk}/safety/close/": {"post": ("200", {"400", "404"})},
}
LISTS = [
    "/api/v1/patients/{patient_pk}/assessments/",
    "/api/v1/plans/",
    "/api/v1/plans/{plan_pk}/revisions/",
    "/api/v1/plan-templates/",
]


@pytest.fixture(scope="module")
def schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(generated)
    return generated


def _success_schema(operation: dict, status: str) -> dict:
    return operation["responses"][status]["content"]["application/json"]["schema"]


def test_every_programs_endpoint_is_documented_with_its_answers(schema):
    documented = {path: ops for path, ops in schema["paths"].items() if path in ENDPOINTS}

    assert {path: set(ops) for path, ops in documented.items()} == {
        path: set(methods) for path, methods in ENDPOINTS.items()
    }
    for path, methods in ENDPOINTS.items():
        for method, (success, errors) in methods.items():
            responses = documented[path][method]["responses"]
            expected = errors | ({success} if success else set())
            assert set(responses) == expected, (method, path)
            if success and success != "204":
                assert "$ref" in _success_schema(documented[path][method], success), (method, path)
            for error in errors:
                assert responses[error]["content"]["application/json"]["schema"]["$ref"].endswith(
                    ("/Error", "/PlanRefusal", "/WarningsNotConfirmed")
                ), (method, path, error)


def test_lists_are_documented_as_paginated(schema):
    for path in LISTS:
        reference = _success_schema(schema["paths"][path]["get"], "200")["$ref"]
        assert reference.split("/")[-1].startswith("Paginated"), path
        names = {parameter["name"] for parameter in schema["paths"][path]["get"]["parameters"]}
        assert {"page", "page_size"} <= names, path


def test_plan_refusal_documents_the_rule_ids_and_messages(schema):
    refusal = schema["components"]["schemas"]["PlanRefusal"]

    assert set(refusal["required"]) == {
        "code",
        "detail",
        "fields",
        "rule_ids",
        "patient_message",
        "physio_message",
    }
    assert "confirmations" in refusal["properties"]
