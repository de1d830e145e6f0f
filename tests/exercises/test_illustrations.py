"""An exercise's drawing on its URL and in the API: content-hashed, long-cached, private."""

import pytest
from django.urls import reverse

from exercises.illustrations import illustration_url, illustrations_for, start_frame_png
from exercises.models import Exercise
from exercises.views import DRAWING_CACHE_CONTROL

DRAWING = {
    "view": "left",
    "props": ["chair"],
    "frames": [
        {"label": "start", "pose": "sitting"},
        {"label": "end", "pose": "sitting", "neck": 30},
    ],
}


@pytest.mark.django_db
def test_a_frame_is_served_as_svg_with_a_year_of_cache(client, physio_a, catalogue):
    exercise = Exercise.objects.get(key="F03")
    client.force_login(physio_a.user)
    frame = illustrations_for(exercise)[1]

    response = client.get(illustration_url(exercise.pk, frame))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert (
        response["Cache-Control"]
        == DRAWING_CACHE_CONTROL
        == ("private, max-age=31536000, immutable")
    )
    assert response.content.decode() == frame.svg
    assert frame.digest in illustration_url(exercise.pk, frame)


@pytest.mark.django_db
def test_a_stale_hash_or_frame_number_is_not_found(client, physio_a, catalogue):
    exercise = Exercise.objects.get(key="F03")
    client.force_login(physio_a.user)
    args = {"pk": exercise.pk, "index": 0, "digest": "0" * 16}

    stale = client.get(reverse("exercise-drawing", kwargs=args))
    beyond = client.get(
        reverse(
            "exercise-drawing",
            kwargs=args | {"index": 5, "digest": illustrations_for(exercise)[0].digest},
        )
    )

    assert (stale.status_code, beyond.status_code) == (404, 404)


@pytest.mark.django_db
def test_another_clinics_private_drawing_is_not_found(client, physio_a, physio_b, catalogue):
    private = Exercise.objects.create(
        key="OWN-1",
        clinic=physio_a.clinic,
        name="Own chin nod",
        category="posture",
        regions=["cervical"],
        position="sitting",
        direction="neutral",
        difficulty=1,
        phases=["P2"],
        reps=5,
        steps=["Sit.", "Nod.", "Relax."],
        drawing=DRAWING,
    )
    frame = illustrations_for(private)[0]

    client.force_login(physio_b.user)
    refused = client.get(illustration_url(private.pk, frame))
    client.force_login(physio_a.user)
    allowed = client.get(illustration_url(private.pk, frame))

    assert (refused.status_code, allowed.status_code) == (404, 200)


@pytest.mark.django_db
def test_the_api_detail_lists_the_frames_with_their_urls(api, physio_a, catalogue):
    exercise = Exercise.objects.get(key="F04")

    body = api.as_user(physio_a.user).get(f"/api/v1/exercises/{exercise.key}/").json()

    assert body["illustrations"] == [
        {"url": f"http://testserver{illustration_url(exercise.pk, frame)}", "label": frame.label}
        for frame in illustrations_for(exercise)
    ]
    assert [frame["label"] for frame in body["illustrations"]] == ["start", "cat", "camel"]


@pytest.mark.django_db
def test_the_schema_documents_illustrations(api, staff_user):
    schema = api.as_user(staff_user).get("/api/v1/schema/?format=json")

    components = schema.json()["components"]["schemas"]
    assert components["ExerciseDetail"]["properties"]["illustrations"]["items"] == {
        "$ref": "#/components/schemas/Illustration"
    }
    assert sorted(components["Illustration"]["properties"]) == ["label", "url"]


@pytest.mark.django_db
def test_an_exercise_without_a_drawing_keeps_its_pictogram(client, physio_a, catalogue):
    Exercise.objects.filter(key="F03").update(drawing={})
    client.force_login(physio_a.user)

    content = client.get(reverse("exercise-detail", args=["F03"])).content.decode()

    assert 'src="/static/pictograms/supine.svg"' in content
    assert "/exercises/drawings/" not in content
    assert start_frame_png(Exercise.objects.get(key="F03")) is None
