"""A URL no route matches: the API's one error shape under /api/, the site's page elsewhere."""

import pytest


@pytest.mark.parametrize("path", ["/api/v1/plans/abc/", "/api/v1/nothing-here/"])
def test_an_unrouted_api_url_answers_404_in_the_error_shape(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "Not found.", "fields": {}}


def test_an_unrouted_page_answers_the_html_404_page(client):
    response = client.get("/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
