"""The dashboard benchmark's helpers, run in subprocesses with the benchmark's environment:
`python bench/dashboard_helpers.py setup N [N ...] | measure USER_ID SAMPLES`.

Run as a script from the checkout being measured (its directory first on PYTHONPATH), so the
same helpers measure this commit and an earlier one; they import nothing from `bench`.

`setup` builds one clinic per N: one patient through the real services (assessment, planner,
publication, check-ins), then N - 1 copies of that patient's rows (patient, plan, revision,
check-ins of the last 28 days, reminder schedule; an open alert for every tenth), written in
bulk. Each copy is field for field the original, so it costs the dashboard what a real one
would.
"""

from __future__ import annotations

import datetime
import json
import sys
import time
import uuid

JSON_MARK = "BENCH_JSON "
CHECK_INS = 12  # in the last 28 days, one every other day or so


def _django() -> None:
    import django

    django.setup()


def _fields(instance, **overrides) -> dict:
    values = {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key
    }
    values.update(overrides)
    return values


def _clinic(size: int) -> int:
    from django.utils import timezone

    from accounts.models import Clinic
    from followup.models import Alert, CheckIn
    from programs.models import Plan, PlanRevision
    from reminders import services as reminders
    from reminders.models import ReminderSchedule
    from tests.factories import PatientFactory, PhysiotherapistFactory
    from tests.followup.conftest import check_in, publish_plan_for

    clinic = Clinic.objects.create(name=f"Bench clinic of {size}")
    physio = PhysiotherapistFactory(
        clinic=clinic, user__email=f"physio.{size}.{uuid.uuid4().hex[:8]}@example.com"
    )
    template = PatientFactory(physiotherapist=physio, email=f"patient.{size}.0@example.com")
    today = timezone.localdate()
    revision = publish_plan_for(template, today=today - datetime.timedelta(days=30))
    plan = revision.plan
    now = timezone.now()
    for index in range(CHECK_INS):
        day = now - datetime.timedelta(days=2 * index + 1)
        items = revision.tickable_keys(timezone.localdate(day))[:2]
        check_in(template, at=day, items_done=items, pain=3 + index % 3, zone="green")
    reminders.apply_default_schedule(plan=plan)
    alert = Alert.objects.create(
        patient=template,
        plan=plan,
        rule_id="ESC-WORSE",
        severity="urgent",
        action="alert",
        physio_message="ESC-WORSE: bench",
    )
    schedule = ReminderSchedule.objects.get(patient=template)
    check_ins = list(CheckIn.objects.filter(plan=plan))

    from accounts.models import Patient

    patients = Patient.objects.bulk_create(
        Patient(**_fields(template, email=f"patient.{size}.{index}@example.com", user_id=None))
        for index in range(1, size)
    )
    plans = Plan.objects.bulk_create(
        Plan(**_fields(plan, patient_id=patient.pk)) for patient in patients
    )
    PlanRevision.objects.bulk_create(
        PlanRevision(**_fields(revision, plan_id=copy.pk)) for copy in plans
    )
    CheckIn.objects.bulk_create(
        CheckIn(**_fields(row, patient_id=copy.patient_id, plan_id=copy.pk, client_token=None))
        for copy in plans
        for row in check_ins
    )
    ReminderSchedule.objects.bulk_create(
        ReminderSchedule(**_fields(schedule, patient_id=patient.pk, public_id=uuid.uuid4()))
        for patient in patients
    )
    Alert.objects.bulk_create(
        Alert(**_fields(alert, patient_id=copy.patient_id, plan_id=copy.pk))
        for copy in plans[9::10]
    )
    return physio.user_id


def _setup(sizes: list[int]) -> None:
    _django()
    began = time.perf_counter()
    from django.db import transaction

    with transaction.atomic():
        users = {str(size): _clinic(size) for size in sizes}
    print(JSON_MARK + json.dumps({"users": users, "seconds": time.perf_counter() - began}))


def _measure(user_id: int, samples: int) -> None:
    """CPU of this process per dashboard view (the server's share; PostgreSQL's is apart)."""
    _django()
    from django.db import close_old_connections, connection
    from django.test import Client

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(pk=user_id))

    def view():
        response = client.get("/dashboard/")
        if response.status_code != 200:
            raise RuntimeError(f"/dashboard/ answered {response.status_code}")
        return response

    for _ in range(2):
        view()
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        rows = view().content.decode().count('<th scope="row"')
    cpu, wall = [], []
    for _ in range(samples):
        close_old_connections()
        began, began_cpu = time.perf_counter(), time.process_time()
        view()
        cpu.append(time.process_time() - began_cpu)
        wall.append(time.perf_counter() - began)
    print(
        JSON_MARK + json.dumps({"cpu": cpu, "wall": wall, "queries": len(statements), "rows": rows})
    )


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["?"]
    if command == "setup":
        _setup([int(size) for size in rest])
    elif command == "measure":
        _measure(int(rest[0]), int(rest[1]))
    else:
        sys.exit("usage: python bench/dashboard_helpers.py setup N [N ...] | measure USER SAMPLES")
