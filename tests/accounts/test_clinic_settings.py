"""The clinic admin's settings page: details, emergency wording, colour and logo (issue #20,
item 3). The logo is re-encoded, size-limited, private, and shown only to its own clinic."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Clinic
from tests.accounts.logo_images import LOGO_COLOUR, LOGO_SIZE, logo_bytes
from tests.factories import PatientFactory

SETTINGS = reverse("clinic-settings")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media", "base_url": None},
        },
    }


@pytest.fixture
def clinic_admin(physio_a):
    physio_a.is_clinic_admin = True
    physio_a.save(update_fields=["is_clinic_admin"])
    return physio_a


def form_data(**changes):
    return {
        "name": "Riverside Physio",
        "address": "1 River Road\nTown",
        "phone": "01234 567890",
        "email": "desk@riverside.example",
        "emergency_wording": "Call 999 or go to A&E.",
        "brand_colour": "#0b5d3b",
        **changes,
    }


def upload(data: bytes, name="logo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.django_db
def test_the_clinic_admin_saves_details_colour_and_a_re_encoded_logo(client, clinic_admin):
    client.force_login(clinic_admin.user)
    big = logo_bytes(size=(1200, 400))

    response = client.post(SETTINGS, form_data(logo_upload=upload(big)))

    assert response.status_code == 302
    clinic = Clinic.objects.get(pk=clinic_admin.clinic_id)
    assert (clinic.name, clinic.phone, clinic.brand_colour) == (
        "Riverside Physio",
        "01234 567890",
        "#0b5d3b",
    )
    assert clinic.emergency_wording == "Call 999 or go to A&E."
    assert clinic.logo.name.startswith(f"clinics/clinic-{clinic.pk}-")
    with default_storage.open(clinic.logo.name) as stored, Image.open(stored) as image:
        assert (image.format, image.size) == ("PNG", (600, 200))
        assert image.getpixel((10, 10))[:3] == LOGO_COLOUR


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"GIF89a" + b"\0" * 100, "logo.gif", "could not be read"),
        (logo_bytes("GIF"), "logo.gif", "must be a PNG or JPEG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg", "could not be read"),
        (b"\x89PNG" + b"\0" * (2 * 1024 * 1024), "huge.png", "at most 2 MB"),
    ],
)
@pytest.mark.django_db
def test_a_logo_that_is_not_a_usable_png_or_jpeg_is_refused_naming_the_field(
    client, clinic_admin, data, name, message
):
    client.force_login(clinic_admin.user)

    response = client.post(SETTINGS, form_data(logo_upload=upload(data, name=name)))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["logo_upload"])
    assert not Clinic.objects.get(pk=clinic_admin.clinic_id).logo


@pytest.mark.django_db
def test_a_colour_white_text_cannot_be_read_on_is_refused(client, clinic_admin):
    client.force_login(clinic_admin.user)

    response = client.post(SETTINGS, form_data(brand_colour="#ffee00"))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["brand_colour"]
    assert Clinic.objects.get(pk=clinic_admin.clinic_id).brand_colour == "#1f5f8b"


@pytest.mark.django_db
def test_only_the_clinic_admin_opens_the_settings(client, physio_a, patient_a1):
    client.force_login(physio_a.user)  # a physio, not the clinic's admin
    refused = client.post(SETTINGS, form_data(name="Taken over"))

    assert refused.status_code == 404
    assert Clinic.objects.get(pk=physio_a.clinic_id).name == "Clinic A"


@pytest.mark.django_db
def test_the_logo_and_colour_reach_the_clinics_own_patients_only(
    client, clinic_admin, physio_b, django_user_model
):
    client.force_login(clinic_admin.user)
    client.post(SETTINGS, form_data(logo_upload=upload(logo_bytes("JPEG"), "l.jpg", "image/jpeg")))
    own = PatientFactory(physiotherapist=clinic_admin, with_account=True)
    other = PatientFactory(physiotherapist=physio_b, with_account=True)

    client.force_login(own.user)
    logo = client.get(reverse("clinic-logo"))
    style = client.get(reverse("clinic-style")).content.decode()
    today = client.get(reverse("patient-home")).content.decode()
    client.force_login(other.user)
    others_logo = client.get(reverse("clinic-logo"))
    others_style = client.get(reverse("clinic-style")).content.decode()

    assert logo.status_code == 200 and logo["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(logo.content)).size == LOGO_SIZE
    assert "--brand: #0b5d3b;" in style
    assert 'class="clinic-logo"' in today and "Riverside Physio" in today
    assert others_logo.status_code == 404
    assert "--brand: #1f5f8b;" in others_style
