"""One real answer is one check-in (issue #14, item 8): a double tap, a retry, or the email link
and the portal both sent, is stored once and acted on once (no second ESC-WORSE, alert,
email or pause), through the service, the portal, the email link and the API."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from followup import services
from followup.models import Alert, CheckIn
from reminders.models import ReminderSchedule
from tests.followup.conftest import CALM_DAY_API, CALM_DAY_FORM, check_in

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/check-ins/"
TOKEN = re.compile(r'<input type="hidden" name="client_token" value="([0-9a-f-]{36})"')


@pytest.fixture
def red(revision_a1, patient_a1) -> dict:
    """Answers of a red check-in: two of today's items done, and they felt red."""
    on = services.local_now(patient_a1).date()
    return {"items_done": revision_a1.tickable_keys(on)[:2], "zone": "red", "pain": 5}


def _form(answers: dict, **extra) -> dict:
    """The check-in form's POST data for service-style answers."""
    return {
        "items_done": answers["items_done"],
        "zone": answers["zone"],
        "pain": str(answers["pain"]),
        "feeling": "same",
        **CALM_DAY_FORM,  # every question answered by the patient (item 2)
        **extra,
    }


def _is_acted_on_once(patient) -> bool:
    return (
        not ReminderSchedule.objects.get(patient=patient).paused_reason
        and not Alert.objects.filter(patient=patient).exists()
    )


# --- the service --------------------------------------------------------------------------


