"""Parse and validate the exercise catalogue file (`exercises/catalogue/exercises.yaml`).

Pure module: standard library, PyYAML and the clinical core only, nothing from Django, so the
planner, the database loader and the tests all read the catalogue the same way without a
database. Allowed values come from clinical-model.md section 6.2; categories, regions,
directions, phases and dosage fields are the clinical core's (`clinical.vocabulary`).

Validation collects every problem in the file before raising, so one run of the loader shows
the catalogue editor everything to fix. Each problem names the entry (its id, or
`exercises[<index>]` when the id is missing or unusable) and the field.

The patient-visible texts (name, steps, cautions, patient_notes) of other languages live in
`exercises.<language>.yaml` beside the catalogue, keyed by id (issue #17). `load_catalogue_file`
reads the languages it is asked for and refuses a translation file that lacks an entry or one
of its texts, has a different number of steps, or names an entry the catalogue does not have.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeGuard

import yaml

from clinical.catalogue import Category
from clinical.vocabulary import (
    CATEGORIES,
    DIRECTIONS,
    DOSAGE_AMOUNTS,
    DOSAGE_COUNTS,
    DOSAGE_FIELDS,
    DOSAGE_NOTES,
    REGIONS,
)
from clinical.vocabulary import PHASE_CODES as PHASES
from figures import PoseError, check_drawing

POSITIONS = (
    "supine",
    "prone",
    "side_lying",
    "quadruped",
    "kneeling",
    "half_kneeling",
    "sitting",
    "standing",
    "water",
    "any",
)
EXCLUDE_FLAGS = (
    "osteoporosis",
    "stenosis",
    "spondylolisthesis",
    "radicular_leg",
    "radicular_arm",
    "pregnancy",
    "shoulder_problem",
    "knee_problem",
    "wrist_problem",
    "balance_impaired",
    "neck_dizziness",
    "reduced_sensation",
    "diabetes_neuropathy",
    "circulation_disorder",
    "cold_sensitivity",
    "skin_broken",
    "open_wound_or_infection",
)
DIFFICULTIES = (1, 2, 3)
MIN_STEPS = 3
MAX_STEPS = 5

# Id prefix per category (section 6.2): SC self-care, F flexibility, C core, PO posture, A aerobic.
ID_PREFIXES = {
    Category.SELF_CARE.value: "SC",
    Category.FLEXIBILITY.value: "F",
    Category.CORE.value: "C",
    Category.POSTURE.value: "PO",
    Category.AEROBIC.value: "A",
}
ID_PATTERN = re.compile(r"^(SC|PO|F|C|A)\d{2,}$")

DEFAULT_CATALOGUE_PATH = Path(__file__).resolve().parent / "catalogue" / "exercises.yaml"

FILE_ENTRY = "(file)"

_REQUIRED_FIELDS = (
    "id",
    "name",
    "category",
    "regions",
    "target_muscles",
    "position",
    "direction",
    "equipment",
    "difficulty",
    "phases",
    "dosage",
    "progression",
    "regression",
    "physio_select_only",
    "exclude_if",
    "cautions",
    "steps",
)
_OPTIONAL_FIELDS = ("illustration", "drawing")


@dataclass(frozen=True)
class Dosage:
    """Default dose; `None` means not applicable. The physio can edit every value per patient."""

    sets: int | None
    reps: int | None
    hold_s: int | None
    minutes: int | None
    per_day: int | None
    days_per_week: int | None
    per_side: bool
    physio_notes: str  # for the physio only
    patient_notes: str  # shown to the patient beside the exercise


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    name: str
    category: str
    regions: tuple[str, ...]
    target_muscles: tuple[str, ...]
    position: str
    direction: str
    equipment: tuple[str, ...]
    difficulty: int
    phases: tuple[str, ...]
    dosage: Dosage
    progression: str | None
    regression: str | None
    physio_select_only: bool
    exclude_if: tuple[str, ...]
    cautions: str
    steps: tuple[str, ...]
    illustration: str | None = None
    # The figure's frames (`figures.pose.parse_drawing` reads it); None: no drawing yet.
    drawing: Mapping[str, Any] | None = None
    # The patient-visible texts in other languages (TRANSLATED_FIELDS), by language code:
    # {"es": {"name": ..., "steps": [...], "cautions": ..., "patient_notes": ...}}.
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def texts(self, language: str) -> dict[str, Any]:
        """The translated fields in `language` (English for a language without a translation)."""
        english = {
            "name": self.name,
            "steps": list(self.steps),
            "cautions": self.cautions,
            "patient_notes": self.dosage.patient_notes,
            "physio_notes": self.dosage.physio_notes,
        }
        return {**english, **dict(self.translations.get(language, {}))}


@dataclass(frozen=True)
class CatalogueFile:
    version: int
    entries: tuple[CatalogueEntry, ...]
    _by_id: Mapping[str, CatalogueEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", MappingProxyType({e.id: e for e in self.entries}))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.entries)

    def get(self, entry_id: str) -> CatalogueEntry | None:
        return self._by_id.get(entry_id)

    def __getitem__(self, entry_id: str) -> CatalogueEntry:
        return self._by_id[entry_id]

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class CatalogueFieldError:
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.entry}: {self.field}: {self.message}"


class CatalogueFileError(ValueError):
    """The catalogue file is invalid; `errors` lists every problem found (entry checks first,
    then progression/regression links)."""

    def __init__(self, source: str, errors: list[CatalogueFieldError]) -> None:
        self.source = source
        self.errors = errors
        lines = "\n".join(f"  - {error}" for error in errors)
        super().__init__(f"{source}: {len(errors)} error(s) in the exercise catalogue:\n{lines}")


# What a translation file gives for each entry: the texts a patient reads.
TRANSLATED_FIELDS = ("name", "steps", "cautions", "patient_notes", "physio_notes")
# Required only where the English has text (the physio's catalogue note; most have none).
OPTIONAL_WHEN_EMPTY = ("physio_notes",)


def translation_path(path: str | Path, language: str) -> Path:
    """The translation file of `language` for the catalogue at `path`: `<stem>.<language>.yaml`
    beside it, or, when there is none, the shipped one beside the default catalogue (so a
    catalogue written elsewhere, as the loader tests do, still has the shipped texts)."""
    path = Path(path)
    beside = path.with_name(f"{path.stem}.{language}{path.suffix}")
    if beside.exists() or path.resolve() == DEFAULT_CATALOGUE_PATH:
        return beside
    return DEFAULT_CATALOGUE_PATH.with_name(
        f"{DEFAULT_CATALOGUE_PATH.stem}.{language}{DEFAULT_CATALOGUE_PATH.suffix}"
    )


def load_catalogue_file(
    path: str | Path = DEFAULT_CATALOGUE_PATH, *, languages: tuple[str, ...] | list[str] = ()
) -> CatalogueFile:
    """Read, parse and validate a catalogue file and the translation file of each of
    `languages` (see `translation_path`); raise `CatalogueFileError` if any is invalid."""
    path = Path(path)
    catalogue = parse_catalogue_text(path.read_text(encoding="utf-8"), source=str(path))
    for language in languages:
        source = translation_path(path, language)
        try:
            text = source.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CatalogueFileError(
                str(source),
                [CatalogueFieldError(FILE_ENTRY, "file", f"missing: no texts in {language}")],
            ) from None
        catalogue = with_translation(catalogue, text, language=language, source=str(source))
    return catalogue


def with_translation(
    catalogue: CatalogueFile, text: str, *, language: str, source: str = "<translation>"
) -> CatalogueFile:
    """`catalogue` with the texts of `language` from translation YAML given as text; raise
    `CatalogueFileError` naming the entry and field of every text that is missing."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueFileError(
            source, [CatalogueFieldError(FILE_ENTRY, "yaml", f"not valid YAML: {exc}")]
        ) from exc
    texts = _TranslationValidator(source, language).validate(document, catalogue)
    entries = tuple(
        replace(entry, translations={**entry.translations, language: texts[entry.id]})
        for entry in catalogue.entries
    )
    return CatalogueFile(version=catalogue.version, entries=entries)


