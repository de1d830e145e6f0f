"""Reminder dispatch (DESIGN §8): due-slot selection for 100,000 patients in ≤ 1 s with a
constant number of queries; the whole dispatch of 100,000 in ≤ 5 s; 10,000 emails to a local
SMTP server with 2 worker processes in ≤ 30 s; zero duplicates. With `python -m bench
--before PATH`, steps 1-2 also run in that earlier checkout (its own copy of this module, its
own database) first, and its figures stand beside these.

Steps, on PostgreSQL only (a uniquely named throwaway database beside the one DATABASE_URL
names; the selection budget is about PostgreSQL's plan, SQLite is not measured):

1. `setup` (not timed): migrate; one clinic and physiotherapist; 100,000 patients, each with an
   active plan, a published revision (4 phases x 5 items) and a daily reminder schedule in UTC.
   The rows are cloned from one template row per table with `INSERT … SELECT generate_series`,
   so the column list always follows the models.
2. `select`: 10,000 schedules due at one minute, the other 90,000 a minute later.
   `list(services.due_schedules(now))` (the dispatcher's query: due schedules annotated with
   their current plan) is timed with 10,000 and with 100,000 due, and its SQL queries counted
   with CaptureQueriesContext (the budgeted rows). Informational rows: the same selection as
   the dispatcher runs it (FOR UPDATE SKIP LOCKED in batches, only the selects timed), and the
   whole `dispatch_due_reminders` for 10,000 and for 100,000 due (select, insert the rows,
   advance the schedules, read back, enqueue on Redis), once each. Also the time of a one-row
   commit, which bounds each claim and each finish of a reminder.
3. Emails: an aiosmtpd sink on loopback in this (the harness's) process that only records each
   message; one real worker `celery -A config worker -Q email --concurrency 2 --pool prefork`
   on Redis (a separate db index, BENCH_REDIS_DB, default 7) with EMAIL_URL pointing at the
   sink. After a 100-email warm-up, each round arms 10,000 due schedules and times from the
   call of `dispatch_due_reminders` (in a helper process) to the sink's 10,000th message; then
   counts duplicates by Message-ID and by recipient and reads the rows' final status. The CPU
   of the worker, its PostgreSQL backends, the dispatching helper and the sink is recorded,
   and what the rest of the machine used meanwhile, since others may share its two cores.

The worker and the databases this run created are removed at the end, even on error. Django
is only imported by the helper processes
(`python -m bench.bench_reminders setup|select|arm|dispatch|verify|purge`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.harness import Result, before_tree, fmt, run_python, summarise, throwaway_database

BASE_DIR = Path(__file__).resolve().parent.parent
JSON_MARK = "BENCH_JSON "
PATIENTS = 100_000
FEW = 10_000  # the smaller due set: the query count must be the same as for PATIENTS
EMAILS = 10_000
WARMUP_EMAILS = 100
EMAIL_ROUNDS = 2
SELECT_SAMPLES = 5
WORKER_CONCURRENCY = 2
BUDGET_SELECT_S = 1.0
BUDGET_DISPATCH_S = 5.0
BUDGET_EMAIL_S = 30.0
EMAIL_TIMEOUT_S = 300.0  # give up waiting for the sink after this (the budget is missed then)
DUPLICATE_GRACE_S = 3.0  # keep listening after the last expected message, for duplicates
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PHASES = (("P1", "Settle"), ("P2", "Restore"), ("P3", "Strengthen"), ("P4", "Maintain"))


# --- the throwaway database and the environment -------------------------------------------------
def redis_url() -> str:
    """REDIS_URL (default the local server) with the benchmark's own db index."""
    parts = urlsplit(os.environ.get("REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0")
    return urlunsplit(parts._replace(path=f"/{os.environ.get('BENCH_REDIS_DB', '7')}"))


def bench_env(database_url: str, email_url: str = "") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="false",  # production-like: no query log, cached templates
        SECRET_KEY="bench-only",  # noqa: S106 - a throwaway key for a throwaway database
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url(),
        CELERY_BROKER_URL=redis_url(),
        CELERY_TASK_ALWAYS_EAGER="false",
        EMAIL_URL=email_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def _python(env: dict[str, str], *args: str, timeout: float = 1800, tree: Path = BASE_DIR) -> str:
    return run_python(env, *args, timeout=timeout, cwd=tree)


def _helper(env: dict[str, str], step: str, *args: str, tree: Path = BASE_DIR) -> dict:
    """A step run by `tree`'s own copy of this module (the earlier checkout's, for "before")."""
    output = _python(env, "-m", "bench.bench_reminders", step, *args, tree=tree)
    for line in reversed(output.splitlines()):
        if line.startswith(JSON_MARK):
            return json.loads(line[len(JSON_MARK) :])
    raise RuntimeError(f"no result line from `{step}`:\n{output[-2000:]}")


# --- the SMTP sink ------------------------------------------------------------------------------
@dataclass
class Sink:
    """Records each message (arrival time, recipients, raw bytes) and nothing more, so the
    sink's own work stays small; the messages are parsed after the clock stops."""

    messages: list[tuple[float, tuple[str, ...], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((time.monotonic(), tuple(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True


@contextmanager
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # it logs every SMTP command
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


# --- the worker ---------------------------------------------------------------------------------
def _die_with_parent() -> None:
    """In the child before exec: SIGTERM the worker if the benchmark dies (Linux)."""
    with suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def _machine_busy() -> float:
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / CLOCK_TICKS


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path

    @property
    def pids(self) -> list[int]:
        return [self.process.pid, *_children(self.process.pid)]

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""


@contextmanager
def celery_worker(env: dict[str, str]) -> Iterator[Worker]:
    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as folder:
        log_path = Path(folder) / "worker.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-Q",
                    "email",
                    "--concurrency",
                    str(WORKER_CONCURRENCY),
                    "--pool",
                    "prefork",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    f"--hostname=bench-reminders-{os.getpid()}@%h",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so we can stop all of it
                preexec_fn=_die_with_parent,
            )
        worker = Worker(process, log_path)
        try:
            deadline = time.monotonic() + 90
            while "ready." not in log_path.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the Celery worker did not start:\n{worker.log_tail()}")
                time.sleep(0.2)
            yield worker
        finally:
            if process.poll() is None:
                process.terminate()
                with suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=20)
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


# --- the email rounds ---------------------------------------------------------------------------
@dataclass
class Round:
    count: int
    seconds: float  # from the dispatch call to the count-th message (inf: not reached)
    dispatch_seconds: float
    received: int
    duplicate_ids: int
    duplicate_recipients: int
    statuses: dict[str, int]
    # CPU seconds while the round ran: the worker (main and pool), the PostgreSQL backends of
    # the benchmark's database, the dispatching helper, this process (the sink), everything.
    worker_cpu: float
    database_cpu: float
    dispatch_cpu: float
    sink_cpu: float
    machine_busy: float

    @property
    def other_cpu(self) -> float:
        """Everything else: Redis, the kernel, and other people's work on the machine."""
        ours = self.worker_cpu + self.database_cpu + self.dispatch_cpu + self.sink_cpu
        return max(0.0, self.machine_busy - ours)


class BackendCpu:
    """CPU seconds used by the PostgreSQL backends serving the benchmark's database, sampled in
    a thread. Celery's Django fixup closes the worker's connection after every task, so most
    backends live for one batch: a backend first seen after the start counts from its fork."""

    def __init__(self, admin_url: str, name: str):
        self.admin_url = admin_url
        self.name = name
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop = threading.Event()
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            while not self.stop.is_set():
                rows = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.name]
                ).fetchall()
                for (pid,) in rows:
                    cpu = _cpu_seconds([pid])
                    self.first.setdefault(pid, cpu if not self.started.is_set() else 0.0)
                    self.last[pid] = cpu
                self.started.set()
                self.stop.wait(0.2)

    def __enter__(self) -> BackendCpu:
        self.thread.start()
        self.started.wait(timeout=10)
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=10)

    @property
    def seconds(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def email_round(
    env: dict[str, str], sink: Sink, worker: Worker, count: int, admin_url: str, name: str
) -> Round:
    sink.messages.clear()
    _helper(env, "purge")
    _helper(env, "arm", str(count))
    with BackendCpu(admin_url, name) as database:
        worker_before, busy_before = _cpu_seconds(worker.pids), _machine_busy()
        own_before, children_before = time.process_time(), _children_cpu()
        dispatched = _helper(env, "dispatch")
        dispatch_cpu = _children_cpu() - children_before
        if dispatched["queued"] != count:
            raise RuntimeError(f"dispatch queued {dispatched['queued']} deliveries, not {count}")
        reached = sink.wait_for(count, EMAIL_TIMEOUT_S)
        worker_after, busy_after = _cpu_seconds(worker.pids), _machine_busy()
        own_cpu = time.process_time() - own_before
    seconds = sink.messages[count - 1][0] - dispatched["started"] if reached else float("inf")
    time.sleep(DUPLICATE_GRACE_S)
    messages = list(sink.messages)
    parser = BytesHeaderParser()
    ids = Counter(parser.parsebytes(content)["Message-ID"] for _, _, content in messages)
    recipients = Counter(rcpt for _, rcpts, _ in messages for rcpt in rcpts)
    if not reached:
        print(
            f"   only {len(messages)} of {count} emails after {EMAIL_TIMEOUT_S:.0f} s; "
            f"worker log:\n{worker.log_tail()}",
            file=sys.stderr,
            flush=True,
        )
    return Round(
        count=count,
        seconds=seconds,
        dispatch_seconds=dispatched["seconds"],
        received=len(messages),
        duplicate_ids=sum(n - 1 for n in ids.values()),
        duplicate_recipients=sum(n - 1 for n in recipients.values()),
        statuses=_helper(env, "verify")["statuses"],
        worker_cpu=worker_after - worker_before,
        database_cpu=database.seconds,
        dispatch_cpu=dispatch_cpu,
        sink_cpu=own_cpu,
        machine_busy=busy_after - busy_before,
    )


# --- the benchmark ------------------------------------------------------------------------------
@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    def unwind(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    previous = signal.signal(signal.SIGTERM, unwind)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _say(text: str) -> None:
    print(f"   {text}", file=sys.stderr, flush=True)


def _before(tree: Path) -> dict:
    """The earlier checkout's selection and whole dispatch, on its own throwaway database, by
    its own copy of this module's helpers."""
    with throwaway_database("bench_reminders_before", postgres_only=True) as database:
        env = bench_env(database.url)
        _python(env, "manage.py", "migrate", "--no-input", tree=tree)
        _helper(env, "setup", tree=tree)
        selection = _helper(env, "select", tree=tree)
        _say("the earlier commit's selection measured")
        return selection


def run() -> list[Result]:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return [Result.skip("reminder dispatch", "needs PostgreSQL: set DATABASE_URL")]
    before = before_tree()
    with _sigterm_unwinds():
        earlier = _before(before) if before else None
        with throwaway_database("bench_reminders", postgres_only=True) as database:
            env = bench_env(database.url)
            _python(env, "manage.py", "migrate", "--no-input")
            setup = _helper(env, "setup")
            _say(f"{setup['patients']:,} patients populated in {setup['seconds']:.0f} s")
            selection = _helper(env, "select")
            _say("selection measured")
            with smtp_sink() as (sink, port):
                env = bench_env(database.url, f"smtp://127.0.0.1:{port}")
                with celery_worker(env) as worker:
                    where = (database.admin_url, database.name)
                    email_round(env, sink, worker, WARMUP_EMAILS, *where)
                    rounds = []
                    for index in range(EMAIL_ROUNDS):
                        rounds.append(email_round(env, sink, worker, EMAILS, *where))
                        _say(f"email round {index + 1}: {rounds[-1].seconds:.1f} s")
            _helper(env, "purge")
    return _results(setup, selection, rounds, earlier)


def _results(
    setup: dict, selection: dict, rounds: list[Round], earlier: dict | None = None
) -> list[Result]:
    where = (
        f"PostgreSQL, {setup['patients']:,} patients with an active published plan and a "
        "daily schedule"
    )
    few, many = selection["queries_few"], selection["queries_many"]
    earlier_select = summarise(earlier["seconds_many"]).median if earlier else None
    earlier_dispatch = earlier["dispatch"]["many"]["seconds"] if earlier else None
    select_row = Result.from_samples(
        f"reminder due-slot selection, {PATIENTS:,} due",
        selection["seconds_many"],
        f"≤ {BUDGET_SELECT_S:g} s",
        "s",
        lambda median: median <= BUDGET_SELECT_S,
        ratio=_speedup(earlier_select, summarise(selection["seconds_many"]).median),
        note=(
            f"list(services.due_schedules(now)) returning {selection['rows_many']:,} schedules "
            "in one query, each with its current plan's status and last publish time, as "
            f"tuples; {FEW:,} due: {fmt(summarise(selection['seconds_few']).median)} s; {where}"
            + (
                f"; the earlier commit in the same run: {fmt(earlier_select)} s (ratio: its "
                "time over this one's)"
                if earlier
                else ""
            )
        ),
    )
    query_row = Result.from_samples(
        f"reminder due-slot selection: SQL queries, {FEW:,} vs {PATIENTS:,} due",
        [few, many],
        "constant",
        "queries",
        passed=few == many,
        value=f"{few} / {many}",
        note="CaptureQueriesContext around the selection; the SQL: " + selection["sql"][:300],
    )
    batched = selection["batched"]
    batch_size = selection["batch_size"]
    batched_row = Result.from_samples(
        f"reminder due-slot selection as the dispatcher runs it, {PATIENTS:,} due",
        [batched["many"]["seconds"]],
        "(report)",
        "s",
        value=f"{batched['many']['seconds']:.2f} s",
        note=(
            f"informational: the same query with FOR UPDATE SKIP LOCKED LIMIT {batch_size:,}, "
            "one transaction per batch, only the selects timed: "
            f"{batched['many']['queries']} queries for {PATIENTS:,} due, "
            f"{batched['few']['queries']} for {FEW:,} ({batched['few']['seconds']:.2f} s), i.e. "
            f"one per {batch_size:,} due schedules"
        ),
    )
    dispatch = selection["dispatch"]
    dispatch_row = Result.from_samples(
        f"reminder dispatch_due_reminders, {PATIENTS:,} due (whole run)",
        [dispatch["many"]["seconds"]],
        f"≤ {BUDGET_DISPATCH_S:g} s",
        "s",
        lambda median: median <= BUDGET_DISPATCH_S,
        value=f"{dispatch['many']['seconds']:.1f} s",
        ratio=_speedup(earlier_dispatch, dispatch["many"]["seconds"]),
        note=(
            (
                f"the earlier commit in the same run: {earlier_dispatch:.1f} s (ratio: its time "
                "over this one's); "
                if earlier
                else ""
            )
            + f"the whole dispatcher in batches of {batch_size:,} (select, insert "
            "the delivery rows, advance the schedules, read back the new rows, enqueue send "
            f"batches on Redis after commit): {dispatch['many']['queued']:,} queued in "
            f"{dispatch['many']['queries']} queries ({_per_batch(dispatch['many'])} per batch); "
            f"{FEW:,} due: {dispatch['few']['seconds']:.2f} s, {dispatch['few']['queries']} "
            f"queries ({_per_batch(dispatch['few'])} per batch)"
        ),
    )
    seconds = [r.seconds for r in rounds]
    statuses = "; ".join(
        ", ".join(f"{n:,} {status}" for status, n in sorted(r.statuses.items())) for r in rounds
    )
    cores = "; ".join(
        f"round {index}: CPU per email {_ms(r.worker_cpu, r)} worker, {_ms(r.database_cpu, r)} "
        f"PostgreSQL, {_ms(r.dispatch_cpu, r)} dispatcher, {_ms(r.sink_cpu, r)} sink; other work "
        f"on the machine {r.other_cpu / r.seconds:.2f} cores of {os.cpu_count()} (machine "
        f"{r.machine_busy / r.seconds:.2f} cores busy); dispatch call {r.dispatch_seconds:.1f} s"
        for index, r in enumerate(rounds, start=1)
        if r.seconds != float("inf")
    )
    email_row = Result.from_samples(
        f"reminder emails: {EMAILS:,} to local SMTP, {WORKER_CONCURRENCY} worker processes",
        seconds,
        f"≤ {BUDGET_EMAIL_S:g} s",
        "s",
        lambda median: median <= BUDGET_EMAIL_S,
        note=(
            f"{len(rounds)} rounds after a {WARMUP_EMAILS}-email warm-up, each timed from the "
            "call of dispatch_due_reminders to the sink's last expected message; one Celery "
            f"worker (prefork, concurrency {WORKER_CONCURRENCY}) on Redis, batches of "
            f"{setup['send_batch_size']} over one SMTP connection, each email claimed and "
            "finished by its own committed UPDATE (a one-row commit takes "
            f"{selection['commit_ms']:.2f} ms on this machine); aiosmtpd sink on loopback in "
            f"the benchmark process; {cores}; rows: {statuses}"
        ),
    )
    duplicates_ids = sum(r.duplicate_ids for r in rounds)
    duplicates_rcpt = sum(r.duplicate_recipients for r in rounds)
    received = sum(r.received for r in rounds)
    expected = sum(r.count for r in rounds)
    duplicate_row = Result(
        name="reminder emails: duplicates (by Message-ID / by recipient)",
        budget="0",
        value=f"{duplicates_ids} / {duplicates_rcpt}",
        passed=duplicates_ids == 0 and duplicates_rcpt == 0,
        note=(
            f"{received:,} messages received for {expected:,} due slots over {len(rounds)} "
            f"rounds, counted {DUPLICATE_GRACE_S:g} s after the last expected one"
        ),
    )
    return [select_row, query_row, batched_row, dispatch_row, email_row, duplicate_row]


def _speedup(earlier: float | None, now: float) -> float | None:
    return earlier / now if earlier is not None and now else None


def _ms(cpu: float, r: Round) -> str:
    return f"{1000 * cpu / r.count:.2f} ms"


def _per_batch(dispatch: dict) -> str:
    batches = dispatch["batches"]
    return f"{(dispatch['queries'] - 1) / batches:g}" if batches else "-"


# --- helpers run in subprocesses with the benchmark's environment --------------------------------
def _django() -> None:
    import django

    django.setup()


def _emit(data: dict) -> None:
    print(JSON_MARK + json.dumps(data), flush=True)


def _snapshot() -> dict:
    """A published revision's snapshot as the reminder reads it: 4 phases of 5 items."""
    names = ["Pelvic tilt", "Knee rolls", "Cat and camel", "Bridging", "Walking"]
    dosage = "2 sets of 10, hold 5 seconds, twice a day"
    return {
        "current_phase": "P1",
        "phases": [
            {
                "code": code,
                "name": name,
                "items": [{"name": item, "dosage_text": dosage} for item in names],
            }
            for code, name in PHASES
        ],
    }


def _clone(model, template_pk: int, source: str, overrides: dict[str, str], params=()) -> int:
    """Insert a copy of one template row per row of `source` (SQL after FROM, aliased `s`);
    `overrides` maps columns to SQL expressions. Returns the number of rows inserted."""
    from django.db import connection

    quote = connection.ops.quote_name
    table = model._meta.db_table
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    values = [overrides.get(column, f"t.{quote(column)}") for column in columns]
    # Identifiers come from the models' metadata and are quoted; values are parameters.
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM {quote(table)} t CROSS JOIN {source} "
        f"AND t.{quote(model._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, template_pk])
        return cursor.rowcount


def _setup() -> None:
    """100,000 patients, each with an active plan, a published revision and a schedule."""
    _django()
    from django.db import connection, transaction

    from accounts.models import Clinic, Patient, Physiotherapist, User
    from programs.models import Assessment, Plan, PlanRevision
    from reminders import services
    from reminders.models import ReminderSchedule

    started = time.perf_counter()
    today = dt.date.today()
    with transaction.atomic():
        clinic = Clinic.objects.create(
            name="Bench clinic", phone="01234 000000", emergency_wording="Call 999."
        )
        user = User.objects.create_user("physio@bench.example", full_name="Bench Physio")
        physio = Physiotherapist.objects.create(user=user, clinic=clinic)
        patient = Patient.objects.create(
            clinic=clinic,
            physiotherapist=physio,
            first_name="Alex",
            last_name="Bench 0",
            date_of_birth=dt.date(1980, 1, 1),
            email="p0@bench.example",
            timezone="UTC",
        )
        assessment = Assessment.objects.create(
            patient=patient,
            recorded_by=physio,
            assessment_date=today,
            answers={},
            outcome=Assessment.Outcome.CLEAR,
            screened_on=today,
        )
        plan = Plan.objects.create(
            patient=patient,
            physiotherapist=physio,
            assessment=assessment,  # one shared assessment: the reminders never read it
            status=Plan.Status.ACTIVE,
            start_date=today,
            current_phase="P1",
        )
        revision = PlanRevision.objects.create(
            plan=plan, number=1, snapshot=_snapshot(), published_by=user
        )
        schedule = ReminderSchedule.objects.create(
            patient=patient, weekdays=list(range(7)), timezone="UTC"
        )
        n = PATIENTS - 1
        _clone(
            Patient,
            patient.pk,
            "generate_series(1, %s) AS s(n) WHERE TRUE",
            {"email": "'p' || s.n || '@bench.example'", "last_name": "'Bench ' || s.n"},
            [n],
        )
        _clone(
            Plan,
            plan.pk,
            '"accounts_patient" s WHERE s."id" <> %s',
            {"patient_id": 's."id"'},
            [patient.pk],
        )
        _clone(
            PlanRevision,
            revision.pk,
            '"programs_plan" s WHERE s."id" <> %s',
            {"plan_id": 's."id"'},
            [plan.pk],
        )
        _clone(
            ReminderSchedule,
            schedule.pk,
            '"accounts_patient" s WHERE s."id" <> %s',
            {"patient_id": 's."id"', "public_id": "gen_random_uuid()"},
            [patient.pk],
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    _emit(
        {
            "patients": Patient.objects.count(),
            "schedules": ReminderSchedule.objects.count(),
            "revisions": PlanRevision.objects.count(),
            "seconds": time.perf_counter() - started,
            "send_batch_size": services.SEND_BATCH_SIZE,
        }
    )


def _arm(due: int, slot: dt.datetime, rest_slot: dt.datetime | None = None) -> None:
    """The first `due` schedules (by id) due at `slot`, the others at `rest_slot` (default:
    the same time tomorrow); no delivery rows. Local time and next slot agree, as the
    services keep them."""
    from django.db import connection

    from reminders.models import ReminderDelivery, ReminderSchedule

    rest_slot = rest_slot or slot + dt.timedelta(days=1)
    schedules = connection.ops.quote_name(ReminderSchedule._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {connection.ops.quote_name(ReminderDelivery._meta.db_table)}")
        last = f"SELECT id FROM {schedules} ORDER BY id OFFSET %s LIMIT 1"  # noqa: S608
        cursor.execute(last, [due - 1])
        last_due = cursor.fetchone()[0]
        cursor.execute(
            f"UPDATE {schedules} SET "  # noqa: S608 - the table name comes from the model
            "local_time = CASE WHEN id <= %s THEN %s ELSE %s END, "
            "next_slot_at = CASE WHEN id <= %s THEN %s ELSE %s END",
            [last_due, slot.time(), rest_slot.time(), last_due, slot, rest_slot],
        )
        cursor.execute(f"VACUUM ANALYZE {schedules}")  # each arm rewrites every schedule


def _this_minute() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


@contextmanager
def _counting(connection) -> Iterator[dict[str, int]]:
    """Count the SQL statements run on `connection` inside the block (`["queries"]`)."""
    counted = {"queries": 0}

    def count(execute, sql, params, many, context):
        counted["queries"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield counted


def _batched_selection(now: dt.datetime) -> dict:
    """The dispatcher's own selection: `due_schedules(now)` locked with SKIP LOCKED in batches
    of DISPATCH_BATCH_SIZE, one transaction each. Only the selects are timed; between them the
    selected schedules are moved a day on (what the dispatcher does, untimed here)."""
    from django.db import connection, transaction
    from django.db.models import F

    from reminders import services
    from reminders.models import ReminderSchedule

    seconds, rows, queries = 0.0, 0, 0
    while True:
        with transaction.atomic():
            with _counting(connection) as counted:
                began = time.perf_counter()
                batch = list(
                    services.due_schedules(now).select_for_update(skip_locked=True, of=("self",))[
                        : services.DISPATCH_BATCH_SIZE
                    ]
                )
                seconds += time.perf_counter() - began
            queries += counted["queries"]
            rows += len(batch)
            # Rows are DueSchedule values (services.due_schedules): the id comes first.
            ReminderSchedule.objects.filter(pk__in=[row[0] for row in batch]).update(
                next_slot_at=F("next_slot_at") + dt.timedelta(days=1)
            )
        if len(batch) < services.DISPATCH_BATCH_SIZE:
            return {"seconds": seconds, "rows": rows, "queries": queries}


def _commit_latency_ms(samples: int = 200) -> float:
    """Median time of a one-row UPDATE committed on its own: what each claim and each finish
    of a reminder costs at least (the WAL flush of this machine's disk)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_commit_probe (id int PRIMARY KEY, n int)")
        cursor.execute("INSERT INTO bench_commit_probe VALUES (1, 0)")
        timings = []
        for _ in range(samples):
            began = time.perf_counter()
            cursor.execute("UPDATE bench_commit_probe SET n = n + 1 WHERE id = 1")
            timings.append((time.perf_counter() - began) * 1000)
        cursor.execute("DROP TABLE bench_commit_probe")
    return summarise(timings).median


def _select() -> None:
    """Time and count the due-slot selection for FEW and PATIENTS due; then whole dispatches."""
    _django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reminders import services

    minute = _this_minute()
    few_slot, many_slot = minute - dt.timedelta(minutes=3), minute - dt.timedelta(minutes=2)
    now_few, now_many = few_slot + dt.timedelta(seconds=30), many_slot + dt.timedelta(seconds=30)
    cases = (("few", FEW, now_few), ("many", PATIENTS, now_many))
    _arm(FEW, few_slot, many_slot)

    def select(now):
        return list(services.due_schedules(now))

    counts, rows = {}, {}
    for name, _, now in cases:
        with CaptureQueriesContext(connection) as captured:
            rows[name] = len(select(now))
        counts[name] = len(captured.captured_queries)
        sql = captured.captured_queries[0]["sql"] if captured.captured_queries else ""
    if rows != {"few": FEW, "many": PATIENTS}:
        raise RuntimeError(f"due schedules: {rows}, expected {FEW} and {PATIENTS}")
    seconds: dict[str, list[float]] = {"few": [], "many": []}
    for _ in range(SELECT_SAMPLES):
        for name, _, now in cases:
            began = time.perf_counter()
            select(now)
            seconds[name].append(time.perf_counter() - began)

    batched, dispatch = {}, {}
    for name, due, now in cases:
        _arm(FEW, few_slot, many_slot)
        batched[name] = _batched_selection(now)
        if batched[name]["rows"] != due:
            raise RuntimeError(f"batched selection found {batched[name]['rows']}, not {due}")
        _arm(FEW, few_slot, many_slot)
        with _counting(connection) as counted:
            began = time.perf_counter()
            result = services.dispatch_due_reminders(now=now)
            took = time.perf_counter() - began
        if len(result.queued) != due:
            raise RuntimeError(f"dispatch queued {len(result.queued)}, expected {due}")
        dispatch[name] = {
            "seconds": took,
            "queries": counted["queries"],
            "queued": len(result.queued),
            "batches": -(-due // services.DISPATCH_BATCH_SIZE),
        }
        _purge()
    _emit(
        {
            "queries_few": counts["few"],
            "queries_many": counts["many"],
            "rows_many": rows["many"],
            "sql": sql,
            "seconds_few": seconds["few"],
            "seconds_many": seconds["many"],
            "batched": batched,
            "dispatch": dispatch,
            "batch_size": services.DISPATCH_BATCH_SIZE,
            "commit_ms": _commit_latency_ms(),
        }
    )


def _purge() -> int:
    """Empty the benchmark's email queue (its own Redis db)."""
    from config.celery import app
    from reminders.tasks import QUEUE

    with app.connection_for_write() as connection:
        return connection.default_channel.queue_purge(QUEUE) or 0


def _dispatch() -> None:
    _django()
    from reminders import services

    services.ReminderDelivery.objects.exists()  # connect before the clock starts
    started = time.monotonic()
    result = services.dispatch_due_reminders()
    _emit(
        {
            "started": started,
            "seconds": time.monotonic() - started,
            "queued": len(result.queued),
        }
    )


def _verify() -> None:
    _django()
    from django.db.models import Count

    from reminders.models import ReminderDelivery

    rows = ReminderDelivery.objects.values("status").annotate(n=Count("id"))
    _emit({"statuses": {row["status"]: row["n"] for row in rows}})


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["?"]
    if command == "setup":
        _setup()
    elif command == "select":
        _select()
    elif command == "arm":
        _django()
        _arm(int(rest[0]), _this_minute() - dt.timedelta(minutes=1))
        _emit({})
    elif command == "dispatch":
        _dispatch()
    elif command == "verify":
        _verify()
    elif command == "purge":
        _django()
        _emit({"purged": _purge()})
    else:
        sys.exit("usage: python -m bench.bench_reminders setup|select|arm N|dispatch|verify|purge")
