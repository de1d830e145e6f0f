"""API tokens (django-rest-knox): stored hashed, expiring, ended by logout and by a password
change; a user sees and ends their own API sessions, in the API and on a page."""

import datetime

import pytest
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import services
from tests.factories import PASSWORD


def log_in(user) -> str:
    """A login as the token endpoint makes it (the endpoint itself: the first test; logging
    in through it here would meet its rate limit)."""
    return services.issue_api_token(user=user)[1]


def client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token: str) -> bool:
    status = client_with(token).get(reverse("api-sessions")).status_code
    assert status in (200, 401)
    return status == 200


def test_a_login_gets_an_expiring_token_stored_only_as_a_digest(physio_a, clock):
    response = APIClient().post(
        reverse("api-token"), {"email": physio_a.user.email, "password": PASSWORD}, format="json"
    )

    body = response.json()
    stored = AuthToken.objects.get(user=physio_a.user)
    assert body["token"].startswith(stored.token_key)
    assert body["token"] not in (stored.digest, stored.token_key)
    assert datetime.datetime.fromisoformat(body["expiry"]) == stored.expiry
    assert stored.expiry == clock.now + datetime.timedelta(hours=10)
    assert works(body["token"])


def test_an_unused_token_ends_after_its_time(physio_a, clock):
    token = log_in(physio_a.user)

    clock.advance(hours=10, minutes=1)

    assert not works(token)
    assert not AuthToken.objects.filter(user=physio_a.user).exists()


def test_each_use_extends_a_token_up_to_a_week_from_the_login(physio_a, clock):
    token = log_in(physio_a.user)
    for _ in range(7 * 3):  # used every 8 hours for a week
        clock.advance(hours=8)
        assert works(token)

    clock.advance(hours=8)  # 7 days and 8 hours after the login

    assert not works(token)


def test_a_password_change_ends_every_token_of_the_user(physio_a, physio_b):
    first, second = log_in(physio_a.user), log_in(physio_a.user)
    other = log_in(physio_b.user)

    physio_a.user.set_password("a-brand-new-passphrase-42")
    physio_a.user.save()

    assert (works(first), works(second), works(other)) == (False, False, True)


def test_a_password_reset_through_the_pages_ends_every_token(client, physio_a, mailoutbox):
    token = log_in(physio_a.user)
    client.post(reverse("password_reset"), {"email": physio_a.user.email})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password-reset/" in line)
    path = "/password-reset/" + link.split("/password-reset/", 1)[1].strip()
    form = client.get(path, follow=True)
    new = "a-brand-new-passphrase-42"

    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    assert done.status_code == 302
    assert not works(token)


def test_logout_ends_only_the_token_it_is_sent_with(physio_a):
    phone, laptop = log_in(physio_a.user), log_in(physio_a.user)

    assert client_with(phone).post(reverse("api-logout")).status_code == 204

    assert (works(phone), works(laptop)) == (False, True)


def test_logout_all_ends_every_token_of_the_user(physio_a, physio_b):
    phone, laptop, other = log_in(physio_a.user), log_in(physio_a.user), log_in(physio_b.user)

    assert client_with(phone).post(reverse("api-logout-all")).status_code == 204

    assert (works(phone), works(laptop), works(other)) == (False, False, True)


def test_a_user_lists_and_ends_their_own_sessions_only(physio_a, physio_b):
    phone, laptop = log_in(physio_a.user), log_in(physio_a.user)
    theirs = log_in(physio_b.user)
    listed = client_with(phone).get(reverse("api-sessions")).json()

    assert sorted((s["token_key"], s["is_current"]) for s in listed) == sorted(
        [(phone[:15], True), (laptop[:15], False)]
    )
    gone = client_with(phone).delete(reverse("api-session", args=[laptop[:15]]))
    refused = client_with(phone).delete(reverse("api-session", args=[theirs[:15]]))

    assert (gone.status_code, refused.status_code) == (204, 404)
    assert refused.json()["code"] == "not_found"
    assert (works(phone), works(laptop), works(theirs)) == (True, False, True)


@pytest.mark.parametrize("persona", ["physio_a", "patient_a1"])
def test_the_page_lists_sessions_and_ends_one(client, request, persona):
    user = request.getfixturevalue(persona).user
    client.force_login(user)
    empty = client.get(reverse("account-api-sessions"))
    assert "No API sessions" in empty.content.decode()
    token = log_in(user)

    page = client.get(reverse("account-api-sessions")).content.decode()
    ended = client.post(reverse("account-api-session-end", args=[token[:15]]), follow=True)

    assert f"<code>{token[:15]}…</code>" in page
    assert "The API session was ended" in ended.content.decode()
    assert not works(token)
    again = client.post(reverse("account-api-session-end", args=[token[:15]]), follow=True)
    assert "That API session had already ended." in again.content.decode()
