"""The API docs page works in a real browser under the Content-Security-Policy (the page
fixture fails the test on any violation the browser reports)."""

import pytest

pytestmark = pytest.mark.browser


def test_the_api_docs_render_under_the_policy(page, screenshot):
    page.goto("/api/v1/docs/")

    page.wait_for_selector(".swagger-ui .info .title")
    screenshot("docs", full_page=False)
    assert "Back care programs API" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 10  # the operations, read from the schema
