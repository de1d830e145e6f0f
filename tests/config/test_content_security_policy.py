"""A Content-Security-Policy on every page: our own scripts, styles and images, nothing
inline (the browser journeys fail on any violation the policy reports in the console)."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_pages_carry_a_policy_without_inline_script_or_style(client, physio_a, patient_a1):
    client.force_login(physio_a.user)

    response = client.get(reverse("patient-detail", args=[patient_a1.pk]))

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "<script>" not in response.content.decode()
    htmx_config = """{"includeIndicatorStyles": false, "attributesToSettle": ["class", "width", """
    assert f"""<meta name="htmx-config" content='{htmx_config}""" in response.content.decode()


@pytest.mark.django_db
def test_the_api_docs_load_their_start_up_script_from_a_url(client):
    page = client.get("/api/v1/docs/")
    script = client.get("/api/v1/docs/?script=")

    assert page.status_code == 200
    assert "<script>" not in page.content.decode()
    assert 'src="/api/v1/docs/?script="' in page.content.decode()
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
