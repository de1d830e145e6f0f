"""The clinic's logo is on page 1 of its patients' PDFs and never on another clinic's; the
emails carry it inline (issue #20, item 3)."""

import io
import re

import pytest
from django.core import mail
from pypdf import PdfReader

from accounts import services as accounts_services
from accounts.models import Clinic
from documents import pdf
from documents.models import ProgramDocument
from documents.services import program_html
from tests.accounts.logo_images import LOGO_COLOUR, LOGO_SIZE, logo_bytes
from tests.documents.conftest import make_plan, publish
from tests.factories import PatientFactory


def images_by_page(data: bytes) -> list[list]:
    """The images each page draws (its content's `/Name Do` of an image XObject): WeasyPrint
    shares one resource dictionary between pages, so `page.images` lists them on every page."""
    drawn = []
    for page in PdfReader(io.BytesIO(data)).pages:
        used = set(re.findall(rb"/([^\s/]+)\s+Do\b", page.get_contents().get_data()))
        xobjects = page["/Resources"].get_object().get("/XObject", {})
        drawn.append(
            [
                image.image
                for image in page.images
                if image.name.split(".")[0].encode() in used
                and xobjects[f"/{image.name.split('.')[0]}"].get_object()["/Subtype"] == "/Image"
            ]
        )
    return drawn


def rendered(revision) -> bytes:
    return pdf.render_pdf(program_html(ProgramDocument(revision=revision, is_large_print=False)))


@pytest.mark.django_db
def test_the_logo_is_on_page_one_of_its_clinics_pdf_and_not_on_anothers(
    physio_a, physio_b, catalogue
):
    accounts_services.update_clinic(
        clinic=Clinic.objects.get(pk=physio_a.clinic_id),
        by=physio_a.user,
        logo=logo_bytes(),
        remove_logo=False,
        brand_colour="#0b5d3b",
    )
    own = publish(make_plan(PatientFactory(physiotherapist=physio_a)))
    other = publish(make_plan(PatientFactory(physiotherapist=physio_b)))

    own_pages = images_by_page(rendered(own))
    other_pages = images_by_page(rendered(other))

    (logo,) = own_pages[0]
    assert logo.size == LOGO_SIZE
    assert logo.convert("RGB").getpixel((5, 5)) == LOGO_COLOUR
    assert [images for images in own_pages[1:] if images] == []
    assert [images for images in other_pages if images] == []


@pytest.mark.django_db
def test_the_invitation_email_carries_the_logo_inline(
    physio_a, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    accounts_services.update_clinic(
        clinic=Clinic.objects.get(pk=physio_a.clinic_id),
        by=physio_a.user,
        logo=logo_bytes(),
        remove_logo=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        patient = accounts_services.invite_patient(
            physio=physio_a,
            first_name="Ria",
            last_name="Shah",
            email="ria@example.com",
            date_of_birth=PatientFactory.date_of_birth,
            timezone="Europe/London",
            language="en",
        )

    (message,) = [m for m in mail.outbox if patient.email in m.to]
    html = message.alternatives[0][0]
    parts = [part for part in message.message().walk() if part.get("Content-ID")]

    assert 'src="cid:clinic-logo"' in html
    assert [part.get("Content-ID") for part in parts] == ["<clinic-logo>"]
    assert parts[0].get_content_type() == "image/png"
