"""Periodic work of the documents app, merged into config/schedule.py."""

DOCUMENT_SCHEDULE: dict[str, dict] = {}
