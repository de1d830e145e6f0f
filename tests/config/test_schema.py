from django.core.management import call_command


def test_openapi_schema_validates_without_warnings(tmp_path, db):
    output = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(output))

    assert "/api/v1/plans/{id}/publish/" in output.read_text()
