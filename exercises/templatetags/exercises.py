from django import template

from exercises.dosage import DosageValues, describe_dosage

register = template.Library()


@register.filter
def dosage_words(source) -> str:
    """Plain-words dosage of anything with the dosage attributes (exercise, prescription)."""
    return describe_dosage(
        DosageValues(
            **{name: getattr(source, name, None) for name in DosageValues.__dataclass_fields__}
        )
    )
