"""An exercise's drawings: its frames rendered by `figures`, named by content hash, cached.

One reader for every place a drawing appears: catalogue and plan pages (SVG by URL, cached
for a year because the URL changes with the content), the API, a published revision's frozen
items on Today and in the PDF (embedded as `data:` URIs, so the PDF fetcher reads nothing
else and the patient's page holds its own pictures), and the reminder email (a PNG of the
start frame).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import get_language, gettext, override, pgettext
from PIL import Image

from exercises.catalogue_file import CatalogueFile, load_catalogue_file
from figures import BASE_POSES, PoseError, render_drawing, render_png

# Enough for the whole catalogue and the clinics' own exercises seen by one process.
CACHE_SIZE = 1024


def _frame_labels() -> dict[str, str]:
    """The frame labels the catalogue's drawings use, in the active language (read by screen
    readers in the drawing's title and the picture's alternative text; T and Y are shapes)."""
    return {
        "start": pgettext("drawing frame", "start"),
        "middle": pgettext("drawing frame", "middle"),
        "end": pgettext("drawing frame", "end"),
        "back": pgettext("drawing frame", "back"),
        "front": pgettext("drawing frame", "front"),
        "side": pgettext("drawing frame", "side"),
        "cat": pgettext("drawing frame", "cat"),
        "camel": pgettext("drawing frame", "camel"),
        "knee lift": pgettext("drawing frame", "knee lift"),
        "lean": pgettext("drawing frame", "lean"),
        "roll": pgettext("drawing frame", "roll"),
        "sit up": pgettext("drawing frame", "sit up"),
        "stand": pgettext("drawing frame", "stand"),
        "step": pgettext("drawing frame", "step"),
        "stroke": pgettext("drawing frame", "stroke"),
        "tilt": pgettext("drawing frame", "tilt"),
        "turn": pgettext("drawing frame", "turn"),
        "up": pgettext("drawing frame", "up"),
        "back and down": pgettext("drawing frame", "back and down"),
        "walk": pgettext("drawing frame", "walk"),
        "picture": pgettext("drawing frame", "picture"),
    }


def figure_words() -> dict[str, str]:
    """The words a drawing shows or is titled with, in the active language (`figures`
    renders them; they are part of the cache key, so each language has its own frames)."""
    return {
        "each_side": gettext("each side"),
        "hold": gettext("hold %(seconds)s s"),
        **_frame_labels(),
    }


def frame_label(label: str) -> str:
    """A frame's label in the active language (a label of its own shows as written)."""
    return _frame_labels().get(label, label)


PNG_WIDTH = 240  # shown at 120 px: sharp on a high-density screen


@dataclass(frozen=True)
class Illustration:
    index: int
    label: str
    svg: str
    digest: str
    aspect: float  # width / height
    png: bytes = b""  # an uploaded picture instead of a drawing (then `svg` is empty)

    @property
    def media_type(self) -> str:
        return "image/png" if self.png else "image/svg+xml"

    @property
    def content(self) -> bytes:
        return self.png or self.svg.encode()

    @property
    def data_uri(self) -> str:
        return f"data:{self.media_type};base64," + base64.b64encode(self.content).decode()


@lru_cache(maxsize=CACHE_SIZE)
def _uploaded(name: str) -> tuple[Illustration, ...]:
    """An uploaded picture (content-addressed, so cached by name); none if it is missing."""
    if not default_storage.exists(name):
        return ()
    with default_storage.open(name) as file:
        png = file.read()
    with Image.open(io.BytesIO(png)) as image:
        aspect = image.width / image.height
    digest = hashlib.sha256(png).hexdigest()[:16]
    return (Illustration(index=0, label="picture", svg="", digest=digest, aspect=aspect, png=png),)


@lru_cache(maxsize=CACHE_SIZE)
def _render(key: str) -> tuple[Illustration, ...]:
    spec = json.loads(key)
    try:
        frames = render_drawing(
            spec["drawing"],
            name=spec["name"],
            first_step=spec["first_step"],
            hold_seconds=spec["hold_seconds"],
            each_side=spec["each_side"],
            words=spec.get("words"),
        )
    except PoseError:
        # Stored drawings are validated on save and on load; one that no longer passes (a
        # renderer change) shows the position pictogram rather than breaking the page.
        return ()
    return tuple(
        Illustration(
            index=index,
            label=frame.label,
            svg=frame.svg,
            digest=hashlib.sha256(frame.svg.encode()).hexdigest()[:16],
            aspect=frame.aspect,
        )
        for index, frame in enumerate(frames)
    )


def _key(drawing: Mapping[str, Any], name: str, steps, hold_seconds, each_side) -> str:
    return json.dumps(
        {
            "drawing": drawing,
            "name": name,
            "first_step": (list(steps) or [""])[0],
            "hold_seconds": hold_seconds or None,
            "each_side": bool(each_side),
            "words": figure_words(),
        },
        sort_keys=True,
    )


