"""Plan generation request end to end: POST /api/v1/plans/ (DESIGN §8: p50 <= 60 ms).

The request goes through the whole stack in process (middleware, authentication, serializer,
the generate_plan service, the planner, the database writes) on a fresh database: PostgreSQL
when DATABASE_URL points at one (a throwaway `bench_generate` database), else a temporary
SQLite file. Django runs in a child process so its settings never leak into the harness.
The SQL query count is recorded for a one-region and a three-region intake: it must be the
same (constant in plan size).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import Result

BASE_DIR = Path(__file__).resolve().parent.parent
BUDGET_MS = 60.0
REQUESTS = 40


def _database_url(tmp: str) -> tuple[str, str | None]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base = url.rsplit("/", 1)[0]
        return f"{base}/bench_generate", f"{base}/postgres"
    return f"sqlite:///{tmp}/bench.sqlite3", None


def _child() -> None:  # runs in the child process
    import datetime
    import time

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from knox.models import AuthToken

    from accounts.models import Clinic, Patient, Physiotherapist, User
    from programs import services
    from programs.intake_form import AssessmentForm
    from tests.programs.intake_data import intake_form_data

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0)
    clinic = Clinic.objects.create(name="Bench clinic")
    user = User.objects.create_user("bench@example.com", "bench-password-1")
    physio = Physiotherapist.objects.create(user=user, clinic=clinic)
    patient = Patient.objects.create(
        clinic=clinic,
        physiotherapist=physio,
        first_name="B",
        last_name="Ench",
        date_of_birth=datetime.date(1980, 1, 1),
        email="p@example.com",
    )
    _, token = AuthToken.objects.create(user=user)
    today = datetime.date.today()

    def assessment(regions):
        data = intake_form_data(
            regions=regions,
            primary_region=regions[0],
            assessment_date=today.isoformat(),
            onset_date=(today - datetime.timedelta(days=1)).isoformat(),
        )
        form = AssessmentForm(data, date_of_birth=patient.date_of_birth, today=today)
        assert form.is_valid(), form.errors
        return services.record_assessment(patient=patient, by=physio.user, answers=form.answers)

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    one = assessment(["lumbar"])
    three = assessment(["lumbar", "cervical", "thoracic"])
    queries = {}
    for name, item in (("one region", one), ("three regions", three)):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                "/api/v1/plans/", {"assessment": item.pk}, content_type="application/json"
            )
        assert response.status_code == 201, response.content
        queries[name] = len(captured)
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.post(
            "/api/v1/plans/", {"assessment": one.pk}, content_type="application/json"
        )
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201
    print(json.dumps({"timings_ms": timings, "queries": queries, "vendor": connection.vendor}))


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        url, admin_url = _database_url(tmp)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "DATABASE_URL": url,
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "SECRET_KEY": "bench-only",
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "memory://",
        }
        if admin_url:
            _psql(admin_url, "DROP DATABASE IF EXISTS bench_generate")
            _psql(admin_url, "CREATE DATABASE bench_generate")
        try:
            output = subprocess.run(
                [sys.executable, "-m", "bench.bench_generate", "--child"],
                cwd=BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=True,
            ).stdout
        finally:
            if admin_url:
                _psql(admin_url, "DROP DATABASE IF EXISTS bench_generate")
    data = json.loads(output.strip().splitlines()[-1])
    counts = data["queries"]
    is_constant = len(set(counts.values())) == 1
    return [
        Result.from_samples(
            "plan generation: POST /api/v1/plans/ end to end",
            data["timings_ms"],
            f"p50 <= {BUDGET_MS:g} ms",
            "ms",
            lambda median: median <= BUDGET_MS,
            note=f"{REQUESTS} requests in process on {data['vendor']}, lumbar intake",
        ),
        Result.from_samples(
            "plan generation: SQL queries, 1 vs 3 regions",
            list(counts.values()),
            "constant in plan size",
            "queries",
            passed=is_constant,
            value=" / ".join(f"{n} ({k})" for k, n in counts.items()),
        ),
    ]


def _psql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql)


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child()
    else:
        for result in run():
            print(result.name, result.value, result.passed)
