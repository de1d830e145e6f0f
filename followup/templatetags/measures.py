"""Template filters of the outcome measures (issue #18)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def change_of(changes: dict, patient_id: int):
    """The patient's change since baseline from `outcomes.change_since_baseline`, or None."""
    return (changes or {}).get(patient_id)
