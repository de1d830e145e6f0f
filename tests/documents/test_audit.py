"""Every download of a PDF program is recorded once, on the page and the API, with a login or
a signed link; asking for its status is not a read of the PDF."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from documents import services
from documents.models import ProgramDocument

pytestmark = pytest.mark.django_db


def make_ready(document: ProgramDocument) -> ProgramDocument:
    """A stored PDF (its content does not matter here, WeasyPrint's time does)."""
    name = default_storage.save("programs/audit.pdf", ContentFile(b"%PDF-1.4\n%audit\n"))
    ProgramDocument.objects.filter(pk=document.pk).update(
        status=ProgramDocument.Status.READY, file=name, finished_at=timezone.now()
    )
    document.refresh_from_db()
    return document


@pytest.fixture
def document(revision) -> ProgramDocument:
    return make_ready(revision.documents.get(is_large_print=False))


def views_recorded() -> list[tuple]:
    return list(
        AuditEvent.objects.filter(action="view")
        .order_by("id")
        .values_list("actor", "patient", "detail")
    )


def page(document) -> str:
    return reverse("document-download", args=[document.pk])


def api_url(document) -> str:
    return reverse("api-document-download", args=[document.pk])


@pytest.mark.parametrize("persona", ["physio_a", "patient_a1"])
@pytest.mark.parametrize("where", ["page", "api"])
def test_a_download_with_a_login_is_recorded_once(
    client, api, request, patient_a1, document, persona, where
):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)
    if where == "page":
        client.force_login(user)
        response = client.get(page(document))
    else:
        response = api.as_user(user).get(api_url(document))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert views_recorded() == [
        (user.pk, patient_a1.pk, f"downloaded PDF of plan {document.revision.plan_id} r1")
    ]


@pytest.mark.parametrize("url", [page, api_url], ids=["page", "api"])
def test_a_download_with_a_signed_link_is_recorded_once_without_an_actor(
    client, patient_a1, document, url
):
    response = client.get(url(document), {"token": services.download_token(document)})

    assert response.status_code == 200
    assert views_recorded() == [
        (
            None,
            patient_a1.pk,
            f"downloaded PDF of plan {document.revision.plan_id} r1 with a signed link",
        )
    ]


def test_the_large_print_download_says_so(client, physio_a, patient_a1, revision):
    large = make_ready(services.request_program_pdf(revision=revision, large_print=True))
    client.force_login(physio_a.user)

    response = client.get(page(large))

    assert response.status_code == 200
    assert views_recorded() == [
        (
            physio_a.user.pk,
            patient_a1.pk,
            f"downloaded large-print PDF of plan {revision.plan_id} r1",
        )
    ]


@pytest.mark.parametrize("persona", ["physio_b", "patient_a2"])
def test_others_download_nothing_and_nothing_is_recorded(client, api, request, document, persona):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)
    client.force_login(user)

    answers = (client.get(page(document)).status_code, api.as_user(user).get(api_url(document)))

    assert (answers[0], answers[1].status_code) == (404, 404)
    assert views_recorded() == []


def test_a_pdf_not_ready_yet_is_not_found_and_not_recorded(client, physio_a, revision):
    pending = revision.documents.get()
    client.force_login(physio_a.user)

    response = client.get(page(pending))

    assert response.status_code == 404
    assert views_recorded() == []


def test_polling_the_status_is_not_a_read_of_the_pdf(client, api, physio_a, document):
    revision = document.revision
    client.force_login(physio_a.user)

    status = client.get(reverse("document-status", args=[revision.plan_id, revision.number]))
    api_status = api.as_user(physio_a.user).get(
        reverse("api-revision-document", args=[revision.plan_id, revision.number])
    )

    assert (status.status_code, api_status.status_code) == (200, 200)
    assert views_recorded() == []
