"""The exercise catalogue in every language (issue #17): the loader refuses a translation file
that lacks an entry or a text (naming both), the real catalogue loads in every language of the
site, the texts are stored and frozen into published revisions, and the catalogue's pages and
API answer in the active language."""

from __future__ import annotations

import re

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from exercises.catalogue_file import (
    DEFAULT_CATALOGUE_PATH,
    TRANSLATED_FIELDS,
    CatalogueFileError,
    load_catalogue_file,
    translation_path,
    with_translation,
)
from exercises.illustrations import illustrations_for, library_poses
from exercises.models import Exercise
from exercises.services import catalogue_languages
from exercises.templatetags.exercises import exercise_frames
from tests.exercises.test_api import LIST, PRIVATE
from tests.exercises.test_lean_reads import serializer_answer
from tests.followup.conftest import publish_plan_for

ES_PATH = translation_path(DEFAULT_CATALOGUE_PATH, "es")
ENGLISH = load_catalogue_file()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request activates its language for the thread (LocaleMiddleware leaves it active):
    later tests in this process expect English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _es_document() -> dict:
    return yaml.safe_load(ES_PATH.read_text(encoding="utf-8"))


def _refusal(mutate) -> CatalogueFileError:
    document = _es_document()
    mutate(document["exercises"])
    with pytest.raises(CatalogueFileError) as refused:
        with_translation(ENGLISH, yaml.safe_dump(document), language="es", source="es.yaml")
    return refused.value


# --- the loader -----------------------------------------------------------------------------


def test_the_languages_required_are_the_sites_but_english():
    assert catalogue_languages() == tuple(c for c, _ in settings.LANGUAGES if c != "en")
    assert "es" in catalogue_languages()


def test_the_real_catalogue_loads_in_every_language_of_the_site():
    catalogue = load_catalogue_file(languages=catalogue_languages())

    assert len(catalogue) == 62
    for entry in catalogue.entries:
        for language in catalogue_languages():
            texts = entry.translations[language]
            assert set(texts) == set(TRANSLATED_FIELDS)
            assert texts["name"] and texts["cautions"] and texts["name"] != entry.name
            assert len(texts["steps"]) == len(entry.steps)
            assert bool(texts["patient_notes"]) == bool(entry.dosage.patient_notes)
    assert catalogue["SC01"].translations["es"]["name"] == "Compresa fría"


@pytest.mark.parametrize(
    ("mutate", "entry", "field"),
    [
        (lambda items: items.pop("C04"), "C04", "entry"),
        (lambda items: items["F07"].pop("cautions"), "F07", "cautions"),
        (lambda items: items["F07"].update(name="  "), "F07", "name"),
        (lambda items: items["SC01"].update(patient_notes=""), "SC01", "patient_notes"),
        (lambda items: items["C04"]["steps"].__setitem__(2, None), "C04", "steps[2]"),
        (lambda items: items["C04"]["steps"].pop(2), "C04", "steps"),
        (lambda items: items["C04"]["steps"].__setitem__(1, ""), "C04", "steps[1]"),
        (lambda items: items["F11"]["steps"].append("Un paso de más."), "F11", "steps"),
        (lambda items: items["C04"].pop("steps"), "C04", "steps"),
        (lambda items: items.update(X99={"name": "Nada"}), "X99", "entry"),
        (lambda items: items["A01"].update(equipment=["toalla"]), "A01", "equipment"),
    ],
)
def test_a_translation_lacking_a_text_is_refused_naming_entry_and_field(mutate, entry, field):
    refused = _refusal(mutate)

    assert [(e.entry, e.field) for e in refused.errors] == [(entry, field)]
    assert f"{entry}: {field}:" in str(refused) and str(refused).startswith("es.yaml:")


def test_a_missing_step_says_which_and_in_which_language():
    assert str(_refusal(lambda items: items["C04"]["steps"].__setitem__(3, "")).errors[0]) == (
        "C04: steps[3]: no text in es"
    )
    assert str(_refusal(lambda items: items["C04"]["steps"].pop()).errors[0]) == (
        "C04: steps: has 3 steps in es, the English has 4"
    )


def test_every_problem_is_reported_together():
    def mutate(items):
        items.pop("C04")
        items["F01"].pop("name")

    refused = _refusal(mutate)

    assert {(e.entry, e.field) for e in refused.errors} == {("C04", "entry"), ("F01", "name")}


