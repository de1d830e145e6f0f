from collections.abc import Mapping

from django import template
from django.utils.translation import get_language

from exercises.dosage import DosageValues, describe_dosage
from exercises.illustrations import frame_label, illustration_url, illustrations_for
from exercises.models import VOCABULARY_WORDS, translated_texts

register = template.Library()


@register.filter
def exercise_text(exercise, field: str):
    """An exercise's own text (name, steps, cautions, notes) in the active language: its
    catalogue translation when there is one, else the field as stored (English)."""
    shown = translated_texts(getattr(exercise, "translations", None), get_language())
    return shown.get(field) or getattr(exercise, field, "")


@register.filter
def vocabulary_words(values) -> list[str]:
    """Catalogue tags (regions, categories...) as words in the active language."""
    return [str(VOCABULARY_WORDS.get(value, value)) for value in values or []]


@register.filter
def dosage_words(source) -> str:
    """Plain-words dosage of anything with the dosage attributes (exercise, prescription)."""
    return describe_dosage(
        DosageValues(
            **{name: getattr(source, name, None) for name in DosageValues.__dataclass_fields__}
        )
    )


# Frame heights in CSS pixels; a frame is as wide as its drawing, within these bounds (the
# PDF's stylesheet sets its own sizes in millimetres).
FRAME_SIZES = {"small": 64, "medium": 100, "large": 160}
MIN_ASPECT, MAX_ASPECT = 0.6, 2.2


@register.inclusion_tag("exercises/_frames.html")
def exercise_frames(subject, size="medium", loop=False, embed=False):
    """An exercise's drawing, frame by frame, for an `Exercise` or a revision's frozen item.

    Exercises link each frame by URL (cached by content hash); frozen items and `embed`
    carry the SVG in the page (`data:` URIs), for the PDF and the patient's pages. `loop`
    shows the frames one after the other (still under prefers-reduced-motion, with a pause
    control). Without a drawing, the position pictogram stands in.
    """
    frames = illustrations_for(subject)
    is_item = isinstance(subject, Mapping)
    name = subject.get("name", "") if is_item else exercise_text(subject, "name")
    embed = embed or is_item
    height = FRAME_SIZES[size]
    aspect = min(max(frames[0].aspect if frames else 1.5, MIN_ASPECT), MAX_ASPECT)
    width = round(height * aspect)
    return {
        "frames": [
            {
                "src": frame.data_uri if embed else illustration_url(subject.pk, frame),
                "alt": f"{name}: {frame_label(frame.label)}",
                "label": frame.label,
            }
            for frame in frames
        ],
        "picture": (subject.get("picture") if is_item else subject.picture) or "",
        "picture_url": subject.get("picture_url", "") if is_item else "",
        "name": name,
        "size": size,
        "width": width,
        "height": height,
        "loop": loop and len(frames) > 1,
        "key": subject.get("exercise_key", "") if is_item else subject.key,
    }
