"""Periodic work of the reminders app, merged into config/schedule.py."""

REMINDER_SCHEDULE: dict[str, dict] = {}
