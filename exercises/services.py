"""Catalogue workflows: loading the catalogue file, creating clinic-private exercises."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from clinical.vocabulary import DOSAGE_FIELDS, stored_dosage_name
from exercises.catalogue_file import (
    DEFAULT_CATALOGUE_PATH,
    CatalogueEntry,
    load_catalogue_file,
)
from exercises.models import CatalogueVersion, Exercise

# Model field ← catalogue entry, for everything but the links (resolved after all rows exist).
_DOSAGE_MAP = {stored_dosage_name(name): name for name in DOSAGE_FIELDS}


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"created {len(self.created)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}"
        )


def _values(entry: CatalogueEntry) -> dict:
    values = {
        "name": entry.name,
        "category": entry.category,
        "regions": list(entry.regions),
        "target_muscles": list(entry.target_muscles),
        "position": entry.position,
        "direction": entry.direction,
        "equipment": list(entry.equipment),
        "difficulty": entry.difficulty,
        "phases": list(entry.phases),
        "physio_select_only": entry.physio_select_only,
        "exclude_if": list(entry.exclude_if),
        "cautions": entry.cautions,
        "steps": list(entry.steps),
        "illustration": entry.illustration or "",
        "drawing": dict(entry.drawing or {}),
        "translations": {
            language: {
                "name": texts["name"],
                "steps": list(texts["steps"]),
                "cautions": texts["cautions"],
                "patient_notes": texts["patient_notes"],
            }
            for language, texts in sorted(entry.translations.items())
        },
    }
    for model_field, dosage_field in _DOSAGE_MAP.items():
        values[model_field] = getattr(entry.dosage, dosage_field)
    return values


def catalogue_languages() -> tuple[str, ...]:
    """The languages the catalogue must have texts in: every language of the site but English
    (the catalogue file's own)."""
    return tuple(code for code, _name in settings.LANGUAGES if code != "en")


def bump_catalogue_version(*, clinic_id: int | None) -> None:
    """Give the global catalogue (`clinic_id` None) or a clinic's a new version: the ETags of
    answers built from the old one stop matching, so clients read the change at once."""
    scope = Q(clinic=None) if clinic_id is None else Q(clinic_id=clinic_id)
    if not CatalogueVersion.objects.filter(scope).update(
        version=uuid.uuid4(), changed_at=timezone.now()
    ):
        CatalogueVersion.objects.create(clinic_id=clinic_id)


@transaction.atomic
def load_catalogue(*, path: str | Path = DEFAULT_CATALOGUE_PATH) -> LoadReport:
    """Create or update the global catalogue from the catalogue file. Idempotent.

    The whole file, and its translation into each of `catalogue_languages()`, is validated
    before anything is written (CatalogueFileError names the entry and field); the writes
    happen in one transaction, so a failure changes nothing.
    """
    catalogue = load_catalogue_file(path, languages=catalogue_languages())
    existing = {exercise.key: exercise for exercise in Exercise.objects.filter(clinic=None)}
    clash = Exercise.objects.exclude(clinic=None).filter(key__in=[e.id for e in catalogue.entries])
    if clash.exists():
        taken = sorted(clash.values_list("key", flat=True))
        raise ValidationError({"key": f"Clinic exercises already use the keys {taken}"})
    report = LoadReport()
    for entry in catalogue.entries:
        values = _values(entry)
        exercise = existing.get(entry.id)
        if exercise is None:
            existing[entry.id] = Exercise.objects.create(key=entry.id, **values)
            report.created.append(entry.id)
        elif any(getattr(exercise, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(exercise, name, value)
            exercise.save()
            report.updated.append(entry.id)
        else:
            report.unchanged.append(entry.id)
    for entry in catalogue.entries:
        exercise = existing[entry.id]
        links = {
            "progression_id": existing[entry.progression].pk if entry.progression else None,
            "regression_id": existing[entry.regression].pk if entry.regression else None,
        }
        if any(getattr(exercise, name) != value for name, value in links.items()):
            Exercise.objects.filter(pk=exercise.pk).update(**links)
            if entry.id in report.unchanged:
                report.unchanged.remove(entry.id)
                report.updated.append(entry.id)
    if report.created or report.updated:
        bump_catalogue_version(clinic_id=None)
    return report


@transaction.atomic
def create_clinic_exercise(*, clinic, by, **fields) -> Exercise:
    """A clinic-private exercise: seen and used only by that clinic's physios."""
    exercise = Exercise(clinic=clinic, **fields)
    exercise.full_clean()
    exercise.save()
    bump_catalogue_version(clinic_id=exercise.clinic_id)
    return exercise


# An uploaded picture: PNG or JPEG only (an SVG can carry script), at most 5 MB and 25
# megapixels (a decompression bomb is refused before decoding), re-encoded by Pillow as a PNG
# that fits 800 x 600, so nothing of the original file but its pixels is kept.
MAX_PICTURE_BYTES = 5 * 1024 * 1024
MAX_PICTURE_PIXELS = 25_000_000
PICTURE_BOX = (800, 600)
PICTURE_FORMATS = ("PNG", "JPEG")


def _reencoded_png(data: bytes) -> bytes:
    problem = "Upload a PNG or JPEG picture."
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in PICTURE_FORMATS:
                raise ValidationError({"picture": problem})
            if image.width * image.height > MAX_PICTURE_PIXELS:
                raise ValidationError({"picture": "The picture has too many pixels."})
            picture = ImageOps.exif_transpose(image)
            has_alpha = "A" in picture.getbands() or "transparency" in picture.info
            picture = picture.convert("RGBA" if has_alpha else "RGB")
            picture.thumbnail(PICTURE_BOX)
            output = io.BytesIO()
            picture.save(output, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError({"picture": problem}) from error
    return output.getvalue()


def set_clinic_exercise_picture(*, exercise: Exercise, data: bytes) -> Exercise:
    """Use an uploaded PNG or JPEG as the clinic exercise's picture instead of a drawing.

    Stored re-encoded under its content hash, so a published revision that names it keeps
    showing the same picture.
    """
    if len(data) > MAX_PICTURE_BYTES:
        raise ValidationError({"picture": "Upload a picture of 5 MB or less."})
    png = _reencoded_png(data)
    name = f"exercise-pictures/{hashlib.sha256(png).hexdigest()}.png"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(png))
    return update_clinic_exercise(exercise=exercise, picture_file=name, drawing={})


@transaction.atomic
def update_clinic_exercise(*, exercise: Exercise, **changes) -> Exercise:
    if exercise.is_global:
        raise ValidationError(
            {"key": "Global catalogue exercises are changed in the catalogue file."}
        )
    for name, value in changes.items():
        setattr(exercise, name, value)
    exercise.full_clean()
    exercise.save()
    bump_catalogue_version(clinic_id=exercise.clinic_id)
    return exercise
