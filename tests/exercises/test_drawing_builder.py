"""A physio builds their clinic exercise's drawing from library poses, previewed live."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from exercises.illustrations import illustration_url, illustrations_for, library_poses
from exercises.models import Exercise


@pytest.fixture
def own_exercise(physio_a, catalogue):
    return Exercise.objects.create(
        key="OWN-1",
        clinic=physio_a.clinic,
        name="Chair knee lift",
        category="core",
        regions=["lumbar"],
        position="sitting",
        direction="neutral",
        difficulty=1,
        phases=["P2"],
        reps=8,
        steps=["Sit tall.", "Lift one knee.", "Lower it slowly."],
    )


def url(exercise) -> str:
    return reverse("exercise-drawing-builder", args=[exercise.key])


CHOICE = {"view": "left", "start": "sitting", "end": "C13:lean", "props": ["chair"]}


@pytest.mark.django_db
def test_the_library_offers_base_poses_and_every_catalogue_frame(catalogue):
    poses = library_poses()

    assert list(poses)[:3] == ["standing", "sitting", "lying_back"]
    assert poses["F04:camel"].angles["lean"] == 96
    # A frame drawn from its own view keeps it (side lying is seen from above).
    assert poses["SC06:side"].view == "above"
    assert "view" not in poses["SC06:side"].angles
    assert poses["F04:camel"].label == "F04 Cat and camel: camel"


@pytest.mark.django_db
def test_the_preview_draws_the_chosen_poses_without_saving(client, physio_a, own_exercise):
    client.force_login(physio_a.user)

    response = client.post(url(own_exercise), {**CHOICE, "preview": "1"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.count('src="data:image/svg+xml;base64,') == 2
    assert "Chair knee lift: start" in html and "Chair knee lift: end" in html
    own_exercise.refresh_from_db()
    assert own_exercise.drawing == {}


@pytest.mark.django_db
def test_saving_stores_the_drawing_and_the_detail_page_shows_it(client, physio_a, own_exercise):
    client.force_login(physio_a.user)

    response = client.post(url(own_exercise), CHOICE)

    assert response.status_code == 302
    own_exercise.refresh_from_db()
    assert [frame["label"] for frame in own_exercise.drawing["frames"]] == ["start", "end"]
    assert own_exercise.drawing["props"] == ["chair"]
    assert own_exercise.drawing["frames"][1]["lean"] == 35
    detail = client.get(reverse("exercise-detail", args=[own_exercise.key])).content.decode()
    assert len(illustrations_for(own_exercise)) == 2
    assert all(frame.digest in detail for frame in illustrations_for(own_exercise))


@pytest.mark.django_db
def test_the_same_pose_twice_is_refused_on_the_end_field(client, physio_a, own_exercise):
    client.force_login(physio_a.user)

    response = client.post(url(own_exercise), {**CHOICE, "end": "sitting"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"end": ["The start and end poses are the same."]}
    own_exercise.refresh_from_db()
    assert own_exercise.drawing == {}


@pytest.mark.django_db
def test_an_unknown_pose_names_the_field(client, physio_a, own_exercise):
    client.force_login(physio_a.user)

    response = client.post(url(own_exercise), {**CHOICE, "start": "Z99:start"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["start"]


@pytest.mark.django_db
def test_another_clinic_and_global_exercises_have_no_builder(client, physio_b, own_exercise):
    client.force_login(physio_b.user)

    other = client.post(url(own_exercise), CHOICE)
    global_one = client.get(reverse("exercise-drawing-builder", args=["F01"]))

    assert (other.status_code, global_one.status_code) == (404, 404)
    own_exercise.refresh_from_db()
    assert own_exercise.drawing == {}


def picture(fmt: str, size=(1200, 900)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, "white").save(output, format=fmt)
    return output.getvalue()


def upload_url(exercise) -> str:
    return reverse("exercise-picture-upload", args=[exercise.key])


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_an_uploaded_picture_is_re_encoded_as_png_and_shown(
    client, physio_a, own_exercise, fmt, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    client.force_login(physio_a.user)
    upload = SimpleUploadedFile(f"p.{fmt.lower()}", picture(fmt), content_type="image/png")

    response = client.post(upload_url(own_exercise), {"picture": upload})

    assert response.status_code == 302
    own_exercise.refresh_from_db()
    assert own_exercise.picture_file.startswith("exercise-pictures/")
    [frame] = illustrations_for(own_exercise)
    with Image.open(io.BytesIO(frame.png)) as stored:
        assert (stored.format, stored.size) == ("PNG", (800, 600))
    served = client.get(illustration_url(own_exercise.pk, frame))
    assert (served.status_code, served["Content-Type"]) == (200, "image/png")
    assert served.content == frame.png
    detail = client.get(reverse("exercise-detail", args=[own_exercise.key])).content.decode()
    assert illustration_url(own_exercise.pk, frame) in detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "x.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "Upload a PNG or JPEG picture.",
        ),
        ("x.gif", picture("GIF", (10, 10)), "Upload a PNG or JPEG picture."),
        ("x.png", b"\x89PNG\r\n\x1a\nbroken", "Upload a PNG or JPEG picture."),
        ("x.png", b"0" * (5 * 1024 * 1024 + 1), "Upload a picture of 5 MB or less."),
    ],
)
def test_svg_other_formats_broken_and_large_files_are_refused_on_the_field(
    client, physio_a, own_exercise, name, content, message
):
    client.force_login(physio_a.user)

    response = client.post(upload_url(own_exercise), {"picture": SimpleUploadedFile(name, content)})

    assert response.status_code == 400
    assert response.context["upload_form"].errors == {"picture": [message]}
    own_exercise.refresh_from_db()
    assert own_exercise.picture_file == ""


@pytest.mark.django_db
def test_another_clinic_cannot_upload(client, physio_b, own_exercise):
    client.force_login(physio_b.user)

    response = client.post(
        upload_url(own_exercise), {"picture": SimpleUploadedFile("p.png", picture("PNG"))}
    )

    assert response.status_code == 404
    own_exercise.refresh_from_db()
    assert own_exercise.picture_file == ""
