import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from exercises.catalogue_file import DEFAULT_CATALOGUE_PATH
from exercises.models import Exercise


def write_catalogue(tmp_path, mutate) -> str:
    data = yaml.safe_load(DEFAULT_CATALOGUE_PATH.read_text())
    mutate(data["exercises"])
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


def entry(entries, key):
    return next(item for item in entries if item["id"] == key)


@pytest.mark.django_db
def test_first_load_creates_everything_and_second_reports_unchanged(capsys):
    call_command("load_catalogue")
    first = capsys.readouterr().out
    call_command("load_catalogue")
    second = capsys.readouterr().out

    count = Exercise.objects.count()
    assert count >= 59
    assert f"created {count}, updated 0, unchanged 0" in first
    assert f"created 0, updated 0, unchanged {count}" in second
    assert set(Exercise.objects.values_list("category", flat=True)) == {
        "self_care",
        "flexibility",
        "core",
        "posture",
        "aerobic",
    }
    for region in ("cervical", "thoracic", "lumbar"):
        assert Exercise.objects.for_region(region).exists()


@pytest.mark.django_db
def test_links_are_resolved_by_key(catalogue):
    f01 = Exercise.objects.get(key="F01")
    assert f01.progression.key == "C01"


@pytest.mark.django_db
def test_a_changed_entry_is_reported_updated(tmp_path, capsys, catalogue):
    count = catalogue.count()
    path = write_catalogue(
        tmp_path, lambda items: entry(items, "F01").update(name="Pelvic tilt (lying)")
    )

    call_command("load_catalogue", file=path)

    assert f"created 0, updated 1, unchanged {count - 1}" in capsys.readouterr().out
    assert Exercise.objects.get(key="F01").name == "Pelvic tilt (lying)"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "entry_id", "field"),
    [
        (lambda items: entry(items, "F02").pop("name"), "F02", "name"),
        (lambda items: entry(items, "F03").update(difficulty=7), "F03", "difficulty"),
        (lambda items: entry(items, "C01").update(regions=["lumbar", "sacral"]), "C01", "regions"),
        (lambda items: entry(items, "PO01").update(progression="ZZ99"), "PO01", "progression"),
    ],
)
def test_an_invalid_file_is_refused_naming_entry_and_field_and_changes_nothing(
    tmp_path, catalogue, mutate, entry_id, field
):
    before = list(Exercise.objects.order_by("key").values())
    path = write_catalogue(
        tmp_path, lambda items: (entry(items, "F01").update(name="Changed name"), mutate(items))
    )

    with pytest.raises(CommandError) as raised:
        call_command("load_catalogue", file=path)

    assert "nothing was changed" in str(raised.value)
    assert entry_id in str(raised.value)
    assert field in str(raised.value)
    assert list(Exercise.objects.order_by("key").values()) == before


@pytest.mark.django_db
def test_invalid_file_on_an_empty_database_writes_nothing(tmp_path):
    path = write_catalogue(tmp_path, lambda items: entry(items, "F03").update(difficulty=7))

    with pytest.raises(CommandError):
        call_command("load_catalogue", file=path)

    assert not Exercise.objects.exists()