def test_a_missing_translation_file_is_refused(tmp_path):
    catalogue = tmp_path / "exercises.yaml"
    catalogue.write_text(DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"), encoding="utf-8")

    with pytest.raises(CatalogueFileError) as refused:
        load_catalogue_file(catalogue, languages=("fr",))

    assert "exercises.fr.yaml" in str(refused.value)
    assert str(refused.value.errors[0]) == "(file): file: missing: no texts in fr"


def test_a_translation_file_beside_a_catalogue_is_read(tmp_path):
    catalogue = tmp_path / "mine.yaml"
    catalogue.write_text(DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    document = _es_document()
    document["exercises"]["SC01"]["name"] = "Frío local"
    (tmp_path / "mine.es.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")

    loaded = load_catalogue_file(catalogue, languages=("es",))

    assert loaded["SC01"].translations["es"]["name"] == "Frío local"


# --- stored, frozen, shown ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_loader_stores_the_translations(catalogue):
    exercise = Exercise.objects.get(key="C04", clinic=None)

    assert exercise.translations["es"]["name"] == "Perro de caza: versión fácil"
    assert len(exercise.translations["es"]["steps"]) == len(exercise.steps)


@pytest.mark.django_db
def test_an_exercise_read_in_spanish_cannot_be_saved(catalogue):
    exercise = Exercise.objects.in_language("es").get(key="SC01", clinic=None)

    assert exercise.name == "Compresa fría" and exercise.english("name") == "Cold pack"
    with pytest.raises(ValueError):
        exercise.save()


@pytest.mark.django_db
def test_a_published_item_carries_the_translations_and_shows_them_in_spanish(patient_a1, catalogue):
    revision = publish_plan_for(patient_a1)
    item = revision.snapshot["phases"][0]["items"][0]
    exercise = Exercise.objects.get(key=item["exercise_key"], clinic=None)

    assert item["translations"] == exercise.translations
    assert item["name"] == exercise.name  # the snapshot itself stays English

    with translation.override("es"):
        revision = type(revision).objects.get(pk=revision.pk)
        shown = revision.content["phases"][0]["items"][0]
    es = exercise.translations["es"]
    assert (shown["name"], shown["steps"], shown["cautions"]) == (
        es["name"],
        es["steps"],
        es["cautions"],
    )


@pytest.mark.django_db
def test_a_revision_frozen_before_a_catalogue_change_keeps_its_texts(patient_a1, catalogue):
    revision = publish_plan_for(patient_a1)
    key = revision.snapshot["phases"][0]["items"][0]["exercise_key"]
    Exercise.objects.filter(key=key, clinic=None).update(
        translations={"es": {"name": "Otro nombre"}}
    )

    with translation.override("es"):
        shown = type(revision).objects.get(pk=revision.pk).content["phases"][0]["items"][0]

    assert shown["name"] != "Otro nombre"


@pytest.mark.django_db
def test_the_catalogue_pages_show_spanish_names(client, physio_a, catalogue):
    client.force_login(physio_a.user)
    physio_a.language = "es"
    physio_a.save(update_fields=["language"])

    listing = client.get("/exercises/?search=cama")
    detail = client.get("/exercises/C04/")

    assert "Giro en bloque para acostarse y levantarse de la cama" in listing.content.decode()
    page = detail.content.decode()
    assert "Perro de caza: versión fácil" in page
    assert "Colóquese a cuatro patas" in page
    assert "Perro de caza</a>" in page  # the harder version, linked by its Spanish name


# --- the API --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_answers_in_the_requested_language(api, physio_a, catalogue):
    api.as_user(physio_a.user)

    english = api.get(f"{LIST}C04/")
    spanish = api.get(f"{LIST}C04/", HTTP_ACCEPT_LANGUAGE="es")
    listing = api.get(f"{LIST}?search=perro&page_size=100", HTTP_ACCEPT_LANGUAGE="es")

    assert english.json()["name"] == "Bird dog - easy version"
    assert spanish.json()["name"] == "Perro de caza: versión fácil"
    assert spanish.json()["steps"][0].startswith("Colóquese a cuatro patas")
    assert spanish.json()["dosage"]["patient_notes"] == ""
    assert {row["key"] for row in listing.json()["results"]} == {"C04", "C05"}
    assert english["ETag"] != spanish["ETag"]
    assert "Accept-Language" in spanish["Vary"]
    # The English ETag does not match the Spanish answer.
    again = api.get(f"{LIST}C04/", HTTP_ACCEPT_LANGUAGE="es", HTTP_IF_NONE_MATCH=english["ETag"])
    assert again.status_code == 200
    cached = api.get(f"{LIST}C04/", HTTP_ACCEPT_LANGUAGE="es", HTTP_IF_NONE_MATCH=spanish["ETag"])
    assert cached.status_code == 304


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "search=caza", "phase=P2"])
@pytest.mark.parametrize("page", [1, 2])
def test_the_lean_list_answers_what_the_serializer_answered_in_spanish(
    api, physio_a, catalogue, monkeypatch, query, page
):
    api.as_user(physio_a.user)
    url = f"{LIST}?{query}&page={page}&page_size=12"

    lean = api.get(url, HTTP_ACCEPT_LANGUAGE="es")
    with monkeypatch.context() as patch:
        patch.setattr(api, "get", lambda u, _get=api.get: _get(u, HTTP_ACCEPT_LANGUAGE="es"))
        expected = serializer_answer(api, url, monkeypatch)

    assert (lean.status_code, lean.json()) == (expected.status_code, expected.json())
    if page == 1 and not query:
        assert lean.json()["results"][0]["name"] == "Paseos cortos"  # A01


