"""The catalogue's lean read path answers what the serializer answered, and HTTP caching:
an ETag on every read, 304 on a matching If-None-Match without reading an exercise, a new
answer after an edit."""

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.services import issue_api_token
from core.api import Pagination
from exercises import services
from exercises.models import Exercise
from exercises.serializers import ExerciseDetailSerializer
from tests.exercises.test_api import LIST, PRIVATE


@pytest.fixture
def private_exercise(physio_a, catalogue):
    """A clinic exercise linked both ways, so links and `is_global: false` are compared too."""
    fields = {
        **{key: value for key, value in PRIVATE.items() if key != "dosage"},
        **PRIVATE["dosage"],
        "progression": Exercise.objects.get(key="F01", clinic=None),
        "regression": Exercise.objects.get(key="C01", clinic=None),
        "patient_notes": "Slowly.",
    }
    return services.create_clinic_exercise(clinic=physio_a.clinic, by=physio_a.user, **fields)


def serializer_answer(api, url, monkeypatch):
    """The same request answered by the serializer path (DRF's paginator, one serializer per
    row): the lean path steps aside when `paginate_rows` answers None."""
    with monkeypatch.context() as patch:
        patch.setattr(Pagination, "paginate_rows", lambda self, queryset, request: None)
        return api.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "",
        "phase=P2",
        "region=lumbar&difficulty=1",
        "search=back",
        "category=aerobic",
        "page_size=7",
    ],
)
@pytest.mark.parametrize("page", [1, 2, 3, 4])
def test_the_lean_list_answers_what_the_serializer_answered(
    api, physio_a, private_exercise, monkeypatch, query, page
):
    api.as_user(physio_a.user)
    url = f"{LIST}?{query}&page={page}" + ("" if "page_size" in query else "&page_size=12")

    lean = api.get(url)
    expected = serializer_answer(api, url, monkeypatch)

    assert (lean.status_code, lean.json()) == (expected.status_code, expected.json())


@pytest.mark.django_db
def test_the_lean_answers_cover_a_private_linked_exercise_and_several_pages(
    api, physio_a, private_exercise, monkeypatch
):
    api.as_user(physio_a.user)

    answers = [api.get(f"{LIST}?page={page}&page_size=12").json() for page in (1, 2, 3, 4)]

    keys = [row["key"] for answer in answers for row in answer["results"]]
    assert len(keys) == 48 and len(set(keys)) == 48
    mine = api.get(f"{LIST}A-CLINIC-1/").json()
    annotated = Exercise.objects.annotate(
        progression_key=F("progression__key"), regression_key=F("regression__key")
    )
    assert mine == ExerciseDetailSerializer(annotated.get(pk=private_exercise.pk)).data
    assert (mine["progression"], mine["regression"], mine["is_global"]) == ("F01", "C01", False)


@pytest.mark.django_db
@pytest.mark.parametrize("url", [f"{LIST}?page=1", f"{LIST}F01/"], ids=["list", "detail"])
def test_a_matching_etag_answers_304_without_reading_an_exercise(api, physio_a, catalogue, url):
    api.as_user(physio_a.user)
    first = api.get(url)

    with CaptureQueriesContext(connection) as queries:
        again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first["ETag"].startswith('"')
    assert first["Cache-Control"] == "private, no-cache"
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", first["ETag"])
    assert again["Cache-Control"] == "private, no-cache"
    assert [q["sql"] for q in queries.captured_queries if "exercises_exercise" in q["sql"]] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "edit",
    [
        lambda physio: services.create_clinic_exercise(
            clinic=physio.clinic,
            by=physio.user,
            **{k: v for k, v in PRIVATE.items() if k != "dosage"},
            minutes=10,
        ),
        lambda physio: services.load_catalogue(),
    ],
    ids=["clinic-exercise-added", "catalogue-loaded"],
)
def test_after_a_catalogue_edit_the_old_etag_answers_200(api, physio_a, catalogue, edit):
    api.as_user(physio_a.user)
    first = api.get(f"{LIST}?page_size=100")
    Exercise.objects.filter(key="F01", clinic=None).update(name="Renamed in the database")
    edit(physio_a)

    again = api.get(f"{LIST}?page_size=100", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert api.get(f"{LIST}?page_size=100", HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


@pytest.mark.django_db
def test_the_etag_differs_by_query_and_by_clinic(api, physio_a, physio_b, catalogue):
    tags = {
        api.as_user(physio_a.user).get(f"{LIST}?page=1")["ETag"],
        api.as_user(physio_a.user).get(f"{LIST}?page=2")["ETag"],
        api.as_user(physio_a.user).get(f"{LIST}?page=1&phase=P1")["ETag"],
        api.as_user(physio_b.user).get(f"{LIST}?page=1")["ETag"],
    }

    assert len(tags) == 4


@pytest.mark.django_db
def test_a_token_authenticated_page_costs_two_queries(
    physio_a, catalogue, django_assert_num_queries
):
    _, token = issue_api_token(user=physio_a.user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")

    with django_assert_num_queries(2):  # the token with its user and physio; the page
        response = client.get(f"{LIST}?page=1")

    assert response.status_code == 200 and len(response.json()["results"]) == 20


@pytest.mark.django_db
def test_an_expired_token_is_refused_and_deleted_then_swept_at_the_next_login(
    physio_a, catalogue, clock
):
    expired, token = issue_api_token(user=physio_a.user)
    AuthToken.objects.filter(pk=expired.pk).update(expiry=clock.now - datetime.timedelta(seconds=1))
    other, _ = issue_api_token(user=physio_a.user)
    AuthToken.objects.filter(pk=other.pk).update(expiry=clock.now - datetime.timedelta(seconds=1))

    response = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get(LIST)

    assert response.status_code == 401
    assert list(AuthToken.objects.values_list("pk", flat=True)) == [other.pk]
    issue_api_token(user=physio_a.user)
    assert not AuthToken.objects.filter(pk=other.pk).exists()