def parse_catalogue_text(text: str, *, source: str = "<catalogue>") -> CatalogueFile:
    """Parse and validate catalogue YAML given as text (same rules as `load_catalogue_file`)."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueFileError(
            source, [CatalogueFieldError(FILE_ENTRY, "yaml", f"not valid YAML: {exc}")]
        ) from exc
    return _Validator(source).validate(document)


def _is_int(value: Any) -> TypeGuard[int]:
    # bool is a subclass of int in Python; `true` must not pass as a number.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


class _Validator:
    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[CatalogueFieldError] = []

    def error(self, entry: str, field_name: str, message: str) -> None:
        self.errors.append(CatalogueFieldError(entry, field_name, message))

    def validate(self, document: Any) -> CatalogueFile:
        if not isinstance(document, dict):
            self.error(FILE_ENTRY, "exercises", "the file must be a mapping with an exercises list")
            raise CatalogueFileError(self.source, self.errors)
        for key in document:
            if key not in ("version", "exercises"):
                self.error(FILE_ENTRY, str(key), "unknown top-level key")
        version = document.get("version")
        if not _is_int(version) or version < 1:
            self.error(FILE_ENTRY, "version", "required: a whole number of 1 or more")
            version = 0  # never returned: the error recorded above is raised below
        raw_entries = document.get("exercises")
        if not isinstance(raw_entries, list) or not raw_entries:
            self.error(FILE_ENTRY, "exercises", "required: a non-empty list of entries")
            raw_entries = []

        entries: list[CatalogueEntry] = []
        first_index: dict[str, int] = {}
        for index, raw in enumerate(raw_entries):
            label = self._label(raw, index)
            entry = self._entry(raw, label)
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                entry_id = raw["id"]
                if entry_id in first_index:
                    self.error(
                        label,
                        "id",
                        f"duplicate id, first used by exercises[{first_index[entry_id]}]",
                    )
                else:
                    first_index[entry_id] = index
            if entry is not None:
                entries.append(entry)

        self._links(raw_entries, set(first_index))
        if self.errors:
            raise CatalogueFileError(self.source, self.errors)
        return CatalogueFile(version=version, entries=tuple(entries))

    @staticmethod
    def _label(raw: Any, index: int) -> str:
        if isinstance(raw, dict) and _is_text(raw.get("id")):
            return raw["id"]
        return f"exercises[{index}]"

    def _entry(self, raw: Any, label: str) -> CatalogueEntry | None:
        if not isinstance(raw, dict):
            self.error(label, "entry", "must be a mapping of fields")
            return None
        errors_before = len(self.errors)
        for key in raw:
            if key not in _REQUIRED_FIELDS and key not in _OPTIONAL_FIELDS:
                self.error(label, str(key), "unknown field")
        for key in _REQUIRED_FIELDS:
            if key not in raw:
                self.error(label, key, "required field is missing")

        entry_id = raw.get("id")
        if "id" in raw and not (isinstance(entry_id, str) and ID_PATTERN.match(entry_id)):
            self.error(label, "id", "must look like SC01, F01, C01, PO01 or A01")
        category = raw.get("category")
        if "category" in raw:
            if category not in CATEGORIES:
                self.error(label, "category", f"must be one of {', '.join(CATEGORIES)}")
            elif (
                isinstance(entry_id, str)
                and (match := ID_PATTERN.match(entry_id))
                and match.group(1) != ID_PREFIXES[category]
            ):
                self.error(
                    label,
                    "id",
                    f"{category} ids start with {ID_PREFIXES[category]}, not {entry_id}",
                )
        for key in ("name", "cautions"):
            if key in raw and not isinstance(raw[key], str):
                self.error(label, key, "must be text")
        if "name" in raw and isinstance(raw["name"], str) and not raw["name"].strip():
            self.error(label, "name", "must not be empty")

        self._choice_list(raw, label, "regions", REGIONS, allow_empty=False)
        self._choice_list(raw, label, "phases", PHASES, allow_empty=False)
        self._choice_list(raw, label, "exclude_if", EXCLUDE_FLAGS, allow_empty=True)
        self._text_list(raw, label, "target_muscles")
        self._text_list(raw, label, "equipment")
        if "position" in raw and raw["position"] not in POSITIONS:
            self.error(label, "position", f"must be one of {', '.join(POSITIONS)}")
        if "direction" in raw and raw["direction"] not in DIRECTIONS:
            self.error(label, "direction", f"must be one of {', '.join(DIRECTIONS)}")
        if "difficulty" in raw and not (
            _is_int(raw["difficulty"]) and raw["difficulty"] in DIFFICULTIES
        ):
            self.error(label, "difficulty", "must be 1, 2 or 3")
        if "physio_select_only" in raw and not isinstance(raw["physio_select_only"], bool):
            self.error(label, "physio_select_only", "must be true or false")
        for key in ("progression", "regression"):
            if key in raw and raw[key] is not None and not _is_text(raw[key]):
                self.error(label, key, "must be an exercise id or null")
        illustration = raw.get("illustration")
        if illustration is not None and not _is_text(illustration):
            self.error(label, "illustration", "must be a file name or null")
        steps = raw.get("steps")
        if "steps" in raw:
            if not isinstance(steps, list) or not all(_is_text(step) for step in steps):
                self.error(label, "steps", "must be a list of non-empty texts")
            elif not MIN_STEPS <= len(steps) <= MAX_STEPS:
                self.error(label, "steps", f"needs {MIN_STEPS}-{MAX_STEPS} steps, has {len(steps)}")
        dosage = self._dosage(raw.get("dosage"), label) if "dosage" in raw else None
        drawing = raw.get("drawing")
        if drawing is not None:
            try:
                check_drawing(drawing)
            except PoseError as error:
                self.error(label, f"drawing.{error.where}", error.message)

        if len(self.errors) > errors_before or dosage is None:
            return None
        return CatalogueEntry(
            id=raw["id"],
            name=raw["name"],
            category=raw["category"],
            regions=tuple(raw["regions"]),
            target_muscles=tuple(raw["target_muscles"]),
            position=raw["position"],
            direction=raw["direction"],
            equipment=tuple(raw["equipment"]),
            difficulty=raw["difficulty"],
            phases=tuple(raw["phases"]),
            dosage=dosage,
            progression=raw["progression"],
            regression=raw["regression"],
            physio_select_only=raw["physio_select_only"],
            exclude_if=tuple(raw["exclude_if"]),
            cautions=raw["cautions"],
            steps=tuple(raw["steps"]),
            illustration=illustration,
            drawing=drawing,
        )

    def _choice_list(
        self, raw: dict, label: str, key: str, allowed: tuple[str, ...], *, allow_empty: bool
    ) -> None:
        if key not in raw:
            return
        values = raw[key]
        if not isinstance(values, list):
            self.error(label, key, "must be a list")
            return
        if not values and not allow_empty:
            self.error(label, key, "must not be empty")
        unknown = [str(v) for v in values if v not in allowed]
        if unknown:
            self.error(
                label, key, f"unknown value(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}"
            )
        elif len(set(values)) != len(values):
            self.error(label, key, "lists a value twice")

    def _text_list(self, raw: dict, label: str, key: str) -> None:
        if key in raw and not (isinstance(raw[key], list) and all(_is_text(v) for v in raw[key])):
            self.error(label, key, "must be a list of non-empty texts")

    def _dosage(self, raw: Any, label: str) -> Dosage | None:
        if not isinstance(raw, dict):
            self.error(label, "dosage", "must be a mapping")
            return None
        errors_before = len(self.errors)
        for key in raw:
            if key not in DOSAGE_FIELDS:
                self.error(label, f"dosage.{key}", "unknown field")
        for key in DOSAGE_COUNTS:
            value = raw.get(key)
            if value is not None and not (_is_int(value) and value >= 0):
                self.error(label, f"dosage.{key}", "must be a whole number of 0 or more, or null")
        days = raw.get("days_per_week")
        if _is_int(days) and days > 7:
            self.error(label, "dosage.days_per_week", "must be 7 or fewer")
        if all(raw.get(key) is None for key in DOSAGE_AMOUNTS):
            self.error(label, "dosage", "needs at least one of sets, reps, hold_s or minutes")
        per_side = raw.get("per_side", False)
        if not isinstance(per_side, bool):
            self.error(label, "dosage.per_side", "must be true or false")
        for key in DOSAGE_NOTES:
            if raw.get(key) is not None and not isinstance(raw[key], str):
                self.error(label, f"dosage.{key}", "must be text or null")
        if len(self.errors) > errors_before:
            return None
        return Dosage(
            sets=raw.get("sets"),
            reps=raw.get("reps"),
            hold_s=raw.get("hold_s"),
            minutes=raw.get("minutes"),
            per_day=raw.get("per_day"),
            days_per_week=days,
            per_side=per_side,
            physio_notes=raw.get("physio_notes") or "",
            patient_notes=raw.get("patient_notes") or "",
        )

    def _links(self, raw_entries: list, known_ids: set[str]) -> None:
        for index, raw in enumerate(raw_entries):
            if not isinstance(raw, dict):
                continue
            label = self._label(raw, index)
            for key in ("progression", "regression"):
                target = raw.get(key)
                if not _is_text(target):
                    continue
                if target == raw.get("id"):
                    self.error(label, key, "must not point to the entry itself")
                elif target not in known_ids:
                    self.error(label, key, f"points to unknown id {target}")


class _TranslationValidator:
    """Checks one language's translation file against the (valid) catalogue."""

    def __init__(self, source: str, language: str) -> None:
        self.source = source
        self.language = language
        self.errors: list[CatalogueFieldError] = []

    def error(self, entry: str, field_name: str, message: str) -> None:
        self.errors.append(CatalogueFieldError(entry, field_name, message))

    def validate(self, document: Any, catalogue: CatalogueFile) -> dict[str, dict[str, Any]]:
        language = self.language
        if not isinstance(document, dict) or not isinstance(document.get("exercises"), dict):
            self.error(FILE_ENTRY, "exercises", "the file must map each exercise id to its texts")
            raise CatalogueFileError(self.source, self.errors)
        for key in document:
            if key not in ("language", "exercises"):
                self.error(FILE_ENTRY, str(key), "unknown top-level key")
        if document.get("language", language) != language:
            self.error(FILE_ENTRY, "language", f"says {document['language']}, expected {language}")
        given: dict = document["exercises"]
        texts: dict[str, dict[str, Any]] = {}
        for entry in catalogue.entries:
            if entry.id not in given:
                self.error(entry.id, "entry", f"missing: no texts in {language}")
                continue
            texts[entry.id] = self._entry(entry, given[entry.id])
        for entry_id in given:
            if catalogue.get(str(entry_id)) is None:
                self.error(str(entry_id), "entry", "not in the catalogue (exercises.yaml)")
        if self.errors:
            raise CatalogueFileError(self.source, self.errors)
        return texts

    def _entry(self, entry: CatalogueEntry, raw: Any) -> dict[str, Any]:
        language = self.language
        if not isinstance(raw, dict):
            self.error(entry.id, "entry", "must be a mapping of texts")
            return {}
        for key in raw:
            if key not in TRANSLATED_FIELDS:
                self.error(entry.id, str(key), "unknown field")
        english = entry.texts("en")
        for key in ("name", "cautions", "patient_notes", "physio_notes"):
            value = raw.get(key)
            if english[key].strip():
                if not _is_text(value):
                    self.error(entry.id, key, f"no text in {language}")
            elif key not in raw and key in OPTIONAL_WHEN_EMPTY:
                continue
            elif key not in raw:
                self.error(entry.id, key, "required field is missing (empty, as in English)")
            elif value not in (None, "") and not isinstance(value, str):
                self.error(entry.id, key, "must be text")
            elif value:
                self.error(entry.id, key, "must be empty: the English has no text here")
        steps = raw.get("steps")
        if not isinstance(steps, list):
            self.error(entry.id, "steps", f"no steps in {language}")
            steps = []
        elif len(steps) != len(entry.steps):
            self.error(
                entry.id,
                "steps",
                f"has {len(steps)} steps in {language}, the English has {len(entry.steps)}",
            )
        else:
            for index, step in enumerate(steps):
                if not _is_text(step):
                    self.error(entry.id, f"steps[{index}]", f"no text in {language}")
        return {
            "name": raw.get("name") or "",
            "steps": list(steps),
            "cautions": raw.get("cautions") or "",
            "patient_notes": raw.get("patient_notes") or "",
            "physio_notes": raw.get("physio_notes") or "",
        }
