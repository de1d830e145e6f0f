import re

import pytest
from django.urls import reverse

from exercises.illustrations import illustration_url, illustrations_for
from exercises.models import Exercise


@pytest.mark.django_db
def test_catalogue_page_filters_and_shows_each_exercises_drawing(client, physio_a, catalogue):
    client.force_login(physio_a.user)

    response = client.get(reverse("exercise-list"), {"region": "cervical", "category": "posture"})

    shown = list(response.context["page"].object_list)
    assert [e.key for e in shown] == sorted(
        e.key for e in catalogue if "cervical" in e.regions and e.category == "posture"
    )
    html = response.content.decode()
    expected = [illustration_url(e.pk, frame) for e in shown for frame in illustrations_for(e)]
    assert len(expected) >= 2 * len(shown)
    assert re.findall(r'src="(/exercises/drawings/[^"]+)"', html) == expected
    assert "pictograms/" not in html


@pytest.mark.django_db
def test_catalogue_page_htmx_returns_only_results(client, physio_a, catalogue):
    client.force_login(physio_a.user)

    response = client.get(
        reverse("exercise-list"), {"search": "zzzz-nothing"}, HTTP_HX_REQUEST="true"
    )

    assert b"No exercises match" in response.content
    assert b"<html" not in response.content


@pytest.mark.django_db
def test_detail_page_shows_steps_dosage_and_links(client, physio_a, catalogue):
    client.force_login(physio_a.user)
    exercise = Exercise.objects.get(key="F01")

    response = client.get(reverse("exercise-detail", args=["F01"]))

    content = response.content.decode()
    assert exercise.steps[0] in content
    urls = [illustration_url(exercise.pk, frame) for frame in illustrations_for(exercise)]
    assert re.findall(r'src="(/exercises/drawings/[^"]+)"', content) == urls
    assert len(urls) == 2
    assert reverse("exercise-detail", args=["C01"]) in content


@pytest.mark.django_db
def test_private_exercise_page_is_404_for_another_clinic(client, physio_a, physio_b, catalogue):
    Exercise.objects.create(
        key="PRIV1",
        clinic=physio_a.clinic,
        name="Private",
        category="aerobic",
        regions=["lumbar"],
        position="standing",
        direction="neutral",
        difficulty=1,
        phases=["P2"],
        minutes=5,
        steps=["a", "b", "c"],
    )
    client.force_login(physio_b.user)

    assert client.get(reverse("exercise-detail", args=["PRIV1"])).status_code == 404
    listing = client.get(reverse("exercise-list"), {"search": "Private"})
    assert [e.key for e in listing.context["page"].object_list] == []


@pytest.mark.django_db
def test_patients_cannot_browse_the_catalogue(client, patient_a1, catalogue):
    client.force_login(patient_a1.user)

    assert client.get(reverse("exercise-list")).status_code == 404