def illustrations_for(subject: Any) -> tuple[Illustration, ...]:
    """The frames of an `Exercise` or of a revision's frozen item (a mapping); empty when it
    has no drawing: then an uploaded picture (one frame), else nothing (the position pictogram
    stands in)."""
    if isinstance(subject, Mapping):
        drawing = subject.get("drawing") or {}
        uploaded = subject.get("picture_file") or ""
        values = (
            subject.get("name", ""),
            subject.get("steps") or [],
            subject.get("hold_seconds"),
            subject.get("per_side"),
        )
    else:
        drawing = subject.drawing or {}
        uploaded = subject.picture_file
        values = (subject.name, subject.steps or [], subject.hold_seconds, subject.per_side)
    if not drawing:
        return _uploaded(uploaded) if uploaded else ()
    return _render(_key(drawing, *values))


def illustration_url(exercise_pk: int, illustration: Illustration) -> str:
    return reverse(
        "exercise-drawing",
        kwargs={"pk": exercise_pk, "index": illustration.index, "digest": illustration.digest},
    )


@lru_cache(maxsize=CACHE_SIZE)
def _png(key: str) -> bytes:
    spec = json.loads(key)
    return render_png(
        spec["drawing"], width=PNG_WIDTH, each_side=spec["each_side"], words=spec.get("words")
    )


@lru_cache(maxsize=CACHE_SIZE)
def _thumbnail(png: bytes) -> bytes:
    with Image.open(io.BytesIO(png)) as image:
        image.thumbnail((PNG_WIDTH, PNG_WIDTH))
        output = io.BytesIO()
        image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def start_frame_png(subject: Any) -> bytes | None:
    """The start frame as a small PNG for email, rendered once per drawing and process."""
    frames = illustrations_for(subject)
    if not frames:
        return None
    if frames[0].png:
        return _thumbnail(frames[0].png)
    if isinstance(subject, Mapping):
        key = _key(subject["drawing"], "", [], None, subject.get("per_side"))
    else:
        key = _key(subject.drawing, "", [], None, subject.per_side)
    return _png(key)


@dataclass(frozen=True)
class LibraryPose:
    """A pose a physio can start a clinic exercise's drawing from."""

    key: str
    label: str
    view: str
    angles: Mapping[str, Any]  # `pose` (a base pose) and the angles that differ


def _pose_names() -> dict[str, str]:
    """The base poses' names in the active language."""
    return {
        "standing": pgettext("drawing pose", "standing"),
        "sitting": pgettext("drawing pose", "sitting"),
        "lying_back": pgettext("drawing pose", "lying back"),
        "hook_lying": pgettext("drawing pose", "hook lying"),
        "lying_front": pgettext("drawing pose", "lying front"),
        "all_fours": pgettext("drawing pose", "all fours"),
        "kneeling": pgettext("drawing pose", "kneeling"),
        "half_kneeling": pgettext("drawing pose", "half kneeling"),
        "side_lying": pgettext("drawing pose", "side lying"),
    }


@lru_cache(maxsize=1)
def _catalogue_with_translations() -> CatalogueFile:
    return load_catalogue_file(
        languages=tuple(code for code, _name in settings.LANGUAGES if code != "en")
    )


def library_poses() -> dict[str, LibraryPose]:
    """The named base poses, then every frame of the catalogue's drawings, labelled in the
    active language."""
    return _library_poses(get_language() or settings.LANGUAGE_CODE)


@lru_cache(maxsize=8)
def _library_poses(language: str) -> dict[str, LibraryPose]:
    with override(language):
        names = _pose_names()
        basic = pgettext("drawing pose", "Basic: %(pose)s")
        frame_labels = _frame_labels()
    poses = {
        name: LibraryPose(
            name,
            basic % {"pose": names.get(name, name.replace("_", " "))},
            "left",
            {"pose": name},
        )
        for name in BASE_POSES
    }
    for entry in _catalogue_with_translations().entries:
        drawing = entry.drawing or {}
        entry_name = entry.texts(language)["name"]
        for frame in drawing.get("frames", []):
            key = f"{entry.id}:{frame['label']}"
            angles = {**drawing.get("base", {}), **frame}
            angles.pop("label")
            angles.pop("props", None)
            view = angles.pop("view", drawing.get("view", "left"))
            label = frame_labels.get(frame["label"], frame["label"])
            poses[key] = LibraryPose(key, f"{entry.id} {entry_name}: {label}", view, angles)
    return poses


def drawing_from_library(*, view: str, start: str, end: str, props: list[str]) -> dict:
    """A two-frame drawing from two library poses and a list of props."""
    poses = library_poses()
    return {
        "view": view,
        "props": list(props),
        "frames": [
            {"label": "start", **poses[start].angles},
            {"label": "end", **poses[end].angles},
        ],
    }
