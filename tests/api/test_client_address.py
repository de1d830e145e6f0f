"""One setting (PROXY_COUNT) decides how a client's address is read, for the token endpoint's
rate limit and django-axes alike, directly exposed and behind a proxy."""

import pytest
from django.core.cache import cache

TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()  # this worker's own Redis database (or local memory)
    yield
    cache.clear()


def attempt(client, number: int, forwarded: str):
    """A failed login as a different account each time, so axes locks nothing: only the
    rate limit (10/min per client) can refuse it."""
    wrong = {"email": f"nobody{number}@example.com", "password": "not-the-password"}
    return client.post(TOKEN, wrong, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.mark.django_db
def test_direct_a_rotating_forwarded_header_does_not_escape_the_rate_limit(client, settings):
    settings.PROXY_COUNT = 0

    answers = [attempt(client, n, f"203.0.113.{n}") for n in range(11)]

    assert [a.status_code for a in answers] == [400] * 10 + [429]
    assert answers[-1].json()["code"] == "throttled"


@pytest.mark.django_db
def test_behind_a_proxy_each_client_has_its_own_count_and_cannot_forge_another(client, settings):
    settings.PROXY_COUNT = 1
    # The proxy appends the address it saw; the client may have written anything before it.
    first = [attempt(client, n, f"198.51.100.{n}, 203.0.113.7") for n in range(10)]
    forged = attempt(client, 10, "203.0.113.8, 203.0.113.7")
    other_client = attempt(client, 11, "203.0.113.9")

    assert [a.status_code for a in first] == [400] * 10
    assert forged.status_code == 429
    assert other_client.status_code == 400


@pytest.mark.django_db
def test_behind_a_proxy_a_lockout_is_per_client_not_for_everyone(client, settings, physio_a):
    settings.PROXY_COUNT = 1
    wrong = {"email": "physio.a@example.com", "password": "not-the-password"}
    right = {"email": "physio.a@example.com", "password": "correct-horse-battery-staple"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(TOKEN, wrong, HTTP_X_FORWARDED_FOR="203.0.113.66")

    attacker = client.post(TOKEN, right, HTTP_X_FORWARDED_FOR="203.0.113.66")
    physio = client.post(TOKEN, right, HTTP_X_FORWARDED_FOR="198.51.100.20")

    assert (attacker.status_code, attacker.json()["code"]) == (429, "locked_out")
    assert physio.status_code == 200
    assert set(physio.json()) == {"token", "expiry"}  # tokens expire (#15 item 3)
