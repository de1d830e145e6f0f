"""A locked-out account: the token endpoint answers in the API's error shape (DESIGN §6)."""

import pytest
from django.core.cache import cache

TOKEN = "/api/v1/auth/token/"


@pytest.mark.django_db
def test_token_endpoint_answers_a_lockout_in_the_error_shape(client, physio_a, settings):
    wrong = {"email": "physio.a@example.com", "password": "not-the-password"}
    answers = []
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        cache.delete("throttle_login_127.0.0.1")  # the rate limit is another guard
        answers.append(client.post(TOKEN, wrong))

    last = answers[-1]
    assert [a.status_code for a in answers[: settings.AXES_FAILURE_LIMIT - 1]] == [400] * (
        settings.AXES_FAILURE_LIMIT - 1
    )
    assert last.status_code == 429
    assert last["Content-Type"] == "application/json"
    assert last.json()["code"] == "locked_out"
    assert set(last.json()) == {"code", "detail", "fields"}