# --- the drawings' words ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_drawing_read_in_spanish_has_spanish_words_and_its_own_url(catalogue):
    with translation.override("en"):
        english = illustrations_for(Exercise.objects.get(key="F03", clinic=None))
    with translation.override("es"):
        exercise = Exercise.objects.in_language().get(key="F03", clinic=None)
        spanish = illustrations_for(exercise)

    assert "<title>Rodilla al pecho, una pierna: inicio</title>" in spanish[0].svg
    assert "\u2194 cada lado" in spanish[0].svg
    assert "mantenga 20 s" in spanish[1].svg
    assert spanish[0].svg.count("Túmbese boca arriba") == 1  # the first step, as <desc>
    assert spanish[0].digest != english[0].digest
    assert "\u2194 each side" in english[0].svg


@pytest.mark.django_db
def test_a_patients_frozen_item_is_drawn_in_spanish(patient_a1, catalogue):
    revision = publish_plan_for(patient_a1)
    with translation.override("es"):
        item = type(revision).objects.get(pk=revision.pk).content["phases"][0]["items"][0]
        frames = exercise_frames(item)["frames"]

    spanish_name = Exercise.objects.get(key=item["exercise_key"]).translations["es"]["name"]
    assert item["name"] == spanish_name
    assert frames[0]["alt"] == f"{spanish_name}: inicio"


@pytest.mark.django_db
def test_the_command_refuses_a_catalogue_missing_a_text_and_changes_nothing(tmp_path, catalogue):
    before = list(Exercise.objects.order_by("key").values())
    english = yaml.safe_load(DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"))
    english["exercises"][0]["name"] = "Changed name"
    (tmp_path / "exercises.yaml").write_text(yaml.safe_dump(english), encoding="utf-8")
    document = _es_document()
    document["exercises"]["C04"]["steps"][2] = ""
    (tmp_path / "exercises.es.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command("load_catalogue", file=str(tmp_path / "exercises.yaml"))

    assert "exercises.es.yaml" in str(refused.value)
    assert "C04: steps[2]: no text in es" in str(refused.value)
    assert list(Exercise.objects.order_by("key").values()) == before


def test_the_drawing_builders_poses_are_named_in_the_active_language():
    with translation.override("es"):
        spanish = library_poses()
    with translation.override("en"):
        english = library_poses()

    assert spanish["F04:camel"].label == "F04 Gato y camello: camello"
    assert spanish["hook_lying"].label == "Básica: boca arriba con las rodillas dobladas"
    assert english["F04:camel"].label == "F04 Cat and camel: camel"
    assert english["hook_lying"].label == "Basic: hook lying"
    assert spanish["F04:camel"].angles == english["F04:camel"].angles


# The English catalogue's banned words (test_catalogue_file.BANNED_PATIENT_WORDS) in Spanish,
# and the informal "tú" forms: patients are addressed as "usted".
BANNED_SPANISH_WORDS = re.compile(
    r"\b(manipula\w*|collar[íi]n\w*|ultrasonido\w*|TENS|fajas?|cors[ée]s?|ortesis|tracci[óo]n"
    r"|inyecci\w*|ibuprofeno|naproxeno|paracetamol|aspirina|diclofenaco|code[íi]na|AINE"
    r"|relajantes?|radiograf\w*|resonancia\w*|dañ\w*|degenera\w*|tus?|t[úu]|contigo)\b",
    re.IGNORECASE,
)


def test_the_spanish_patient_text_has_no_banned_or_frightening_words_and_says_usted():
    catalogue = load_catalogue_file(languages=("es",))
    found = {
        (entry.id, match.group(0))
        for entry in catalogue.entries
        for text in [
            entry.translations["es"]["name"],
            entry.translations["es"]["cautions"],
            entry.translations["es"]["patient_notes"],
            *entry.translations["es"]["steps"],
        ]
        if (match := BANNED_SPANISH_WORDS.search(text))
    }

    assert found == set()


@pytest.mark.django_db
def test_a_clinics_own_exercise_shows_as_written_in_spanish(api, physio_a, catalogue):
    api.as_user(physio_a.user)
    created = api.post(LIST, PRIVATE, format="json", HTTP_ACCEPT_LANGUAGE="es")

    detail = api.get(f"{LIST}A-CLINIC-1/", HTTP_ACCEPT_LANGUAGE="es").json()
    changed = api.patch(
        f"{LIST}A-CLINIC-1/", {"name": "Subir escaleras"}, format="json", HTTP_ACCEPT_LANGUAGE="es"
    )

    assert created.status_code == 201
    assert (detail["name"], detail["steps"]) == (PRIVATE["name"], PRIVATE["steps"])
    assert changed.status_code == 200
    assert Exercise.objects.get(key="A-CLINIC-1").translations == {}


@pytest.mark.django_db
def test_a_global_exercise_read_in_spanish_is_still_refused_a_change(api, physio_a, catalogue):
    api.as_user(physio_a.user)

    refused = api.patch(f"{LIST}C04/", {"name": "X"}, format="json", HTTP_ACCEPT_LANGUAGE="es")

    assert refused.status_code == 403
    assert Exercise.objects.get(key="C04", clinic=None).name == "Bird dog - easy version"
