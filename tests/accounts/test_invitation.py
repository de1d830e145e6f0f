import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Patient, User

NEW_PATIENT = {
    "first_name": "Robin",
    "last_name": "Lee",
    "date_of_birth": "1975-03-02",
    "email": "robin.lee@example.com",
    "timezone": "Europe/London",
    "language": "en",
}
LINK = re.compile(r"https?://[^\s\"<>]+/invitation/[^\s\"<>/]+/")


def invitation_path(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return urlsplit(LINK.search(text).group(0)).path


def create_patient_via_page(client, physio, django_capture_on_commit_callbacks):
    client.force_login(physio.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("patient-create"), NEW_PATIENT)
    assert response.status_code == 302
    return Patient.objects.get(email=NEW_PATIENT["email"])


def patient_without_account(physio) -> Patient:
    return Patient.objects.create(
        clinic=physio.clinic,
        physiotherapist=physio,
        first_name="Jo",
        last_name="Kim",
        date_of_birth="1990-01-01",
        email="jo@example.com",
    )


@pytest.mark.django_db
def test_invitation_email_through_smtp_then_set_password_logs_patient_in(
    client, physio_a, smtp_server, django_capture_on_commit_callbacks
):
    patient = create_patient_via_page(client, physio_a, django_capture_on_commit_callbacks)

    [message] = smtp_server.wait_for(1)
    assert message["To"] == NEW_PATIENT["email"]
    assert message["Subject"] == "Set up your account with Clinic A"
    assert message["From"].addresses[0].display_name == "Clinic A"
    assert message.get_body(preferencelist=("html",)) is not None
    path = invitation_path(message)

    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert b"Choose a password" in page.content
    response = client.post(
        path, {"password1": "a-long-good-pass-42", "password2": "a-long-good-pass-42"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("patient-home")
    patient.refresh_from_db()
    assert patient.user.email == NEW_PATIENT["email"]
    assert patient.user.check_password("a-long-good-pass-42")
    assert client.get(reverse("patient-home")).status_code == 200
    assert Invitation.objects.get(patient=patient).accepted_at is not None


@pytest.mark.django_db
def test_reused_link_shows_clear_page_and_changes_nothing(
    client, physio_a, smtp_server, django_capture_on_commit_callbacks
):
    patient = create_patient_via_page(client, physio_a, django_capture_on_commit_callbacks)
    path = invitation_path(smtp_server.wait_for(1)[0])
    client.logout()
    client.post(path, {"password1": "a-long-good-pass-42", "password2": "a-long-good-pass-42"})
    client.logout()

    response = client.post(
        path, {"password1": "another-pass-9876", "password2": "another-pass-9876"}
    )

    assert response.status_code == 410
    assert b"already been used" in response.content
    patient.refresh_from_db()
    assert patient.user.check_password("a-long-good-pass-42")
    assert User.objects.filter(email=NEW_PATIENT["email"]).count() == 1


@pytest.mark.django_db
def test_a_link_sent_to_a_mistyped_address_cannot_take_over_the_corrected_account(
    client, physio_a, smtp_server, django_capture_on_commit_callbacks
):
    """The physio mistypes the email, corrects it and re-invites: only the newest link, sent
    to the corrected address, sets the password."""
    typo = {**NEW_PATIENT, "email": "robin.lee@exmaple.com"}
    client.force_login(physio_a.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("patient-create"), typo)
    patient = Patient.objects.get(email=typo["email"])
    edited = client.post(reverse("patient-edit", args=[patient.pk]), NEW_PATIENT, follow=True)
    assert b"Invitation links sent to the old email address no longer work" in edited.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("patient-reinvite", args=[patient.pk]))
    to_typo, to_patient = smtp_server.wait_for(2)
    assert (to_typo["To"], to_patient["To"]) == (typo["email"], NEW_PATIENT["email"])
    client.logout()

    old_page = client.get(invitation_path(to_typo))
    old_post = client.post(
        invitation_path(to_typo), {"password1": "takeover-pass-42", "password2": "takeover-pass-42"}
    )

    assert (old_page.status_code, old_post.status_code) == (410, 410)
    assert b"A newer invitation has replaced this link" in old_page.content
    patient.refresh_from_db()
    assert patient.user is None
    assert not User.objects.filter(email__in=[typo["email"], NEW_PATIENT["email"]]).exists()
    new_post = client.post(
        invitation_path(to_patient),
        {"password1": "a-long-good-pass-42", "password2": "a-long-good-pass-42"},
    )
    assert new_post.status_code == 302
    patient.refresh_from_db()
    assert patient.user.email == NEW_PATIENT["email"]
    assert patient.user.check_password("a-long-good-pass-42")


@pytest.mark.django_db
def test_re_inviting_replaces_the_earlier_link(client, physio_a):
    patient = patient_without_account(physio_a)
    first = services.send_invitation(patient=patient, by=physio_a.user)
    second = services.send_invitation(patient=patient, by=physio_a.user)

    with pytest.raises(services.InvitationInvalid) as replaced:
        services.accept_invitation(
            token=services.invitation_token(first), password="a-long-good-pass-42"
        )

    assert replaced.value.reason == "replaced"
    assert not User.objects.filter(email="jo@example.com").exists()
    assert services.read_invitation(services.invitation_token(second)) == second
    # An email change alone ends the open link too, even before anyone re-invites.
    services.update_patient(patient=patient, by=physio_a.user, email="jo.kim@example.com")
    with pytest.raises(services.InvitationInvalid) as changed:
        services.read_invitation(services.invitation_token(second))
    assert changed.value.reason == "replaced"
    # Nothing is sent for a replaced invitation (a queued email arriving late).
    assert services.send_invitation_email(invitation_id=second.pk) is False


@pytest.mark.django_db
def test_expired_link_shows_clear_page_and_changes_nothing(
    client, physio_a, smtp_server, django_capture_on_commit_callbacks
):
    patient = create_patient_via_page(client, physio_a, django_capture_on_commit_callbacks)
    path = invitation_path(smtp_server.wait_for(1)[0])
    Invitation.objects.filter(patient=patient).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    client.logout()

    page = client.get(path)
    response = client.post(
        path, {"password1": "a-long-good-pass-42", "password2": "a-long-good-pass-42"}
    )

    assert page.status_code == 410 and b"expired" in page.content
    assert response.status_code == 410
    patient.refresh_from_db()
    assert patient.user is None
    assert not User.objects.filter(email=NEW_PATIENT["email"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", ["flip-last-char", "other-id", "garbage"])
def test_tampered_link_shows_clear_page_and_changes_nothing(client, patient_a1, physio_a, tamper):
    patient = patient_without_account(physio_a)
    invitation = services.send_invitation(patient=patient, by=physio_a.user)
    token = services.invitation_token(invitation)
    tampered = {
        "flip-last-char": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "other-id": signing.dumps(invitation.pk + 999, salt="wrong-salt"),
        "garbage": "not-a-token",
    }[tamper]
    path = reverse("accept-invitation", kwargs={"token": tampered})

    page = client.get(path)
    response = client.post(
        path, {"password1": "a-long-good-pass-42", "password2": "a-long-good-pass-42"}
    )

    assert page.status_code == 404 and b"not valid" in page.content
    assert response.status_code == 404
    patient.refresh_from_db()
    assert patient.user is None


@pytest.mark.django_db
def test_mismatched_passwords_keep_the_link_usable(client, physio_a):
    patient = patient_without_account(physio_a)
    invitation = services.send_invitation(patient=patient, by=physio_a.user)
    path = reverse("accept-invitation", kwargs={"token": services.invitation_token(invitation)})

    response = client.post(
        path, {"password1": "a-long-good-pass-42", "password2": "different-pass-42"}
    )

    assert response.status_code == 200
    assert b"The two passwords are not the same." in response.content
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.worker
def test_invitation_is_sent_by_a_real_worker_over_redis(celery_worker, physio_a, smtp_server):
    patient = services.invite_patient(
        physio=physio_a,
        first_name="Max",
        last_name="Ray",
        date_of_birth="1970-02-02",
        email="max@example.com",
        timezone="America/New_York",
    )

    [message] = smtp_server.wait_for(1, timeout=30)

    assert message["To"] == "max@example.com"
    invitation = Invitation.objects.get(patient=patient)
    for _ in range(100):
        invitation.refresh_from_db()
        if invitation.sent_at:
            break
        time.sleep(0.1)
    assert invitation.sent_at is not None


@pytest.mark.django_db
def test_plain_text_emails_print_names_as_written(physio_a, mailoutbox):
    from django.template.loader import render_to_string

    patient = patient_without_account(physio_a)
    Patient.objects.filter(pk=patient.pk).update(first_name="Dara O'Brien")
    physio_a.clinic.name = "Smith & Sons <Physio>"
    physio_a.clinic.save()
    invitation = services.send_invitation(patient=patient, by=physio_a.user)

    services.send_invitation_email(invitation_id=invitation.pk)
    ready = render_to_string(
        "emails/program_ready.txt",
        {"patient": Patient.objects.get(pk=patient.pk), "clinic": physio_a.clinic, "url": "u"},
    )

    [message] = mailoutbox
    assert "Hello Dara O'Brien," in message.body
    assert "at Smith & Sons <Physio> has set up" in message.body
    assert "Hello Dara O'Brien," in ready and "from Smith & Sons <Physio> is ready" in ready
    html = message.alternatives[0][0]
    assert "Dara O&#x27;Brien" in html and "Smith &amp; Sons &lt;Physio&gt;" in html
