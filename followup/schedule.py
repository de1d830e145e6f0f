"""Periodic work of the check-ins app, merged into config/schedule.py."""

from celery.schedules import crontab

CHECKIN_SCHEDULE: dict[str, dict] = {
    # Hourly, not daily: each rule is raised once (unique per plan and key), so running often
    # costs little and a patient's local day is never missed whatever their time zone; a run
    # lost to an outage is made up by the next one.
    "run-daily-follow-up-rules": {
        "task": "followup.tasks.run_daily_rules_task",
        "schedule": crontab(minute=7),
        "options": {"expires": 50 * 60},
    },
}
