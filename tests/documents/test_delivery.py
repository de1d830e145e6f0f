"""Who may see a program PDF (404 for everyone else), signed links, and the ready email."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import AuditEvent
from documents import services
from documents.models import ProgramDocument
from tests.documents.conftest import item_names, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_revision(draft_plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return publish(draft_plan)


@pytest.fixture
def document(ready_revision):
    return ProgramDocument.objects.get(revision=ready_revision, is_large_print=False)


def urls(revision, document) -> dict[str, str]:
    return {
        "status": reverse("document-status", args=[revision.plan_id, revision.number]),
        "download": reverse("document-download", args=[document.pk]),
        "api_status": reverse("api-revision-document", args=[revision.plan_id, revision.number]),
        "api_download": reverse("api-document-download", args=[document.pk]),
    }


def state() -> tuple:
    return (
        tuple(ProgramDocument.objects.order_by("id").values_list("id", "status", "attempts")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("persona", ["physio_a", "patient_a1"])
def test_the_clinic_physio_and_the_patient_download_the_pdf(
    client, request, persona, ready_revision, document
):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)
    client.force_login(user)

    status = client.get(urls(ready_revision, document)["status"])
    response = client.get(urls(ready_revision, document)["download"])

    assert 'href="' + urls(ready_revision, document)["download"] in status.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="exercise-program-r1.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("persona", ["physio_b", "patient_a2"])
def test_other_clinic_and_other_patient_get_404_and_change_nothing(
    client, api, request, persona, ready_revision, document
):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)
    client.force_login(user)
    api.as_user(user)
    links = urls(ready_revision, document)
    request_url = reverse("document-request", args=[ready_revision.plan_id, 1])
    before = state()

    answers = [
        client.get(links["status"]).status_code,
        client.get(links["download"]).status_code,
        client.post(request_url, {"large_print": "1"}).status_code,
        api.get(links["api_status"]).status_code,
        api.post(links["api_status"], {"large_print": True}, format="json").status_code,
        api.get(links["api_download"]).status_code,
    ]

    assert answers == [404] * 6
    assert state() == before


def test_api_post_answers_202_and_get_gives_a_signed_link_that_works_without_login(
    api, client, physio_a, ready_revision, django_capture_on_commit_callbacks
):
    api.as_user(physio_a.user)
    url = reverse("api-revision-document", args=[ready_revision.plan_id, 1])

    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(url, {"large_print": True}, format="json")
    status = api.get(url, {"large_print": "true"})

    assert created.status_code == 202
    assert created.json()["large_print"] is True
    assert created.json()["status"] == "pending"
    assert created.json()["download_url"] is None
    assert status.status_code == 200
    body = status.json()
    assert body["status"] == "ready"
    link = body["download_url"]
    assert link.startswith("http://testserver/api/v1/documents/")
    download = client.get(link.removeprefix("http://testserver"))
    assert download.status_code == 200
    assert "exercise-program-r1-large-print.pdf" in download["Content-Disposition"]


def test_expired_or_tampered_signed_links_are_refused(client, clock, document):
    token = services.download_token(document)
    url = reverse("api-document-download", args=[document.pk])
    page_url = reverse("document-download", args=[document.pk])
    before = state()

    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    other_id = reverse("api-document-download", args=[document.pk + 1])
    answers = [
        client.get(url, {"token": tampered}).status_code,
        client.get(page_url, {"token": tampered}).status_code,
        client.get(other_id, {"token": token}).status_code,
    ]
    clock.advance(seconds=services.DOWNLOAD_MAX_AGE.total_seconds() + 5)
    answers.append(client.get(url, {"token": token}).status_code)
    answers.append(client.get(page_url, {"token": token}).status_code)

    assert answers == [404] * 5
    assert state() == before


def test_status_fragment_polls_while_rendering_and_stops_when_ready(client, physio_a, revision):
    client.force_login(physio_a.user)
    url = reverse("document-status", args=[revision.plan_id, revision.number])

    pending = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    services.render_program_pdf(document_id=revision.documents.get().pk)
    ready = client.get(url, HTTP_HX_REQUEST="true").content.decode()

    assert 'hx-trigger="every 2s"' in pending and f'hx-get="{url}"' in pending
    assert "hx-trigger" not in ready
    assert "Download PDF" in ready


def test_failed_document_shows_the_reason_and_a_retry(
    client, physio_a, revision, django_capture_on_commit_callbacks
):
    document = revision.documents.get()
    services.record_render_failure(document_id=document.pk, error="ValueError: bad layout")
    client.force_login(physio_a.user)
    url = reverse("document-status", args=[revision.plan_id, revision.number])
    request_url = reverse("document-request", args=[revision.plan_id, revision.number])

    failed = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(request_url, HTTP_HX_REQUEST="true")

    assert "ValueError: bad layout" in failed and "Try again" in failed
    assert 'hx-trigger="every 2s"' in retried.content.decode()
    assert "Download PDF" in client.get(url).content.decode()


def test_template_tags_render_for_the_editor_and_the_patient_page(
    rf, physio_a, patient_a1, ready_revision
):
    from django.template import Context, Template

    editor = Template("{% load documents %}{% program_pdf_status revision %}").render(
        Context({"revision": ready_revision})
    )
    patient = Template("{% load documents %}{% patient_program_pdf patient %}").render(
        Context({"patient": patient_a1})
    )
    nothing = Template("{% load documents %}{% program_pdf_status revision %}").render(
        Context({"revision": None})
    )

    assert "Download PDF" in editor and "Create Large print PDF" in editor
    assert "Download PDF" in patient
    assert nothing.strip() == ""


HEALTH_WORDS = ("pain", "spasm", "back", "injur", "phase", "settle", "symptom", "diagnos")


def test_program_ready_email_has_no_health_details_and_a_working_link(
    smtp_server, client, patient_a1, draft_plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        revision = publish(draft_plan)

    [message] = smtp_server.wait_for(1)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert message["Subject"] == "Your exercise program is ready"
    assert message["To"] == patient_a1.email
    assert message["From"].startswith(f"{patient_a1.clinic.name} <")
    visible_html = re.sub(r"<[^>]+>", " ", html)
    for part in (message["Subject"], text, visible_html):
        lowered = part.lower()
        assert not [word for word in HEALTH_WORDS if word in lowered]
        assert not [name for name in item_names(revision) if name.lower() in lowered]
    link = settings.SITE_URL + reverse("patient-home")
    assert link in text and f'href="{link}"' in html
    client.force_login(patient_a1.user)
    assert client.get(re.sub(r"^https?://[^/]+", "", link)).status_code == 200
    # Delivered again: the claim on the row keeps it to one email.
    assert services.send_program_ready_email(document_id=revision.documents.get().pk) is False
    assert len(smtp_server.messages) == 1
