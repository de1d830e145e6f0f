"""Shared reads of plan data."""


def exercise_keys_in_published_plan(patient) -> list[str]:
    """Keys of the exercises in the patient's latest published plan revision."""
    return []
