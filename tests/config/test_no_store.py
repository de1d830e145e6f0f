"""Answers that carry patient data are never kept by a browser or proxy cache."""

import pytest
from django.urls import reverse

from followup.services import check_in_token


@pytest.mark.django_db
def test_pages_api_answers_and_signed_links_are_no_store(client, api, physio_a, patient_a1):
    client.force_login(physio_a.user)
    page = client.get(reverse("patient-detail", args=[patient_a1.pk]))
    listing = api.as_user(physio_a.user).get("/api/v1/patients/")
    link = client.get(reverse("check-in-link", kwargs={"token": check_in_token(patient_a1)}))
    refused = api.as_user(patient_a1.user).get(f"/api/v1/patients/{patient_a1.pk}/")

    for response in (page, listing, link, refused):
        assert "no-store" in response["Cache-Control"], response


@pytest.mark.django_db
def test_a_view_that_sets_its_own_caching_keeps_it(client):
    login = client.get(reverse("login"))  # never_cache: Django's own, stricter still

    assert login["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/css/site.css")

    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