def test_the_same_red_answers_a_second_later_are_one_check_in_and_fire_no_esc_worse(
    patient_a1, red, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, outcome = check_in(patient_a1, **red)
        clock.advance(seconds=1)
        again, repeat_outcome = check_in(patient_a1, source="email_link", **red)

    assert first.rule_ids == []
    assert outcome is not None
    assert again == first
    assert repeat_outcome is None
    assert CheckIn.objects.filter(patient=patient_a1).count() == 1
    assert _is_acted_on_once(patient_a1)
    assert mail.outbox == []


def test_the_same_red_answers_after_the_repeat_window_are_a_second_check_in(
    patient_a1, red, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = check_in(patient_a1, **red)
        clock.advance(seconds=services.REPEAT_WINDOW.total_seconds() + 1)
        second, outcome = check_in(patient_a1, **red)

    assert second != first
    assert outcome is not None
    assert second.rule_ids == ["ESC-WORSE"]  # red twice in a row (P1: nothing to regress to)
    assert Alert.objects.filter(patient=patient_a1, rule_id="ESC-WORSE").count() == 1
    assert ReminderSchedule.objects.get(patient=patient_a1).paused_reason
    assert len(mail.outbox) == 1


def test_other_answers_within_the_window_are_a_new_check_in(patient_a1, red, clock):
    first, _ = check_in(patient_a1, **red)
    clock.advance(seconds=5)
    second, outcome = check_in(patient_a1, **red, warning_signs=["infection_unwell"])

    assert second != first
    assert outcome is not None
    assert second.rule_ids == ["RF-URG-INFECTION", "ESC-WORSE"]
    assert CheckIn.objects.filter(patient=patient_a1).count() == 2


def test_the_same_client_token_is_the_same_check_in_whenever_it_comes(patient_a1, red, clock):
    token = uuid.uuid4()
    first, _ = check_in(patient_a1, client_token=token, **red)
    clock.advance(hours=1)

    again, outcome = check_in(patient_a1, client_token=token, **red)

    assert (again, outcome) == (first, None)
    assert first.client_token == token
    assert CheckIn.objects.filter(patient=patient_a1).count() == 1


def test_the_same_client_token_with_other_answers_is_refused_and_stores_nothing(patient_a1, red):
    token = uuid.uuid4()
    check_in(patient_a1, client_token=token, **red)

    with pytest.raises(services.ClientTokenReused):
        check_in(patient_a1, client_token=token, **{**red, "pain": 6})

    assert CheckIn.objects.filter(patient=patient_a1).count() == 1


def test_a_client_token_is_unique_per_patient_in_the_database(patient_a1, red):
    from django.db import IntegrityError, transaction

    first, _ = check_in(patient_a1, client_token=uuid.uuid4(), **red)
    first.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()


# --- the portal and the email link --------------------------------------------------------


def test_the_form_carries_a_fresh_client_token_each_time(client, patient_a1, revision_a1):
    client.force_login(patient_a1.user)

    tokens = [TOKEN.findall(client.get(reverse("check-in")).content.decode()) for _ in range(2)]

    assert [len(found) for found in tokens] == [1, 1]
    assert tokens[0] != tokens[1]


def test_sending_the_portal_form_twice_shows_the_first_check_ins_result(client, patient_a1, red):
    client.force_login(patient_a1.user)
    data = _form(red, client_token=str(uuid.uuid4()))

    first = client.post(reverse("check-in"), data)
    second = client.post(reverse("check-in"), data)

    stored = CheckIn.objects.get(patient=patient_a1)
    result = reverse("check-in-result", args=[stored.pk])
    assert (first.status_code, first.url) == (302, result)
    assert (second.status_code, second.url) == (302, result)
    assert _is_acted_on_once(patient_a1)


def test_the_email_link_after_the_portal_with_the_same_answers_is_the_same_check_in(
    client, patient_a1, red, clock
):
    client.force_login(patient_a1.user)
    client.post(reverse("check-in"), _form(red, client_token=str(uuid.uuid4())))
    client.logout()
    clock.advance(seconds=30)

    link = reverse("check-in-link", args=[services.check_in_token(patient_a1)])
    response = client.post(link, _form(red, client_token=str(uuid.uuid4())))

    assert response.status_code == 200
    assert response.templates[0].name == "followup/check_in_result.html"
    assert response.context["check_in"] == CheckIn.objects.get(patient=patient_a1)
    assert response.context["level"] == "ok"
    assert _is_acted_on_once(patient_a1)


def test_a_reused_token_with_other_answers_asks_again_with_a_fresh_token(client, patient_a1, red):
    client.force_login(patient_a1.user)
    token = str(uuid.uuid4())
    client.post(reverse("check-in"), _form(red, client_token=token))

    response = client.post(reverse("check-in"), _form({**red, "pain": 6}, client_token=token))

    html = response.content.decode()
    assert response.status_code == 400
    assert "Send them again as a new check-in." in html
    fresh = TOKEN.findall(html)
    assert len(fresh) == 1 and fresh[0] != token
    again = client.post(reverse("check-in"), _form({**red, "pain": 6}, client_token=fresh[0]))
    assert again.status_code == 302
    assert list(CheckIn.objects.order_by("id").values_list("pain", flat=True)) == [5, 6]


# --- the API ------------------------------------------------------------------------------


def test_a_retry_with_the_same_client_token_answers_200_with_the_same_body(api, patient_a1, red):
    client = api.as_user(patient_a1.user)
    payload = {**red, "feeling": "same", "client_token": str(uuid.uuid4()), **CALM_DAY_API}

    created = client.post(URL, payload, format="json")
    repeated = client.post(URL, payload, format="json")

    assert created.status_code == 201
    assert repeated.status_code == 200
    assert repeated.json() == created.json()
    assert created.json()["client_token"] == payload["client_token"]
    assert CheckIn.objects.filter(patient=patient_a1).count() == 1
    assert _is_acted_on_once(patient_a1)


def test_the_same_answers_without_a_token_within_the_window_answer_200(api, patient_a1, red):
    client = api.as_user(patient_a1.user)
    payload = {**red, "feeling": "same", **CALM_DAY_API}

    created = client.post(URL, payload, format="json")
    repeated = client.post(URL, payload, format="json")

    assert (created.status_code, repeated.status_code) == (201, 200)
    assert repeated.json()["id"] == created.json()["id"]
    assert repeated.json()["client_token"] is None


def test_a_reused_client_token_with_other_answers_is_a_409(api, patient_a1, red):
    client = api.as_user(patient_a1.user)
    token = str(uuid.uuid4())
    client.post(
        URL, {**red, **CALM_DAY_API, "feeling": "same", "client_token": token}, format="json"
    )

    response = client.post(
        URL, {**red, **CALM_DAY_API, "feeling": "worse", "client_token": token}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "client_token_reused"
    assert response.json()["fields"] == {}
    assert CheckIn.objects.filter(patient=patient_a1).count() == 1


def test_the_schema_documents_the_repeat_and_the_client_token():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    post = schema["paths"][URL]["post"]
    assert set(post["responses"]) == {"200", "201", "400", "404", "409"}
    assert "client_token" in schema["components"]["schemas"]["CheckInInputRequest"]["properties"]
