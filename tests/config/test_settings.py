"""Settings fail loudly on bad values and pass `check --deploy` in production shape."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60 + "-production-like-secret-for-the-check",
    "ALLOWED_HOSTS": "care.example.com",
    "SITE_URL": "https://care.example.com",
    "DATABASE_URL": "sqlite:///var/check-deploy.sqlite3",
    "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.com:587",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "REDIS_URL"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "nosuchdb://x"),
        ("EMAIL_URL", "pigeon://coop"),
        ("CELERY_BROKER_URL", "carrier://pigeon"),
        ("CELERY_TASK_TIME_LIMIT", "soon"),
        ("TIME_ZONE", "Mars/Olympus"),
        ("SITE_URL", "care.example.com"),
        ("SECRET_KEY", ""),
        ("INVITATION_MAX_AGE_DAYS", "0"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value):
    result = run_manage("check", env={**PRODUCTION, variable: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def test_embedded_default_writes_email_to_the_outbox_folder():
    env = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_URL"}
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.EMAIL_FILE_PATH)", env=env
    )

    assert result.stdout.strip().splitlines()[-1] == str(BASE_DIR / "var" / "outbox")
